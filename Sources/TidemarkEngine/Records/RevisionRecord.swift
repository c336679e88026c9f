import Foundation
import TidemarkCore

/// One reconcile attempt: a commit applied (or refused) at a time by someone.
public struct RevisionRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable, Codable {
        case inProgress = "in-progress", succeeded, failed, rolledBack = "rolled-back", interrupted, rejected
    }

    public var number: Int64
    public var commit: String
    public var reference: String
    public var path: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var actor: String
    public var trigger: Trigger
    public var outcome: Outcome
    public var planDigest: String
    public var message: String
    public var pinned: Bool

    public init(number: Int64, commit: String, reference: String, path: String, startedAt: Date, finishedAt: Date?,
                actor: String, trigger: Trigger, outcome: Outcome, planDigest: String, message: String, pinned: Bool) {
        self.number = number
        self.commit = commit
        self.reference = reference
        self.path = path
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actor = actor
        self.trigger = trigger
        self.outcome = outcome
        self.planDigest = planDigest
        self.message = message
        self.pinned = pinned
    }
}

/// What a new revision records when it opens.
public struct RevisionStart: Sendable, Hashable {
    public var commit: String
    /// The git reference or description it came from: a branch, `HEAD`, `revision 3`.
    public var reference: String
    public var path: String
    public var actor: String
    public var trigger: Trigger
    public var planDigest: String
    public var time: Date

    public init(commit: String, reference: String, path: String, actor: String, trigger: Trigger, planDigest: String, time: Date) {
        self.commit = commit
        self.reference = reference
        self.path = path
        self.actor = actor
        self.trigger = trigger
        self.planDigest = planDigest
        self.time = time
    }
}
