import Foundation
import GRDB
import Synchronization
import TidemarkCore
import TidemarkEngine

/// The controller's records in one SQLite file (WAL mode): revisions, inventory, the intent
/// journal, the audit chain and the lease. Every write is one transaction, and every write
/// is fenced: it commits only while this store's holder still holds the lease generation it
/// acquired, checked inside the same transaction.
public final class SQLiteStore: StateStore, Sendable {
    let pool: DatabasePool
    public let path: String
    /// Who holds (or asks for) the lease from this process.
    let holder: LeaseHolder
    let time: any TimeSource
    /// A lease whose heartbeat is older than this is taken over.
    public let leaseTTL: Double
    /// The lease generation this store acquired; 0 when it holds none.
    let fence = Atomic<Int64>(0)
    /// The other applications in the same state folder, by name, with their folders: whose
    /// inventories say which application owns an object. Asked each time (applications come
    /// and go while a controller runs).
    let neighbours: @Sendable () throws -> [String: String]

    /// Opens (creating if needed) `tidemark.sqlite` in `folder` and migrates it. The folder
    /// is private to its owner (0700) and the database files too (0600).
    public init(folder: String, holder: LeaseHolder = .current(role: "cli"), time: any TimeSource = SystemTime(),
                leaseTTL: Double = 60, neighbours: @escaping @Sendable () throws -> [String: String] = { [:] }) throws {
        let file = (folder as NSString).appendingPathComponent("tidemark.sqlite")
        path = file
        var config = Configuration()
        config.busyMode = .timeout(15)
        pool = try StateFolder.openDatabase(file) {
            let pool = try DatabasePool(path: file, configuration: config)
            try Self.migrator.migrate(pool)
            return pool
        }
        self.holder = holder
        self.time = time
        self.leaseTTL = leaseTTL
        self.neighbours = neighbours
    }

    /// A write transaction that commits only under this store's lease generation.
    func fencedWrite<T>(_ body: (Database) throws -> T) throws -> T {
        let generation = fence.load(ordering: .acquiring)
        return try pool.write { db in
            try Self.checkFence(db, holder: holder.name, generation: generation)
            return try body(db)
        }
    }

