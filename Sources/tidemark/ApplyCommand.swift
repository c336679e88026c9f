import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkStore

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
    @OptionGroup var run: RunOptions

    @Flag(help: "Delete managed resources whose manifests are gone (never those with deletion-policy retain).")
    var prune = false

    func run() async throws {
        let (commit, loaded) = try source.loadValid(try source.open(), refusal: "nothing was applied")
        let outcome = try await Reconciliation(state: state, run: run, trigger: .cli).apply(
            desired: loaded.desired, warnings: loaded.diagnostics, commit: commit.id, reference: source.rev, path: source.path, prune: prune)
        if outcome != .succeeded { throw ExitCode(1) }
    }
}

/// Options of every command that changes live state.
struct RunOptions: ParsableArguments {
    @Flag(help: "Apply without asking.")
    var yes = false

    @Option(help: "On a failed step: rollback (undo this apply's changes) or stop.")
    var onFailure: FailurePolicy = .rollback

    @Flag(help: "Allow destructive replacements and deletes (feature groups, registry groups).")
    var allowDestroy = false

    @Option(help: "Who is applying, for the audit log (default: $USER).")
    var actor: String?

    @Option(help: "How many independent resources to change at once.")
    var concurrency = 4

    @Option(help: "Seconds to wait for another process holding the state lock.")
    var lockTimeout: Double = 0

    @Option(help: "Longest wait for one resource to settle, e.g. 90s or 10m (default: per kind, up to 1h for endpoints).")
    var waitTimeout: String?

    func options(trigger: Trigger) throws -> ApplyOptions {
        var o = ApplyOptions()
        o.concurrency = max(1, concurrency)
        o.onFailure = onFailure
        o.allowDestroy = allowDestroy
        o.actor = actor ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        o.trigger = trigger
        if let w = waitTimeout {
            guard let seconds = DurationText.seconds(w) else { throw CommandFailure("error: --wait-timeout '\(w)' is not a duration like 90s or 10m") }
            o.waitOverride = seconds
        }
        return o
    }
}

extension FailurePolicy: ExpressibleByArgument {}

/// One apply from the command line: lease, recovery, plan, confirmation, execution, records.
struct Reconciliation {
    let state: StateOptions
    let run: RunOptions
    let trigger: Trigger

    func apply(desired: DesiredState, warnings: [Diagnostic], commit: String, reference: String, path: String,
               prune: Bool) async throws -> RevisionRecord.Outcome {
        let options = try run.options(trigger: trigger)
        let store = try state.openStore(role: trigger == .rollback ? "rollback" : "apply")
        let services = try state.openServices()
        let time = SystemTime()
        do { try await store.acquireLease(wait: run.lockTimeout) } catch let held as LeaseHeld {
            throw CommandFailure("error: \(held)")
        }
        defer { try? store.releaseLease() }
        for note in try await Recovery.recover(store: store, backend: services, time: time, actor: options.actor) {
            Terminal.error("recovered: \(note)")
        }
        let live = try await LivePlanner.plan(desired: desired, head: PlanSide(revision: reference, commit: commit), path: path,
                                              inventory: try store.inventory(), backend: services, prune: prune,
                                              warnings: warnings.filter { $0.severity == .warning })
        Terminal.write(PlanRenderer.text(live.plan, color: Terminal.colorEnabled()))
        if !live.blocked.isEmpty {
            throw CommandFailure("error: \(live.blocked.count) resource\(live.blocked.count == 1 ? "" : "s") cannot be applied; nothing was changed")
        }
        if live.steps.isEmpty { return .succeeded }
        let refusals = Applier.refusals(live, options: options)
        if !refusals.isEmpty {
            throw CommandFailure(refusals.map { "error: \($0)" }.joined(separator: "\n") + "\nnothing was changed")
        }
        if !run.yes {
            guard isatty(STDIN_FILENO) == 1 else {
                throw CommandFailure("error: refusing to apply without --yes: standard input is not a terminal")
            }
            Terminal.write("\nApply these changes? Only 'yes' is accepted: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                throw CommandFailure("apply cancelled; nothing was changed")
            }
        }
        let planDigest = Digest.sha256(PlanRenderer.json(live.plan))
        let number = try store.beginRevision(commit: commit, reference: reference, path: path, actor: options.actor,
                                             trigger: trigger, planDigest: planDigest, at: time.now())
        let printer = ProgressPrinter(color: Terminal.colorEnabled(STDERR_FILENO))
        let applier = Applier(backend: services, store: store, time: time, options: options, revision: number, commit: commit,
                              progress: { printer.print($0) })
        let result = await applier.run(live)
        let message = result.failures.first ?? "\(result.completed.count) change\(result.completed.count == 1 ? "" : "s") applied"
        try store.finishRevision(number, outcome: result.outcome, message: message, at: time.now())
        try store.append(AuditDraft(time: time.now(), actor: options.actor, trigger: trigger, revision: number, commit: commit,
                                    resource: nil, action: "revision", outcome: result.outcome.rawValue, error: result.failures.first))
        if trigger == .cli, result.outcome == .succeeded, let pinned = try store.pinnedRevision() {
            try store.pin(nil)
            Terminal.error("note: revision \(pinned.number) was pinned by a rollback; this apply lifts the pin")
        }
        report(result, revision: number)
        return result.outcome
    }

    func report(_ r: ApplyResult, revision: Int64) {
        var out = "\n"
        switch r.outcome {
        case .succeeded: out += "Apply complete (revision \(revision)): \(r.completed.count) change\(r.completed.count == 1 ? "" : "s") applied.\n"
        case .rolledBack: out += "Apply FAILED (revision \(revision)) and was rolled back.\n"
        default: out += "Apply FAILED (revision \(revision)); stopped without rolling back (--on-failure stop).\n"
        }
        for f in r.failures { out += "  failed:        \(f)\n" }
        for b in r.rolledBack { out += "  rolled back:   \(b)\n" }
        for i in r.irreversible { out += "  NOT REVERSED:  \(i)\n" }
        if r.outcome == .succeeded { Terminal.write(out) } else { Terminal.error(out) }
    }
}
