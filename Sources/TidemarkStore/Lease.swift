import Foundation
import GRDB
import TidemarkEngine

extension SQLiteStore {
    /// Takes the single-writer lease, waiting up to `wait` seconds for a holder to finish.
    /// A holder that died (its process is gone on this host, or its heartbeat is older than
    /// the TTL) is taken over at once. Each acquisition starts a new generation: the fencing
    /// token every later write of this store is checked against.
    public func acquireLease(wait: Double) async throws {
        let deadline = time.now().addingTimeInterval(max(0, min(wait, DurationText.maximum)))
        while true {
            if let held = try tryAcquire() {
                if time.now() >= deadline { throw held }
                try await time.sleep(seconds: 0.2)
            } else {
                return
            }
        }
    }

    /// Takes the lease now or throws `LeaseHeld`: no waiting.
    public func acquireLeaseNow() throws {
        if let held = try tryAcquire() { throw held }
    }

    /// Nil when acquired; the current holder otherwise.
    func tryAcquire() throws -> LeaseHeld? {
        let me = holder
        let now = time.now()
        let mine = fence.load(ordering: .acquiring)
        let (held, generation) = try pool.writeWithoutTransaction { db -> (LeaseHeld?, Int64) in
            var result: (LeaseHeld?, Int64) = (nil, 0)
            try db.inTransaction(.immediate) {
                var next: Int64 = 1
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1") {
                    let name: String = row["holder"]
                    let pid: Int32 = row["pid"]
                    let host: String = row["host"]
                    let generation: Int64 = row["generation"]
                    let beat = Self.date(row["heartbeat_at"])
                    let free = name.isEmpty
                    let dead = host == me.host && !LeaseHolder.processAlive(pid)
                    let stale = now.timeIntervalSince(beat) > leaseTTL
                    if name == me.name && generation == mine && mine != 0 {
                        // Already ours: renew.
                        try db.execute(sql: "UPDATE lease SET heartbeat_at = ? WHERE id = 1", arguments: [Self.ms(now)])
                        result = (nil, generation)
                        return .commit
                    }
                    if !free && !dead && !stale && name != me.name {
                        result = (LeaseHeld(holder: name, since: Self.date(row["acquired_at"])), 0)
                        return .rollback
                    }
                    next = generation + 1
                }
                try db.cachedStatement(sql: """
                    INSERT INTO lease (id, holder, pid, host, acquired_at, heartbeat_at, generation) VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
                      acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, generation = excluded.generation
                    """).execute(arguments: [me.name, me.pid, me.host, Self.ms(now), Self.ms(now), next])
                result = (nil, next)
                return .commit
            }
            return result
        }
        if held == nil { fence.store(generation, ordering: .releasing) }
        return held
    }

    /// Renews the lease. Throws `LeaseLost` when another holder has taken it over since this
    /// store acquired it: the caller must stop acting at once.
    public func heartbeat() throws {
        try fencedWrite { db in
            try db.cachedStatement(sql: "UPDATE lease SET heartbeat_at = ? WHERE id = 1").execute(arguments: [Self.ms(time.now())])
        }
    }

    /// Gives the lease up (when still held); the generation stays, so the next holder's is higher.
    public func releaseLease() throws {
        let generation = fence.exchange(0, ordering: .acquiringAndReleasing)
        guard generation != 0 else { return }
        try pool.write { db in
            try db.cachedStatement(sql: """
                UPDATE lease SET holder = '', pid = 0, heartbeat_at = 0 WHERE id = 1 AND holder = ? AND generation = ?
                """).execute(arguments: [holder.name, generation])
        }
    }

    /// The current holder, if any.
    public func leaseHolder() throws -> LeaseInfo? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1"), !(row["holder"] as String).isEmpty else { return nil }
            return LeaseInfo(holder: row["holder"], generation: row["generation"], since: Self.date(row["acquired_at"]),
                             heartbeat: Self.date(row["heartbeat_at"]))
        }
    }
}
