import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Apply an earlier revision's desired state and pin it.",
        discussion: "A rollback is a plan: the manifests of that revision's commit are read from git and applied. The revision is then pinned, so an automated loop does not roll forward until a newer commit arrives or `rollback --unpin`.")

    @Argument(help: "The revision number (see `tidemark history`).")
    var revision: Int64?

    @Flag(help: "Lift the pin instead of rolling back.")
    var unpin = false

    @Option(help: "The git repository holding the revision's commit.")
    var repo: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var run: RunOptions

    func run() async throws {
        let source = try SourceOptions.parse(["--repo", repo])
        let environment = try await Environment.open(state: state, backend: backend, source: try source.openSource(), role: "rollback")
        let reconciler = environment.reconciler
        let options = try run.options(trigger: .rollback)
        let session = ApplySession(run: run)
        if unpin {
            let lifted = try await session.exclusively(reconciler, actor: options.actor) { try await reconciler.liftPin() }
            Terminal.write(lifted.map { "unpinned revision \($0)\n" } ?? "nothing was pinned\n")
            return
        }
        guard let revision else { throw CommandFailure("error: name a revision to roll back to (see `tidemark history`), or pass --unpin") }
        Terminal.error("rolling back to revision \(revision)")
        let outcome: ReconcileOutcome
        do {
            outcome = try await session.exclusively(reconciler, actor: options.actor) {
                try await reconciler.rollback(to: revision, options: options, confirm: session.confirm, progress: session.progress())
            }
        } catch let refused as RollbackRefused {
            if !refused.diagnostics.isEmpty { Terminal.error(DiagnosticRenderer.text(refused.diagnostics)) }
            throw CommandFailure("error: \(refused) (state in \(state.folder))")
        }
        try session.report(outcome)
        switch outcome {
        case .applied(_, let report) where report.pinned:
            Terminal.write("pinned revision \(report.revision) (the state of revision \(revision)); `tidemark rollback --unpin` lifts it\n")
        case .upToDate:
            Terminal.write("live state already matches revision \(revision); pinned it; `tidemark rollback --unpin` lifts it\n")
        default:
            break
        }
    }
}
