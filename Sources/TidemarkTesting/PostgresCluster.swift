import Foundation

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temp folder, `pg_ctl start`
/// on a free loopback port (no Unix socket outside the folder), password authentication
/// over TCP, stopped and removed when the test process exits. Run as root, every server
/// command runs as the unprivileged `postgres` user (else `nobody`), as PostgreSQL demands.
/// One cluster per test process; each test makes its own database (`makeDatabase`).
public final class PostgresCluster: Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    public let folder: String
    public let port: Int
    public let binaries: String
    /// The superuser's password (the cluster is local to the test and dies with it).
    public let superPassword: String
    let runAs: String?

    /// The cluster for this process, started on first use.
    public static func shared() throws -> PostgresCluster {
        try started.get()
    }

    nonisolated(unsafe) static let started: Result<PostgresCluster, any Error> = Result { try PostgresCluster() }

    init() throws {
        guard let bin = Self.findBinaries() else {
            throw Failed(description: "PostgreSQL's initdb was not found (install Debian's postgresql package; `make test` does)")
        }
        binaries = bin
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        runAs = getuid() == 0 ? (Self.userExists("postgres") ? "postgres" : "nobody") : nil
        if let runAs { try Self.run("/bin/chown", ["-R", runAs, folder]) }
        superPassword = UUID().uuidString
        let pwfile = folder + "/pw"
        try superPassword.write(toFile: pwfile, atomically: true, encoding: .utf8)
        if let runAs { try Self.run("/bin/chown", [runAs, pwfile]) }
        try Self.run(binaries + "/initdb", ["-D", folder + "/data", "-U", "postgres", "--pwfile", pwfile, "--auth-local", "trust",
                                            "--auth-host", "scram-sha-256", "-E", "UTF8", "--no-sync"], as: runAs)
        var lastError: (any Error)?
        var started: Int?
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            do {
                try Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-l", folder + "/log", "-w", "-t", "30", "-o",
                                                    "-c listen_addresses=127.0.0.1 -p \(candidate) -c unix_socket_directories=\(folder) -c fsync=off -c synchronous_commit=off -c max_connections=300",
                                                    "start"], as: runAs)
                started = candidate
                break
            } catch {
                lastError = error
            }
        }
        guard let started else { throw lastError ?? Failed(description: "PostgreSQL did not start") }
        port = started
        Self.stopAtExit(folder: folder, pgctl: binaries + "/pg_ctl", runAs: runAs)
    }

    /// A new empty database owned by a new login role (not a superuser), and its URL.
    public func makeDatabase() throws -> (url: String, name: String, user: String, password: String) {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let name = "t_\(id)"
        let user = "u_\(id)"
        let password = UUID().uuidString
        try sql("CREATE ROLE \(user) LOGIN PASSWORD '\(password)'")
        try sql("CREATE DATABASE \(name) OWNER \(user)")
        return ("postgres://\(user):\(password)@127.0.0.1:\(port)/\(name)?sslmode=disable", name, user, password)
    }

    /// Runs SQL as the superuser (over TCP, with its password); returns what psql printed.
    @discardableResult
    public func sql(_ text: String, database: String = "postgres") throws -> String {
        try Self.run(binaries + "/psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres",
                                          "-d", database, "-c", text], environment: ["PGPASSWORD": superPassword])
    }

    // MARK: Processes

    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(v)/bin/initdb") { return "\(root)/\(v)/bin" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/initdb") && FileManager.default.isExecutableFile(atPath: "\(dir)/pg_ctl") {
            return String(dir)
        }
        return nil
    }

    static func userExists(_ name: String) -> Bool {
        ((try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "").split(separator: "\n").contains { $0.hasPrefix("\(name):") }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw Failed(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw Failed(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a command (as `user` through runuser when given) and returns its output; throws
    /// with the output when it fails.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], as user: String? = nil, environment: [String: String] = [:]) throws -> String {
        let p = Process()
        if let user {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", user, "--", executable] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw Failed(description: "\((executable as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed (\(p.terminationStatus)): \(text)")
        }
        return text
    }

    nonisolated(unsafe) static var atExit: (folder: String, pgctl: String, runAs: String?)?

    static func stopAtExit(folder: String, pgctl: String, runAs: String?) {
        atExit = (folder, pgctl, runAs)
        atexit {
            guard let (folder, pgctl, runAs) = PostgresCluster.atExit else { return }
            _ = try? PostgresCluster.run(pgctl, ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], as: runAs)
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}
