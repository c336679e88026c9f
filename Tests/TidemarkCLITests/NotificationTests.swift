import Crypto
import Foundation
import Hummingbird
import Testing
import TidemarkTesting

/// A webhook receiver on 127.0.0.1: records every POST, and answers 500 to the first
/// `failFirst` of them to `/events` (to prove the sender retries).
actor WebhookInbox {
    struct Delivery: Sendable {
        var path: String
        var headers: [String: String]
        var body: Data
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    }

    var deliveries: [Delivery] = []
    var failFirst: Int

    init(failFirst: Int) { self.failFirst = failFirst }

    /// Records a delivery; true when it should be refused.
    func receive(_ d: Delivery) -> Bool {
        deliveries.append(d)
        if failFirst > 0, d.path == "/events" {
            failFirst -= 1
            return true
        }
        return false
    }

    func received() -> [Delivery] { deliveries }
}

final class WebhookReceiver: Sendable {
    let inbox: WebhookInbox
    let task: Task<Void, any Error>
    let port: Int

    init(failFirst: Int = 0) async throws {
        let inbox = WebhookInbox(failFirst: failFirst)
        let router = Router()
        router.post("**") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let refuse = await inbox.receive(.init(path: request.uri.path, headers: headers, body: Data(buffer.readBytes(length: buffer.readableBytes) ?? [])))
            return Response(status: refuse ? .internalServerError : .ok)
        }
        let (ports, found) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in found.yield(channel.localAddress?.port ?? 0) })
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var first: Int?
        for await p in ports {
            first = p
            break
        }
        self.inbox = inbox
        self.port = first ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Waits until a delivery to `path` satisfies `predicate`, or fails after `seconds`.
    func waitFor(_ seconds: Double, _ path: String, _ what: String, _ predicate: @Sendable (WebhookInbox.Delivery) -> Bool) async throws -> WebhookInbox.Delivery {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let d = await inbox.received().first(where: { $0.path == path && predicate($0) }) { return d }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let seen = await inbox.received().map { "\($0.path) \(String(decoding: $0.body, as: UTF8.self))" }
        throw ControllerTestError("no \(what) reached \(path) within \(seconds) s; received:\n\(seen.joined(separator: "\n"))")
    }

    deinit { task.cancel() }
}

@Suite(.serialized) struct NotificationTests {
    static func event(_ name: String) -> @Sendable (WebhookInbox.Delivery) -> Bool {
        { $0.json?["event"] as? String == name }
    }

