import Foundation
import TidemarkCore

/// What an intent is about to do to a live object. Recovery switches over every case.
public enum JournalAction: String, Sendable, CaseIterable {
    case create, replace, update, adopt
    /// Repoint to a kept version that already has the wanted content.
    case reuse
    case delete
    /// Stop managing an object kept by `deletion-policy: retain`.
    case forget
    /// Delete a superseded version beyond those kept for rollback.
    case collect
    case rollbackDelete = "rollback-delete"
    case rollbackUpdate = "rollback-update"
}

/// How an intent ended.
public enum IntentOutcome: String, Sendable, CaseIterable {
    case succeeded, failed
    /// Closed by recovery after a crash, from what the services reported.
    case recovered
    /// Written ahead with its dependency level, which stopped (a failure, a shutdown) before
    /// this action was taken: nothing was done.
    case skipped
}

/// An intent before it is written: the store adds its id.
public struct IntentDraft: Sendable, Hashable {
    public var revision: Int64
    public var resource: ResourceID
    public var action: JournalAction
    public var physicalName: String
    public var clientToken: String
    public var pendingEntry: InventoryEntry?
    public var time: Date

    public init(revision: Int64, resource: ResourceID, action: JournalAction, physicalName: String, clientToken: String,
                pendingEntry: InventoryEntry?, time: Date) {
        self.revision = revision
        self.resource = resource
        self.action = action
        self.physicalName = physicalName
        self.clientToken = clientToken
        self.pendingEntry = pendingEntry
        self.time = time
    }
}

/// An action written down before it is taken, and closed when its outcome is known. After a
/// crash, open intents tell recovery what may have happened.
public struct JournalIntent: Sendable, Hashable {
    public var id: Int64
    public var revision: Int64
    public var resource: ResourceID
    public var action: JournalAction
    public var physicalName: String
    public var clientToken: String
    /// The inventory entry the action leads to (for recovery), if any.
    public var pendingEntry: InventoryEntry?
    public var startedAt: Date

    public init(id: Int64, revision: Int64, resource: ResourceID, action: JournalAction, physicalName: String,
                clientToken: String, pendingEntry: InventoryEntry?, startedAt: Date) {
        self.id = id
        self.revision = revision
        self.resource = resource
        self.action = action
        self.physicalName = physicalName
        self.clientToken = clientToken
        self.pendingEntry = pendingEntry
        self.startedAt = startedAt
    }
}
