import Foundation
import PostgresNIO
import TidemarkEngine

/// The application's lease, judged by the database's clock (replicas' clocks may differ):
/// a holder whose heartbeat is older than the TTL, or whose process is gone on this host,
/// is taken over, and each acquisition starts a new generation — the fencing token.
extension PostgresStore {
    public func acquireLease(wait: Double) async throws {
        let start = Date()
        let limit = max(0, min(wait, DurationText.maximum))
        while true {
            guard let held = try await tryAcquire() else { return }
            if Date().timeIntervalSince(start) >= limit { throw held }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    /// Nil when acquired (or renewed); the live holder otherwise.
    func tryAcquire() async throws -> LeaseHeld? {
        let me = holder
        let app = application
        let mine = fence.load(ordering: .acquiring)
        let ttl = leaseTTL
        let (held, generation): (LeaseHeld?, Int64) = try await pool.transaction { c in
            try await c.query("INSERT INTO leases (app) VALUES (\(app)) ON CONFLICT (app) DO NOTHING", logger: logger)
            let rows = try await c.fetch("""
                SELECT holder, pid, host, generation, COALESCE(acquired_at, clock_timestamp()),
                       heartbeat_at IS NULL OR clock_timestamp() - heartbeat_at > make_interval(secs => \(ttl))
                FROM leases WHERE app = \(app) FOR UPDATE
                """, as: (String, Int32, String, Int64, Date, Bool).self, logger: logger)
            guard let row = rows.first else { throw StoreCorrupt(table: "leases", key: app) }
            let (name, pid, host, generation, since, stale) = row
            if name == me.name && generation == mine && mine != 0 {
                try await c.query("UPDATE leases SET heartbeat_at = clock_timestamp() WHERE app = \(app)", logger: logger)
                return (nil, generation)
            }
            let dead = host == me.host && !LeaseHolder.processAlive(pid)
            if !name.isEmpty && !dead && !stale && name != me.name {
                return (LeaseHeld(holder: name, since: since), 0)
            }
            let next = try await c.fetch("""
                UPDATE leases SET holder = \(me.name), pid = \(me.pid), host = \(me.host), acquired_at = clock_timestamp(),
                  heartbeat_at = clock_timestamp(), generation = generation + 1
                WHERE app = \(app) RETURNING generation
                """, as: Int64.self, logger: logger)
            guard let generation = next.first else { throw StoreCorrupt(table: "leases", key: app) }
            return (nil, generation)
        }
        if held == nil { fence.store(generation, ordering: .releasing) }
        return held
    }

    public func heartbeat() async throws {
        let app = application
        try await fencedWrite { c in
            try await c.query("UPDATE leases SET heartbeat_at = clock_timestamp() WHERE app = \(app)", logger: logger)
        }
    }

    /// Gives the lease up when still held; the generation stays, so the next holder's is higher.
    public func releaseLease() async throws {
        let generation = fence.exchange(0, ordering: .acquiringAndReleasing)
        guard generation != 0 else { return }
        let app = application
        let me = holder.name
        try await pool.transaction { c in
            try await c.query("""
                UPDATE leases SET holder = '', pid = 0, heartbeat_at = NULL
                WHERE app = \(app) AND holder = \(me) AND generation = \(generation)
                """, logger: logger)
        }
    }

    public func leaseHolder() async throws -> LeaseInfo? {
        let rows = try await pool.fetch("""
            SELECT holder, generation, COALESCE(acquired_at, clock_timestamp()), COALESCE(heartbeat_at, clock_timestamp())
            FROM leases WHERE app = \(application) AND holder <> ''
            """, as: (String, Int64, Date, Date).self)
        return rows.first.map { LeaseInfo(holder: $0.0, generation: $0.1, since: $0.2, heartbeat: $0.3) }
    }

    /// The lease generation this store holds, 0 when none (for tests and status).
    public var heldGeneration: Int64 { fence.load(ordering: .acquiring) }
}
