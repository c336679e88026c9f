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

    /// Tidemark's own database files, whatever SQLite adds to their names (-wal, -shm).
    static let ownFiles = ["tidemark.sqlite", "services.sqlite"]

    /// Makes Tidemark's files in an existing folder private (state written by an earlier
    /// version with the default modes). Other files, and the mode of a folder Tidemark did not
    /// create, are left alone: `--data` may name a folder that holds more than state.
    public static func restrict(_ folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where ownFiles.contains(where: { name.hasPrefix($0) }) {
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            chmod(path, 0o600)
        }
    }
}
