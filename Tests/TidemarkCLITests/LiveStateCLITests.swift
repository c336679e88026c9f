import Foundation
import Testing
import TidemarkTesting

/// The binary against real state folders: apply, failures, rollback, kill -9, two writers.
@Suite(.serialized) struct LiveStateCLITests {
    static let slow = "Endpoint=1.5s,FeatureGroup=0.4s,ModelPackage=0.3s,ModelPackageGroup=0.3s,MonitoringSchedule=0.3s,*=0"

    /// Which services the commands reconcile against: the local modules in the state folder,
    /// or the same modules behind `tidemark services serve`, reached with `--backend sagemaker`.
    enum Backend: String, CustomStringConvertible, CaseIterable {
        case local, sagemaker
        var description: String { rawValue }
    }

    struct Env {
        let repo: TempRepository
        let data: String
        /// The `services serve` process for the sagemaker backend (its latencies are its own).
        let server: ServedProcess?

        func vars(latency: String = "0") -> [String: String] {
            var v = ["TIDEMARK_DATA": data, "TIDEMARK_SERVICE_LATENCY": latency, "USER": "tester"]
            if let server {
                v["TIDEMARK_BACKEND"] = "sagemaker"
                v["AWS_ENDPOINT_URL"] = server.url
                v["AWS_ACCESS_KEY_ID"] = "AKIDTIDEMARKTEST"
                v["AWS_SECRET_ACCESS_KEY"] = "test-secret"
                v["AWS_REGION"] = "us-east-1"
            }
            return v
        }

        func run(_ args: [String], latency: String = "0") throws -> CLITests.Run {
            try CLITests.run(args, in: repo.url, env: vars(latency: latency))
        }
    }

    func env(_ backend: Backend = .local, latency: String = "0") throws -> Env {
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        let server = backend == .sagemaker ? try ServedProcess.services(binary: CLITests.binary, data: data, latency: latency) : nil
        return Env(repo: repo, data: data, server: server)
    }

    func start(_ args: [String], _ e: Env, latency: String, log: URL? = nil) throws -> ChildProcess {
        var environment = e.vars(latency: latency)
        environment["NO_COLOR"] = "1"
        let sink: ChildProcess.Sink = log.map { .file($0.path) } ?? .discard
        return try ChildProcess.start(CLITests.binary, args, environment: environment, directory: e.repo.url.path,
                                      stdout: sink, stderr: log == nil ? .discard : .standardOutput)
    }

    func countJSON(_ text: String, _ key: String) -> Int {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?[key].flatMap { $0 as? [Any] }?.count ?? -1
    }

