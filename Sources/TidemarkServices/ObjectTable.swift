import Foundation
import GRDB
import TidemarkCore
import TidemarkEngine

/// One stored object of a local service, with its pending status transition.
struct StoredObject: Sendable {
    var kind: ResourceKind
    var name: String
    var arn: String
    var spec: Value
    var status: String?
    var failureReason: String?
    var observed: Value
    var clientToken: String?
    var createdAt: Date
    var modifiedAt: Date
    /// When the current transitional status ends, and what it becomes (`gone` deletes the row).
    var transitionAt: Date?
    var nextStatus: String?

    mutating func setObserved(_ key: String, _ value: Value?) {
        if case .object = observed {} else { observed = .object([]) }
        observed = observed.setting(key, value)
    }
}

/// The SQLite table every local service module keeps its objects in (one row per object,
/// keyed by kind and name), plus injected faults.
struct ObjectTable {
    static func migrate(_ pool: DatabasePool) throws {
        var m = DatabaseMigrator()
        m.registerMigration("v1-objects") { db in
            try db.execute(sql: """
                CREATE TABLE objects (
                  kind TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL, spec TEXT NOT NULL,
                  status TEXT, failure_reason TEXT, observed TEXT NOT NULL, client_token TEXT,
                  created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
                  transition_at INTEGER, next_status TEXT,
                  PRIMARY KEY (kind, name));
                CREATE TABLE faults (
                  kind TEXT NOT NULL, name TEXT NOT NULL, mode TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
                  PRIMARY KEY (kind, name, mode));
                """)
        }
        m.registerMigration("v2-client-token-index") { db in
            try db.execute(sql: "CREATE INDEX objects_by_client_token ON objects (kind, client_token)")
        }
        // The change feed: one row per change to an object, numbered in order.
        m.registerMigration("v3-changes") { db in
            try db.execute(sql: "CREATE TABLE changes (sequence INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL)")
        }
        // Each change also says when it happened and what the object's status then was: the
        // object's event history, looked up by object.
        m.registerMigration("v4-change-events") { db in
            try db.execute(sql: """
                ALTER TABLE changes ADD COLUMN time INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE changes ADD COLUMN status TEXT;
                ALTER TABLE changes ADD COLUMN failure_reason TEXT;
                CREATE INDEX changes_by_object ON changes (kind, name, sequence);
                """)
        }
        try m.migrate(pool)
    }

    /// How many changes the feed keeps; a reader further behind rereads everything (resync).
    static let feedLength: Int64 = 10_000

    /// Appends to the change feed, trimming it to `feedLength` every thousand changes.
    static func noteChange(_ db: Database, _ kind: ResourceKind, _ name: String, at time: Date, status: String?, failureReason: String?) throws {
        try db.cachedStatement(sql: "INSERT INTO changes (kind, name, time, status, failure_reason) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [kind.rawValue, name, ms(time), status, failureReason])
        let sequence = db.lastInsertedRowID
        if sequence % 1000 == 0 {
            try db.cachedStatement(sql: "DELETE FROM changes WHERE sequence <= ?").execute(arguments: [sequence - feedLength])
        }
    }

    static func changes(_ db: Database, since cursor: Int64, limit: Int) throws -> ChangeBatch {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM changes WHERE sequence > ? ORDER BY sequence LIMIT ?"),
                                    arguments: [cursor, limit])
        var changes: [ObjectChange] = []
        for row in rows {
            guard let kind = ResourceKind(rawValue: row["kind"]) else { continue }
            changes.append(ObjectChange(sequence: row["sequence"], kind: kind, name: row["name"]))
        }
        // The cursor moves past every row read, even one that did not parse.
        if let last = rows.last?["sequence"] as Int64? { return ChangeBatch(cursor: last, changes: changes) }
        let latest = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM changes") ?? cursor
        return ChangeBatch(cursor: max(cursor, latest), changes: changes)
    }

