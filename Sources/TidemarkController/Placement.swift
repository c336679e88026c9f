import Foundation
import Logging
import ServiceLifecycle
import TidemarkCore
import TidemarkEngine

/// Which replica should lead which application: every replica heartbeats into the shared
/// registry, and each application goes to the live replica with the highest rendezvous
/// score (SHA-256 of replica and application), so applications spread over the replicas
/// and only those of a replica that joins or leaves move. The lease, not this, is what
/// makes leading safe: two replicas with different views of who is alive both try, and
/// the database gives the lease to one.
public actor Placement: Service {
    public nonisolated let replica: String
    nonisolated let registry: any ReplicaRegistry
    nonisolated let ttl: Double
    nonisolated let every: Double
    nonisolated let time: any TimeSource
    nonisolated let logger: Logger
    var live: [String] = []
    var beaten = false

    public init(replica: String, registry: any ReplicaRegistry, ttl: Double, every: Double, time: any TimeSource, logger: Logger) {
        self.replica = replica
        self.registry = registry
        self.ttl = ttl
        self.every = every
        self.time = time
        self.logger = logger
    }

    /// Whether this replica should lead `application` now. Until the first heartbeat (or
    /// when the registry cannot be read) it knows of no one else and says yes: the lease
    /// still decides.
    public func prefers(_ application: String) -> Bool {
        guard beaten, !live.isEmpty else { return true }
        return Self.owner(of: application, among: live) == replica
    }

    public var replicas: [String] { live }

    /// The live replica that should lead `application`.
    public func owner(of application: String) -> String? {
        Self.owner(of: application, among: live)
    }

    /// The replica with the highest score for `application`.
    public static func owner(of application: String, among replicas: [String]) -> String? {
        replicas.max { score($0, application) < score($1, application) }
    }

    static func score(_ replica: String, _ application: String) -> String {
        SHA256Hex.of("\(replica)\u{0}\(application)")
    }

    public func beat() async {
        do {
            let now = try await registry.beat(replica, ttl: ttl)
            if now != live { logger.info("replicas: \(now.joined(separator: ", "))") }
            live = now.contains(replica) ? now : now + [replica]
            beaten = true
        } catch {
            logger.error("cannot heartbeat into the replica registry: \(error)")
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.beat()
                do { try await self.time.sleep(seconds: self.every) } catch { return }
            }
        }
        do { try await registry.leave(replica) } catch { logger.error("cannot leave the replica registry: \(error)") }
    }
}
