import Foundation

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temp folder, `pg_ctl start`
/// on a free loopback port (no Unix socket outside the folder), password authentication
/// over TCP, stopped and removed when the test process exits. Run as root, every server
/// command runs as the unprivileged `postgres` user (else `nobody`), as PostgreSQL demands.
/// One cluster per test process; each test makes its own database (`makeDatabase`).
public final class PostgresCluster: Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
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

    /// A cluster of its own, for a test that stops it.
    public static func dedicated() throws -> PostgresCluster { try PostgresCluster() }

    /// Stops the server at once, as a crash would; the folder goes when this process does.
    public func stop() throws {
        try Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], as: runAs)
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
        try Self.stopAtExit(folder: folder, pgctl: binaries + "/pg_ctl", runAs: runAs)
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

    /// Runs a command (as `user` when given) and returns its output; throws with the output
    /// when it fails.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], as user: String? = nil, environment: [String: String] = [:]) throws -> String {
        do { return try ChildProcess.run(executable, arguments, as: user, environment: environment) } catch let failed as ChildProcess.Failed {
            throw Failed(description: failed.description)
        }
    }

    /// A watchdog shell outlives this process by at most a second: when the test process is
    /// gone (exit, crash or kill -9) it stops the cluster and removes its folder.
    static func stopAtExit(folder: String, pgctl: String, runAs: String?) throws {
        let stop = (runAs.map { "/usr/sbin/runuser -u \($0) -- " } ?? "") + "'\(pgctl)' -D '\(folder)/data' -m immediate -w stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(folder)'"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own session: a signal to the test's process group does not take it along.
        posix_spawnattr_setflags(&attributes, 0x80 /* POSIX_SPAWN_SETSID, which Glibc does not export to Swift */)
        let words: [String] = ["/bin/sh", "-c", script]
        let cArgs = words.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgs, environ)
        guard spawned == 0 else { throw Failed(description: "cannot start the cluster's watchdog: error \(spawned)") }
    }
}