    /// A plan refused for its manifests leaves no state behind; once state exists, the plan
    /// reads it while loading and plans as before.
    @Test func aRefusedPlanCreatesNoState() throws {
        let e = try env()
        try e.repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: four")
        try e.repo.commit("broken")
        let refused = try e.run(["plan"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no plan was made"))
        #expect(!FileManager.default.fileExists(atPath: e.data))
        try e.repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: four", "initialInstanceCount: 4")
        try e.repo.commit("fixed")
        #expect(try e.run(["plan"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: e.data))
        #expect(try e.run(["apply", "--yes"]).status == 0)
        let again = try e.run(["plan", "--detailed-exitcode"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    }

    @Test func applyNeedsYesWithoutATerminal() throws {
        let e = try env()
        let r = try e.run(["apply"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing to apply without --yes"))
        #expect(try e.run(["get"]).stdout.contains("nothing is managed"))
    }

    @Test(arguments: Backend.allCases)
    func walkthroughApplyFailRollBackAndAudit(_ backend: Backend) throws {
        let e = try env(backend)
        let first = try e.run(["apply", "--yes"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Apply complete (revision 1): 9 changes applied."))
        #expect(try e.run(["status"]).stdout.contains("9 of 9 synced"))

        try e.repo.edit("manifests/registry/fraud-models.yaml", "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved")
        try e.repo.edit("manifests/serving/fraud-detector.yaml", "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")
        try e.repo.commit("serve v2")
        #expect(try e.run(["services", "fail", "Endpoint/fraud-detector", "--message", "capacity exhausted"]).status == 0)
        let failed = try e.run(["apply", "--yes"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("Apply FAILED (revision 2) and was rolled back."))
        #expect(failed.stderr.contains("capacity exhausted"))
        let get = try e.run(["get", "Endpoint/fraud-detector"])
        #expect(get.stdout.contains("serves fraud-models/1 version 1 (Approved)"))

        let second = try e.run(["apply", "--yes"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try e.run(["get", "Endpoint/fraud-detector"]).stdout.contains("serves fraud-models/2 version 2 (Approved)"))

        let rollback = try e.run(["rollback", "1", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stdout.contains("pinned revision 4"))
        #expect(try e.run(["get", "Endpoint/fraud-detector"]).stdout.contains("serves fraud-models/1 version 1"))
        let history = try e.run(["history"])
        #expect(history.stdout.contains("4 (pinned)"))
        #expect(history.stdout.contains("rollback"))
        #expect(history.stdout.contains("rolled-back"))

        #expect(try e.run(["services", "set", "Endpoint/fraud-detector", "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds=0"]).status == 0)
        let drift = try e.run(["plan", "--rev", "HEAD~1"])
        #expect(drift.stdout.contains("drift: the live object was changed outside Tidemark"))

        let verify = try e.run(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let export = try e.run(["audit", "export", "--format", "jsonl"])
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count > 20)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        let log = try e.run(["audit", "log", "--resource", "Endpoint/fraud-detector"])
        #expect(log.stdout.contains("rollback-update") || log.stdout.contains("update"))

        let tamper = try ChildProcess.capture("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(\"DROP TRIGGER audit_append_only_update; UPDATE audit SET outcome='tampered' WHERE sequence=12\"); c.commit()",
                                                           e.data + "/tidemark.sqlite"])
        #expect(tamper.status == 0, "\(tamper.stderr)")
        let broken = try e.run(["audit", "verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("BROKEN at entry 12"))
    }

    @Test(arguments: Backend.allCases, [0.2, 0.6, 1.1, 1.9, 2.6])
    func killMinusNineMidApplyThenConverge(_ backend: Backend, after seconds: Double) throws {
        let e = try env(backend, latency: Self.slow)
        let p = try start(["apply", "--yes"], e, latency: Self.slow)
        Thread.sleep(forTimeInterval: seconds)
        p.stop()
        let again = try e.run(["apply", "--yes"])
        #expect(again.status == 0, "after kill at \(seconds)s (\(backend)): \(again.stderr)")
        let status = try e.run(["status", "--format", "json"])
        #expect(status.stdout.components(separatedBy: "\"sync\": \"Synced\"").count - 1 == 9, "\(status.stdout)")
        #expect(countJSON("{\"x\": \(try e.run(["get", "--format", "json"]).stdout)}", "x") == 9)
        let models = try e.run(["services", "list", "Model"])
        #expect(models.stdout.split(separator: "\n").count == 2, "\(models.stdout)")
        let endpoints = try e.run(["services", "list", "Endpoint"])
        #expect(endpoints.stdout.split(separator: "\n").count == 2)
        #expect(try e.run(["audit", "verify"]).status == 0)
        #expect(try e.run(["apply", "--yes"]).stdout.contains("No changes."))
    }

    /// Outcomes are recorded once per dependency level: a kill right after the k-th action
    /// completes (its outcome not yet written, its level perhaps not done) is recovered
    /// exactly, for every k: each object once, every record, the chain whole, nothing left.
    @Test(.serialized, arguments: 1...9)
    func killMinusNineAfterTheKthActionCompletesThenConverge(_ k: Int) throws {
        let latency = "Endpoint=0.8s,FeatureGroup=0.3s,ModelPackage=0.2s,ModelPackageGroup=0.2s,MonitoringSchedule=0.2s,*=0"
        let e = try env(.local, latency: latency)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-kill-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let p = try start(["apply", "--yes"], e, latency: latency, log: log)
        let settled = [" Created", " Completed", " Active", " created", " InService", " Scheduled"]
        var completed = 0
        let deadline = Date().addingTimeInterval(60)
        while completed < k, p.isRunning, Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            completed = text.split(separator: "\n").filter { line in settled.contains { line.hasSuffix($0) } }.count
            if completed < k { Thread.sleep(forTimeInterval: 0.005) }
        }
        p.stop()
        #expect(completed >= k, "the apply ended before its \(k)th action: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let again = try e.run(["apply", "--yes"])
        #expect(again.status == 0, "after a kill at action \(k): \(again.stderr)")
        let status = try e.run(["status", "--format", "json"])
        #expect(status.stdout.components(separatedBy: "\"sync\": \"Synced\"").count - 1 == 9, "\(status.stdout)")
        for (kind, lines) in [("Model", 2), ("EndpointConfig", 2), ("Endpoint", 2), ("ModelPackage", 3), ("FeatureGroup", 2)] {
            let listed = try e.run(["services", "list", kind])
            #expect(listed.stdout.split(separator: "\n").count == lines, "\(kind) after a kill at action \(k): \(listed.stdout)")
        }
        #expect(try e.run(["audit", "verify"]).status == 0)
        #expect(try e.run(["apply", "--yes"]).stdout.contains("No changes."))
    }

    @Test(arguments: Backend.allCases)
    func aPerKindWaitTimeoutBoundsTheWaitForThatKind(_ backend: Backend) throws {
        let e = try env(backend)
        let bad = try e.run(["apply", "--yes", "--wait-timeout", "Endpoitn=1s"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("'Endpoitn', which is not a kind"))
        #expect(try e.run(["services", "stall", "Endpoint/fraud-detector"]).status == 0)
        let r = try e.run(["apply", "--yes", "--wait-timeout", "Endpoint=1s,*=5m"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("timed out after 1 s waiting for fraud-detector (still Creating)"), "\(r.stderr)")
    }

    /// A service error that names a member is reported at that field's line and column in
    /// the manifest, whichever backend carried it.
    @Test(arguments: Backend.allCases)
    func aServiceErrorNamingAFieldIsReportedAtItsLine(_ backend: Backend) throws {
        let e = try env(backend)
        let message = "1 validation error detected: Value 'ml.m5.xlarge' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set"
        #expect(try e.run(["services", "fail", "EndpointConfig/fraud-detector", "--code", "ValidationException", "--message", message]).status == 0)
        let r = try e.run(["apply", "--yes"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("manifests/serving/fraud-detector.yaml:22:21: EndpointConfig/fraud-detector: ValidationException: \(message) (field spec.productionVariants[0].instanceType)"), "\(r.stderr)")
        #expect(try e.run(["services", "fail", "Model/x", "--code", "NoSuchCode"]).stderr.contains("is not one of"))
    }

    @Test func aSecondWriterIsRefusedAndTakesOverWhenTheFirstDies() throws {
        let e = try env()
        let first = try start(["apply", "--yes"], e, latency: "Endpoint=3s,*=0.2s")
        var refused: CLITests.Run?
        for _ in 0..<40 {
            Thread.sleep(forTimeInterval: 0.1)
            let r = try e.run(["apply", "--yes"])
            if r.status == 1, r.stderr.contains("locked by apply pid \(first.pid)") { refused = r; break }
        }
        #expect(refused != nil, "the second writer was never refused")
        first.stop()
        let takeover = try e.run(["apply", "--yes"])
        #expect(takeover.status == 0, "\(takeover.stderr)")
        #expect(try e.run(["status"]).stdout.contains("9 of 9 synced"))
    }

    @Test func aWriterWaitsWithLockTimeout() throws {
        let e = try env()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-first-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let first = try start(["apply", "--yes"], e, latency: "Endpoint=2s,*=0.1s", log: log)
        for _ in 0..<100 {
            if try e.run(["status"]).stderr.contains("is applying") { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let second = try e.run(["apply", "--yes", "--lock-timeout", "30"])
        #expect(first.waitUntilExit() == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("No changes."))
    }
}
