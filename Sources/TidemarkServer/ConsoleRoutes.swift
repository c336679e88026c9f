import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import TidemarkConsole
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// The web console on the API's port: server-rendered pages that read with JavaScript off,
/// live through Server-Sent Events, and two actions (Sync, Rollback) that need the API token
/// once per browser session and a CSRF token on every form.
struct ConsoleRoutes: Sendable {
    let controllers: [Controller]
    let byName: [String: Controller]
    let pages: ConsolePages
    let sessions = ConsoleSessions()
    let settings: ServerSettings

    init(controllers: [Controller], settings: ServerSettings) throws {
        self.controllers = controllers
        byName = Dictionary(controllers.map { ($0.settings.application, $0) }, uniquingKeysWith: { a, _ in a })
        pages = try ConsolePages()
        self.settings = settings
    }

    /// What every console page is sent with: no framing (the buttons cannot be clickjacked),
    /// scripts and styles from this origin only, forms that post here only.
    static let securityHeaders: HTTPFields = {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        let more = [
            ("Content-Security-Policy",
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
            ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
        ]
        for (name, value) in more { if let n = HTTPField.Name(name) { headers[n] = value } }
        return headers
    }()
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")
    static let origin = HTTPField.Name("Origin")

    func register(on router: Router<BasicRequestContext>) {
        router.get("assets/console.css") { _, _ in Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("assets/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in await applications(request) }
        router.get("events") { request, _ in events(controllers, since: request.uri.queryParameters.get("since", as: Int.self)) }
        router.get("apps/:app") { request, context in try await page(request, context) { c, _ in
            (.application, c.settings.application, try await ConsoleViews.application(c))
        } }
        router.get("apps/:app/events") { request, context in
            guard let c = byName[context.parameters.get("app") ?? ""] else { return Self.notFound() }
            return events([c], since: request.uri.queryParameters.get("since", as: Int.self))
        }
        router.get("apps/:app/resources/:kind/:name") { request, context in
            let kindText = context.parameters.get("kind") ?? ""
            let name = context.parameters.get("name") ?? ""
            guard let kind = ResourceKind(rawValue: kindText) else { return Self.notFound() }
            let id = ResourceID(kind, name)
            return try await page(request, context) { c, _ in
                guard let fields = try await ConsoleViews.resource(c, id) else {
                    return (.message, "\(id)", ["heading": "\(id)", "text": "\(id) is not managed by Tidemark (yet): nothing was applied for it.",
                                                "back": "/apps/\(c.settings.application)"])
                }
                return (.resource, "\(id)", fields)
            }
        }
        router.get("apps/:app/history") { request, context in try await page(request, context) { c, session in
            var fields = try await ConsoleViews.history(c, app: c.settings.application, csrf: session.session.csrf)
            fields.merge(access(session, returnPath: "/apps/\(c.settings.application)/history")) { a, _ in a }
            if let done = request.uri.queryParameters.get("requested") { fields["flash"] = Self.requested(done, app: c.settings.application) }
            return (.history, "History of \(c.settings.application)", fields)
        } }
        router.get("apps/:app/audit") { request, context in try await page(request, context) { c, _ in
            let after = request.uri.queryParameters.get("after", as: Int64.self)
            return (.audit, "Audit log of \(c.settings.application)", try await ConsoleViews.audit(c, app: c.settings.application, after: after))
        } }
        router.post("console/session") { request, _ in await unlock(request) }
        router.post("console/session/end") { request, _ in await lock(request) }
        router.post("apps/:app/sync") { request, context in try await act(request, context) { c, _ in
            await c.requestSync(.api, force: true, actor: "console")
            return .done("sync")
        } }
        router.post("apps/:app/rollback") { request, context in try await act(request, context) { c, form in
            guard let revision = form.revision else { return .refused(.badRequest, "Bad request", "The form names no revision.") }
            do { try await c.requestRollback(to: revision, actor: "console") } catch let refused as RollbackRefused {
                return .refused(.notFound, "Rollback refused", refused.description)
            }
            return .done("rollback-\(revision)")
        } }
    }

    /// The history page's note after an action, from the redirect's fixed code (never text
    /// taken from the address, which anyone can write).
    static func requested(_ code: String, app: String) -> String? {
        if code == "sync" { return "A sync of \(app) was requested; this page updates as it runs." }
        if code.hasPrefix("rollback-"), let n = Int64(code.dropFirst(9)) {
            return "A rollback of \(app) to revision \(n) was requested; this page updates as it runs."
        }
        return nil
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func notFound() -> Response {
        Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
    }

    // MARK: Pages

    /// The session of the request's cookie (a new one when it has none), for the page's forms.
    func session(_ request: Request) async -> (id: String, session: ConsoleSessions.Session, created: Bool) {
        await sessions.session(request.cookies[ConsoleSessions.cookie]?.value, now: Date())
    }

    func html(_ page: ConsolePages.Page, title: String, app: String?, fields: [String: Any], status: HTTPResponse.Status = .ok,
              session: (id: String, session: ConsoleSessions.Session, created: Bool)?, version: Int? = nil) -> Response {
        var events = app.map { "/apps/\($0)/events" } ?? (page == .applications ? "/events" : nil)
        if let version, let e = events { events = e + "?since=\(version)" }
        let body = pages.render(page, title: title, app: app, events: events, fields: fields, at: Date())
        var response = Response(status: status, headers: Self.securityHeaders, body: .init(byteBuffer: ByteBuffer(string: body)))
        if let session, session.created {
            response.setCookie(Cookie(name: ConsoleSessions.cookie, value: session.id, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    func applications(_ request: Request) async -> Response {
        let q = request.uri.queryParameters
        let filter = ConsoleViews.Filter(q: String((q.get("q") ?? "").prefix(100)), sync: String((q.get("sync") ?? "").prefix(20)),
                                         health: String((q.get("health") ?? "").prefix(20)), label: String((q.get("label") ?? "").prefix(200)))
        let version = await Self.version(controllers)
        let fields = await ConsoleViews.applications(controllers, filter: filter)
        return html(.applications, title: "Applications", app: nil, fields: fields, session: await session(request), version: version)
    }

    /// A page of one application: a 404 page for an unknown one.
    func page(_ request: Request, _ context: BasicRequestContext,
              _ gather: (Controller, (id: String, session: ConsoleSessions.Session, created: Bool)) async throws -> (ConsolePages.Page, String, [String: Any])) async throws -> Response {
        let s = await session(request)
        let name = context.parameters.get("app") ?? ""
        guard let c = byName[name] else {
            return html(.message, title: "Not found", app: nil,
                        fields: ["heading": "No such application", "text": "There is no application '\(name.prefix(80))'.", "back": "/"],
                        status: .notFound, session: s)
        }
        // Read before gathering: a change while gathering makes the stream refresh the page again.
        let version = await c.currentVersion()
        let (page, title, fields) = try await gather(c, s)
        return html(page, title: title, app: c.settings.application, fields: fields, status: page == .message ? .notFound : .ok,
                    session: s, version: version)
    }

    /// The token form's fields: shown when the server has a token and this session has not entered it.
    func access(_ s: (id: String, session: ConsoleSessions.Session, created: Bool), returnPath: String) -> [String: Any] {
        let needsToken = settings.apiToken != nil
        return ["locked": needsToken && !s.session.unlocked, "unlocked": needsToken && s.session.unlocked,
                "csrf": s.session.csrf, "returnPath": returnPath]
    }

    // MARK: Live updates

    /// What wakes an event stream.
    enum StreamWake: Sendable {
        case changed(String)
        case keepAlive
        case ended
    }

    /// The version a page shows: the sum of its controllers' headline versions (each only grows).
    static func version(_ watched: [Controller]) async -> Int {
        var sum = 0
        for c in watched { sum += await c.currentVersion() }
        return sum
    }

    /// Server-Sent Events: `status` whenever an application's headline changes, and a comment
    /// every 15 s so proxies keep the connection open. `since` is the version the page was
    /// rendered at: a change between the render and this stream is sent at once, not missed.
    func events(_ watched: [Controller], since: Int?) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (wakes, wake) = AsyncStream.makeStream(of: StreamWake.self, bufferingPolicy: .bufferingNewest(16))
            // Watch first, then compare versions: a change lands in one or the other.
            var streams: [(String, AsyncStream<Void>)] = []
            for c in watched { streams.append((c.settings.application, await c.watch())) }
            if let since, await Self.version(watched) != since { wake.yield(.changed(watched.count == 1 ? watched[0].settings.application : "*")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (app, stream) in streams {
                    group.addTask {
                        for await _ in stream { wake.yield(.changed(app)) }
                        // The controller stopped (the server is shutting down): end the stream.
                        wake.yield(.ended)
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(15))
                        wake.yield(.keepAlive)
                    }
                }
                // Ends when the client goes away (a write throws), a controller stops, or the
                // server shuts down (it would otherwise wait for this response to end).
                defer { group.cancelAll() }
                try await withGracefulShutdownHandler {
                    try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
                    streaming: for await w in wakes {
                        switch w {
                        case .changed(let app): try await writer.write(ByteBuffer(string: "event: status\ndata: {\"application\":\"\(app)\"}\n\n"))
                        case .keepAlive: try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        case .ended: break streaming
                        }
                    }
                } onGracefulShutdown: {
                    wake.yield(.ended)
                }
            }
            try await writer.finish(nil)
        })
    }

    // MARK: Actions

    struct Form: Decodable {
        var csrf: String?
        var token: String?
        var revision: Int64?
        var `return`: String?
    }

    func form(_ request: Request) async -> Form? {
        do {
            var buffer = try await request.body.collect(upTo: 64 * 1024)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            return try URLEncodedFormDecoder().decode(Form.self, from: text)
        } catch {
            return nil
        }
    }

    /// Only a same-origin browser form may act: a cross-site request is refused even with a
    /// valid session (SameSite cookies, the CSRF token and this check stand behind each other).
    static func sameOrigin(_ request: Request) -> Bool {
        if let site = APIRoutes.header(request, fetchSite), site != "same-origin", site != "none" { return false }
        // No Origin (a client that does not send one) leaves the CSRF token to decide; "null"
        // (a sandboxed frame, a data: page) is another site.
        guard let origin = APIRoutes.header(request, origin) else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// A path of this console to return to (never another site).
    static func returnPath(_ text: String?, fallback: String) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count < 512 else { return fallback }
        return text
    }

    func refused(_ heading: String, _ text: String, status: HTTPResponse.Status, request: Request, app: String?) async -> Response {
        let s = await session(request)
        var fields: [String: Any] = ["heading": heading, "text": text, "back": app.map { "/apps/\($0)/history" } ?? "/"]
        fields.merge(access(s, returnPath: app.map { "/apps/\($0)/history" } ?? "/")) { a, _ in a }
        return html(.message, title: heading, app: app, fields: fields, status: status, session: s)
    }

    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A posted form the console may act on, or the page that refuses it.
    enum Posted {
        case form(Form, sessionID: String, session: ConsoleSessions.Session)
        case refused(Response)
    }

    /// The form when it comes from this console's own pages, reads, and carries this browser
    /// session's CSRF token.
    func posted(_ request: Request, app: String?) async -> Posted {
        guard Self.sameOrigin(request) else {
            return .refused(await refused("Refused", "The form did not come from this console.", status: .forbidden, request: request, app: app))
        }
        guard let form = await form(request) else {
            return .refused(await refused("Refused", "The form could not be read: a field is malformed or the body is over 64 KB.",
                                          status: .badRequest, request: request, app: app))
        }
        guard let id = request.cookies[ConsoleSessions.cookie]?.value, let session = await sessions.verified(id, csrf: form.csrf, now: Date()) else {
            return .refused(await refused("Refused", "The form has expired; reload the page and try again.", status: .forbidden, request: request, app: app))
        }
        return .form(form, sessionID: id, session: session)
    }

    /// Enters the API token for this browser session.
    func unlock(_ request: Request) async -> Response {
        let (form, id): (Form, String)
        switch await posted(request, app: nil) {
        case .refused(let response): return response
        case .form(let f, let i, _): (form, id) = (f, i)
        }
        let back = Self.returnPath(form.return, fallback: "/")
        guard let expected = settings.apiToken else { return Self.seeOther(back) }
        guard let token = form.token, TokenCheck.matches(Array(token.utf8), expected.utf8) else {
            return await refused("Wrong token", "That is not the API token. Actions stay locked.", status: .unauthorized, request: request, app: nil)
        }
        await sessions.setUnlocked(id, true)
        return Self.seeOther(back)
    }

    func lock(_ request: Request) async -> Response {
        switch await posted(request, app: nil) {
        case .refused(let response): return response
        case .form(let form, let id, _):
            await sessions.setUnlocked(id, false)
            return Self.seeOther(Self.returnPath(form.return, fallback: "/"))
        }
    }

    /// What an action did: requested (the code the history page explains), or refused.
    enum Outcome {
        case done(String)
        case refused(HTTPResponse.Status, String, String)
    }

    /// Sync and Rollback: a same-origin form with this session's CSRF token, in a session that
    /// entered the API token (when the server has one).
    func act(_ request: Request, _ context: BasicRequestContext, _ action: (Controller, Form) async throws -> Outcome) async throws -> Response {
        let name = context.parameters.get("app") ?? ""
        guard let c = byName[name] else { return Self.notFound() }
        let (form, session): (Form, ConsoleSessions.Session)
        switch await posted(request, app: name) {
        case .refused(let response): return response
        case .form(let f, _, let s): (form, session) = (f, s)
        }
        guard settings.apiToken == nil || session.unlocked else {
            return await refused("Token required", "Sync and Rollback need the API token: enter it once for this browser session.",
                                 status: .forbidden, request: request, app: name)
        }
        switch try await action(c, form) {
        case .done(let code):
            return Self.seeOther("/apps/\(name)/history?requested=\(code)")
        case .refused(let status, let heading, let text):
            return await refused(heading, text, status: status, request: request, app: name)
        }
    }
}
