import Foundation
import Logging
import PostgresNIO
import TidemarkEngine

/// One PostgreSQL database shared by every application and replica: the connection pool
/// (postgres-nio's `PostgresClient`, run in its own task), the versioned migrations, and
/// transactions whose errors keep their types. Open one per process; `store(for:)` scopes
/// it to an application.
public final class PostgresPool: Sendable {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    public let location: PostgresLocation

    /// Connects and brings the schema to this version's migrations (waiting for another
    /// process migrating at the same moment). Refuses a schema newer than it knows.
    public static func open(_ location: PostgresLocation, maximumConnections: Int = 20) async throws -> PostgresPool {
        let pool = PostgresPool(location, maximumConnections: maximumConnections)
        do {
            try await PostgresMigrations.migrate(pool)
        } catch {
            pool.close()
            throw error
        }
        return pool
    }

    init(_ location: PostgresLocation, maximumConnections: Int) {
        self.location = location
        logger = Logger(label: "tidemark.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        var config = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                  password: location.password, database: location.database, tls: location.tls)
        config.options.maximumConnections = max(1, maximumConnections)
        config.options.connectTimeout = .seconds(5)
        config.options.additionalStartupParameters = Self.sessionLimits.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Every session's limits. A replica paused (SIGSTOP) or cut off in the middle of a
    /// transaction would otherwise hold its row locks until it came back, and the replica
    /// taking its applications over would wait on the lease row for good: the server ends a
    /// session idle inside a transaction after 10 s (rolling it back), and no statement waits
    /// on a lock, or runs, for longer than the limits below; what fails is retried on the next
    /// pass like any store error.
    static let sessionLimits = [
        "idle_in_transaction_session_timeout": "10s",
        "lock_timeout": "10s",
        "statement_timeout": "1min",
    ]

    /// Closes every connection; the pool is unusable after.
    public func close() {
        runner.cancel()
    }

    /// Runs `body` in one transaction (READ COMMITTED): committed when it returns, rolled
    /// back when it throws. Its own errors come out as they were thrown; the database's as
    /// `StoreFailure` (or `LeaseLost` when a fencing trigger refused the write).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    do { try await connection.query("ROLLBACK", logger: logger) } catch {
                        // The connection is broken; the server rolls the transaction back itself.
                    }
                    throw error
                }
            }
        } catch {
            throw StoreFailure.from(error)
        }
    }

    /// One statement outside a transaction (reads).
    func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        do { return try await client.query(query, logger: logger) } catch { throw StoreFailure.from(error) }
    }

    /// Reads every row of `query` decoded as `T` (a tuple of column types).
    func fetch<each C: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each C).Type) async throws -> [(repeat each C)] {
        do {
            var out: [(repeat each C)] = []
            for try await row in try await client.query(query, logger: logger).decode(types) { out.append(row) }
            return out
        } catch {
            throw StoreFailure.from(error)
        }
    }
}

extension PostgresConnection {
    /// Every row of `query` on this connection, decoded.
    func fetch<each C: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each C).Type, logger: Logger) async throws -> [(repeat each C)] {
        var out: [(repeat each C)] = []
        for try await row in try await self.query(query, logger: logger).decode(types) { out.append(row) }
        return out
    }
}
