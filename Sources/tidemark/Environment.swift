import Foundation
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkAWS
import TidemarkStore

/// The composition root: the one place the adapters (libgit2, SQLite, the local services,
/// the clock) are built and composed into a `Reconciler`. Everything above sees ports.
struct Environment {
    let reconciler: Reconciler
    let store: SQLiteStore
    let services: any ServiceBackend

    /// The store in the state folder and the chosen backend (the local modules in the same
    /// folder, or the SageMaker API), reading manifests from `source`.
    static func open(state: StateOptions, backend: BackendOptions, source: any RepositorySource, role: String,
                     time: any TimeSource = SystemTime(), file: ServeConfig.Backend? = nil) throws -> Environment {
        let store = try state.openStore(role: role, time: time)
        let services = try backend.open(state: state, time: time, file: file)
        return Environment(reconciler: Reconciler(source: source, backend: services, store: store, time: time), store: store, services: services)
    }

    /// Seconds after which a silent lease holder is taken over: `TIDEMARK_LEASE_TTL`, else 60.
    static var leaseTTL: Double {
        if let text = ProcessInfo.processInfo.environment["TIDEMARK_LEASE_TTL"], let s = DurationText.seconds(text), s > 0 { return s }
        return 60
    }
}
