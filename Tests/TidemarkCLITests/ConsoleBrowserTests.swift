import Foundation
import Testing
import TidemarkTesting

/// The web console in a real browser: headless Chromium, driven by Selenium from the
/// virtual environment `make test` builds, against a real `tidemark serve`. Screenshots are
/// written to `.build/console-screenshots` (or TIDEMARK_SCREENSHOTS) for people to look at.
@Suite(.serialized) struct ConsoleBrowserTests {
    static var python: String {
        let venv = ProcessInfo.processInfo.environment["TIDEMARK_CONSOLE_VENV"] ?? CLITests.root.appendingPathComponent(".build/venv-console").path
        return venv + "/bin/python"
    }

    static var screenshots: String {
        ProcessInfo.processInfo.environment["TIDEMARK_SCREENSHOTS"] ?? CLITests.root.appendingPathComponent(".build/console-screenshots").path
    }

    @Test func theConsoleShowsTheStackAndRollsBackOnlyWithTheToken() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Selenium environment at \(Self.python): `make test` builds it (and installs chromium and chromium-driver)")
            return
        }
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        let token = "console-t0ken"
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"],
                                            env: ["TIDEMARK_API_TOKEN": token])
        let first = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(15, "the first sync") { applied($0) == first }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try repo.commit("scale out")
        _ = try await c.waitFor(15, "the second commit") { applied($0) == second && sync($0)["status"] as? String == "Synced" }

        let script = CLITests.root.appendingPathComponent("Tests/TidemarkCLITests/Python/console_check.py").path
        let run = try await ChildProcess.captureAsync(Self.python, [script, "http://127.0.0.1:\(c.port)", token, Self.screenshots],
                                           environment: ["PYTHONDONTWRITEBYTECODE": "1"], directory: repo.url.path)
        try #require(run.status == 0, "the browser script failed:\n\(run.stderr.suffix(4000))")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        let pages = try #require(seen["pages"] as? [String: Any])

        // No page logged an error in the browser's console, but for the refusals the test
        // asked for (the browser logs their 401 and 403 as failed loads).
        let expected = ["refused": "status of 403", "wrong token": "status of 401", "cross site": "status of 403"]
        let errors = (seen["consoleErrors"] as? [[String: String]] ?? []).filter { e in
            guard let page = e["page"], let status = expected[page] else { return true }
            return !(e["message"] ?? "").contains(status)
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect((seen["consoleErrors"] as? [[String: String]] ?? []).count == 3, "\(seen["consoleErrors"] ?? "")")

        let list = try #require(pages["applications"] as? [String: Any])
        #expect(list["title"] as? String == "Applications · Tidemark")
        let rows = list["rows"] as? [String] ?? []
        #expect(rows.count == 1 && rows.first?.contains("default") == true && rows.first?.contains("Synced") == true, "\(rows)")
        #expect(list["filteredOut"] as? String == "0 of 1 applications")

        // The tree: the example stack's 9 resources, each Synced and Healthy, collapsed at first.
        let app = try #require(pages["application"] as? [String: Any])
        let nodes = try #require(app["nodes"] as? [String: [String]])
        #expect(Set(nodes.keys) == ["FeatureGroup/fraud-transactions", "Pipeline/fraud-training", "ModelPackageGroup/fraud-models",
                                    "ModelPackage/fraud-xgb-v1", "ModelPackage/fraud-xgb-v2", "Model/fraud-xgb", "EndpointConfig/fraud-detector",
                                    "Endpoint/fraud-detector", "MonitoringSchedule/fraud-detector-data-quality"], "\(nodes.keys.sorted())")
        #expect(nodes.values.allSatisfy { $0 == ["Synced", "Healthy"] }, "\(nodes)")
        #expect(app["collapsedAtFirst"] as? Bool == true)
        #expect(app["openedByKeyboard"] as? Bool == true)
        // The last plan, from the PR plan's renderer: the second commit's (its apply, or the
        // no-op pass after it, whichever the page met).
        #expect((app["plan"] as? String)?.hasPrefix("Tidemark plan: manifests at main (\(second.prefix(7))) against live") == true, "\(app["plan"] ?? "")")

        // Lineage: the commit, its author, file:line, and who approved the served package.
        let resource = try #require(pages["resource"] as? [String: Any])
        let facts = resource["facts"] as? [String: String] ?? [:]
        #expect(facts["Commit"]?.hasPrefix(String(second.prefix(7))) == true, "\(facts)")
        #expect(facts["Author"] == "Test <test@example.com>", "\(facts)")
        #expect(facts["File"] == "manifests/serving/fraud-detector.yaml:38", "\(facts)")
        let service = resource["service"] as? String ?? ""
        #expect(service.contains("The service's events, newest first") && service.contains("fraud-detector Updating"), "\(service)")
        let served = resource["rows"] as? [String] ?? []
        #expect(served.contains { $0.contains("fraud-models/1") && $0.contains("Approved") && $0.contains("approved in \(first.prefix(7)) by Test") }, "\(served)")

        // Rollback: refused without the token, and with a wrong one; done with the right one.
        let refused = try #require(pages["refused"] as? [String: Any])
        #expect(refused["h1"] as? String == "Token required", "\(refused)")
        #expect(pages["wrongToken"] as? String == "Wrong token")
        #expect(pages["unlocked"] as? Bool == true)
        let rolled = try #require(pages["rolledBack"] as? [String: Any])
        #expect((rolled["flash"] as? String)?.contains("rollback of default to revision 1 was requested") == true, "\(rolled)")
        #expect(rolled["liveUpdate"] as? Bool == true, "\(rolled)")
        #expect(rolled["samePage"] as? Bool == true, "\(rolled)")
        // The page swapped itself in over its event stream, unless the rollback had landed
        // before the answer to the POST was rendered (ConsoleHTTPTests check the stream itself).
        #expect((rolled["live"] as? String)?.hasPrefix("Updated") == true || rolled["pinnedAtOnce"] as? Bool == true, "\(rolled)")
        #expect(pages["crossSite"] as? String == "Refused")

        // What the server says: exactly one rollback, by the console, pinned; the refused
        // attempts left no trace in the history.
        let status = try await c.status()
        #expect(status["pinnedRevision"] as? Int == 3, "\(status)")
        let (_, historyBody) = try await c.request("GET", "/api/v1/history")
        let history = (try JSONSerialization.jsonObject(with: historyBody) as? [String: Any])?["revisions"] as? [[String: Any]] ?? []
        #expect(history.count == 3)
        #expect(history.first?["actor"] as? String == "console" && history.first?["trigger"] as? String == "rollback", "\(history.first ?? [:])")
        #expect(history.first?["commit"] as? String == first)
        // The audit log names the console as the rollback's actor.
        let (_, auditBody) = try await c.request("GET", "/api/v1/audit?limit=1000")
        #expect(String(decoding: auditBody, as: UTF8.self).contains("\"actor\": \"console\""))

        // The API gives the same lineage as JSON.
        let (lineageCode, lineageBody) = try await c.request("GET", "/api/v1/resources/Endpoint/fraud-detector/lineage")
        #expect(lineageCode == 200)
        let lineage = try JSONSerialization.jsonObject(with: lineageBody) as? [String: Any]
        #expect((lineage?["source"] as? [String: Any])?["author"] as? String == "Test <test@example.com>")

        let audit = try #require(pages["audit"] as? [String: Any])
        #expect((audit["verify"] as? String)?.hasPrefix("The chain verifies") == true, "\(audit)")

        // JavaScript off: the tree and the resource page still read, and rows still open.
        let plain = try #require(pages["noScript"] as? [String: Any])
        #expect((plain["nodes"] as? [String: [String]])?.count == 9)
        #expect(plain["opens"] as? Bool == true)
        #expect((plain["resource"] as? String)?.contains("fraud-detector") == true)

        for name in ["applications", "application", "resource", "rollback-refused", "history", "audit", "application-without-javascript"] {
            #expect(FileManager.default.fileExists(atPath: Self.screenshots + "/\(name).png"), "\(name).png")
        }
        await c.stopped()
        #expect(c.process.status == 0)
    }
}
