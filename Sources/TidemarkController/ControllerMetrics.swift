import Foundation

/// What the controller measures. The server implements it over a Prometheus registry (every
/// metric with its help text); tests and the CLI can pass `NoMetrics`.
public protocol ControllerMetrics: Sendable {
    func fetched(seconds: Double)
    func reconciled(seconds: Double, succeeded: Bool, at time: Date)
    /// Desired resources by sync (Synced, OutOfSync, Missing) and health.
    func resources(_ counts: [ResourceCount])
    func drifted(_ count: Int)
    func failed(stage: ControllerStage)
}

/// Where in a reconcile a failure happened.
public enum ControllerStage: String, Sendable, CaseIterable {
    case fetch, validate, plan, apply, lease
}

/// How many desired resources are in one sync state and health.
public struct ResourceCount: Sendable, Hashable {
    public var sync: String
    public var health: String
    public var count: Int

    public init(sync: String, health: String, count: Int) {
        self.sync = sync
        self.health = health
        self.count = count
    }

    public static let syncStates = ["Synced", "OutOfSync", "Missing"]
    public static let healthStates = ["Healthy", "Progressing", "Degraded", "Missing"]
}

/// Measures nothing.
public struct NoMetrics: ControllerMetrics {
    public init() {}
    public func fetched(seconds: Double) {}
    public func reconciled(seconds: Double, succeeded: Bool, at time: Date) {}
    public func resources(_ counts: [ResourceCount]) {}
    public func drifted(_ count: Int) {}
    public func failed(stage: ControllerStage) {}
}
