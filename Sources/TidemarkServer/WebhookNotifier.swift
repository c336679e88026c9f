import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// A webhook notices are POSTed to. The URL is a secret (a Slack incoming webhook's is a
/// credential): it is never logged or returned, only its host.
public struct NotificationTarget: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Tidemark's own JSON event.
        case json
        /// `{"text": …}`, which Slack, Mattermost and Rocket.Chat incoming webhooks accept.
        case slack
    }

    public var url: String
    public var format: Format
    /// Which events go to this target; empty means all.
    public var events: Set<Notice.Event>
    /// When set, each body is signed: `X-Tidemark-Signature-256: sha256=<HMAC-SHA256 hex>`.
    public var secret: String?

    public init(url: String, format: Format = .json, events: Set<Notice.Event> = [], secret: String? = nil) {
        self.url = url
        self.format = format
        self.events = events
        self.secret = secret
    }

    /// An http:// or https:// URL with a host: what a target may be.
    public static func isValid(_ url: String) -> Bool {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = u.host, !host.isEmpty else { return false }
        return true
    }

    /// `scheme://host[:port]`: what logs may show of the URL.
    public var redacted: String {
        guard let u = URL(string: url), let scheme = u.scheme, let host = u.host else { return "(a webhook)" }
        return "\(scheme)://\(host)\(u.port.map { ":\($0)" } ?? "")"
    }
}

/// Delivers notices to webhooks, each target from its own bounded queue, with retries and
/// exponential backoff. `post` only enqueues: a slow or failing receiver never holds up a
/// reconcile, and a full queue drops the newest notice (counted and logged) rather than grow.
public final class WebhookNotifier: NoticeSink, Service {
    public struct Retry: Sendable {
        public var attempts = 6
        public var firstDelay = 1.0
        public var maxDelay = 60.0
        public var timeout = 10.0
        public init() {}
    }

    let targets: [NotificationTarget]
    let retry: Retry
    let logger: Logger
    let queues: [(stream: AsyncStream<Notice>, continuation: AsyncStream<Notice>.Continuation)]
    static let queueLength = 1000

    public init(targets: [NotificationTarget], retry: Retry = Retry(), logger: Logger) {
        self.targets = targets
        self.retry = retry
        self.logger = logger
        queues = targets.map { _ in AsyncStream.makeStream(of: Notice.self, bufferingPolicy: .bufferingOldest(Self.queueLength)) }
    }

    public func post(_ notice: Notice) {
        for (i, target) in targets.enumerated() where target.events.isEmpty || target.events.contains(notice.event) {
            if case .dropped = queues[i].continuation.yield(notice) {
                logger.warning("notification queue of \(target.redacted) is full; dropped \(notice.event.rawValue) of \(notice.application)")
            }
        }
    }

    /// Delivers until shutdown. Shutting down cancels what is in flight (a retry's wait, a
    /// request to a receiver that does not answer) and drops what is queued: a notifier never
    /// holds up the process's exit.
    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for (i, target) in self.targets.enumerated() {
                    let stream = self.queues[i].stream
                    group.addTask {
                        for await notice in stream {
                            guard !Task.isCancelled else { break }
                            await self.deliver(notice, to: target, client: client)
                        }
                    }
                }
            }
        }
        for q in queues { q.continuation.finish() }
        do { try await client.shutdown() } catch { logger.error("cannot shut the notification client down: \(error)") }
    }

    /// Sends one notice, retrying a failure that may pass (a connection error, a timeout, 408,
    /// 429 or 5xx) with backoff and jitter; any other 4xx is final.
    func deliver(_ notice: Notice, to target: NotificationTarget, client: HTTPClient) async {
        let body = Self.body(notice, format: target.format)
        var delay = retry.firstDelay
        for attempt in 1...max(1, retry.attempts) {
            var request = HTTPClientRequest(url: target.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "tidemark")
            request.headers.add(name: "X-Tidemark-Event", value: notice.event.rawValue)
            if let secret = target.secret {
                let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
                request.headers.add(name: "X-Tidemark-Signature-256", value: "sha256=" + SHA256Hex.hex(mac))
            }
            request.body = .bytes(ByteBuffer(string: body))
            var retryable = true
            var wait = delay
            do {
                let response = try await client.execute(request, timeout: .milliseconds(Int64(retry.timeout * 1000)))
                let code = Int(response.status.code)
                if (200..<300).contains(code) {
                    logger.info("notified \(target.redacted) of \(notice.event.rawValue) for \(notice.application)")
                    return
                }
                retryable = code == 408 || code == 429 || code >= 500
                if code == 429, let after = response.headers.first(name: "Retry-After").flatMap(Double.init) { wait = min(max(after, delay), retry.maxDelay) }
                logger.warning("notification to \(target.redacted) answered \(code) (attempt \(attempt) of \(retry.attempts))")
            } catch {
                logger.warning("notification to \(target.redacted) failed: \(Self.reason(error)) (attempt \(attempt) of \(retry.attempts))")
            }
            guard retryable, attempt < retry.attempts, !Task.isCancelled else { break }
            do { try await Task.sleep(for: .seconds(wait * Double.random(in: 0.5...1.0))) } catch {
                logger.warning("stopped before notifying \(target.redacted) of \(notice.event.rawValue) for \(notice.application)")
                return
            }
            delay = min(delay * 2, retry.maxDelay)
        }
        logger.error("gave up notifying \(target.redacted) of \(notice.event.rawValue) for \(notice.application)")
    }

    /// An error without the URL (AsyncHTTPClient's errors name the kind of failure, not the address).
    static func reason(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return e.shortDescription }
        return String(describing: type(of: error))
    }

    static func body(_ notice: Notice, format: NotificationTarget.Format) -> String {
        switch format {
        case .json: return value(notice).canonicalJSON
        case .slack: return Value.object([.init("text", .string(text(notice)))]).canonicalJSON
        }
    }

    public static func value(_ n: Notice) -> Value {
        .object(sorting: [
            .init("formatVersion", .string("1")),
            .init("event", .string(n.event.rawValue)),
            .init("application", .string(n.application)),
            .init("commit", n.commit.map(Value.string) ?? .null),
            .init("revision", n.revision.map(Value.int) ?? .null),
            .init("sync", .string(n.sync.rawValue)),
            .init("message", .string(n.message)),
            .init("drifted", .list(n.drifted.map { .string($0.description) })),
            .init("time", .string(Timestamp.iso8601(n.time))),
        ])
    }

    /// One line for a chat channel.
    public static func text(_ n: Notice) -> String {
        let at = n.commit.map { " at `\($0.prefix(7))`" } ?? ""
        let what: String
        switch n.event {
        case .syncFailed: what = "sync failed\(at)"
        case .syncRecovered: what = "synced again\(at)"
        case .drift: what = "drift found"
        case .rollback: what = "rolled back\(n.revision.map { " (revision \($0))" } ?? "")"
        }
        var line = "Tidemark: *\(n.application)* \(what): \(n.message)"
        if !n.drifted.isEmpty {
            line += " — " + n.drifted.prefix(10).map(\.description).joined(separator: ", ") + (n.drifted.count > 10 ? " and \(n.drifted.count - 10) more" : "")
        }
        return line
    }
}
