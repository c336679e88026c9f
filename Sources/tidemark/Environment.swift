import Foundation
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkStore

/// The composition root: the one place the adapters (libgit2, SQLite, the local services,
/// the clock) are built and composed into a `Reconciler`. Everything above sees ports.
struct Environment {
    let reconciler: Reconciler
    let store: SQLiteStore
    let services: LocalServices

    /// The store and services in the state folder, reading manifests from `source`.
    static func open(state: StateOptions, source: any RepositorySource, role: String, time: any TimeSource = SystemTime()) throws -> Environment {
        let store = try state.openStore(role: role, time: time)
        let services = try state.openServices(time: time)
        return Environment(reconciler: Reconciler(source: source, backend: services, store: store, time: time), store: store, services: services)
    }

    /// Seconds after which a silent lease holder is taken over: `TIDEMARK_LEASE_TTL`, else 60.
    static var leaseTTL: Double {
        if let text = ProcessInfo.processInfo.environment["TIDEMARK_LEASE_TTL"], let s = DurationText.seconds(text), s > 0 { return s }
        return 60
    }
}
