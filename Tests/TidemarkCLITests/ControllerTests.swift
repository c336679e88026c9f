import Crypto
import Foundation
import Testing
import TidemarkTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `tidemark serve` process against a real git repository and state folder.
final class RunningController {
    let process: ChildProcess
    let log: URL
    let port: Int
    let session = URLSession(configuration: .ephemeral)

    /// Starts the process and waits (asynchronously: never blocking a test thread) for its API.
    convenience init(repo: TempRepository, data: String, args: [String], env: [String: String] = [:], repoArgument: String? = nil) async throws {
        try await self.init(arguments: ["--repo", repoArgument ?? repo.url.path, "--data", data] + args, directory: repo.url, env: env)
    }

    /// `tidemark serve --listen 127.0.0.1:0 arguments…` in `directory`.
    init(arguments: [String], directory: URL, env: [String: String] = [:]) async throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-serve-\(UUID().uuidString).log")
        var environment = ["NO_COLOR": "1"]
        for (k, v) in env { environment[k] = v }
        process = try ChildProcess.start(CLITests.binary, ["serve", "--listen", "127.0.0.1:0"] + arguments, environment: environment,
                                         directory: directory.path, stdout: .file(log.path), stderr: .standardOutput)
        var found: Int?
        for _ in 0..<200 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"API on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(text[r].split(separator: ":").last ?? "")
                break
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        guard let found else {
            process.stop()
            throw ControllerTestError("the controller did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: log)
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:], timeout: Double = 30) async throws -> (Int, Data) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw ControllerTestError("bad path \(path)") }
        var r = URLRequest(url: url, timeoutInterval: timeout)
        r.httpMethod = method
        r.httpBody = body
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: r)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func status(_ path: String = "/api/v1/status") async throws -> [String: Any] {
        let (_, data) = try await request("GET", path)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Each application this process runs, by name, as `/api/v1/apps` shows it.
    func applications() async throws -> [String: [String: Any]] {
        let list = try await status("/api/v1/apps")["applications"] as? [[String: Any]] ?? []
        return Dictionary(list.compactMap { a in (a["name"] as? String).map { ($0, a) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Polls until `predicate` holds on the status, or fails after `seconds`.
    func waitFor(_ seconds: Double, _ what: String, _ predicate: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = (try? await status()) ?? [:]
            if predicate(last) { return last }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw ControllerTestError("timed out waiting for \(what); last status \(last)\nlog:\n\(logText.suffix(3000))")
    }

    /// `stop`, waiting without holding a thread of the test process's (small) pool: while a
    /// slow shutdown is awaited, the suites running beside this one carry on.
    func stopped(signal: Int32 = SIGTERM) async {
        process.signal(signal)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        if process.isRunning {
            Issue.record("serve did not stop within 60 s of signal \(signal):\n\(logText.suffix(3000))")
            process.stop()
        }
    }

    /// Sends `signal` and waits for the process to end: at most 60 s (serve's own shutdown
    /// limit is 45 s), then it is killed and the test fails instead of hanging.
    func stop(signal: Int32 = SIGTERM) {
        process.signal(signal)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            Issue.record("serve did not stop within 60 s of signal \(signal):\n\(logText.suffix(3000))")
            process.stop()
        }
    }
}

struct ControllerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func sync(_ s: [String: Any]) -> [String: Any] { s["sync"] as? [String: Any] ?? [:] }
func applied(_ s: [String: Any]) -> String? { (s["lastApplied"] as? [String: Any])?["commit"] as? String }

@Suite(.serialized) struct ControllerTests {
    func setUp() throws -> (TempRepository, String) {
        let repo = try CLITests.stackRepo()
        return (repo, repo.url.appendingPathComponent(".tidemark").path)
    }

    @Test func aCommitIsReconciledWithinTheInterval() async throws {
        let (repo, data) = try setUp()
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        let first = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(10, "the first sync") { applied($0) == first && sync($0)["status"] as? String == "Synced" }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try repo.commit("scale out")
        let started = Date()
        _ = try await c.waitFor(10, "the second commit") { applied($0) == second }
        #expect(Date().timeIntervalSince(started) < 5)
        let (code, body) = try await c.request("GET", "/api/v1/resources/EndpointConfig/fraud-detector")
        #expect(code == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"initialInstanceCount\": 6"))
        let (historyCode, history) = try await c.request("GET", "/api/v1/history")
        #expect(historyCode == 200)
        #expect(String(decoding: history, as: UTF8.self).contains("\"outcome\": \"succeeded\""))
        c.stop()
        #expect(c.process.status == 0)
    }

    /// The controller with `backend:` from its config file, reconciling through the SageMaker
    /// API into `tidemark services serve`: commits land in the services behind the wire.
    @Test func theControllerReconcilesThroughTheSageMakerAPI() async throws {
        let (repo, data) = try setUp()
        let services = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-svc-\(UUID().uuidString)").path
        let server = try ServedProcess.services(binary: CLITests.binary, data: services)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-serve-\(UUID().uuidString).yaml")
        try "backend:\n  type: sagemaker\n  region: us-east-1\n  endpointURL: \(server.url)\n".write(to: config, atomically: true, encoding: .utf8)
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--config", config.path],
                                            env: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"])
        #expect(c.logText.contains("reconciling the SageMaker API at \(server.url)"))
        let first = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(15, "the first sync through the API") { applied($0) == first && sync($0)["status"] as? String == "Synced" }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try repo.commit("scale out")
        _ = try await c.waitFor(15, "the second commit through the API") { applied($0) == second }
        let listed = try CLITests.run(["services", "list", "EndpointConfig", "--data", services], in: repo.url)
        #expect(listed.stdout.split(separator: "\n").count == 3, "\(listed.stdout)")
        // The controller's own state folder holds no services of its own.
        #expect(!FileManager.default.fileExists(atPath: data + "/services.sqlite"))
        c.stop()
        #expect(c.process.status == 0)
    }

    @Test func aSignedWebhookTriggersAtOnceAndABadOneGets401() async throws {
        let (repo, data) = try setUp()
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "10m", "--branch", "main", "--service-latency", "0"],
                                      env: ["TIDEMARK_WEBHOOK_SECRET": "s3cret"])
        let first = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(10, "the first sync") { applied($0) == first }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialSamplingPercentage: 20", "initialSamplingPercentage: 30")
        let second = try repo.commit("sample more")
        let payload = Data(#"{"ref":"refs/heads/main","after":"\#(second)"}"#.utf8)
        let (unsigned, _) = try await c.request("POST", "/api/v1/webhook", body: payload)
        #expect(unsigned == 401)
        let wrong = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Data("nope".utf8)))
        let (bad, _) = try await c.request("POST", "/api/v1/webhook", body: payload,
                                           headers: ["X-Hub-Signature-256": "sha256=" + wrong.map { String(format: "%02x", $0) }.joined()])
        #expect(bad == 401)
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(applied(try await c.status()) == first)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Data("s3cret".utf8)))
        let (good, _) = try await c.request("POST", "/api/v1/webhook", body: payload,
                                            headers: ["X-Hub-Signature-256": "sha256=" + mac.map { String(format: "%02x", $0) }.joined()])
        #expect(good == 202)
        _ = try await c.waitFor(5, "the webhook's commit") { applied($0) == second }
        let other = Data(#"{"ref":"refs/heads/feature"}"#.utf8)
        let otherMac = HMAC<SHA256>.authenticationCode(for: other, using: SymmetricKey(data: Data("s3cret".utf8)))
        let (ignored, ignoredBody) = try await c.request("POST", "/api/v1/webhook", body: other,
                                                         headers: ["X-Hub-Signature-256": "sha256=" + otherMac.map { String(format: "%02x", $0) }.joined()])
        #expect(ignored == 202)
        #expect(String(decoding: ignoredBody, as: UTF8.self).contains("is not refs/heads/main"))
        let big = Data(repeating: 0x20, count: 2 << 20)
        let (tooLarge, _) = try await c.request("POST", "/api/v1/webhook", body: big)
        #expect(tooLarge == 413)
    }

    @Test func aBadCommitIsRejectedAndThePreviousRevisionStays() async throws {
        let (repo, data) = try setUp()
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        let good = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(10, "the first sync") { applied($0) == good }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: \"4\"")
        let bad = try repo.commit("break it")
        let status = try await c.waitFor(10, "the rejection") { sync($0)["status"] as? String == "Rejected" }
        #expect(applied(status) == good)
        #expect(sync(status)["commit"] as? String == bad)
        let diagnostics = sync(status)["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.first?["file"] as? String == "manifests/serving/fraud-detector.yaml")
        #expect(diagnostics.first?["line"] as? Int == 23)
        let (_, resource) = try await c.request("GET", "/api/v1/resources/EndpointConfig/fraud-detector")
        #expect(String(decoding: resource, as: UTF8.self).contains("\"initialInstanceCount\": 4"))
        let (_, audit) = try await c.request("GET", "/api/v1/audit?limit=1000")
        #expect(String(decoding: audit, as: UTF8.self).contains("\"action\": \"reject\""))
        #expect(c.process.isRunning)
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: \"4\"", "initialInstanceCount: 5")
        let fixed = try repo.commit("fix it")
        _ = try await c.waitFor(10, "the fixed commit") { applied($0) == fixed }
    }

    @Test func driftIsHealedWithSelfHealAndReportedWithout() async throws {
        for heal in [true, false] {
            let (repo, data) = try setUp()
            // No fast resync: the services' change feed shows the edit within an interval.
            let c = try await RunningController(repo: repo, data: data, args: ["--interval", "2s", "--service-latency", "0"] + (heal ? ["--self-heal"] : []))
            let head = try repo.git("rev-parse", "HEAD")
            _ = try await c.waitFor(10, "the first sync") { applied($0) == head }
            let set = try CLITests.run(["services", "set", "Endpoint/fraud-detector", "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds=0"],
                                       in: repo.url, env: ["TIDEMARK_DATA": data])
            #expect(set.status == 0)
            if heal {
                _ = try await c.waitFor(4.5, "the drift to be healed within two intervals") { _ in
                    let d = try? CLITests.run(["services", "describe", "Endpoint/fraud-detector"], in: repo.url, env: ["TIDEMARK_DATA": data])
                    return d?.stdout.contains("\"terminationWaitInSeconds\": 300") == true
                }
            } else {
                let s = try await c.waitFor(4.5, "drift to be reported within two intervals") { sync($0)["status"] as? String == "OutOfSync" }
                #expect(sync(s)["drift"] as? Int == 1)
                #expect((sync(s)["message"] as? String)?.contains("self-heal is off") == true)
                let (_, metrics) = try await c.request("GET", "/metrics")
                #expect(String(decoding: metrics, as: UTF8.self).contains("tidemark_drift_resources 1"))
            }
            c.stop()
        }
    }

    @Test func sigtermDuringAnApplyStopsCleanlyAndTheNextStartConverges() async throws {
        let (repo, data) = try setUp()
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "Endpoint=4s,*=0.3s"])
        _ = try await c.waitFor(10, "the apply to start") { sync($0)["status"] as? String == "Progressing" }
        try await Task.sleep(nanoseconds: 700_000_000)
        let stopAt = Date()
        c.stop(signal: SIGTERM)
        #expect(c.process.status == 0)
        #expect(Date().timeIntervalSince(stopAt) < 10)
        #expect(c.logText.contains("lease released"))
        let again = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        let head = try repo.git("rev-parse", "HEAD")
        _ = try await again.waitFor(15, "convergence after restart") { applied($0) == head && sync($0)["status"] as? String == "Synced" }
        again.stop()
        let status = try CLITests.run(["status"], in: repo.url, env: ["TIDEMARK_DATA": data, "TIDEMARK_SERVICE_LATENCY": "0"])
        #expect(status.stdout.contains("9 of 9 synced"), "\(status.stdout)")
        #expect(try CLITests.run(["audit", "verify"], in: repo.url, env: ["TIDEMARK_DATA": data]).status == 0)
    }

    @Test func oneControllerLeadsAndTheOtherTakesOverWhenItDies() async throws {
        let (repo, data) = try setUp()
        let a = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        _ = try await a.waitFor(10, "a to lead") { $0["role"] as? String == "leader" }
        let b = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        _ = try await b.waitFor(10, "b to stand by") { $0["role"] as? String == "standby" }
        #expect(try await a.status()["role"] as? String == "leader")
        a.stop(signal: SIGKILL)
        _ = try await b.waitFor(10, "b to take over") { $0["role"] as? String == "leader" }
        let head = try repo.git("rev-parse", "HEAD")
        _ = try await b.waitFor(10, "b to sync") { applied($0) == head || sync($0)["status"] as? String == "Synced" }
    }

    @Test func metricsParseAsPrometheusTextAndWritesNeedTheToken() async throws {
        let (repo, data) = try setUp()
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"], env: ["TIDEMARK_API_TOKEN": "tok"])
        let head = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(10, "the first sync") { applied($0) == head }
        let (code, body) = try await c.request("GET", "/metrics")
        #expect(code == 200)
        let text = String(decoding: body, as: UTF8.self)
        let sample = try Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.eE+-]+(\.[0-9]+)?$|^-?Inf$|^# (HELP|TYPE) .*$"#)
        for line in text.split(separator: "\n") where !line.isEmpty {
            #expect(line.wholeMatch(of: sample) != nil || line.hasSuffix("+Inf") || line.contains("le=\"+Inf\""), "not Prometheus text: \(line)")
        }
        for name in ["tidemark_reconcile_duration_seconds_bucket", "tidemark_last_sync_timestamp_seconds", "tidemark_last_sync_success 1",
                     "tidemark_resources{", "tidemark_drift_resources"] {
            #expect(text.contains(name), "missing \(name)")
        }
        let (unauthorized, _) = try await c.request("POST", "/api/v1/sync")
        #expect(unauthorized == 401)
        let (accepted, _) = try await c.request("POST", "/api/v1/sync", headers: ["Authorization": "Bearer tok"])
        #expect(accepted == 202)
        let (ready, _) = try await c.request("GET", "/readyz")
        #expect(ready == 200)
        let (missing, missingBody) = try await c.request("GET", "/api/v1/resources/Model/nope")
        #expect(missing == 404)
        #expect(String(decoding: missingBody, as: UTF8.self).contains("\"code\": \"not-found\""))
    }

    @Test func aPublicAddressWithoutATokenIsRefused() throws {
        let (repo, data) = try setUp()
        let r = try CLITests.run(["serve", "--listen", "0.0.0.0:0", "--data", data], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing to listen on 0.0.0.0 without an API token"))
    }

    @Test func aBadConfigFileIsReportedWithPositions() throws {
        let (repo, data) = try setUp()
        try repo.write("serve.yaml", "repo: .\nintreval: 30s\nsync:\n  selfHeal: yes\n")
        let r = try CLITests.run(["serve", "--config", "serve.yaml", "--data", data], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stderr.contains("serve.yaml:2:1: error: unknown field 'intreval' in config, did you mean 'interval'?"))
        #expect(r.stderr.contains("serve.yaml:4:13: error: config.sync.selfHeal must be a boolean"))
    }
}

@Suite(.serialized) struct ControllerSourceTests {
    @Test func aVanishedBranchIsRecordedAndTheLastGoodRevisionStays() async throws {
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        try repo.git("checkout", "-q", "-b", "release")
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--branch", "release", "--service-latency", "0"])
        let head = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(10, "the first sync") { applied($0) == head }
        try repo.git("checkout", "-q", "main")
        try repo.git("branch", "-D", "release")
        let s = try await c.waitFor(10, "the fetch error") { (($0["lastFetch"] as? [String: Any])?["error"] as? String)?.contains("'release' does not exist") == true }
        #expect(applied(s) == head)
        try await Task.sleep(nanoseconds: 2_500_000_000)  // two more intervals: still recorded once
        let (_, audit) = try await c.request("GET", "/api/v1/audit?limit=1000")
        let text = String(decoding: audit, as: UTF8.self)
        #expect(text.components(separatedBy: "\"action\": \"fetch\"").count - 1 == 1, "recorded once, not every interval")
        #expect(c.process.isRunning)
        let (ready, _) = try await c.request("GET", "/readyz")
        #expect(ready == 200)
    }
}
