import Foundation
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkAWS

/// The composition root: the one place the adapters (libgit2, the store, the local services
/// or the SageMaker API, the clock) are built and composed into a `Reconciler`. Everything
/// above sees ports.
struct Environment {
    let reconciler: Reconciler
    let store: any StateStore
    let application: String
    let services: any ServiceBackend

    /// The store of the application meant (`--app`, `--store`) and the chosen backend (the
    /// local modules in the state folder, or the SageMaker API), reading manifests from `source`.
    static func open(state: StateOptions, backend: BackendOptions, source: any RepositorySource, role: String,
                     time: any TimeSource = SystemTime(), file: ServeConfig.Backend? = nil) async throws -> Environment {
        let (store, application) = try await state.openStore(in: try await state.openStores(), role: role, time: time)
        let services = try backend.open(state: state, time: time, file: file)
        return compose(store: store, application: application, services: services, source: source, time: time)
    }

    static func compose(store: any StateStore, application: String, services: any ServiceBackend, source: any RepositorySource,
                        time: any TimeSource) -> Environment {
        Environment(reconciler: Reconciler(source: source, backend: services, store: store, time: time), store: store,
                    application: application, services: services)
    }

    /// Seconds after which a silent lease holder is taken over: `TIDEMARK_LEASE_TTL`, else 60.
    static var leaseTTL: Double {
        if let text = ProcessInfo.processInfo.environment["TIDEMARK_LEASE_TTL"], let s = DurationText.seconds(text), s > 0 { return s }
        return 60
    }
}
