import Foundation
import Hummingbird
import Logging
import Prometheus
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// The HTTP API around a controller: health, readiness, Prometheus metrics, status,
/// resources, history, audit, plan; sync, rollback and GitHub webhooks. It reads and acts
/// through the controller and the engine's ports only.
public enum APIServer {
    public static func application(controller: Controller, metrics: PrometheusControllerMetrics, settings: ServerSettings,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let api = APIRoutes(controller: controller, metrics: metrics, settings: settings,
                            deliveries: DeliveryLog(capacity: ServerSettings.rememberedDeliveries))
        router.get("healthz") { _, _ in api.json(.object([.init("status", .string("ok"))])) }
        router.get("readyz") { _, _ in await api.ready() }
        router.get("metrics") { _, _ in api.metricsText() }
        router.get("api/v1/status") { _, _ in await api.status() }
        router.get("api/v1/resources") { _, _ in try await api.resources(kind: nil, name: nil) }
        router.get("api/v1/resources/:kind") { _, context in
            try await api.resources(kind: context.parameters.get("kind") ?? "", name: nil)
        }
        router.get("api/v1/resources/:kind/:name") { _, context in
            try await api.resources(kind: context.parameters.get("kind") ?? "", name: context.parameters.get("name") ?? "")
        }
        router.get("api/v1/history") { request, _ in try await api.history(request) }
        router.get("api/v1/audit") { request, _ in try await api.audit(request) }
        router.get("api/v1/plan") { _, _ in await api.plan() }
        router.post("api/v1/sync") { request, _ in await api.sync(request) }
        router.post("api/v1/rollback") { request, _ in try await api.rollback(request) }
        router.post("api/v1/webhook") { request, _ in try await api.webhook(request) }
        let idleMilliseconds = Int64(max(0.1, min(settings.idleTimeout, 3600)) * 1000)
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(idleMilliseconds))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tidemark"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }
}
