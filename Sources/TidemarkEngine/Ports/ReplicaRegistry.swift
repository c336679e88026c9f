/// The controller replicas sharing one store, so they can spread the applications between
/// them. A replica that stops beating drops out after the TTL.
public protocol ReplicaRegistry: Sendable {
    /// Records that `replica` is alive; returns every live replica, itself included, sorted.
    func beat(_ replica: String, ttl: Double) async throws -> [String]
    /// Takes `replica` out at once (a clean shutdown).
    func leave(_ replica: String) async throws
}
