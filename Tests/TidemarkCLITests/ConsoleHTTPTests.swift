import Foundation
import Testing
import TidemarkTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The console over plain HTTP against a real `tidemark serve` with two applications: the
/// list's filters, the pages' headers, refusals, and the live event stream.
@Suite(.serialized) struct ConsoleHTTPTests {
    static func text(_ c: RunningController, _ path: String, headers: [String: String] = [:], method: String = "GET",
                     body: String? = nil) async throws -> (Int, String) {
        let (code, data) = try await c.request(method, path, body: body.map { Data($0.utf8) }, headers: headers)
        return (code, String(decoding: data, as: UTF8.self))
    }

    @Test func twoApplicationsFiltersHeadersRefusalsAndLiveEvents() async throws {
        let fraud = try FleetTests.applicationRepo("fraud")
        let churn = try FleetTests.applicationRepo("churn")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-console-\(UUID().uuidString)").path
        let config = try FleetTests.config("""
            applications:
              - name: fraud
                repo: \(fraud.url.path)
                labels: {team: risk}
              - name: churn
                repo: \(churn.url.path)
                labels: {team: growth}
            """)
        let c = try await RunningController(arguments: ["--config", config, "--data", data, "--interval", "1s", "--service-latency", "0"],
                                            directory: fraud.url, env: ["TIDEMARK_API_TOKEN": "t"])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let apps = (try? await c.applications()) ?? [:]
            if apps["fraud"]?["sync"] as? String == "Synced", apps["churn"]?["sync"] as? String == "Synced" { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }

        // The list, and its filters (a GET form: they work without JavaScript).
        let (code, all) = try await Self.text(c, "/")
        #expect(code == 200)
        #expect(all.contains("<caption>2 of 2 applications</caption>"))
        #expect(all.contains("<a href=\"/apps/fraud\">fraud</a>") && all.contains("<a href=\"/apps/churn\">churn</a>"))
        let (_, risk) = try await Self.text(c, "/?label=team%3Drisk")
        #expect(risk.contains("<caption>1 of 2 applications</caption>") && risk.contains("/apps/fraud") && !risk.contains("/apps/churn\""))
        let (_, named) = try await Self.text(c, "/?q=CHU&sync=Synced&health=Healthy")
        #expect(named.contains("<caption>1 of 2 applications</caption>") && named.contains("/apps/churn"))
        let (_, none) = try await Self.text(c, "/?sync=Failed")
        #expect(none.contains("No application matches."))

        // Each application's page holds its own tree.
        let (_, churnPage) = try await Self.text(c, "/apps/churn")
        #expect(churnPage.contains("id=\"r-Endpoint-churn-detector\"") && !churnPage.contains("r-Endpoint-fraud-detector"))
        #expect(churnPage.components(separatedBy: "<li class=\"node sync-Synced health-Healthy\"").count - 1 == 9)
        // A registry version shows the name the service gave it.
        #expect(churnPage.contains("<a href=\"/apps/churn/resources/ModelPackage/churn-xgb-v1\">churn-xgb-v1</a> <span class=\"physical\" title=\"physical name\">churn-models/1</span>"))

        // Headers: no framing, scripts from here only, a session cookie that scripts cannot read.
        guard let url = URL(string: "http://127.0.0.1:\(c.port)/apps/fraud/history") else { return }
        // A client with no cookie yet (the controller's session has kept the earlier pages' one).
        let (_, response) = try await URLSession(configuration: .ephemeral).data(for: URLRequest(url: url))
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(http.value(forHTTPHeaderField: "X-Frame-Options") == "DENY")
        let cookie = http.value(forHTTPHeaderField: "Set-Cookie") ?? ""
        #expect(cookie.hasPrefix("tidemark_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")

        // Unknown pages are 404 pages; actions without a session and CSRF token are refused.
        #expect(try await Self.text(c, "/apps/nope").0 == 404)
        #expect(try await Self.text(c, "/apps/fraud/resources/Endpoint/nope").0 == 404)
        #expect(try await Self.text(c, "/apps/fraud/resources/Nope/x").0 == 404)
        let (refused, page) = try await Self.text(c, "/apps/fraud/rollback", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                  method: "POST", body: "revision=1&csrf=guess")
        #expect(refused == 403 && page.contains("The form has expired"))
        let (malformed, unread) = try await Self.text(c, "/apps/fraud/rollback", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                      method: "POST", body: "revision=99999999999999999999&csrf=x")
        #expect(malformed == 400 && unread.contains("The form could not be read"), "\(malformed)")
        let (history, _) = try await c.request("GET", "/api/v1/apps/fraud/history")
        #expect(history == 200)

        // A page carries the version it was rendered at; a stream opened later with an older
        // one is told at once (the change in between is not missed).
        let version = try #require(churnPage.range(of: #"data-events="/apps/churn/events\?since=(\d+)""#, options: .regularExpression)
            .flatMap { Int(churnPage[$0].split(separator: "=").last?.dropLast() ?? "") })
        #expect(version > 0)
        let stale = try await ChildProcess.captureAsync("curl", ["-sN", "--max-time", "2", "http://127.0.0.1:\(c.port)/apps/churn/events?since=0"])
        #expect(stale.stdout.contains("event: status\ndata: {\"application\":\"churn\"}"), "\(stale.stdout)")

        // The event stream: a status event when the application changes.
        let events = URL(fileURLWithPath: data).appendingPathExtension("events")
        let curl = try ChildProcess.start("curl", ["-sN", "--max-time", "20", "http://127.0.0.1:\(c.port)/apps/churn/events"],
                                          stdout: .file(events.path), stderr: .discard)
        try await Task.sleep(nanoseconds: 500_000_000)
        try churn.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        _ = try churn.commit("scale out")
        var stream = ""
        let until = Date().addingTimeInterval(15)
        while !stream.contains("event: status"), Date() < until {
            try await Task.sleep(nanoseconds: 100_000_000)
            stream = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
        }
        curl.stop()
        #expect(stream.hasPrefix("retry: 3000\n: connected\n\n"), "\(stream)")
        #expect(stream.contains("event: status\ndata: {\"application\":\"churn\"}\n\n"), "\(stream)")
        await c.stopped()
        #expect(c.process.status == 0)
    }
}
