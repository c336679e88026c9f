import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

/// What `apply` and `rollback` share on a terminal: the lease with its timeout, the plan and
/// the confirmation prompt, progress lines, and the report with its exit code.
struct ApplySession: Sendable {
    let yes: Bool
    let lockTimeout: Double

    init(run: RunOptions) {
        yes = run.yes
        lockTimeout = run.lockTimeout
    }

    /// Runs `body` holding the lease; another holder is a clear error naming it.
    func exclusively<T: Sendable>(_ reconciler: Reconciler, actor: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await reconciler.exclusively(wait: lockTimeout, actor: actor, recovered: { Terminal.error("recovered: \($0)") }, body)
        } catch let held as LeaseHeld {
            throw CommandFailure("error: \(held)")
        }
    }

    /// Prints the plan and asks; only "yes" applies. Without a terminal, --yes is required.
    @Sendable func confirm(_ plan: LivePlan) throws -> Bool {
        Terminal.write(PlanRenderer.text(plan.plan, color: Terminal.colorEnabled()))
        if yes { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("error: refusing to apply without --yes: standard input is not a terminal")
        }
        Terminal.write("\nApply these changes? Only 'yes' is accepted: ")
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    func progress() -> @Sendable (ApplyEvent) -> Void {
        let printer = ProgressPrinter(color: Terminal.colorEnabled(STDERR_FILENO))
        return { printer.print($0) }
    }

    /// Prints how it ended; throws for exit 1 unless everything applied (or nothing had to).
    func report(_ outcome: ReconcileOutcome) throws {
        switch outcome {
        case .upToDate(let plan):
            Terminal.write(PlanRenderer.text(plan.plan, color: Terminal.colorEnabled()))
        case .blocked(let plan):
            Terminal.write(PlanRenderer.text(plan.plan, color: Terminal.colorEnabled()))
            throw CommandFailure("error: \(plan.blocked.count) resource\(plan.blocked.count == 1 ? "" : "s") cannot be applied; nothing was changed")
        case .refused(let plan, let refusals):
            Terminal.write(PlanRenderer.text(plan.plan, color: Terminal.colorEnabled()))
            throw CommandFailure(refusals.map { "error: \($0)" }.joined(separator: "\n") + "\nnothing was changed")
        case .declined:
            throw CommandFailure("apply cancelled; nothing was changed")
        case .applied(_, let report):
            print(report)
            if report.result.outcome != .succeeded { throw ExitCode(1) }
        }
    }

    func print(_ report: ApplyReport) {
        let r = report.result
        let n = r.completed.count
        var out = "\n"
        switch r.outcome {
        case .succeeded: out += "Apply complete (revision \(report.revision)): \(n) change\(n == 1 ? "" : "s") applied.\n"
        case .rolledBack: out += "Apply FAILED (revision \(report.revision)) and was rolled back.\n"
        case .interrupted: out += "Apply STOPPED (revision \(report.revision)); the next run continues.\n"
        default: out += "Apply FAILED (revision \(report.revision)); stopped without rolling back (--on-failure stop).\n"
        }
        for f in r.failures { out += "  failed:        \(f)\n" }
        for b in r.rolledBack { out += "  rolled back:   \(b)\n" }
        for i in r.irreversible { out += "  NOT REVERSED:  \(i)\n" }
        for m in r.recordFailures { out += "  NOT RECORDED:  \(m)\n" }
        if let lifted = report.liftedPin { out += "note: revision \(lifted) was pinned by a rollback; this apply lifts the pin\n" }
        if r.outcome == .succeeded { Terminal.write(out) } else { Terminal.error(out) }
    }
}
