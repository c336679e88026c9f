import Foundation
import GRDB
import TidemarkEngine

/// Who a process is, for the lease: `apply pid 4242 on host-a`.
public struct LeaseHolder: Sendable, Hashable {
    public var name: String
    public var pid: Int32
    public var host: String

    public init(name: String, pid: Int32, host: String) {
        self.name = name
        self.pid = pid
        self.host = host
    }

    public static func current(role: String) -> LeaseHolder {
        let pid = ProcessInfo.processInfo.processIdentifier
        let host = ProcessInfo.processInfo.hostName
        return LeaseHolder(name: "\(role) pid \(pid) on \(host)", pid: pid, host: host)
    }
}

/// The lease is held by another live process.
public struct LeaseHeld: Error, Sendable, CustomStringConvertible {
    public var holder: String
    public var since: Date

    public var description: String {
        "the state in this data folder is locked by \(holder) since \(Timestamp.iso8601(since)); wait for it to finish (or use --lock-timeout)"
    }
}

extension SQLiteStore {
    /// A lease whose heartbeat is older than this is taken over.
    public static let leaseTTL: TimeInterval = 60

    /// Takes the single-writer lease, waiting up to `wait` seconds for a holder to finish.
    /// A holder that died (its process is gone on this host, or its heartbeat is stale) is
    /// taken over at once.
    public func acquireLease(wait: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(wait)
        while true {
            if let held = try tryAcquire() {
                if Date() >= deadline { throw held }
                try await Task.sleep(nanoseconds: 200_000_000)
            } else {
                return
            }
        }
    }

    /// Nil when acquired; the current holder otherwise.
    func tryAcquire() throws -> LeaseHeld? {
        let me = holder
        return try pool.writeWithoutTransaction { db in
            var result: LeaseHeld?
            try db.inTransaction(.immediate) {
                let now = Date()
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1") {
                    let name: String = row["holder"]
                    let pid: Int32 = row["pid"]
                    let host: String = row["host"]
                    let beat = Self.date(row["heartbeat_at"])
                    let mine = name == me.name
                    let dead = host == me.host && !Self.processAlive(pid)
                    let stale = now.timeIntervalSince(beat) > Self.leaseTTL
                    if !mine && !dead && !stale {
                        result = LeaseHeld(holder: name, since: Self.date(row["acquired_at"]))
                        return .rollback
                    }
                }
                try db.cachedStatement(sql: """
                    INSERT INTO lease (id, holder, pid, host, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
                      acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at
                    """).execute(arguments: [me.name, me.pid, me.host, Self.ms(now), Self.ms(now)])
                return .commit
            }
            return result
        }
    }

    public func releaseLease() throws {
        try pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM lease WHERE id = 1 AND holder = ?").execute(arguments: [holder.name])
        }
    }

    /// The current holder, if any.
    public func leaseHolder() throws -> (holder: String, since: Date, heartbeat: Date)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1").map {
                ($0["holder"], Self.date($0["acquired_at"]), Self.date($0["heartbeat_at"]))
            }
        }
    }

    static func processAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
