import Foundation
import Synchronization

/// A child process started with posix_spawn and reaped with waitpid on its own pid, never
/// through Foundation's Process: Process.waitUntilExit waits on a run loop for a termination
/// notice that, under many concurrent children, sometimes never comes, and then blocks its
/// thread for good (a CI run hung that way). Here a blocking wait is `waitid` on the pid and
/// an async wait polls, so no thread depends on a notice. Output goes to files, not pipes:
/// a server the command starts keeps what it inherits open for its whole life.
public final class ChildProcess: Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
        public let status: Int32
    }

    /// Where a standard stream goes.
    public enum Sink: Sendable {
        case discard
        /// A file, created or truncated.
        case file(String)
        /// Standard error only: the same file as standard output.
        case standardOutput
    }

    /// A finished command's exit status (128 + signal when killed) and what it printed.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public let pid: pid_t
    private let exit = Mutex<Int32?>(nil)

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable arguments` with `environment` added to this process's, in
    /// `directory` (the current one when nil), standard input from /dev/null.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                             directory: String? = nil, stdout: Sink = .discard, stderr: Sink = .discard) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, sink) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch sink {
            case .discard: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, fd)
            }
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        // In another folder through the shell (glibc's addchdir_np is not visible to Swift);
        // exec keeps the pid, so it is the command's from the start.
        let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] + arguments } ?? [executable] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        // posix_spawnp: a bare name ("git", "python3") is looked up on PATH.
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard spawned == 0 else {
            throw Failed(description: "cannot run \(executable): \(String(cString: strerror(spawned)))", status: -1)
        }
        return ChildProcess(pid: pid)
    }

    /// The exit status once the process has ended, nil while it runs. Reaps it.
    public var status: Int32? {
        exit.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            var r: pid_t
            repeat { r = waitpid(pid, &raw, WNOHANG) } while r == -1 && errno == EINTR
            if r == pid { status = Self.decode(raw) } else if r == -1 { status = -1 }
            return status
        }
    }

    public var isRunning: Bool { status == nil }

    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks this thread until the process ends; for synchronous callers only.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while true {
            if let status { return status }
            // Waits for the end without reaping, so `status` alone reaps, under its lock.
            var info = siginfo_t()
            let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
            if r == -1 && errno != EINTR { return status ?? -1 }
        }
    }

    /// Waits for the end without holding a thread.
    @discardableResult
    public func exited() async -> Int32 {
        var pause: UInt64 = 1_000_000
        while true {
            if let status { return status }
            do { try await Task.sleep(nanoseconds: pause) } catch { return waitUntilExit() }
            pause = min(pause * 2, 50_000_000)
        }
    }

    /// Kills the process with `signal` and waits for it to end.
    @discardableResult
    public func stop(_ signal: Int32 = SIGKILL) -> Int32 {
        self.signal(signal)
        return waitUntilExit()
    }

    private static func decode(_ raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Runs a command to completion and returns its status and output (blocking).
    public static func capture(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                               directory: String? = nil) throws -> Output {
        let files = OutputFiles()
        defer { files.remove() }
        let child = try start(executable, arguments, environment: environment, directory: directory,
                              stdout: .file(files.stdout), stderr: .file(files.stderr))
        let status = child.waitUntilExit()
        return Output(status: status, stdout: files.read(files.stdout), stderr: files.read(files.stderr))
    }

    /// Runs a command to completion without holding a thread.
    public static func captureAsync(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                                    directory: String? = nil) async throws -> Output {
        let files = OutputFiles()
        defer { files.remove() }
        let child = try start(executable, arguments, environment: environment, directory: directory,
                              stdout: .file(files.stdout), stderr: .file(files.stderr))
        let status = await child.exited()
        return Output(status: status, stdout: files.read(files.stdout), stderr: files.read(files.stderr))
    }

    /// Runs `executable arguments` (as `user` through runuser when given, from "/": that user
    /// may not be able to read the caller's folder) and returns what it printed, standard
    /// error after standard output; throws with the output when it exits non-zero.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], as user: String? = nil, environment: [String: String] = [:]) throws -> String {
        let argv = (user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]) + arguments
        let output = try capture(argv[0], Array(argv.dropFirst()), environment: environment, directory: "/")
        let text = output.stdout + output.stderr
        guard output.status == 0 else {
            throw Failed(description: "\((executable as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed (\(output.status)): \(text)",
                         status: output.status)
        }
        return text
    }

    /// Two temp files for a command's standard output and error.
    private struct OutputFiles {
        let stdout: String
        let stderr: String
        init() {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-run-\(UUID().uuidString)").path
            stdout = base + ".out"
            stderr = base + ".err"
        }
        func read(_ path: String) -> String {
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        func remove() { unlink(stdout); unlink(stderr) }
    }
}
