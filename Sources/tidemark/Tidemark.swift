import ArgumentParser
import Foundation

struct Tidemark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidemark",
        abstract: "Keeps ML infrastructure where Git says it should be.",
        discussion: """
            Reads manifests for feature groups, pipelines, model packages, models, endpoint configs, \
            endpoints and monitoring schedules from a Git revision, validates them, plans the change \
            between two revisions (pull-request CI) or against live state, applies it with rollback \
            on failure, and as `serve` reconciles each new commit, with a tamper-evident audit log.
            """,
        version: "0.1.0",
        subcommands: [ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ServeCommand.self, SyncCommand.self, StatusCommand.self, GetCommand.self,
                      HistoryCommand.self, RollbackCommand.self, AdoptCommand.self, AuditCommand.self, ServicesCommand.self,
                      GraphCommand.self, SchemaCommand.self, TraceCommand.self])
}

/// Exit codes of the contract: 0 success, 1 error or invalid manifests, 2 changes present
/// (with --detailed-exitcode). Usage errors are errors, so they exit 1 too.
@main
enum Main {
    static func main() async {
        do {
            var command = try Tidemark.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            if let failure = error as? CommandFailure {
                Terminal.error(failure.description)
                exit(1)
            }
            let code = Tidemark.exitCode(for: error)
            let message = Tidemark.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            exit(code.rawValue == 2 ? 2 : 1)
        }
    }
}

enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static func colorEnabled(_ fd: Int32 = STDOUT_FILENO) -> Bool {
        let env = ProcessInfo.processInfo.environment
        if let v = env["NO_COLOR"], !v.isEmpty { return false }
        if env["TERM"] == "dumb" { return false }
        return isatty(fd) == 1
    }
}

/// A failure to report and exit 1 with.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
