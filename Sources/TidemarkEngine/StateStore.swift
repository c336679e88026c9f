import Foundation
import TidemarkCore

/// How an action changes the inventory when its outcome is recorded.
public enum InventoryChange: Sendable, Hashable {
    case none
    case upsert(InventoryEntry)
    case remove(ResourceID)
}

/// The controller's own records, as the engine needs them. Every method is one transaction:
/// after a crash, the records are as of the last one that committed.
public protocol StateStore: Sendable {
    func inventory() throws -> [ResourceID: InventoryEntry]
    func beginRevision(commit: String, reference: String, path: String, actor: String, trigger: Trigger,
                       planDigest: String, at time: Date) throws -> Int64
    func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) throws
    /// Writes down an action before it is taken.
    func recordIntent(revision: Int64, resource: ResourceID, action: String, physicalName: String,
                      clientToken: String, pendingEntry: InventoryEntry?, at time: Date) throws -> Int64
    /// Closes an intent, changes the inventory and appends the audit entry, atomically.
    func completeIntent(_ id: Int64, outcome: String, inventory: InventoryChange, audit: AuditDraft) throws
    /// Intents whose outcome was never recorded (the process died).
    func openIntents() throws -> [JournalIntent]
    /// Closes an intent found open after a crash.
    func closeIntent(_ id: Int64, outcome: String, at time: Date) throws
    /// Revisions a dead process left in progress.
    func unfinishedRevisions() throws -> [RevisionRecord]
    func append(_ audit: AuditDraft) throws
    func updateInventory(_ change: InventoryChange) throws
    /// Keeps this process's lease alive during long waits.
    func heartbeat() throws
}
