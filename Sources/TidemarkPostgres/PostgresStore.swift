import Foundation
import Logging
import PostgresNIO
import Synchronization
import TidemarkCore
import TidemarkEngine

/// One application's records in the shared PostgreSQL database: the same capabilities as
/// `SQLiteStore` (revisions, inventory, journal, audit chain, fenced lease), every row
/// tagged with the application. Every write is one transaction that first locks the
/// application's lease row and checks this holder's generation; the database's triggers
/// check it again, so a replica with a stale fencing token cannot write even by mistake.
/// Writes of one application are serialised by that lock; applications never wait on each
/// other.
public final class PostgresStore: StateStore, Sendable {
    let pool: PostgresPool
    public let application: String
    let holder: LeaseHolder
    /// A lease whose heartbeat is older than this (by the database's clock) is taken over.
    public let leaseTTL: Double
    /// The lease generation this store acquired; 0 when it holds none.
    let fence = Atomic<Int64>(0)

    public init(pool: PostgresPool, application: String, holder: LeaseHolder, leaseTTL: Double = 60) {
        self.pool = pool
        self.application = application
        self.holder = holder
        self.leaseTTL = leaseTTL
    }

    var logger: Logger { pool.logger }

    /// The applications with records in the database.
    public static func applications(in pool: PostgresPool) async throws -> [String] {
        try await pool.fetch("SELECT app FROM leases UNION SELECT app FROM revisions ORDER BY 1", as: String.self)
    }

