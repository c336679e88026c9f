import Foundation

/// An exclusive advisory lock on a file (`flock`), held for the duration of a body: how the
/// SQLite adapters keep two processes opening a new state folder at once from running the
/// same migrations side by side (the loser would fail with "table already exists").
public enum FileLock {
    public struct Failed: Error, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { "cannot lock \(path): \(String(cString: strerror(code)))" }
    }

    public static func exclusively<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failed(path: path, code: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Failed(path: path, code: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