    /// A failed sync, the first success after it, drift and a rollback each reach a real
    /// webhook receiver: signed JSON to one target (retried after a 500), Slack-style text to
    /// another. The receiver being down never holds up the reconcile.
    @Test func failuresRecoveriesDriftAndRollbacksAreDelivered() async throws {
        let receiver = try await WebhookReceiver(failFirst: 1)
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        let key = "notification-signing-key"
        try repo.write("secrets/signing", key + "\n")
        try repo.write("secrets/slack-url", "\(receiver.url)/slack\n")
        try repo.write("serve.yaml", """
            notifications:
              - url: \(receiver.url)/events
                secretFile: secrets/signing
              - urlFile: secrets/slack-url
                format: slack
                events: [sync-failed, rollback]
              - url: http://127.0.0.1:9/nobody-listens
            """)
        let c = try await RunningController(repo: repo, data: data, args: ["--config", "serve.yaml", "--interval", "1s", "--service-latency", "0"],
                                            env: ["TIDEMARK_API_TOKEN": "t0ken"])
        let first = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(15, "the first sync") { applied($0) == first && sync($0)["status"] as? String == "Synced" }

        // A failed sync: the endpoint's update fails, the apply rolls back.
        #expect(try CLITests.run(["services", "fail", "Endpoint/fraud-detector", "--message", "capacity exhausted"], in: repo.url,
                                 env: ["TIDEMARK_DATA": data]).status == 0)
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try repo.commit("scale out")
        let failed = try await receiver.waitFor(20, "/events", "sync-failed", Self.event("sync-failed"))
        let json = try #require(failed.json)
        #expect(json["application"] as? String == "default")
        #expect(json["commit"] as? String == second)
        #expect(json["sync"] as? String == "Failed")
        #expect((json["message"] as? String)?.contains("capacity exhausted") == true)
        #expect(json["formatVersion"] as? String == "1")
        // Signed with the key from secretFile, over the exact body.
        let mac = HMAC<SHA256>.authenticationCode(for: failed.body, using: SymmetricKey(data: Data(key.utf8)))
        #expect(failed.headers["x-tidemark-signature-256"] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        #expect(failed.headers["x-tidemark-event"] == "sync-failed")
        // The receiver refused the first delivery with a 500; it comes again, the same body.
        var attempts: [WebhookInbox.Delivery] = []
        let retryDeadline = Date().addingTimeInterval(10)
        while attempts.count < 2, Date() < retryDeadline {
            attempts = await receiver.inbox.received().filter { $0.path == "/events" && Self.event("sync-failed")($0) }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(attempts.count == 2)
        #expect(attempts.map(\.body) == [failed.body, failed.body])
        let slack = try await receiver.waitFor(10, "/slack", "a Slack message", { _ in true })
        let text = try #require(slack.json?["text"] as? String)
        #expect(text.contains("*default* sync failed at `\(second.prefix(7))`"))
        #expect(slack.json?.count == 1)

        // The first success after it (the fault was for one operation only).
        let (code, _) = try await c.request("POST", "/api/v1/sync", headers: ["Authorization": "Bearer t0ken"])
        #expect(code == 202)
        let recovered = try await receiver.waitFor(20, "/events", "sync-recovered", Self.event("sync-recovered"))
        #expect(recovered.json?["commit"] as? String == second)
        #expect(recovered.json?["sync"] as? String == "Synced")

        // Drift, found by the change feed, self-heal off.
        #expect(try CLITests.run(["services", "set", "Endpoint/fraud-detector", "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds=0"],
                                 in: repo.url, env: ["TIDEMARK_DATA": data]).status == 0)
        let drift = try await receiver.waitFor(15, "/events", "drift", Self.event("drift"))
        #expect(drift.json?["drifted"] as? [String] == ["Endpoint/fraud-detector"])
        #expect((drift.json?["message"] as? String)?.contains("self-heal is off") == true)

        // A rollback through the API.
        let (rollbackCode, _) = try await c.request("POST", "/api/v1/rollback", body: Data(#"{"revision": 1}"#.utf8),
                                                    headers: ["Authorization": "Bearer t0ken", "Content-Type": "application/json"])
        #expect(rollbackCode == 202)
        let rollback = try await receiver.waitFor(20, "/events", "rollback", Self.event("rollback"))
        #expect(rollback.json?["sync"] as? String == "Pinned")
        #expect(rollback.json?["commit"] as? String == first)
        _ = try await receiver.waitFor(10, "/slack", "the rollback in Slack", { ($0.json?["text"] as? String)?.contains("rolled back") == true })
        // The Slack target asked for two events only.
        #expect(await receiver.inbox.received().filter { $0.path == "/slack" }.allSatisfy {
            let t = $0.json?["text"] as? String ?? ""
            return t.contains("sync failed") || t.contains("rolled back")
        })

        // The URLs and the key are secrets: never in the log.
        // A target nobody listens on fails on its own (AsyncHTTPClient keeps connecting until
        // the 10 s deadline), while the others were delivered.
        let deadline = Date().addingTimeInterval(20)
        while !c.logText.contains("notification to http://127.0.0.1:9 failed"), Date() < deadline { try await Task.sleep(nanoseconds: 200_000_000) }
        let log = c.logText
        #expect(log.contains("notification to http://127.0.0.1:9 failed"))
        #expect(!log.contains("/events") && !log.contains("/slack") && !log.contains("nobody-listens") && !log.contains(key))
        await c.stopped()
        #expect(c.process.status == 0)
    }

    /// A bad `notifications:` entry stops serve before it starts, at the entry's position, and
    /// the URL (a secret) is not repeated in the error.
    @Test func aBadNotificationEntryIsReportedWithItsPosition() throws {
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        try repo.write("serve.yaml", """
            notifications:
              - url: ftp://hooks.example.com/T000/B000/XXXXSECRET
              - format: slack
              - url: https://hooks.example.com/ok
                events: [sync-failed, deploy]
            """)
        let r = try CLITests.run(["serve", "--config", "serve.yaml", "--data", data, "--listen", "127.0.0.1:0"], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stderr.contains("serve.yaml:5:27: error: config.notifications[2].events[1] must be one of"), "\(r.stderr)")
        #expect(r.stderr.contains("deploy"), "\(r.stderr)")
        try repo.write("serve.yaml", """
            notifications:
              - url: ftp://hooks.example.com/T000/B000/XXXXSECRET
              - format: slack
            """)
        let again = try CLITests.run(["serve", "--config", "serve.yaml", "--data", data, "--listen", "127.0.0.1:0"], in: repo.url)
        #expect(again.status == 1)
        #expect(again.stderr.contains("serve.yaml:2:10: error: notifications[0].url is not an http:// or https:// URL"), "\(again.stderr)")
        #expect(again.stderr.contains("serve.yaml:3:5: error: notifications[1] needs exactly one of url and urlFile"), "\(again.stderr)")
        #expect(!again.stderr.contains("XXXXSECRET"))
    }
}
