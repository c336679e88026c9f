import Foundation

/// The state folder holds the audit log, the inventory and the services' objects: private to
/// its owner. The folder is 0700 and every file Tidemark creates in it 0600.
public enum StateFolder {
    /// Creates the folder (0700) if needed.
    public static func prepare(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// Creates an empty file with mode 0600 if it does not exist, so SQLite (which gives its
    /// -wal and -shm files the database's mode) never makes a readable one.
    public static func createPrivateFile(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0o600)
        if fd >= 0 { close(fd) } else if errno != EEXIST {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Makes an existing folder and the files directly in it private (state written by an
    /// earlier version with the default modes).
    public static func restrict(_ folder: String) {
        chmod(folder, 0o700)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            chmod(path, 0o600)
        }
    }
}
