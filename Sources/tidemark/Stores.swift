import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkPostgres
import TidemarkStore

/// Where every application's records live, opened: SQLite files in the state folder (the
/// implicit application in the folder itself, each named one in `apps/NAME`), or one shared
/// PostgreSQL database (`--store postgres://…`, `TIDEMARK_STORE`, or `store:` in the config).
/// Hands out one application's store; the only place either store type is named.
enum Stores: Sendable {
    case sqlite(folder: String)
    case postgres(PostgresPool)

    /// The application a command means when none is named: the only one of a single-app
    /// state folder, the one `serve` runs without a config's `applications:`.
    static let implicitApplication = "default"

    /// Opens the store `location` names (a postgres:// URL), or the SQLite state folder when
    /// it names none. The password comes from the URL, else `password` (`PGPASSWORD`).
    static func open(location: String?, folder: String, password: String? = ProcessInfo.processInfo.environment["PGPASSWORD"]) async throws -> Stores {
        guard let location, !location.isEmpty else { return .sqlite(folder: folder) }
        let parsed: PostgresLocation
        switch PostgresLocation.parse(location, password: password) {
        case .success(let l): parsed = l
        case .failure(let e): throw CommandFailure("error: \(e); expected postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]")
        }
        do { return .postgres(try await PostgresPool.open(parsed)) } catch {
            throw CommandFailure("error: cannot open the store at \(parsed): \(error)")
        }
    }

    /// A name Tidemark accepts for an application: it becomes a folder, a label and a URL part.
    static func validName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, (97...122).contains(first) || (48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }

    /// The store of `application`, written as `holder`.
    func application(_ application: String, holder: LeaseHolder, time: any TimeSource, leaseTTL: Double) throws -> any StateStore {
        switch self {
        case .sqlite(let folder):
            let own = Self.folder(of: application, in: folder)
            try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try SQLiteStore(folder: own, holder: holder, time: time, leaseTTL: leaseTTL) {
                var neighbours: [String: String] = [:]
                for other in try Self.localApplications(in: folder) where other != application {
                    neighbours[other] = Self.folder(of: other, in: folder)
                }
                return neighbours
            }
        case .postgres(let pool):
            return PostgresStore(pool: pool, application: application, holder: holder, leaseTTL: leaseTTL)
        }
    }

    /// Who is alive, for spreading applications over replicas; nil for SQLite, whose state
    /// folder has one writer host.
    var replicas: (any ReplicaRegistry)? {
        switch self {
        case .sqlite: return nil
        case .postgres(let pool): return PostgresReplicas(pool: pool)
        }
    }

    var description: String {
        switch self {
        case .sqlite(let folder): return folder
        case .postgres(let pool): return pool.location.description
        }
    }

    func close() {
        if case .postgres(let pool) = self { pool.close() }
    }

    static func folder(of application: String, in folder: String) -> String {
        application == implicitApplication ? folder : (folder as NSString).appendingPathComponent("apps/\(application)")
    }

    /// The applications with records in a state folder. An `apps` folder that cannot be read
    /// is an error: skipping it would hide which application owns an object.
    static func localApplications(in folder: String) throws -> [String] {
        let apps = (folder as NSString).appendingPathComponent("apps")
        let named = FileManager.default.fileExists(atPath: apps) ? try FileManager.default.contentsOfDirectory(atPath: apps) : []
        let implicit = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("tidemark.sqlite"))
        return (implicit ? [implicitApplication] : []) + named.filter(validName).sorted()
    }
}
