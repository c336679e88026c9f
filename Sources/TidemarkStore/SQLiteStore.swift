import Foundation
import GRDB
import TidemarkCore
import TidemarkEngine

/// The controller's records in one SQLite file (WAL mode): revisions, inventory, the intent
/// journal, the audit chain and the lease. Every write is one transaction.
public final class SQLiteStore: StateStore, @unchecked Sendable {
    let pool: DatabasePool
    public let path: String
    /// Who holds (or asks for) the lease from this process.
    let holder: LeaseHolder

    /// Opens (creating if needed) `tidemark.sqlite` in `folder` and migrates it.
    public init(folder: String, holder: LeaseHolder = .current(role: "cli")) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = (folder as NSString).appendingPathComponent("tidemark.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(15)
        pool = try DatabasePool(path: path, configuration: config)
        self.holder = holder
        try Self.migrator.migrate(pool)
    }

    /// Named, append-only migrations: never edit one that has shipped; add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-revisions") { db in
            try db.execute(sql: """
                CREATE TABLE revisions (
                  number INTEGER PRIMARY KEY AUTOINCREMENT,
                  commit_id TEXT NOT NULL, reference TEXT NOT NULL, path TEXT NOT NULL,
                  started_at INTEGER NOT NULL, finished_at INTEGER,
                  actor TEXT NOT NULL, trigger TEXT NOT NULL, outcome TEXT NOT NULL,
                  plan_digest TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
                  pinned INTEGER NOT NULL DEFAULT 0)
                """)
        }
        m.registerMigration("v1-inventory") { db in
            try db.execute(sql: "CREATE TABLE inventory (resource TEXT PRIMARY KEY, entry TEXT NOT NULL)")
        }
        m.registerMigration("v1-journal") { db in
            try db.execute(sql: """
                CREATE TABLE journal (
                  id INTEGER PRIMARY KEY AUTOINCREMENT, revision INTEGER NOT NULL,
                  resource TEXT NOT NULL, action TEXT NOT NULL, physical_name TEXT NOT NULL,
                  client_token TEXT NOT NULL, pending_entry TEXT, started_at INTEGER NOT NULL,
                  outcome TEXT, finished_at INTEGER)
                """)
        }
        m.registerMigration("v1-audit") { db in
            try db.execute(sql: """
                CREATE TABLE audit (
                  sequence INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL,
                  trigger TEXT NOT NULL, revision INTEGER, commit_id TEXT, resource TEXT,
                  action TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT,
                  before_digest TEXT, after_digest TEXT, diff TEXT NOT NULL,
                  previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        m.registerMigration("v1-lease") { db in
            try db.execute(sql: """
                CREATE TABLE lease (
                  id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, pid INTEGER NOT NULL,
                  host TEXT NOT NULL, acquired_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL)
                """)
        }
        return m
    }

    static func ms(_ d: Date) -> Int64 { AuditEntry.milliseconds(d) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    // MARK: Inventory

    public func inventory() throws -> [ResourceID: InventoryEntry] {
        try pool.read { db in
            var out: [ResourceID: InventoryEntry] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT entry FROM inventory") {
                let text: String = row["entry"]
                if let v = Value(json: text), let e = InventoryEntry(v) { out[e.id] = e }
            }
            return out
        }
    }

    public func updateInventory(_ change: InventoryChange) throws {
        try pool.write { db in try Self.apply(change, db) }
    }

    static func apply(_ change: InventoryChange, _ db: Database) throws {
        switch change {
        case .none: break
        case .upsert(let e):
            try db.execute(sql: "INSERT INTO inventory (resource, entry) VALUES (?, ?) ON CONFLICT(resource) DO UPDATE SET entry = excluded.entry",
                           arguments: [e.id.description, e.value.canonicalJSON])
        case .remove(let id):
            try db.cachedStatement(sql: "DELETE FROM inventory WHERE resource = ?").execute(arguments: [id.description])
        }
    }

    // MARK: Revisions

    public func beginRevision(commit: String, reference: String, path: String, actor: String, trigger: Trigger,
                              planDigest: String, at time: Date) throws -> Int64 {
        try pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO revisions (commit_id, reference, path, started_at, actor, trigger, outcome, plan_digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [commit, reference, path, Self.ms(time), actor, trigger.rawValue,
                                 RevisionRecord.Outcome.inProgress.rawValue, planDigest])
            return db.lastInsertedRowID
        }
    }

    public func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE revisions SET outcome = ?, message = ?, finished_at = ? WHERE number = ?",
                           arguments: [outcome.rawValue, message, Self.ms(time), number])
        }
    }

    public func revisions(limit: Int = 50) throws -> [RevisionRecord] {
        try pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM revisions ORDER BY number DESC LIMIT ?"), arguments: [limit]).map(Self.revision)
        }
    }

    public func revision(_ number: Int64) throws -> RevisionRecord? {
        try pool.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM revisions WHERE number = ?"), arguments: [number]).map(Self.revision)
        }
    }

    /// Revisions left in progress by a process that died.
    public func unfinishedRevisions() throws -> [RevisionRecord] {
        try pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM revisions WHERE outcome = ? ORDER BY number"), arguments: [RevisionRecord.Outcome.inProgress.rawValue]).map(Self.revision)
        }
    }

    /// The revision a rollback pinned, if any.
    public func pinnedRevision() throws -> RevisionRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM revisions WHERE pinned = 1 ORDER BY number DESC LIMIT 1").map(Self.revision)
        }
    }

    public func pin(_ number: Int64?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE revisions SET pinned = 0 WHERE pinned = 1")
            if let number { try db.cachedStatement(sql: "UPDATE revisions SET pinned = 1 WHERE number = ?").execute(arguments: [number]) }
        }
    }

    static func revision(_ row: Row) -> RevisionRecord {
        let finished: Int64? = row["finished_at"]
        return RevisionRecord(
            number: row["number"], commit: row["commit_id"], reference: row["reference"], path: row["path"],
            startedAt: date(row["started_at"]), finishedAt: finished.map(date), actor: row["actor"],
            trigger: Trigger(rawValue: row["trigger"]) ?? .cli,
            outcome: RevisionRecord.Outcome(rawValue: row["outcome"]) ?? .failed,
            planDigest: row["plan_digest"], message: row["message"], pinned: (row["pinned"] as Int64) != 0)
    }

    // MARK: Journal

    public func recordIntent(revision: Int64, resource: ResourceID, action: String, physicalName: String,
                             clientToken: String, pendingEntry: InventoryEntry?, at time: Date) throws -> Int64 {
        try pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO journal (revision, resource, action, physical_name, client_token, pending_entry, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [revision, resource.description, action, physicalName, clientToken,
                                 pendingEntry?.value.canonicalJSON, Self.ms(time)])
            return db.lastInsertedRowID
        }
    }

    public func completeIntent(_ id: Int64, outcome: String, inventory: InventoryChange, audit: AuditDraft) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE journal SET outcome = ?, finished_at = ? WHERE id = ?",
                           arguments: [outcome, Self.ms(audit.time), id])
            try Self.apply(inventory, db)
            try Self.append(audit, db)
        }
    }

    public func openIntents() throws -> [JournalIntent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE outcome IS NULL ORDER BY id").compactMap { row in
                guard let id = ResourceID(parsing: row["resource"]) else { return nil }
                let pending: String? = row["pending_entry"]
                return JournalIntent(id: row["id"], revision: row["revision"], resource: id, action: row["action"],
                                     physicalName: row["physical_name"], clientToken: row["client_token"],
                                     pendingEntry: pending.flatMap { Value(json: $0) }.flatMap(InventoryEntry.init),
                                     startedAt: Self.date(row["started_at"]))
            }
        }
    }

    /// Closes an intent found open after a crash, with what recovery observed.
    public func closeIntent(_ id: Int64, outcome: String, at time: Date) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE journal SET outcome = ?, finished_at = ? WHERE id = ?").execute(arguments: [outcome, Self.ms(time), id])
        }
    }

    // MARK: Audit

    public func append(_ audit: AuditDraft) throws {
        try pool.write { db in try Self.append(audit, db) }
    }

    /// Chains and inserts an entry; only this function writes the audit table.
    static func append(_ draft: AuditDraft, _ db: Database) throws {
        let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
        let sequence: Int64 = (last?["sequence"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? AuditEntry.genesisHash
        let entry = AuditEntry(sequence: sequence, draft: draft, previousHash: previous)
        try db.cachedStatement(sql: """
            INSERT INTO audit (sequence, time, actor, trigger, revision, commit_id, resource, action, outcome, error,
                               before_digest, after_digest, diff, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [sequence, ms(draft.time), draft.actor, draft.trigger.rawValue, draft.revision, draft.commit,
                             draft.resource, draft.action, draft.outcome, draft.error, draft.beforeDigest, draft.afterDigest,
                             draft.diff.canonicalJSON, previous, entry.hash])
    }

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

    public func audit(_ q: AuditQuery = AuditQuery()) throws -> [AuditEntry] {
        try pool.read { db in
            var sql = "SELECT * FROM audit WHERE sequence > ?"
            var args: [any DatabaseValueConvertible] = [q.after]
            if let r = q.resource { sql += " AND resource = ?"; args.append(r) }
            if let s = q.since { sql += " AND time >= ?"; args.append(Self.ms(s)) }
            sql += " ORDER BY sequence LIMIT ?"
            args.append(q.limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> AuditEntry {
        let draft = AuditDraft(
            time: date(row["time"]), actor: row["actor"], trigger: Trigger(rawValue: row["trigger"]) ?? .cli,
            revision: row["revision"], commit: row["commit_id"], resource: row["resource"], action: row["action"],
            outcome: row["outcome"], error: row["error"], beforeDigest: row["before_digest"], afterDigest: row["after_digest"],
            diff: Value(json: row["diff"]) ?? .string(row["diff"]))
        return AuditEntry(sequence: row["sequence"], draft: draft, previousHash: row["previous_hash"], hash: row["hash"])
    }

    /// The result of recomputing the chain.
    public struct Verification: Sendable {
        public var entries: Int
        /// The first entry that does not verify, and why.
        public var firstBroken: (sequence: Int64, reason: String)?
    }

    /// Recomputes every hash and link, in sequence order, stopping at the first break.
    public func verifyAudit() throws -> Verification {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY sequence")
            var expectedPrevious = AuditEntry.genesisHash
            var expectedSequence: Int64 = 1
            var count = 0
            while let row = try cursor.next() {
                let e = Self.entry(row)
                count += 1
                if e.sequence != expectedSequence {
                    return Verification(entries: count, firstBroken: (e.sequence, "expected entry \(expectedSequence) here: an entry is missing or out of order"))
                }
                if e.previousHash != expectedPrevious {
                    return Verification(entries: count, firstBroken: (e.sequence, "its previous hash does not match entry \(e.sequence - 1): an entry before it was changed, removed or reordered"))
                }
                if e.computedHash != e.hash {
                    return Verification(entries: count, firstBroken: (e.sequence, "its contents do not match its hash: the entry was edited"))
                }
                expectedPrevious = e.hash
                expectedSequence += 1
            }
            return Verification(entries: count, firstBroken: nil)
        }
    }

    // MARK: Lease

    public func heartbeat() throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE lease SET heartbeat_at = ? WHERE id = 1 AND holder = ?",
                           arguments: [Self.ms(Date()), holder.name])
        }
    }
}