    /// The newest `limit` changes to the objects `names` of `kind`, oldest first (as far back
    /// as the feed keeps).
    static func events(_ db: Database, _ kind: ResourceKind, names: [String], limit: Int) throws -> [ObjectEvent] {
        var out: [(sequence: Int64, event: ObjectEvent)] = []
        for name in names {
            let rows = try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT sequence, name, time, status, failure_reason FROM changes WHERE kind = ? AND name = ? ORDER BY sequence DESC LIMIT ?
                """), arguments: [kind.rawValue, name, limit])
            out += rows.map { ($0["sequence"], ObjectEvent(time: date($0["time"]), name: $0["name"], status: $0["status"], failureReason: $0["failure_reason"])) }
        }
        // In the order the service made them (times can tie to the millisecond).
        return Array(out.sorted { $0.sequence < $1.sequence }.suffix(limit).map(\.event))
    }

    static func byClientToken(_ db: Database, _ kind: ResourceKind, _ token: String) throws -> StoredObject? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns) FROM objects WHERE kind = ? AND client_token = ?"), arguments: [kind.rawValue, token]).map(decode)
    }

    static func ms(_ d: Date) -> Int64 { AuditEntry.milliseconds(d) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    static func load(_ db: Database, _ kind: ResourceKind, _ name: String) throws -> StoredObject? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns) FROM objects WHERE kind = ? AND name = ?"), arguments: [kind.rawValue, name]).map(decode)
    }

    /// Every object of `kind`, by name. Each row is decoded as SQLite steps to it, never
    /// copied into a row of its own first.
    static func all(_ db: Database, _ kind: ResourceKind) throws -> [StoredObject] {
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT \(columns) FROM objects WHERE kind = ? ORDER BY name"),
                                       arguments: [kind.rawValue])
        var out: [StoredObject] = []
        while let row = try rows.next() { out.append(try decode(row)) }
        return out
    }

    /// The columns `decode` reads, in the order it reads them: by position, because looking a
    /// column up by name compares names row after row (a list of 10,000 objects spent more time
    /// there than parsing the specs).
    static let columns = "kind, name, arn, spec, status, failure_reason, observed, client_token, created_at, modified_at, transition_at, next_status"

    /// A stored object; a row that does not parse is a storage failure, never an empty spec.
    static func decode(_ row: Row) throws -> StoredObject {
        let name: String = row[1]
        let transition: Int64? = row[10]
        guard let kind = ResourceKind(rawValue: row[0]), let spec = Value(json: row[3]), let observed = Value(json: row[6]) else {
            throw ServiceError(.internalFailure, "local service storage: the stored object '\(name)' is unreadable")
        }
        return StoredObject(
            kind: kind, name: name, arn: row[2],
            spec: spec, status: row[4], failureReason: row[5],
            observed: observed, clientToken: row[7],
            createdAt: date(row[8]), modifiedAt: date(row[9]),
            transitionAt: transition.map(date), nextStatus: row[11])
    }

    static func save(_ db: Database, _ o: StoredObject) throws {
        try db.cachedStatement(sql: """
            INSERT INTO objects (kind, name, arn, spec, status, failure_reason, observed, client_token,
                                 created_at, modified_at, transition_at, next_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(kind, name) DO UPDATE SET arn = excluded.arn, spec = excluded.spec, status = excluded.status,
              failure_reason = excluded.failure_reason, observed = excluded.observed, client_token = excluded.client_token,
              modified_at = excluded.modified_at, transition_at = excluded.transition_at, next_status = excluded.next_status
            """).execute(arguments: [o.kind.rawValue, o.name, o.arn, o.spec.canonicalJSON, o.status, o.failureReason,
                             o.observed.canonicalJSON, o.clientToken, ms(o.createdAt), ms(o.modifiedAt),
                             o.transitionAt.map(ms), o.nextStatus])
        try noteChange(db, o.kind, o.name, at: o.modifiedAt, status: o.status, failureReason: o.failureReason)
    }

    static func remove(_ db: Database, _ kind: ResourceKind, _ name: String, at time: Date) throws {
        try db.cachedStatement(sql: "DELETE FROM objects WHERE kind = ? AND name = ?").execute(arguments: [kind.rawValue, name])
        try noteChange(db, kind, name, at: time, status: "Deleted", failureReason: nil)
    }

    // MARK: Faults

    /// A fault set on `name` also matches its versioned physical names `<base>-<8 hex>`, the
    /// base shortened as resolution shortens it.
    static func matches(_ pattern: String, _ name: String, kind: ResourceKind) -> Bool {
        if pattern == name { return true }
        let base = Resolution.versionedBase(pattern, limit: KindDefinition.of(kind).nameRule.maxLength)
        guard name.hasPrefix(base + "-") else { return false }
        let suffix = name.dropFirst(base.count + 1)
        return suffix.count == 8 && suffix.allSatisfy(\.isHexDigit)
    }

    /// Removes and returns a matching fault (faults fire once).
    static func take(_ db: Database, _ kind: ResourceKind, _ name: String, _ mode: LocalServices.Fault) throws -> String? {
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT name, detail FROM faults WHERE kind = ? AND mode = ?"), arguments: [kind.rawValue, mode.rawValue]) {
            let pattern: String = row["name"]
            if matches(pattern, name, kind: kind) {
                try db.cachedStatement(sql: "DELETE FROM faults WHERE kind = ? AND name = ? AND mode = ?").execute(arguments: [kind.rawValue, pattern, mode.rawValue])
                return row["detail"]
            }
        }
        return nil
    }

    static func setFault(_ db: Database, _ kind: ResourceKind, _ name: String, _ mode: LocalServices.Fault, detail: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO faults (kind, name, mode, detail) VALUES (?, ?, ?, ?)",
                       arguments: [kind.rawValue, name, mode.rawValue, detail])
    }

    static func clearFaults(_ db: Database, _ kind: ResourceKind, _ name: String) throws {
        try db.cachedStatement(sql: "DELETE FROM faults WHERE kind = ? AND name = ?").execute(arguments: [kind.rawValue, name])
    }
}
