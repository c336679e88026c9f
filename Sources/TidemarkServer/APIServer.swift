import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Logging
import Prometheus
import TidemarkController
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore

/// Where and how the API listens. Secrets are held here and never printed.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var apiToken: String?
    public var webhookSecret: String?
    public static let maxBody = 1 << 20

    public init() {}

    /// `host:port`, `:port` or `port`.
    public static func parseListen(_ text: String) -> (String, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let p = Int(parts[0]) { return ("127.0.0.1", p) }
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else { return nil }
        return (parts[0].isEmpty ? "127.0.0.1" : String(parts[0]), port)
    }

    public var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// The HTTP API around a controller: health, readiness, Prometheus metrics, status,
/// resources, history, audit, plan; sync, rollback and GitHub webhooks.
public enum APIServer {
    public static func application(controller: Controller, registry: PrometheusCollectorRegistry, settings: ServerSettings,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let api = Handlers(controller: controller, registry: registry, settings: settings)
        router.get("healthz") { _, _ in api.json(.object([.init("status", .string("ok"))])) }
        router.get("readyz") { _, _ in api.ready() }
        router.get("metrics") { _, _ in api.metrics() }
        router.get("api/v1/status") { _, _ in api.status() }
        router.get("api/v1/resources") { _, _ in try await api.resources(nil) }
        router.get("api/v1/resources/:kind/:name") { _, context in
            try await api.resources(ResourceID(parsing: "\(context.parameters.get("kind") ?? "")/\(context.parameters.get("name") ?? "")"))
        }
        router.get("api/v1/history") { request, _ in try api.history(request) }
        router.get("api/v1/audit") { request, _ in try api.audit(request) }
        router.get("api/v1/plan") { _, _ in api.plan() }
        router.post("api/v1/sync") { request, _ in try await api.sync(request) }
        router.post("api/v1/rollback") { request, _ in try await api.rollback(request) }
        router.post("api/v1/webhook") { request, _ in try await api.webhook(request) }
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tidemark"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }
}

struct Handlers: Sendable {
    let controller: Controller
    let registry: PrometheusCollectorRegistry
    let settings: ServerSettings

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!

