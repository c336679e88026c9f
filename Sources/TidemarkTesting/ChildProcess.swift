import Foundation

/// Runs a command to completion with posix_spawn and waitpid, not Foundation's Process:
/// Process's exit monitoring left children unreaped (waitUntilExit never returned) when
/// called from concurrent tasks while other children ran. Output goes to a file, not a
/// pipe: a server the command starts keeps what it inherits open for its whole life.
public enum ChildProcess {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
        public let status: Int32
    }

    /// Runs `executable arguments` (as `user` through runuser when given, from "/") and
    /// returns what it printed; throws with the output when it exits non-zero.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], as user: String? = nil, environment: [String: String] = [:]) throws -> String {
        // From "/": the unprivileged user may not be able to read the caller's folder.
        let argv = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"]
            + (user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]) + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-run-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw Failed(description: "cannot run \(argv[0]): error \(spawned)", status: -1) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard exit == 0 else {
            throw Failed(description: "\((executable as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed (\(exit)): \(text)", status: exit)
        }
        return text
    }

}
