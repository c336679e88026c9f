import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import TidemarkConsole
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// The API's handlers. Reads go to the controller's status and the engine's ports; writes
/// become controller requests, recorded with the `api` trigger.
struct APIRoutes: Sendable {
    let controller: Controller
    let metrics: PrometheusControllerMetrics
    let settings: ServerSettings
    let deliveries: DeliveryLog

    init(controller: Controller, metrics: PrometheusControllerMetrics, settings: ServerSettings, deliveries: DeliveryLog) {
        self.controller = controller
        self.metrics = metrics
        self.settings = settings
        self.deliveries = deliveries
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")
    static let eventHeader = HTTPField.Name("X-GitHub-Event")
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")

    /// A header's value; the names above are valid tokens, so a nil name only means "absent".
    static func header(_ request: Request, _ name: HTTPField.Name?) -> String? {
        name.flatMap { request.headers[$0] }
    }

    var store: any StateStore { controller.reconciler.store }

    static func json(_ value: Value, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.prettyJSON + "\n")))
    }

    static func failure(_ status: HTTPResponse.Status, _ code: String, _ message: String, _ extra: [Value.Member] = []) -> Response {
        Self.json(.object([.init("error", .object(sorting: [.init("code", .string(code)), .init("message", .string(message))] + extra))]), status)
    }

    func ready() async -> Response {
        let s = await controller.currentStatus()
        return s.ready ? Self.json(.object(sorting: [.init("ready", .bool(true)), .init("commit", s.lastFetchCommit.map(Value.string) ?? .null)]))
            : Self.failure(.serviceUnavailable, "not-ready", s.lastFetchError.map { "no successful fetch yet: \($0)" } ?? "no successful fetch yet")
    }

    static func metricsText(_ metrics: PrometheusControllerMetrics) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }

    static func time(_ d: Date?) -> Value { d.map { .string(Timestamp.iso8601($0)) } ?? .null }
    static func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }

    func status() async -> Response {
        let s = await controller.currentStatus()
        let c = controller.settings
        return Self.json(.object(sorting: [
            .init("formatVersion", .string("1")),
            .init("application", .string(c.application)),
            .init("labels", .object(sorting: c.labels.map { .init($0.key, .string($0.value)) })),
            .init("role", .string(s.role.rawValue)),
            .init("ready", .bool(s.ready)),
            .init("source", .object(sorting: [.init("repo", .string(c.repo)), .init("branch", Self.text(s.branch ?? c.branch)), .init("path", .string(c.path))])),
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

    /// Every managed resource, the ones of a kind, or one; an unknown kind is a 404 that lists
    /// the kinds.
    func resources(kind kindText: String?, name: String?) async throws -> Response {
        var kind: ResourceKind?
        if let kindText {
            guard let k = ResourceKind(rawValue: kindText) else {
                let kinds = ResourceKind.allCases.map(\.rawValue)
                return Self.failure(.notFound, "unknown-kind", "'\(kindText)' is not a kind; the kinds are \(kinds.joined(separator: ", "))",
                               [.init("kinds", .list(kinds.map(Value.string)))])
            }
            kind = k
        }
        let inventory = try await store.inventory()
        var ids = inventory.keys.sorted().filter { kind == nil || $0.kind == kind }
        if let kind, let name {
            let only = ResourceID(kind, name)
            guard inventory[only] != nil else { return Self.failure(.notFound, "not-found", "\(only) is not managed by Tidemark") }
            ids = [only]
        }
        var items: [Value] = []
        for id in ids {
            guard let e = inventory[id] else { continue }
            let live = try await controller.reconciler.backend.describe(id.kind, e.physicalName)
            var members: [Value.Member] = [
                .init("resource", .string(id.description)), .init("physicalName", .string(e.physicalName)),
                .init("status", Self.text(live?.status ?? (live == nil ? "Missing" : nil))),
                .init("health", .string(Phase.health(live?.phase))),
                .init("source", .object(sorting: [.init("commit", .string(e.commit)), .init("file", .string(e.file)), .init("line", .int(Int64(e.line)))])),
                .init("revision", .int(e.revision)), .init("failureReason", Self.text(live?.failureReason)),
            ]
            if name != nil { members += [.init("spec", live?.spec ?? .null), .init("observed", live?.observed ?? .null)] }
            items.append(.object(sorting: members))
        }
        if name != nil, let one = items.first { return Self.json(one) }
        return Self.json(.object([.init("resources", .list(items))]))
    }

    /// A resource's lineage (what `tidemark trace` prints): commit, author, file:line, what an
    /// endpoint serves and who approved it, its audit entries.
    func lineage(kind kindText: String, name: String) async throws -> Response {
        guard let kind = ResourceKind(rawValue: kindText) else {
            return Self.failure(.notFound, "unknown-kind", "'\(kindText.prefix(80))' is not a kind")
        }
        let id = ResourceID(kind, name)
        let r = controller.reconciler
        guard let lineage = try await Lineage.trace(id, store: r.store, backend: r.backend, source: r.source) else {
            return Self.failure(.notFound, "not-found", "\(id) is not managed by Tidemark")
        }
        return Self.json(LineageRenderer.json(lineage))
    }

    func history(_ request: Request) async throws -> Response {
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
        let revisions = try await store.revisions(limit: min(max(limit, 1), 1000))
        return Self.json(.object([.init("revisions", .list(revisions.map { r in
            .object(sorting: [
                .init("number", .int(r.number)), .init("commit", .string(r.commit)), .init("reference", .string(r.reference)),
                .init("startedAt", Self.time(r.startedAt)), .init("finishedAt", Self.time(r.finishedAt)), .init("actor", .string(r.actor)),
                .init("trigger", .string(r.trigger.rawValue)), .init("outcome", .string(r.outcome.rawValue)),
                .init("message", .string(r.message)), .init("pinned", .bool(r.pinned)),
            ])
        }))]))
    }

    func audit(_ request: Request) async throws -> Response {
        let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        let resource = request.uri.queryParameters.get("resource")
        let entries = try await store.audit(AuditQuery(resource: resource, after: after, limit: limit))
        var members: [Value.Member] = [.init("entries", .list(entries.map(\.value)))]
        members.append(.init("next", entries.count == limit ? .int(entries.last?.sequence ?? after) : .null))
        return Self.json(.object(sorting: members))
    }

    func plan() async -> Response {
        guard let plan = await controller.currentStatus().plan else { return Self.failure(.notFound, "no-plan", "no plan has been made yet") }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: PlanRenderer.json(plan))))
    }

    /// Write endpoints need the bearer token when one is set.
    func authorized(_ request: Request) -> Bool {
        guard let token = settings.apiToken else { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return TokenCheck.matches(header.utf8.dropFirst(7), token.utf8)
    }

    func body(_ request: Request) async -> [UInt8]? {
        do {
            var buffer = try await request.body.collect(upTo: ServerSettings.maxBody)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return nil
        }
    }

    func sync(_ request: Request) async -> Response {
        guard authorized(request) else { return Self.failure(.unauthorized, "unauthorized", "a valid bearer token is required") }
        await controller.requestSync(.api, force: true)
        return Self.json(.object([.init("accepted", .bool(true))]), .accepted)
    }

    func rollback(_ request: Request) async throws -> Response {
        guard authorized(request) else { return Self.failure(.unauthorized, "unauthorized", "a valid bearer token is required") }
        guard let bytes = await body(request) else { return Self.failure(.contentTooLarge, "too-large", "the body is over 1 MB") }
        guard let v = Value(json: String(decoding: bytes, as: UTF8.self)), let revision = v["revision"]?.intValue else {
            return Self.failure(.badRequest, "bad-request", "expected {\"revision\": N}")
        }
        do { try await controller.requestRollback(to: revision) } catch let refused as RollbackRefused {
            return Self.failure(.notFound, "not-found", refused.description)
        }
        return Self.json(.object([.init("accepted", .bool(true)), .init("revision", .int(revision))]), .accepted)
    }

    /// A GitHub push: verified with X-Hub-Signature-256 when a secret is set, refused when its
    /// X-GitHub-Delivery id was seen before; a push to a followed branch triggers a fetch and
    /// reconcile at once in each of `controllers` that follows it.
    func webhook(_ request: Request, controllers: [Controller]) async throws -> Response {
        guard let bytes = await body(request) else {
            metrics.webhook(.rejected)
            return Self.failure(.contentTooLarge, "too-large", "the body is over 1 MB")
        }
        if let secret = settings.webhookSecret {
            guard let header = Self.header(request, Self.signatureHeader), header.hasPrefix("sha256="),
                  let mac = Self.hex(String(header.dropFirst(7))),
                  HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: bytes, using: SymmetricKey(data: Array(secret.utf8))) else {
                metrics.webhook(.unauthorized)
                return Self.failure(.unauthorized, "bad-signature", "missing or wrong X-Hub-Signature-256")
            }
        }
        if let delivery = Self.header(request, Self.deliveryHeader), !(await deliveries.first(delivery)) {
            metrics.webhook(.duplicate)
            return Self.json(.object(sorting: [.init("accepted", .bool(false)),
                                          .init("reason", .string("delivery \(delivery.prefix(64)) was already received"))]))
        }
        if Self.header(request, Self.eventHeader) == "ping" {
            metrics.webhook(.ping)
            return Self.json(.object([.init("pong", .bool(true))]))
        }
        let ref = Value(json: String(decoding: bytes, as: UTF8.self))?["ref"]?.stringValue
        let following = controllers.filter { c in
            guard let ref, let branch = c.settings.branch else { return true }
            return ref == "refs/heads/\(branch)"
        }
        guard !following.isEmpty else {
            metrics.webhook(.ignored)
            let branches = Set(controllers.compactMap(\.settings.branch)).sorted().map { "refs/heads/\($0)" }
            return Self.json(.object(sorting: [.init("accepted", .bool(false)),
                                          .init("reason", .string("\(ref ?? "the push") is not \(branches.joined(separator: " or "))"))]), .accepted)
        }
        metrics.webhook(.accepted)
        for c in following { await c.requestSync(.webhook, force: false) }
        return Self.json(.object(sorting: [.init("accepted", .bool(true)),
                                      .init("applications", .list(following.map { .string($0.settings.application) }))]), .accepted)
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
        while i + 1 < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
