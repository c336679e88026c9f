import Foundation
import TidemarkCore

/// How an action changes the inventory when its outcome is recorded.
public enum InventoryChange: Sendable, Hashable {
    case none
    case upsert(InventoryEntry)
    case remove(ResourceID)
}

/// What Tidemark manages, and where each object came from.
public protocol InventoryStore: Sendable {
    func inventory() async throws -> [ResourceID: InventoryEntry]
    /// Which other application sharing this store manages each of `objects`: every live
    /// object belongs to one application. Empty for a store that holds one application.
    func owners(of objects: Set<ObjectName>) async throws -> [ObjectName: String]
}

/// The revisions: one per reconcile attempt, applied, failed, rejected or pinned.
public protocol RevisionLog: Sendable {
    /// Opens a revision. Only `Reconciler` calls it.
    func beginRevision(_ start: RevisionStart) async throws -> Int64
    func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) async throws
    /// Newest first.
    func revisions(limit: Int) async throws -> [RevisionRecord]
    func revision(_ number: Int64) async throws -> RevisionRecord?
    /// Revisions a dead process left in progress.
    func unfinishedRevisions() async throws -> [RevisionRecord]
    /// The revision a rollback pinned, if any.
    func pinnedRevision() async throws -> RevisionRecord?
    func pin(_ number: Int64?) async throws
}

/// One intent's outcome, with its inventory change and audit entry.
public struct IntentCompletion: Sendable {
    public var intent: Int64
    public var outcome: IntentOutcome
    public var inventory: InventoryChange
    public var audit: AuditDraft

    public init(intent: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft) {
        self.intent = intent
        self.outcome = outcome
        self.inventory = inventory
        self.audit = audit
    }
}

/// The intent journal: every action written down before it is taken and closed, with its
/// inventory change and audit entry, in one transaction when its outcome is known.
public protocol Journal: Sendable {
    func recordIntent(_ intent: IntentDraft) async throws -> Int64
    /// Writes several intents in one transaction (a dependency level's, ahead of its actions);
    /// their ids in order.
    func recordIntents(_ intents: [IntentDraft]) async throws -> [Int64]
    /// Closes an intent, changes the inventory and appends the audit entry, atomically.
    func completeIntent(_ id: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft) async throws
    /// Closes several intents in order, in one transaction: all or none (the applier's
    /// group commit of a dependency level's outcomes).
    func completeIntents(_ batch: [IntentCompletion]) async throws
    /// Changes the inventory and appends the audit entry atomically, for a change of records
    /// alone (no service call, so nothing to recover).
    func record(inventory: InventoryChange, audit: AuditDraft) async throws
    /// Intents whose outcome was never recorded (the process died).
    func openIntents() async throws -> [JournalIntent]
}

/// The hash-chained audit log.
public protocol AuditLog: Sendable {
    func append(_ audit: AuditDraft) async throws
    func audit(_ query: AuditQuery) async throws -> [AuditEntry]
    /// Recomputes every hash and link, in order, stopping at the first break.
    func verifyAudit() async throws -> AuditVerification
}

/// The single-writer lease, fenced: each acquisition gets a new generation, and every write
/// of the other capabilities is refused unless this holder still holds that generation.
public protocol Lease: Sendable {
    /// Takes the lease, waiting up to `wait` seconds for a live holder; throws `LeaseHeld`.
    func acquireLease(wait: Double) async throws
    /// Renews the lease; throws `LeaseLost` when another holder took it over.
    func heartbeat() async throws
    func releaseLease() async throws
    func leaseHolder() async throws -> LeaseInfo?
}

/// Every capability of the controller's records.
public typealias StateStore = InventoryStore & RevisionLog & Journal & AuditLog & Lease

/// Who holds the lease.
public struct LeaseInfo: Sendable, Hashable {
    public var holder: String
    public var generation: Int64
    public var since: Date
    public var heartbeat: Date

    public init(holder: String, generation: Int64, since: Date, heartbeat: Date) {
        self.holder = holder
        self.generation = generation
        self.since = since
        self.heartbeat = heartbeat
    }
}

/// The lease is held by another live process.
public struct LeaseHeld: Error, Sendable, CustomStringConvertible {
    public var holder: String
    public var since: Date

    public init(holder: String, since: Date) {
        self.holder = holder
        self.since = since
    }

    public var description: String {
        "the state in this data folder is locked by \(holder) since \(Timestamp.iso8601(since)); wait for it to finish (or use --lock-timeout)"
    }
}

/// This process no longer holds the lease (another took it over after its heartbeat went
/// stale, or it never took it): the write was refused.
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    /// Who holds it now, if anyone.
    public var holder: String?
    public var generation: Int64?

    public init(holder: String?, generation: Int64?) {
        self.holder = holder
        self.generation = generation
    }

    public var description: String {
        if let holder, !holder.isEmpty {
            return "this process no longer holds the lease: \(holder) holds it (generation \(generation ?? 0)); the write was refused"
        }
        return "this process does not hold the lease; the write was refused"
    }
}

/// Which audit entries to read.
public struct AuditQuery: Sendable {
    public var resource: String?
    public var since: Date?
    public var after: Int64 = 0
    public var limit: Int = 1000

    public init(resource: String? = nil, since: Date? = nil, after: Int64 = 0, limit: Int = 1000) {
        self.resource = resource
        self.since = since
        self.after = after
        self.limit = limit
    }
}

/// The result of recomputing the audit chain.
public struct AuditVerification: Sendable {
    public var entries: Int
    /// The first entry that does not verify, and why.
    public var firstBroken: (sequence: Int64, reason: String)?

    public init(entries: Int, firstBroken: (sequence: Int64, reason: String)?) {
        self.entries = entries
        self.firstBroken = firstBroken
    }
}