    /// The same for a batch, waiting for the database's writer without holding a thread of the
    /// cooperative pool. A blocking write holds one of the pool's threads (one per core) for
    /// the whole transaction, and a second write waiting behind it holds the other: on two
    /// cores an apply's every task then stood still while the journal was written. Not
    /// cancelled with the caller: a record is written whole, or fails, whatever the task that
    /// asked for it does meanwhile.
    func fencedWriteSuspending<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let generation = fence.load(ordering: .acquiring)
        let (pool, holder) = (self.pool, self.holder.name)
        return try await Task.detached {
            try await pool.write { db in
                try Self.checkFence(db, holder: holder, generation: generation)
                return try body(db)
            }
        }.value
    }

    static func checkFence(_ db: Database, holder: String, generation: Int64) throws {
        let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT holder, generation FROM lease WHERE id = 1"))
        let current: (String, Int64)? = row.map { ($0["holder"], $0["generation"]) }
        guard generation != 0, let current, current.0 == holder, current.1 == generation else {
            throw LeaseLost(holder: current?.0, generation: current?.1)
        }
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
        // The fencing token: the row is never deleted again, so generations only grow.
        m.registerMigration("v2-lease-generation") { db in
            try db.execute(sql: "ALTER TABLE lease ADD COLUMN generation INTEGER NOT NULL DEFAULT 0")
        }
        return m
    }

    static func ms(_ d: Date) -> Int64 { AuditEntry.milliseconds(d) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    // MARK: Inventory

    /// Every managed resource. A row that does not parse is an error, never skipped: a
    /// dropped row would make Tidemark forget an object it owns.
    public func inventory() throws -> [ResourceID: InventoryEntry] {
        try pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inventory") ?? 0
            // Each row is decoded as SQLite steps to it, never copied into a row of its own.
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT resource, entry FROM inventory"))
            var out: [ResourceID: InventoryEntry] = [:]
            out.reserveCapacity(count)
            // Columns by position: a lookup by name compares names on every row.
            while let row = try rows.next() {
                let text: String = row[1]
                guard let v = Value(json: text), let e = InventoryEntry(v) else {
                    throw StoreCorrupt(table: "inventory", key: row[0])
                }
                out[e.id] = e
            }
            return out
        }
    }

    /// Reads the inventories of the other applications in the state folder (read-only; a
    /// folder whose application never ran has none).
    public func owners(of objects: Set<ObjectName>) throws -> [ObjectName: String] {
        var out: [ObjectName: String] = [:]
        for (name, folder) in try neighbours().sorted(by: { $0.key < $1.key }) {
            let file = (folder as NSString).appendingPathComponent("tidemark.sqlite")
            guard FileManager.default.fileExists(atPath: file) else { continue }
            var config = Configuration()
            config.busyMode = .timeout(15)
            let rows = try DatabaseQueue(path: file, configuration: config).read { db in
                try Row.fetchAll(db, sql: "SELECT resource, entry FROM inventory")
            }
            for row in rows {
                guard let e = Value(json: row["entry"]).flatMap(InventoryEntry.init) else {
                    throw StoreCorrupt(table: "inventory of application \(name)", key: row["resource"])
                }
                let key = ObjectName(e.id.kind, e.physicalName)
                if objects.contains(key) { out[key] = name }
            }
        }
        return out
    }

    static func apply(_ change: InventoryChange, _ db: Database) throws {
        switch change {
        case .none: break
        case .upsert(let e):
            try db.cachedStatement(sql: "INSERT INTO inventory (resource, entry) VALUES (?, ?) ON CONFLICT(resource) DO UPDATE SET entry = excluded.entry")
                .execute(arguments: [e.id.description, e.value.canonicalJSON])
        case .remove(let id):
            try db.cachedStatement(sql: "DELETE FROM inventory WHERE resource = ?").execute(arguments: [id.description])
        }
    }

    // MARK: Revisions

    public func beginRevision(_ start: RevisionStart) throws -> Int64 {
        try fencedWrite { db in
            try db.cachedStatement(sql: """
                INSERT INTO revisions (commit_id, reference, path, started_at, actor, trigger, outcome, plan_digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [start.commit, start.reference, start.path, Self.ms(start.time), start.actor, start.trigger.rawValue,
                                 RevisionRecord.Outcome.inProgress.rawValue, start.planDigest])
            return db.lastInsertedRowID
        }
    }

    public func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) throws {
        try fencedWrite { db in
            try db.execute(sql: "UPDATE revisions SET outcome = ?, message = ?, finished_at = ? WHERE number = ?",
                           arguments: [outcome.rawValue, message, Self.ms(time), number])
        }
    }

    public func revisions(limit: Int) throws -> [RevisionRecord] {
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
        try fencedWrite { db in
            try db.execute(sql: "UPDATE revisions SET pinned = 0 WHERE pinned = 1")
            if let number { try db.cachedStatement(sql: "UPDATE revisions SET pinned = 1 WHERE number = ?").execute(arguments: [number]) }
        }
    }

    static func revision(_ row: Row) throws -> RevisionRecord {
        let finished: Int64? = row["finished_at"]
        let number: Int64 = row["number"]
        guard let trigger = Trigger(rawValue: row["trigger"]), let outcome = RevisionRecord.Outcome(rawValue: row["outcome"]) else {
            throw StoreCorrupt(table: "revisions", key: "\(number)")
        }
        return RevisionRecord(
            number: number, commit: row["commit_id"], reference: row["reference"], path: row["path"],
            startedAt: date(row["started_at"]), finishedAt: finished.map(date), actor: row["actor"],
            trigger: trigger, outcome: outcome,
            planDigest: row["plan_digest"], message: row["message"], pinned: (row["pinned"] as Int64) != 0)
    }

    // MARK: Journal

    public func recordIntent(_ intent: IntentDraft) throws -> Int64 {
        try fencedWrite { db in try Self.insert(intent, db) }
    }

    public func recordIntents(_ intents: [IntentDraft]) async throws -> [Int64] {
        try await fencedWriteSuspending { db in try intents.map { try Self.insert($0, db) } }
    }

    static func insert(_ intent: IntentDraft, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO journal (revision, resource, action, physical_name, client_token, pending_entry, started_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [intent.revision, intent.resource.description, intent.action.rawValue, intent.physicalName,
                             intent.clientToken, intent.pendingEntry?.value.canonicalJSON, Self.ms(intent.time)])
        return db.lastInsertedRowID
    }

    public func completeIntent(_ id: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft) throws {
        try fencedWrite { db in try Self.complete(id, outcome: outcome, inventory: inventory, audit: audit, db) }
    }

    @discardableResult
    static func complete(_ id: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft, _ db: Database,
                         after end: ChainEnd? = nil) throws -> ChainEnd {
        try db.cachedStatement(sql: "UPDATE journal SET outcome = ?, finished_at = ? WHERE id = ? AND outcome IS NULL")
            .execute(arguments: [outcome.rawValue, Self.ms(audit.time), id])
        guard db.changesCount == 1 else { throw StoreCorrupt(table: "journal", key: "\(id) (not open)") }
        try Self.apply(inventory, db)
        return try Self.append(audit, db, after: end)
    }

    public func completeIntents(_ batch: [IntentCompletion]) async throws {
        try await fencedWriteSuspending { db in
            var end = try Self.chainEnd(db)
            for c in batch { end = try Self.complete(c.intent, outcome: c.outcome, inventory: c.inventory, audit: c.audit, db, after: end) }
        }
    }

    public func record(inventory: InventoryChange, audit: AuditDraft) throws {
        try fencedWrite { db in
            try Self.apply(inventory, db)
            try Self.append(audit, db)
        }
    }

    public func openIntents() throws -> [JournalIntent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE outcome IS NULL ORDER BY id").map { row in
                let key: Int64 = row["id"]
                guard let resource = ResourceID(parsing: row["resource"]), let action = JournalAction(rawValue: row["action"]) else {
                    throw StoreCorrupt(table: "journal", key: "\(key)")
                }
                var pending: InventoryEntry?
                if let text = row["pending_entry"] as String? {
                    guard let entry = Value(json: text).flatMap(InventoryEntry.init) else { throw StoreCorrupt(table: "journal", key: "\(key)") }
                    pending = entry
                }
                return JournalIntent(id: key, revision: row["revision"], resource: resource, action: action,
                                     physicalName: row["physical_name"], clientToken: row["client_token"],
                                     pendingEntry: pending, startedAt: Self.date(row["started_at"]))
            }
        }
    }

    // MARK: Audit

    public func append(_ audit: AuditDraft) throws {
        try fencedWrite { db in try Self.append(audit, db) }
    }

    /// The newest entry's sequence and hash: what the next entry chains to.
    typealias ChainEnd = (sequence: Int64, hash: String)

    static func chainEnd(_ db: Database) throws -> ChainEnd {
        let last = try Row.fetchOne(try db.cachedStatement(sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1"))
        return (last?["sequence"] ?? 0, last?["hash"] ?? AuditEntry.genesisHash)
    }

    /// Chains and inserts an entry; only this function writes the audit table. A batch in one
    /// transaction passes the end it chained last instead of reading it back.
    @discardableResult
    static func append(_ draft: AuditDraft, _ db: Database, after end: ChainEnd? = nil) throws -> ChainEnd {
        let previous = try end ?? chainEnd(db)
        let sequence = previous.sequence + 1
        let (entry, diffJSON) = AuditEntry.chained(sequence: sequence, draft: draft, previousHash: previous.hash)
        try db.cachedStatement(sql: """
            INSERT INTO audit (sequence, time, actor, trigger, revision, commit_id, resource, action, outcome, error,
                               before_digest, after_digest, diff, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [sequence, ms(draft.time), draft.actor, draft.trigger.rawValue, draft.revision, draft.commit,
                             draft.resource, draft.action, draft.outcome, draft.error, draft.beforeDigest, draft.afterDigest,
                             diffJSON, previous.hash, entry.hash])
        return (sequence, entry.hash)
    }

    public func audit(_ q: AuditQuery) throws -> [AuditEntry] {
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

    /// An audit row as it is stored. A trigger this version does not know is kept as `cli`
    /// for display only; verification hashes the stored text (see `verifyAudit`).
    static func entry(_ row: Row) -> AuditEntry {
        let draft = AuditDraft(
            time: date(row["time"]), actor: row["actor"], trigger: Trigger(rawValue: row["trigger"]) ?? .cli,
            revision: row["revision"], commit: row["commit_id"], resource: row["resource"], action: row["action"],
            outcome: row["outcome"], error: row["error"], beforeDigest: row["before_digest"], afterDigest: row["after_digest"],
            diff: Value(json: row["diff"]) ?? .string(row["diff"]))
        return AuditEntry(sequence: row["sequence"], draft: draft, previousHash: row["previous_hash"], hash: row["hash"])
    }

    /// Recomputes every hash and link, in sequence order, stopping at the first break.
    public func verifyAudit() throws -> AuditVerification {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY sequence")
            var chain = AuditChain()
            while let row = try cursor.next() {
                let e = Self.entry(row)
                if let reason = chain.check(e) { return AuditVerification(entries: chain.entries, firstBroken: (e.sequence, reason)) }
            }
            return AuditVerification(entries: chain.entries, firstBroken: nil)
        }
    }
}
