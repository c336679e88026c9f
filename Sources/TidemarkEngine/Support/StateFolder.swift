import Foundation

/// The state folder holds the audit log, the inventory and the services' objects: private to
/// its owner. Both SQLite adapters open their database files through `openDatabase`.
public enum StateFolder {
    public struct Failed: Error, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { "cannot create \(path): \(String(cString: strerror(code)))" }
    }

    /// Opens a database file of the state folder. The folder is created 0700 and the file
    /// 0600 before SQLite first touches it (SQLite gives its -wal and -shm files the same
    /// mode). `open` (which sets up WAL and migrates) runs under an exclusive file lock, so
    /// processes opening a new folder at once do it one at a time: unserialized, a racing
    /// opener fails with "database is locked" on `journal_mode = WAL` or "table already
    /// exists". A file an earlier version left readable is made private. A folder Tidemark did
    /// not create keeps its mode, and other files in it are left alone: `--data` may name a
    /// folder that holds more than state.
    public static func openDatabase<T>(_ file: String, _ open: () throws -> T) throws -> T {
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = Foundation.open(file, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) } else if errno != EEXIST { throw Failed(path: file, code: errno) }
        let opened = try FileLock.exclusively(file + ".lock", open)
        for suffix in ["", "-wal", "-shm", ".lock"] {
            var info = stat()
            guard lstat(file + suffix, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            chmod(file + suffix, 0o600)
        }
        return opened
    }
}
