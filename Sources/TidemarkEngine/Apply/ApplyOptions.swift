import Foundation
import TidemarkCore

/// What to do when a step fails.
public enum FailurePolicy: String, Sendable, CaseIterable {
    /// Undo what this apply changed, in reverse order.
    case rollback
    /// Leave things as they are.
    case stop
}

public struct ApplyOptions: Sendable {
    public var concurrency = 4
    public var onFailure: FailurePolicy = .rollback
    /// Permit destructive replacements and deletes for every resource.
    public var allowDestroy = false
    public var actor = "unknown"
    public var trigger: Trigger = .cli
    /// Seconds before the first status poll while waiting; later polls back off to `maxPollInterval`.
    public var pollInterval = 0.25
    public var maxPollInterval = 10.0
    /// Longest wait for one object to settle, per kind; `waitOverride` applies to all kinds.
    public var waitOverride: Double?
    /// Superseded versions of models, endpoint configs and packages kept for rollback.
    public var keepSuperseded = 3
    /// Asked before each new step and during waits; true stops the apply safely (no new
    /// actions, no rollback; the journal lets the next run finish the job).
    public var stopRequested: (@Sendable () -> Bool)?

    public init() {}

    /// Per-kind waits (`--wait-timeout Endpoint=90m,*=10m`); over `waitOverride` and the defaults.
    public var waitPerKind: [ResourceKind: Double] = [:]

    public func deadline(_ kind: ResourceKind) -> Double {
        if let seconds = waitPerKind[kind] { return seconds }
        if let waitOverride { return waitOverride }
        switch kind {
        case .endpoint: return 3600
        case .featureGroup: return 1800
        default: return 600
        }
    }
}

/// One line of progress.
public struct ApplyEvent: Sendable {
    public var time: Date
    public var resource: ResourceID
    public var message: String
}

/// How an apply ended.
public struct ApplyResult: Sendable {
    public var outcome: RevisionRecord.Outcome
    public var completed: [String] = []
    public var failures: [String] = []
    /// Failures whose service error named a manifest field: the index into `failures`, the
    /// resource, and the field (`productionVariants[0].instanceType`), to be located in its file.
    public var fieldFailures: [(index: Int, resource: ResourceID, field: String)] = []
    public var rolledBack: [String] = []
    /// Changes that a rollback could not undo (feature additions, destructive replacements).
    public var irreversible: [String] = []
    /// Records that could not be written (the store failed, or the lease was lost). Any
    /// entry here fails the apply: what happened is then known only to the journal.
    public var recordFailures: [String] = []
    /// The apply was stopped on request (shutdown) or because the lease was lost, before it
    /// finished.
    public var interrupted = false

    public init(outcome: RevisionRecord.Outcome) {
        self.outcome = outcome
    }
}

/// A failure of one step, with the resource it happened to.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    public var resource: ResourceID
    public var message: String
    public var description: String { "\(resource): \(message)" }
}

/// A record the applier could not write (the store failed, or the lease was lost). The step
/// it belongs to fails, and the apply with it.
public struct RecordFailed: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var underlying: any Error

    public var description: String { "\(what) could not be recorded: \(underlying)" }
}
