import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// The HTTP API around the controllers of one process: health, readiness, Prometheus
/// metrics, and per application status, resources, history, audit, plan, sync, rollback
/// and GitHub webhooks under `/api/v1/apps/{app}/…`. The routes without `apps/{app}` mean
/// the only application (or `default`); the web console is served at `/`. It reads and acts
/// through the controllers and the engine's ports only.
public enum APIServer {
    public static func application(controllers: [Controller], metrics: PrometheusControllerMetrics, settings: ServerSettings,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let router = Router()
        try ConsoleRoutes(controllers: controllers, settings: settings).register(on: router)
        let deliveries = DeliveryLog(capacity: ServerSettings.rememberedDeliveries)
        let byName = Dictionary(controllers.map { c in
            (c.settings.application, APIRoutes(controller: c, metrics: metrics, settings: settings, deliveries: deliveries))
        }, uniquingKeysWith: { a, _ in a })
        let names = controllers.map(\.settings.application)
        let implicit = names.count == 1 ? names.first : names.first { $0 == "default" }
        let lookup = { @Sendable (name: String?) -> Resolved in
            if let name {
                guard let routes = byName[name] else {
                    return .refused(APIRoutes.failure(.notFound, "unknown-application", "there is no application '\(name.prefix(80))'; the applications are \(names.joined(separator: ", "))",
                                                [.init("applications", .list(names.map(Value.string)))]))
                }
                return .routes(routes)
            }
            guard let implicit, let routes = byName[implicit] else {
                return .refused(APIRoutes.failure(.notFound, "application-required", "this server runs \(names.count) applications; use /api/v1/apps/{app}/…",
                                            [.init("applications", .list(names.map(Value.string)))]))
            }
            return .routes(routes)
        }
        router.get("healthz") { _, _ in APIRoutes.json(.object([.init("status", .string("ok"))])) }
        router.get("readyz") { _, _ in
            if let implicit, names.count == 1, let only = byName[implicit] { return await only.ready() }
            return await fleetReady(controllers)
        }
        router.get("metrics") { _, _ in APIRoutes.metricsText(metrics) }
        router.get("api/v1/apps") { _, _ in await list(controllers) }
        router.post("api/v1/webhook") { request, _ in
            guard let first = byName[implicit ?? names.first ?? ""] else { return APIRoutes.failure(.notFound, "no-applications", "no applications") }
            return try await first.webhook(request, controllers: controllers)
        }
        router.post("api/v1/apps/:app/webhook") { request, context in
            switch lookup(context.parameters.get("app") ?? "") {
            case .routes(let routes): return try await routes.webhook(request, controllers: [routes.controller])
            case .refused(let response): return response
            }
        }
        for prefix in ["api/v1", "api/v1/apps/:app"] {
            let group = router.group(RouterPath(prefix))
            @Sendable func on(_ context: BasicRequestContext) -> Resolved {
                lookup(prefix.hasSuffix(":app") ? (context.parameters.get("app") ?? "") : nil)
            }
            func route(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (APIRoutes, Request, BasicRequestContext) async throws -> Response) {
                group.on(RouterPath(path), method: method) { request, context in
                    switch on(context) {
                    case .routes(let routes): return try await handler(routes, request, context)
                    case .refused(let response): return response
                    }
                }
            }
            route(.get, "status") { api, _, _ in await api.status() }
            route(.get, "resources") { api, _, _ in try await api.resources(kind: nil, name: nil) }
            route(.get, "resources/:kind") { api, _, context in try await api.resources(kind: context.parameters.get("kind") ?? "", name: nil) }
            route(.get, "resources/:kind/:name") { api, _, context in
                try await api.resources(kind: context.parameters.get("kind") ?? "", name: context.parameters.get("name") ?? "")
            }
            route(.get, "resources/:kind/:name/lineage") { api, _, context in
                try await api.lineage(kind: context.parameters.get("kind") ?? "", name: context.parameters.get("name") ?? "")
            }
            route(.get, "history") { api, request, _ in try await api.history(request) }
            route(.get, "audit") { api, request, _ in try await api.audit(request) }
            route(.get, "plan") { api, _, _ in await api.plan() }
            route(.post, "sync") { api, request, _ in await api.sync(request) }
            route(.post, "rollback") { api, request, _ in try await api.rollback(request) }
        }
        let idleMilliseconds = Int64(max(0.1, min(settings.idleTimeout, 3600)) * 1000)
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(idleMilliseconds))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tidemark"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }

    /// Ready when every application this replica leads has fetched; one it stands by for is
    /// another replica's to fetch.
    enum Resolved: Sendable {
        case routes(APIRoutes)
        case refused(Response)
    }

    static func fleetReady(_ controllers: [Controller]) async -> Response {
        var waiting: [String] = []
        for c in controllers {
            let s = await c.currentStatus()
            if s.role == .leader && !s.ready { waiting.append(c.settings.application) }
        }
        guard waiting.isEmpty else {
            return APIRoutes.failure(.serviceUnavailable, "not-ready", "no successful fetch yet for \(waiting.joined(separator: ", "))")
        }
        return APIRoutes.json(.object([.init("ready", .bool(true))]))
    }

    /// Every application: where it comes from, its policy and labels, this replica's role,
    /// and its sync state as this replica last saw it.
    static func list(_ controllers: [Controller]) async -> Response {
        var items: [Value] = []
        for c in controllers {
            let s = await c.currentStatus()
            let settings = c.settings
            items.append(.object(sorting: [
                .init("name", .string(settings.application)),
                .init("repo", .string(settings.repo)), .init("branch", APIRoutes.text(s.branch ?? settings.branch)), .init("path", .string(settings.path)),
                .init("labels", .object(sorting: settings.labels.map { .init($0.key, .string($0.value)) })),
                .init("role", .string(s.role.rawValue)),
                .init("sync", .string(s.sync.rawValue)), .init("message", .string(s.message)),
                .init("lastAppliedRevision", s.lastAppliedRevision.map(Value.int) ?? .null),
                .init("policy", .object(sorting: [.init("automated", .bool(settings.policy.automated)), .init("prune", .bool(settings.policy.prune)),
                                                  .init("selfHeal", .bool(settings.policy.selfHeal))])),
            ]))
        }
        return APIRoutes.json(.object([.init("applications", .list(items))]))
    }
}
