import Foundation
import TidemarkCore
import TidemarkEngine

/// What the controller reports about itself. Written in one place per reconcile
/// (`Controller.finalize`).
public struct ControllerStatus: Sendable {
    public enum Role: String, Sendable { case starting, leader, standby, stopping }
    public enum Sync: String, Sendable { case unknown = "Unknown", synced = "Synced", outOfSync = "OutOfSync", progressing = "Progressing", failed = "Failed", rejected = "Rejected", pinned = "Pinned" }

    public var role: Role = .starting
    public var ready = false
    /// The branch followed (the default one when none was named).
    public var branch: String?
    public var lastFetchCommit: String?
    public var lastFetchTime: Date?
    public var lastFetchError: String?
    public var sync: Sync = .unknown
    public var syncCommit: String?
    public var message = ""
    public var diagnostics: [Diagnostic] = []
    public var changes = 0
    public var drift = 0
    public var lastAppliedCommit: String?
    public var lastAppliedRevision: Int64?
    public var lastSyncTime: Date?
    public var lastSyncSucceeded: Bool?
    public var nextAttempt: Date?
    public var pinnedRevision: Int64?
    /// The last plan against live state (rendered on request: its changes share their values
    /// with the revision, where a 10,000-resource plan as JSON text would hold tens of MB).
    public var plan: Plan?
    /// Each desired resource's sync and health as the last plan (or apply) left it.
    public var resources: [ResourceID: ResourceState] = [:]

    public init() {}

    /// What a person watching sees change: a page is refreshed when this differs, not on
    /// every fetch.
    public struct Headline: Equatable, Sendable {
        var role: Role
        var sync: Sync
        var message: String
        var syncCommit: String?
        var lastFetchCommit: String?
        var lastFetchError: String?
        var changes: Int
        var drift: Int
        var lastAppliedRevision: Int64?
        var nextAttempt: Date?
        var pinnedRevision: Int64?
    }

    public var headline: Headline {
        Headline(role: role, sync: sync, message: message, syncCommit: syncCommit, lastFetchCommit: lastFetchCommit,
                 lastFetchError: lastFetchError, changes: changes, drift: drift, lastAppliedRevision: lastAppliedRevision,
                 nextAttempt: nextAttempt, pinnedRevision: pinnedRevision)
    }
}

/// One resource's sync and health (Argo CD's words: Synced, OutOfSync, Missing; Healthy,
/// Progressing, Degraded, Missing), and whether it drifted outside Tidemark.
public struct ResourceState: Sendable, Hashable {
    public enum Sync: String, Sendable { case synced = "Synced", outOfSync = "OutOfSync", missing = "Missing" }
    public var sync: Sync
    /// The live object's phase; nil when there is none.
    public var phase: Phase?
    public var drifted: Bool

    public var health: String { Phase.health(phase) }
}