    /// A write transaction under this store's lease generation: the lease row is locked for
    /// the transaction and the generation set for the triggers.
    func fencedWrite<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let generation = fence.load(ordering: .acquiring)
        let app = application
        let me = holder.name
        return try await pool.transaction { c in
            let rows = try await c.fetch("""
                SELECT holder, generation, set_config('tidemark.fence', \(String(generation)), true)
                FROM leases WHERE app = \(app) FOR UPDATE
                """, as: (String, Int64, String).self, logger: logger)
            guard generation != 0, let current = rows.first, current.0 == me, current.1 == generation else {
                throw LeaseLost(holder: rows.first?.0, generation: rows.first?.1)
            }
            return try await body(c)
        }
    }

    static func ms(_ d: Date) -> Int64 { AuditEntry.milliseconds(d) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    // MARK: Inventory

    public func inventory() async throws -> [ResourceID: InventoryEntry] {
        var out: [ResourceID: InventoryEntry] = [:]
        for (resource, text) in try await pool.fetch("SELECT resource, entry FROM inventory WHERE app = \(application)", as: (String, String).self) {
            guard let e = Value(json: text).flatMap(InventoryEntry.init) else { throw StoreCorrupt(table: "inventory", key: resource) }
            out[e.id] = e
        }
        return out
    }

    public func owners(of objects: Set<ObjectName>) async throws -> [ObjectName: String] {
        guard !objects.isEmpty else { return [:] }
        let sorted = objects.sorted()
        let kinds = sorted.map(\.kind.rawValue)
        let names = sorted.map(\.name)
        var out: [ObjectName: String] = [:]
        for (kind, name, app) in try await pool.fetch("""
            SELECT i.kind, i.physical_name, i.app FROM inventory i
            JOIN unnest(\(kinds)::text[], \(names)::text[]) AS w(kind, name) ON i.kind = w.kind AND i.physical_name = w.name
            WHERE i.app <> \(application)
            """, as: (String, String, String).self) {
            guard let k = ResourceKind(rawValue: kind) else { throw StoreCorrupt(table: "inventory", key: "\(kind)/\(name)") }
            out[ObjectName(k, name)] = app
        }
        return out
    }

    func apply(_ change: InventoryChange, _ c: PostgresConnection) async throws {
        switch change {
        case .none: break
        case .upsert(let e):
            do {
                try await c.query("""
                    INSERT INTO inventory (app, resource, kind, physical_name, entry)
                    VALUES (\(application), \(e.id.description), \(e.id.kind.rawValue), \(e.physicalName), \(e.value.canonicalJSON))
                    ON CONFLICT (app, resource) DO UPDATE SET kind = excluded.kind, physical_name = excluded.physical_name, entry = excluded.entry
                    """, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == StoreFailure.uniqueViolation {
                throw OwnedByAnotherApplication(object: ObjectName(e.id.kind, e.physicalName))
            }
        case .remove(let id):
            try await c.query("DELETE FROM inventory WHERE app = \(application) AND resource = \(id.description)", logger: logger)
        }
    }

    // MARK: Revisions

    static let revisionColumns = "number, commit_id, reference, path, started_at, finished_at, actor, trigger, outcome, plan_digest, message, pinned"
    typealias RevisionRow = (Int64, String, String, String, Int64, Int64?, String, String, String, String, String, Bool)

    public func beginRevision(_ start: RevisionStart) async throws -> Int64 {
        let app = application
        return try await fencedWrite { c in
            let rows = try await c.fetch("""
                INSERT INTO revisions (app, number, commit_id, reference, path, started_at, actor, trigger, outcome, plan_digest)
                SELECT \(app), COALESCE(MAX(number), 0) + 1, \(start.commit), \(start.reference), \(start.path), \(Self.ms(start.time)),
                       \(start.actor), \(start.trigger.rawValue), \(RevisionRecord.Outcome.inProgress.rawValue), \(start.planDigest)
                FROM revisions WHERE app = \(app)
                RETURNING number
                """, as: Int64.self, logger: logger)
            guard let number = rows.first else { throw StoreCorrupt(table: "revisions", key: "(no number returned)") }
            return number
        }
    }

    public func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) async throws {
        let app = application
        try await fencedWrite { c in
            try await c.query("""
                UPDATE revisions SET outcome = \(outcome.rawValue), message = \(message), finished_at = \(Self.ms(time))
                WHERE app = \(app) AND number = \(number)
                """, logger: logger)
        }
    }

    func revisions(where clause: String, _ number: Int64? = nil, limit: Int = 1_000_000) async throws -> [RevisionRecord] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.revisionColumns) FROM revisions WHERE app = $1 \(clause) LIMIT \(max(0, limit))")
        try query.binds.append(application, context: .default)
        if let number { try query.binds.append(number, context: .default) }
        return try await pool.fetch(query, as: RevisionRow.self).map(Self.revision)
    }

    public func revisions(limit: Int) async throws -> [RevisionRecord] {
        try await revisions(where: "ORDER BY number DESC", limit: limit)
    }

    public func revision(_ number: Int64) async throws -> RevisionRecord? {
        try await revisions(where: "AND number = $2", number).first
    }

    public func unfinishedRevisions() async throws -> [RevisionRecord] {
        try await revisions(where: "AND outcome = '\(RevisionRecord.Outcome.inProgress.rawValue)' ORDER BY number")
    }

    public func pinnedRevision() async throws -> RevisionRecord? {
        try await revisions(where: "AND pinned ORDER BY number DESC", limit: 1).first
    }

    public func pin(_ number: Int64?) async throws {
        let app = application
        try await fencedWrite { c in
            try await c.query("UPDATE revisions SET pinned = false WHERE app = \(app) AND pinned", logger: logger)
            if let number { try await c.query("UPDATE revisions SET pinned = true WHERE app = \(app) AND number = \(number)", logger: logger) }
        }
    }

    static func revision(_ r: RevisionRow) throws -> RevisionRecord {
        guard let trigger = Trigger(rawValue: r.7), let outcome = RevisionRecord.Outcome(rawValue: r.8) else {
            throw StoreCorrupt(table: "revisions", key: "\(r.0)")
        }
        return RevisionRecord(number: r.0, commit: r.1, reference: r.2, path: r.3, startedAt: date(r.4), finishedAt: r.5.map(date),
                              actor: r.6, trigger: trigger, outcome: outcome, planDigest: r.9, message: r.10, pinned: r.11)
    }

    // MARK: Journal

    public func recordIntent(_ intent: IntentDraft) async throws -> Int64 {
        let ids = try await recordIntents([intent])
        guard let id = ids.first else { throw StoreCorrupt(table: "journal", key: "(no id returned)") }
        return id
    }

    public func recordIntents(_ intents: [IntentDraft]) async throws -> [Int64] {
        let app = application
        return try await fencedWrite { c in
            var ids: [Int64] = []
            for intent in intents {
                let rows = try await c.fetch("""
                    INSERT INTO journal (app, revision, resource, action, physical_name, client_token, pending_entry, started_at)
                    VALUES (\(app), \(intent.revision), \(intent.resource.description), \(intent.action.rawValue), \(intent.physicalName),
                            \(intent.clientToken), \(intent.pendingEntry?.value.canonicalJSON), \(Self.ms(intent.time)))
                    RETURNING id
                    """, as: Int64.self, logger: logger)
                guard let id = rows.first else { throw StoreCorrupt(table: "journal", key: "(no id returned)") }
                ids.append(id)
            }
            return ids
        }
    }

    public func completeIntent(_ id: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft) async throws {
        try await completeIntents([IntentCompletion(intent: id, outcome: outcome, inventory: inventory, audit: audit)])
    }

    public func completeIntents(_ batch: [IntentCompletion]) async throws {
        let app = application
        try await fencedWrite { c in
            for item in batch {
                let closed = try await c.fetch("""
                    UPDATE journal SET outcome = \(item.outcome.rawValue), finished_at = \(Self.ms(item.audit.time))
                    WHERE id = \(item.intent) AND app = \(app) AND outcome IS NULL RETURNING id
                    """, as: Int64.self, logger: logger)
                guard closed.count == 1 else { throw StoreCorrupt(table: "journal", key: "\(item.intent) (not open)") }
                try await apply(item.inventory, c)
                try await append(item.audit, c)
            }
        }
    }

    public func record(inventory: InventoryChange, audit: AuditDraft) async throws {
        try await fencedWrite { c in
            try await apply(inventory, c)
            try await append(audit, c)
        }
    }

    public func openIntents() async throws -> [JournalIntent] {
        try await pool.fetch("""
            SELECT id, revision, resource, action, physical_name, client_token, pending_entry, started_at
            FROM journal WHERE app = \(application) AND outcome IS NULL ORDER BY id
            """, as: (Int64, Int64, String, String, String, String, String?, Int64).self).map { r in
            guard let resource = ResourceID(parsing: r.2), let action = JournalAction(rawValue: r.3) else {
                throw StoreCorrupt(table: "journal", key: "\(r.0)")
            }
            var pending: InventoryEntry?
            if let text = r.6 {
                guard let entry = Value(json: text).flatMap(InventoryEntry.init) else { throw StoreCorrupt(table: "journal", key: "\(r.0)") }
                pending = entry
            }
            return JournalIntent(id: r.0, revision: r.1, resource: resource, action: action, physicalName: r.4, clientToken: r.5,
                                 pendingEntry: pending, startedAt: Self.date(r.7))
        }
    }

    // MARK: Audit

    public func append(_ audit: AuditDraft) async throws {
        try await fencedWrite { c in try await append(audit, c) }
    }

    /// Chains and inserts an entry; only this function writes the audit table. The caller's
    /// lock on the lease row makes the read of the last entry and the insert one step.
    func append(_ draft: AuditDraft, _ c: PostgresConnection) async throws {
        let last = try await c.fetch("SELECT sequence, hash FROM audit WHERE app = \(application) ORDER BY sequence DESC LIMIT 1",
                                     as: (Int64, String).self, logger: logger).first
        let sequence = (last?.0 ?? 0) + 1
        let previous = last?.1 ?? AuditEntry.genesisHash
        let (entry, diffJSON) = AuditEntry.chained(sequence: sequence, draft: draft, previousHash: previous)
        try await c.query("""
            INSERT INTO audit (app, sequence, time, actor, trigger, revision, commit_id, resource, action, outcome, error,
                               before_digest, after_digest, diff, previous_hash, hash)
            VALUES (\(application), \(sequence), \(Self.ms(draft.time)), \(draft.actor), \(draft.trigger.rawValue), \(draft.revision),
                    \(draft.commit), \(draft.resource), \(draft.action), \(draft.outcome), \(draft.error), \(draft.beforeDigest),
                    \(draft.afterDigest), \(diffJSON), \(previous), \(entry.hash))
            """, logger: logger)
    }

    static let auditColumns = "sequence, time, actor, trigger, revision, commit_id, resource, action, outcome, error, before_digest, after_digest, diff, previous_hash, hash"
    typealias AuditRow = (Int64, Int64, String, String, Int64?, String?, String?, String, String, String?, String?, String?, String, String, String)

    public func audit(_ q: AuditQuery) async throws -> [AuditEntry] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.auditColumns) FROM audit WHERE app = $1 AND sequence > $2"
            + (q.resource == nil ? "" : " AND resource = $3")
            + (q.since == nil ? "" : " AND time >= $\(q.resource == nil ? 3 : 4)")
            + " ORDER BY sequence LIMIT \(max(0, q.limit))")
        try query.binds.append(application, context: .default)
        try query.binds.append(q.after, context: .default)
        if let r = q.resource { try query.binds.append(r, context: .default) }
        if let s = q.since { try query.binds.append(Self.ms(s), context: .default) }
        return try await pool.fetch(query, as: AuditRow.self).map(Self.entry)
    }

    /// A stored audit row; as in SQLite, an unknown trigger shows as `cli` and verification
    /// hashes what is stored.
    static func entry(_ r: AuditRow) -> AuditEntry {
        let draft = AuditDraft(time: date(r.1), actor: r.2, trigger: Trigger(rawValue: r.3) ?? .cli, revision: r.4, commit: r.5,
                               resource: r.6, action: r.7, outcome: r.8, error: r.9, beforeDigest: r.10, afterDigest: r.11,
                               diff: Value(json: r.12) ?? .string(r.12))
        return AuditEntry(sequence: r.0, draft: draft, previousHash: r.13, hash: r.14)
    }

    /// Recomputes every hash and link of this application's chain, in order, a page at a time.
    public func verifyAudit() async throws -> AuditVerification {
        var chain = AuditChain()
        var after: Int64 = 0
        while true {
            let page = try await audit(AuditQuery(after: after, limit: 5000))
            for e in page {
                if let reason = chain.check(e) { return AuditVerification(entries: chain.entries, firstBroken: (e.sequence, reason)) }
            }
            guard let last = page.last, page.count == 5000 else { break }
            after = last.sequence
        }
        return AuditVerification(entries: chain.entries, firstBroken: nil)
    }
}

/// An inventory write the database refused because another application owns the object.
public struct OwnedByAnotherApplication: Error, Sendable, CustomStringConvertible {
    public var object: ObjectName
    public var description: String { "\(object) is managed by another application; an object belongs to one application" }
}
