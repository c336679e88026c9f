import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkPostgres
import TidemarkStore
import TidemarkTesting

/// The two stores behind the same ports: an empty store of either kind, any number of
/// applications and holders on it, and a way to let every lease go stale.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

final class StoreFixture: @unchecked Sendable {
    let kind: StoreKind
    let ttl: Double = 60
    let time = ManualTime()
    /// SQLite: the state folder (applications in `apps/NAME`); PostgreSQL: the database URL.
    let location: String
    let database: (url: String, name: String, user: String, password: String)?
    var pool: PostgresPool?

    init(_ kind: StoreKind) async throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            location = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-store-\(UUID().uuidString)").path
            database = nil
        case .postgres:
            let db = try PostgresCluster.shared().makeDatabase()
            database = db
            location = db.url
            pool = try await PostgresPool.open(try PostgresLocation.parse(db.url).get())
        }
    }

    static let applications = ["fraud", "churn", "search"]

    /// Application `app`'s store, held (when it acquires) by `holder`.
    func store(_ app: String = "fraud", holder: String) throws -> any StateStore {
        let who = LeaseHolder(name: holder, pid: 1, host: "host-\(holder)")
        switch kind {
        case .sqlite:
            let folder = (location as NSString).appendingPathComponent("apps/\(app)")
            var neighbours: [String: String] = [:]
            for other in Self.applications where other != app { neighbours[other] = (location as NSString).appendingPathComponent("apps/\(other)") }
            return try SQLiteStore(folder: folder, holder: who, time: time, leaseTTL: ttl, neighbours: { [neighbours] in neighbours })
        case .postgres:
            guard let pool else { throw PostgresCluster.Failed(description: "no pool") }
            return PostgresStore(pool: pool, application: app, holder: who, leaseTTL: ttl)
        }
    }

    /// Lets every lease's heartbeat grow older than the TTL (the holder paused).
    func expireLeases() async throws {
        switch kind {
        case .sqlite: time.advance(seconds: ttl + 1)
        // The database judges by its own clock: move every heartbeat back past the TTL.
        case .postgres:
            guard let database else { return }
            try PostgresCluster.shared().sql("UPDATE leases SET heartbeat_at = heartbeat_at - make_interval(secs => \(ttl + 1))", database: database.name)
        }
    }

    func close() {
        pool?.close()
        if kind == .sqlite { try? FileManager.default.removeItem(atPath: location) }
    }

    func start() -> RevisionStart {
        RevisionStart(commit: "c0ffee", reference: "main", path: "manifests", actor: "t", trigger: .controller, planDigest: "d", time: time.now())
    }

    func audit(_ action: String, resource: String? = nil) -> AuditDraft {
        AuditDraft(time: time.now(), actor: "t", trigger: .controller, revision: nil, commit: nil, resource: resource, action: action, outcome: "succeeded")
    }

    static func entry(_ kind: ResourceKind, _ name: String, physical: String? = nil, revision: Int64 = 1) -> InventoryEntry {
        InventoryEntry(id: ResourceID(kind, name), physicalName: physical ?? name, digest: "d", referenceDigests: [:], specHash: "h",
                       commit: "c0ffee", file: "manifests/a.yaml", line: 1, retain: false, superseded: [], revision: revision)
    }
}
