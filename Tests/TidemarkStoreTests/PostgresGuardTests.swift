import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import PostgresNIO
@testable import TidemarkPostgres
import TidemarkTesting

/// What PostgreSQL itself enforces, whatever a client does: stale fencing tokens, the
/// append-only audit log, one owner per object, and versioned migrations.
@Suite struct PostgresGuardTests {
    func psql(_ db: (url: String, name: String, user: String, password: String), _ sql: String) throws -> String {
        try PostgresCluster.run(try PostgresCluster.shared().binaries + "/psql",
                                ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", db.url.replacingOccurrences(of: "?sslmode=disable", with: ""), "-c", sql])
    }

    @Test func theDatabaseRefusesAWriteUnderAStaleFencingToken() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let db = try #require(f.database)
        let old = try f.store(holder: "old")
        try await old.acquireLease(wait: 0)
        try await old.append(f.audit("first"))
        try await f.expireLeases()
        try await f.store(holder: "new").acquireLease(wait: 0)
        // A client that skips the store's own check and writes with generation 1 by hand is
        // refused by the trigger; so is one that sets no token at all.
        for sql in [
            "BEGIN; SELECT set_config('tidemark.fence', '1', true); INSERT INTO inventory (app, resource, kind, physical_name, entry) VALUES ('fraud', 'Model/x', 'Model', 'x', '{}'); COMMIT;",
            "INSERT INTO revisions (app, number, commit_id, reference, path, started_at, actor, trigger, outcome, plan_digest) VALUES ('fraud', 9, 'c', 'main', 'm', 0, 't', 'controller', 'succeeded', '')",
            "INSERT INTO journal (app, revision, resource, action, physical_name, client_token, started_at) VALUES ('fraud', 1, 'Model/x', 'create', 'x', 't', 0)",
        ] {
            let error = #expect(throws: PostgresCluster.Failed.self) { try psql(db, sql) }
            #expect(error?.description.contains("fencing token") == true, "\(sql)")
        }
        #expect(try psql(db, "SELECT count(*) FROM inventory").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// A replica paused inside a transaction must not hold its locks for good: every session
    /// of the pool carries limits the server enforces, and one left idle in a transaction is
    /// ended by the server, which frees the lease row another replica is waiting for.
    @Test func aSessionIdleInATransactionIsEndedAndItsLocksFreed() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let pool = try #require(f.pool)
        for (name, value) in PostgresPool.sessionLimits {
            let shown = try await pool.fetch(PostgresQuery(unsafeSQL: "SHOW \(name)"), as: String.self)
            #expect(shown.first == value, "\(name)")
        }
        let db = try #require(f.database)
        try await f.store(holder: "a").acquireLease(wait: 0)
        try await f.expireLeases()
        // A session like a paused replica's: the lease row locked, then idle in the
        // transaction (psql runs a shell command in between), with the limit the pool sets.
        let binaries = try PostgresCluster.shared().binaries
        let paused = try ChildProcess.start(binaries + "/psql", [
            "-X", "-q", db.url.replacingOccurrences(of: "?sslmode=disable", with: ""),
            "-c", "SET idle_in_transaction_session_timeout = '\(PostgresPool.sessionLimits["idle_in_transaction_session_timeout"] ?? "")'",
            "-c", "BEGIN", "-c", "SELECT * FROM leases FOR UPDATE", "-c", "\\! sleep 40", "-c", "COMMIT"])
        defer { paused.stop() }
        var locked = false
        for _ in 0..<100 where !locked {
            let waiting = try psql(db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = '\(db.name)'")
            locked = waiting.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            if !locked { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(locked, "the psql session never sat idle in its transaction")
        // Another replica takes the stale lease once the server has ended that session.
        let taker = try f.store(holder: "b")
        var taken = false
        for _ in 0..<30 where !taken {
            do { try await taker.acquireLease(wait: 0); taken = true } catch { try await Task.sleep(nanoseconds: 1_000_000_000) }
        }
        #expect(taken, "the lease stayed locked by the idle session")
    }

    @Test func theAuditLogIsAppendOnlyByPermissionAndByTrigger() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let db = try #require(f.database)
        let store = try f.store(holder: "a")
        try await store.acquireLease(wait: 0)
        for action in ["create", "update", "delete"] { try await store.append(f.audit(action, resource: "Model/m")) }
        // The role Tidemark connects as (the tables' owner) has no UPDATE, DELETE or TRUNCATE.
        for sql in ["UPDATE audit SET outcome = 'failed' WHERE sequence = 2", "DELETE FROM audit WHERE sequence = 3", "TRUNCATE audit"] {
            let error = #expect(throws: PostgresCluster.Failed.self) { try psql(db, sql) }
            #expect(error?.description.contains("permission denied") == true, "\(sql)")
        }
        // A superuser has every privilege; the triggers still refuse.
        let cluster = try PostgresCluster.shared()
        for sql in ["UPDATE audit SET outcome = 'failed' WHERE sequence = 2", "DELETE FROM audit WHERE sequence = 3", "TRUNCATE audit"] {
            let error = #expect(throws: PostgresCluster.Failed.self) { try cluster.sql(sql, database: db.name) }
            #expect(error?.description.contains("append-only") == true, "\(sql)")
        }
        #expect(try await store.verifyAudit().firstBroken == nil)
        // Only by switching the triggers off can a superuser edit it, and verification finds the edit.
        try cluster.sql("ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET outcome = 'failed' WHERE sequence = 2; ALTER TABLE audit ENABLE TRIGGER USER;",
                        database: db.name)
        let verified = try await store.verifyAudit()
        #expect(verified.firstBroken?.sequence == 2)
        #expect(verified.firstBroken?.reason.contains("edited") == true)
    }

    @Test func theDatabaseKeepsOneOwnerPerObject() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let fraud = try f.store("fraud", holder: "a")
        let churn = try f.store("churn", holder: "a")
        try await fraud.acquireLease(wait: 0)
        try await churn.acquireLease(wait: 0)
        try await fraud.record(inventory: .upsert(StoreFixture.entry(.endpoint, "shared")), audit: f.audit("create"))
        // Another application recording the same live object (under another logical name) is refused,
        // and its audit entry is not written either.
        await #expect(throws: OwnedByAnotherApplication.self) {
            try await churn.record(inventory: .upsert(StoreFixture.entry(.endpoint, "mine", physical: "shared")), audit: f.audit("adopt"))
        }
        #expect(try await churn.inventory().isEmpty)
        #expect(try await churn.audit(AuditQuery()).isEmpty)
        #expect(try await churn.verifyAudit().firstBroken == nil)
    }

