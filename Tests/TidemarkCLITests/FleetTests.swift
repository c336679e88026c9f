import Foundation
import Testing
import TidemarkTesting

/// Many applications in one `tidemark serve`, on the SQLite store: each with its own
/// repository, records and routes; one owner per live object, moved only by `adopt`.
@Suite(.serialized) struct FleetTests {
    /// The example stack with every "fraud" renamed `name`: the same shape, other objects.
    static func applicationRepo(_ name: String) throws -> TempRepository {
        let repo = try TempRepository()
        let root = CLITests.root.appendingPathComponent("manifests")
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) where path.hasSuffix(".yaml") {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            try repo.write("manifests/" + path, text.replacingOccurrences(of: "fraud", with: name))
        }
        try repo.commit("the \(name) stack")
        return repo
    }

    static func config(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-fleet-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func sync(_ app: [String: Any]?) -> String? { app?["sync"] as? String }

    func waitForApplications(_ c: RunningController, _ seconds: Double, _ what: String,
                             _ predicate: ([String: [String: Any]]) -> Bool) async throws -> [String: [String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: [String: Any]] = [:]
        while Date() < deadline {
            last = (try? await c.applications()) ?? [:]
            if predicate(last) { return last }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw ControllerTestError("timed out waiting for \(what); last \(last)\nlog:\n\(c.logText.suffix(3000))")
    }

    @Test func applicationsRunSideBySideAndALiveObjectHasOneOwner() async throws {
        let fraud = try Self.applicationRepo("fraud")
        let churn = try Self.applicationRepo("churn")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-fleet-\(UUID().uuidString)").path
        let config = try Self.config("""
            workers: 2
            applications:
              - name: fraud
                repo: \(fraud.url.path)
                labels: {team: risk}
              - name: churn
                repo: \(churn.url.path)
                sync: {selfHeal: true}
            """)
        let c = try await RunningController(arguments: ["--config", config, "--data", data, "--interval", "1s", "--service-latency", "0"],
                                            directory: fraud.url)
        #expect(c.logText.contains("2 applications (fraud → the local services, churn → the local services), 2 workers"))
        let first = try await waitForApplications(c, 30, "both applications synced") { apps in
            sync(apps["fraud"]) == "Synced" && sync(apps["churn"]) == "Synced"
        }
        #expect(first["fraud"]?["role"] as? String == "leader")
        #expect((first["fraud"]?["labels"] as? [String: Any])?["team"] as? String == "risk")
        #expect((first["churn"]?["policy"] as? [String: Any])?["selfHeal"] as? Bool == true)

        // Per-application routes; the unscoped ones need an application when there are several.
        let churnStatus = try await c.status("/api/v1/apps/churn/status")
        #expect(churnStatus["application"] as? String == "churn")
        let (resourcesCode, resources) = try await c.request("GET", "/api/v1/apps/churn/resources/Endpoint/churn-detector")
        #expect(resourcesCode == 200, "\(String(decoding: resources, as: UTF8.self))")
        let (unknownCode, unknown) = try await c.request("GET", "/api/v1/apps/nope/status")
        #expect(unknownCode == 404)
        #expect(String(decoding: unknown, as: UTF8.self).contains("unknown-application"))
        let (unscopedCode, unscoped) = try await c.request("GET", "/api/v1/status")
        #expect(unscopedCode == 404)
        #expect(String(decoding: unscoped, as: UTF8.self).contains("application-required"))

        // churn now also declares fraud's registry group: refused at its manifest, naming the owner.
        let group = try String(contentsOf: CLITests.root.appendingPathComponent("manifests/registry/fraud-models.yaml"), encoding: .utf8)
        let groupDoc = String(group[..<(group.range(of: "\n---")?.lowerBound ?? group.endIndex)])
        _ = try churn.commit("take fraud's group", ["manifests/registry/shared.yaml": groupDoc + "\n"])
        let refused = try await waitForApplications(c, 20, "churn refused") { apps in sync(apps["churn"]) == "Rejected" }
        let message = refused["churn"]?["message"] as? String ?? ""
        #expect(message.contains("which application 'fraud' manages"), "\(message)")
        let churnDetail = try await c.status("/api/v1/apps/churn/status")
        let diagnostics = (churnDetail["sync"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
        let owned = diagnostics.first { $0["code"] as? String == "owned-by-another-application" }
        #expect(owned?["file"] as? String == "manifests/registry/shared.yaml", "\(diagnostics)")
        #expect(owned?["line"] as? Int != nil)
        #expect(sync(refused["fraud"]) == "Synced")
        c.stop()
        #expect(c.process.status == 0)

        // The command line names the application; without one it lists them.
        let history = try CLITests.run(["history", "--data", data, "--app", "fraud"], in: fraud.url)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("succeeded"))
        let ambiguous = try CLITests.run(["history", "--data", data], in: fraud.url)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("the store holds 2 applications (churn, fraud); name one with --app"), "\(ambiguous.stderr)")

        // An explicit adoption moves the group: fraud forgets it, churn manages it, both audited.
        let adopt = try CLITests.run(["adopt", "ModelPackageGroup/fraud-models", "--from", "fraud", "--app", "churn", "--data", data], in: churn.url)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("churn now manages ModelPackageGroup/fraud-models"))
        let churnGet = try CLITests.run(["get", "--data", data, "--app", "churn"], in: churn.url)
        #expect(churnGet.stdout.contains("ModelPackageGroup/fraud-models"))
        let fraudGet = try CLITests.run(["get", "--data", data, "--app", "fraud"], in: fraud.url)
        #expect(!fraudGet.stdout.contains("ModelPackageGroup/fraud-models"))
        let again = try CLITests.run(["adopt", "ModelPackageGroup/fraud-models", "--from", "fraud", "--app", "churn", "--data", data], in: churn.url)
        #expect(again.status == 1)
        #expect(again.stderr.contains("application 'fraud' does not manage ModelPackageGroup/fraud-models"), "\(again.stderr)")
        for app in ["fraud", "churn"] {
            let audit = try CLITests.run(["audit", "log", "--data", data, "--app", app], in: fraud.url)
            #expect(audit.stdout.contains(app == "fraud" ? "release" : "adopt"))
            let verify = try CLITests.run(["audit", "verify", "--data", data, "--app", app], in: fraud.url)
            #expect(verify.status == 0, "\(verify.stderr)")
        }
    }

    @Test func aBadApplicationsListIsRefusedWithItsPosition() throws {
        let config = try Self.config("""
            applications:
              - name: fraud
                repo: .
              - name: Fraud_2
                repo: .
              - name: fraud
                repo: .
                sync: {prun: true}
            """)
        let r = try CLITests.run(["serve", "--config", config, "--listen", "127.0.0.1:0"], in: FileManager.default.temporaryDirectory)
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(config):6:5: error: config.applications has two entries with name 'fraud' (the first at line 2) [duplicate-entry]"), "\(r.stderr)")
        #expect(r.stderr.contains("\(config):8:12: error: unknown field 'prun' in config.applications[fraud].sync, did you mean 'prune'? [unknown-field]"), "\(r.stderr)")
        let name = try Self.config("applications:\n  - name: Fraud_2\n    repo: .\n")
        let named = try CLITests.run(["serve", "--config", name, "--listen", "127.0.0.1:0"], in: FileManager.default.temporaryDirectory)
        #expect(named.status == 1)
        #expect(named.stderr.contains("\(name):2:11: error: applications[Fraud_2].name 'Fraud_2' is not an application name"), "\(named.stderr)")
    }
}
