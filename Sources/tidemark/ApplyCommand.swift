import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Reconcile live state to the manifests at a revision, rolling back on failure.",
        discussion: """
            Shows the plan against live state, asks for confirmation on a terminal (or needs --yes), \
            then creates, updates and replaces in dependency order. If a step fails it stops new \
            work, undoes what this apply changed in reverse order, and says what could not be undone. \
            Exit 0 when everything applied, 1 otherwise.
            """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var run: RunOptions

    @Flag(help: "Delete managed resources whose manifests are gone (never those with deletion-policy retain).")
    var prune = false

    func run() async throws {
        let git = try source.openSource()
        let (commit, index) = try await source.loadValid(git, refusal: "nothing was applied")
        let environment = try await Environment.open(state: state, backend: backend, source: git, role: "apply")
        let options = try run.options(trigger: .cli)
        let origin = RevisionOrigin(commit: commit, reference: source.rev, path: source.path)
        let session = ApplySession(run: run)
        let outcome = try await session.exclusively(environment.reconciler, actor: options.actor) {
            try await environment.reconciler.reconcile(index, origin: origin, prune: prune, options: options, pin: .lift,
                                                       confirm: session.confirm, progress: session.progress())
        }
        try session.report(outcome)
    }
}