    @Test func migrationsAreVersionedAndRunOnce() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let db = try #require(f.database)
        let location = try PostgresLocation.parse(db.url).get()
        // Three replicas opening at once migrate once.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresPool.open(location).close() } }
            try await group.waitForAll()
        }
        #expect(try psql(db, "SELECT version || ':' || name FROM tidemark_schema ORDER BY version").split(separator: "\n") == ["1:records"])
        // A schema from a newer Tidemark is refused, not written to.
        try psql(db, "INSERT INTO tidemark_schema (version, name) VALUES (99, 'future')")
        await #expect(throws: StoreFailure.self) { try await PostgresPool.open(location).close() }
    }

    @Test func aStoreLocationIsCheckedAndNeverShowsItsPassword() throws {
        let ok = try PostgresLocation.parse("postgres://tidemark:s3cret@db.internal:6543/state?sslmode=require").get()
        #expect(ok.host == "db.internal")
        #expect(ok.port == 6543)
        #expect(ok.password == "s3cret")
        #expect(ok.description == "postgres://tidemark@db.internal:6543/state")
        #expect(!"\(ok)".contains("s3cret"))
        #expect(try PostgresLocation.parse("postgres://tidemark@db/state", password: "fromenv").get().password == "fromenv")
        for bad in ["mysql://u@h/d", "postgres://h/d", "postgres://u@h/", "postgres://u@h/d?sslmode=verify-full", "postgres://u@h/d?timeout=3"] {
            guard case .failure = PostgresLocation.parse(bad) else { Issue.record("accepted \(bad)"); continue }
        }
    }
}
