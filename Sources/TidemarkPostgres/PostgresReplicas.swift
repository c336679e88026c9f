import Foundation
import PostgresNIO
import TidemarkEngine

/// The live replicas, by heartbeat in the `replicas` table (the database's clock).
public struct PostgresReplicas: ReplicaRegistry {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func beat(_ replica: String, ttl: Double) async throws -> [String] {
        try await pool.transaction { c in
            try await c.query("""
                INSERT INTO replicas (name, started_at, heartbeat_at) VALUES (\(replica), clock_timestamp(), clock_timestamp())
                ON CONFLICT (name) DO UPDATE SET heartbeat_at = clock_timestamp()
                """, logger: pool.logger)
            try await c.query("DELETE FROM replicas WHERE clock_timestamp() - heartbeat_at > make_interval(secs => \(ttl * 10))", logger: pool.logger)
            return try await c.fetch("""
                SELECT name FROM replicas WHERE clock_timestamp() - heartbeat_at <= make_interval(secs => \(ttl)) ORDER BY name
                """, as: String.self, logger: pool.logger)
        }
    }

    public func leave(_ replica: String) async throws {
        try await pool.transaction { c in
            try await c.query("DELETE FROM replicas WHERE name = \(replica)", logger: pool.logger)
        }
    }
}
