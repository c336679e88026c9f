import Foundation
import Prometheus
import TidemarkController

/// The controller's and the server's metrics on a Prometheus registry, each created with its
/// help text, so `/metrics` passes `promtool check metrics`.
public struct PrometheusControllerMetrics: ControllerMetrics {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        // Every series exists from the start, at zero.
        for stage in ControllerStage.allCases { _ = errors(stage) }
        for result in WebhookResult.allCases { _ = webhooks(result) }
        resources(ResourceCount.syncStates.flatMap { s in ResourceCount.healthStates.map { ResourceCount(sync: s, health: $0, count: 0) } })
        drifted(0)
    }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tidemark", metricName: name, unitName: "", helpText: help)
    }

    func errors(_ stage: ControllerStage) -> Counter {
        registry.makeCounter(descriptor: Self.name("errors_total", "Failures of the controller, by the stage they happened in."),
                             labels: [("stage", stage.rawValue)])
    }

    func webhooks(_ result: WebhookResult) -> Counter {
        registry.makeCounter(descriptor: Self.name("webhook_deliveries_total", "Webhook deliveries received, by what was done with them."),
                             labels: [("result", result.rawValue)])
    }

    public func webhook(_ result: WebhookResult) { webhooks(result).increment() }

    public func fetched(seconds: Double) {
        registry.makeDurationHistogram(descriptor: Self.name("fetch_duration_seconds", "Time to fetch the followed branch."),
                                       buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30)])
            .recordNanoseconds(Int64(max(0, min(seconds, 86_400)) * 1e9))
    }

    public func reconciled(seconds: Double, succeeded: Bool, at time: Date) {
        registry.makeDurationHistogram(descriptor: Self.name("reconcile_duration_seconds", "Time to reconcile one commit, by outcome."),
                                       labels: [("outcome", succeeded ? "succeeded" : "failed")],
                                       buckets: [.milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30), .seconds(300), .seconds(3600)])
            .recordNanoseconds(Int64(max(0, min(seconds, 86_400)) * 1e9))
        registry.makeGauge(descriptor: Self.name("last_sync_timestamp_seconds", "When the last reconcile finished, in seconds since 1970."))
            .set(time.timeIntervalSince1970)
        registry.makeGauge(descriptor: Self.name("last_sync_success", "1 when the last reconcile succeeded, else 0."))
            .set(succeeded ? 1.0 : 0.0)
    }

    public func resources(_ counts: [ResourceCount]) {
        for c in counts {
            registry.makeGauge(descriptor: Self.name("resources", "Desired resources by sync status and health."),
                               labels: [("sync", c.sync), ("health", c.health)]).set(Double(c.count))
        }
    }

    public func drifted(_ count: Int) {
        registry.makeGauge(descriptor: Self.name("drift_resources", "Resources whose live object was changed outside Tidemark."))
            .set(Double(count))
    }

    public func failed(stage: ControllerStage) { errors(stage).increment() }
}

/// What the server did with a webhook delivery.
public enum WebhookResult: String, Sendable, CaseIterable {
    case accepted, ignored, ping, unauthorized, duplicate, rejected
}