    func json(_ value: Value, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.prettyJSON + "\n")))
    }

    func failure(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(.object([.init("error", .object(sorting: [.init("code", .string(code)), .init("message", .string(message))]))]), status)
    }

    func ready() -> Response {
        let s = controller.status
        return s.ready ? json(.object(sorting: [.init("ready", .bool(true)), .init("commit", s.lastFetchCommit.map(Value.string) ?? .null)]))
            : failure(.serviceUnavailable, "not-ready", s.lastFetchError.map { "no successful fetch yet: \($0)" } ?? "no successful fetch yet")
    }

    func metrics() -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    static func time(_ d: Date?) -> Value { d.map { .string(Timestamp.iso8601($0)) } ?? .null }
    static func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }

    func status() -> Response {
        let s = controller.status
        let c = controller.settings
        return json(.object(sorting: [
            .init("formatVersion", .string("1")),
            .init("role", .string(s.role.rawValue)),
            .init("ready", .bool(s.ready)),
            .init("source", .object(sorting: [.init("repo", .string(c.repo)), .init("branch", Self.text(c.branch)), .init("path", .string(c.path))])),
            .init("lastFetch", .object(sorting: [.init("commit", Self.text(s.lastFetchCommit)), .init("time", Self.time(s.lastFetchTime)),
                                                 .init("error", Self.text(s.lastFetchError))])),
            .init("sync", .object(sorting: [
                .init("status", .string(s.sync.rawValue)), .init("commit", Self.text(s.syncCommit)), .init("message", .string(s.message)),
                .init("changes", .int(Int64(s.changes))), .init("drift", .int(Int64(s.drift))),
                .init("diagnostics", .list(s.diagnostics.prefix(200).map(DiagnosticRenderer.value))),
            ])),
            .init("lastApplied", .object(sorting: [.init("commit", Self.text(s.lastAppliedCommit)),
                                                   .init("revision", s.lastAppliedRevision.map(Value.int) ?? .null)])),
            .init("lastSync", .object(sorting: [.init("time", Self.time(s.lastSyncTime)), .init("succeeded", s.lastSyncSucceeded.map(Value.bool) ?? .null)])),
            .init("nextAttempt", Self.time(s.nextAttempt)),
            .init("pinnedRevision", s.pinnedRevision.map(Value.int) ?? .null),
            .init("policy", .object(sorting: [.init("automated", .bool(c.policy.automated)), .init("prune", .bool(c.policy.prune)),
                                              .init("selfHeal", .bool(c.policy.selfHeal)), .init("resyncSeconds", .double(c.policy.resync)),
                                              .init("intervalSeconds", .double(c.interval))])),
        ]))
    }

    func resources(_ only: ResourceID?) async throws -> Response {
        let inventory = try controller.store.inventory()
        var ids = inventory.keys.sorted()
        if let only {
            guard inventory[only] != nil else { return failure(.notFound, "not-found", "\(only) is not managed by Tidemark") }
            ids = [only]
        }
        var items: [Value] = []
        for id in ids {
            guard let e = inventory[id] else { continue }
            let live = try await controller.services.describe(id.kind, e.physicalName)
            var members: [Value.Member] = [
                .init("resource", .string(id.description)), .init("physicalName", .string(e.physicalName)),
                .init("status", Self.text(live?.status ?? (live == nil ? "Missing" : nil))),
                .init("health", .string(Phase.health(live?.phase))),
                .init("source", .object(sorting: [.init("commit", .string(e.commit)), .init("file", .string(e.file)), .init("line", .int(Int64(e.line)))])),
                .init("revision", .int(e.revision)), .init("failureReason", Self.text(live?.failureReason)),
            ]
            if only != nil { members += [.init("spec", live?.spec ?? .null), .init("observed", live?.observed ?? .null)] }
            items.append(.object(sorting: members))
        }
        return json(only == nil ? .object([.init("resources", .list(items))]) : items[0])
    }

    func history(_ request: Request) throws -> Response {
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
        let revisions = try controller.store.revisions(limit: min(max(limit, 1), 1000))
        return json(.object([.init("revisions", .list(revisions.map { r in
            .object(sorting: [
                .init("number", .int(r.number)), .init("commit", .string(r.commit)), .init("reference", .string(r.reference)),
                .init("startedAt", Self.time(r.startedAt)), .init("finishedAt", Self.time(r.finishedAt)), .init("actor", .string(r.actor)),
                .init("trigger", .string(r.trigger.rawValue)), .init("outcome", .string(r.outcome.rawValue)),
                .init("message", .string(r.message)), .init("pinned", .bool(r.pinned)),
            ])
        }))]))
    }

    func audit(_ request: Request) throws -> Response {
        let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        let resource = request.uri.queryParameters.get("resource")
        let entries = try controller.store.audit(.init(resource: resource, after: after, limit: limit))
        var members: [Value.Member] = [.init("entries", .list(entries.map(\.value)))]
        members.append(.init("next", entries.count == limit ? .int(entries.last?.sequence ?? after) : .null))
        return json(.object(sorting: members))
    }

    func plan() -> Response {
        guard let text = controller.status.planJSON else { return failure(.notFound, "no-plan", "no plan has been made yet") }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Write endpoints need the bearer token when one is set (compared in constant time).
    func authorized(_ request: Request) -> Bool {
        guard let token = settings.apiToken else { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return Self.constantTimeEqual(Array(header.dropFirst(7).utf8), Array(token.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    func body(_ request: Request) async throws -> [UInt8]? {
        do {
            var buffer = try await request.body.collect(upTo: ServerSettings.maxBody)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return nil
        }
    }

    func sync(_ request: Request) async throws -> Response {
        guard authorized(request) else { return failure(.unauthorized, "unauthorized", "a valid bearer token is required") }
        controller.trigger(.cli, force: true)
        return json(.object([.init("accepted", .bool(true))]), .accepted)
    }

    func rollback(_ request: Request) async throws -> Response {
        guard authorized(request) else { return failure(.unauthorized, "unauthorized", "a valid bearer token is required") }
        guard let bytes = try await body(request) else { return failure(.contentTooLarge, "too-large", "the body is over 1 MB") }
        guard let v = Value(json: String(decoding: bytes, as: UTF8.self)), let revision = v["revision"]?.intValue else {
            return failure(.badRequest, "bad-request", "expected {\"revision\": N}")
        }
        do { try controller.requestRollback(to: revision) } catch {
            return failure(.notFound, "not-found", "\(error)")
        }
        return json(.object([.init("accepted", .bool(true)), .init("revision", .int(revision))]), .accepted)
    }

    /// A GitHub push: verified with X-Hub-Signature-256 when a secret is set; a push to the
    /// followed branch triggers a fetch and reconcile at once.
    func webhook(_ request: Request) async throws -> Response {
        guard let bytes = try await body(request) else {
            Metrics.Counter(label: "tidemark_webhook_deliveries_total", dimensions: [("result", "rejected")]).increment()
            return failure(.contentTooLarge, "too-large", "the body is over 1 MB")
        }
        if let secret = settings.webhookSecret {
            guard let header = request.headers[Self.signatureHeader], header.hasPrefix("sha256="),
                  let mac = Self.hex(String(header.dropFirst(7))),
                  HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: bytes, using: SymmetricKey(data: Array(secret.utf8))) else {
                Metrics.Counter(label: "tidemark_webhook_deliveries_total", dimensions: [("result", "unauthorized")]).increment()
                return failure(.unauthorized, "bad-signature", "missing or wrong X-Hub-Signature-256")
            }
        }
        if request.headers[Self.eventHeader] == "ping" {
            Metrics.Counter(label: "tidemark_webhook_deliveries_total", dimensions: [("result", "ping")]).increment()
            return json(.object([.init("pong", .bool(true))]))
        }
        let payload = Value(json: String(decoding: bytes, as: UTF8.self))
        if let ref = payload?["ref"]?.stringValue, let branch = controller.settings.branch, ref != "refs/heads/\(branch)" {
            Metrics.Counter(label: "tidemark_webhook_deliveries_total", dimensions: [("result", "ignored")]).increment()
            return json(.object(sorting: [.init("accepted", .bool(false)), .init("reason", .string("\(ref) is not refs/heads/\(branch)"))]), .accepted)
        }
        Metrics.Counter(label: "tidemark_webhook_deliveries_total", dimensions: [("result", "accepted")]).increment()
        controller.trigger(.webhook, force: false)
        return json(.object([.init("accepted", .bool(true))]), .accepted)
    }

    static func hex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
