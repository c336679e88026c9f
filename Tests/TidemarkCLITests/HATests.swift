import Foundation
import Testing
import TidemarkTesting

/// Three `tidemark serve` replicas on one PostgreSQL store share five applications that
/// reconcile through one `tidemark services serve`. One replica is killed (-9) and another
/// stopped (SIGSTOP) while applying; the third takes their applications over within the
/// lease TTL, and the stopped one, resumed, finds its fencing token stale and writes nothing.
@Suite(.serialized) struct HATests {
    static let applications = ["fraud", "churn", "search", "ads", "risk"]

    /// Replicas reach the services with test credentials and hold leases for 3 s.
    static let replicaEnvironment = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "TIDEMARK_LEASE_TTL": "3s"]

    /// A serve config: `applications` (name, repository, labelled with their team) on the
    /// store at `store`, reconciling through `services`.
    static func config(store: String, workers: Int, services: ServedProcess, applications: [(String, TempRepository)]) throws -> String {
        let entries = applications.map { "  - name: \($0)\n    repo: \($1.url.path)\n    labels: {team: \($0)}\n" }.joined()
        return try FleetTests.config("""
            store: \(store)
            workers: \(workers)
            backend: {type: sagemaker, region: us-east-1, endpointURL: \(services.url)}
            applications:
            \(entries)
            """)
    }

    /// Every application each replica leads, with its sync state there.
    func leaders(_ replicas: [RunningController]) async -> [(replica: Int, app: String, sync: String)] {
        var out: [(Int, String, String)] = []
        for (i, r) in replicas.enumerated() {
            guard r.process.isRunning, let apps = try? await r.applications() else { continue }
            for (name, a) in apps where a["role"] as? String == "leader" { out.append((i, name, a["sync"] as? String ?? "")) }
        }
        return out
    }

    func waitFor<T>(_ seconds: Double, _ what: String, _ replicas: [RunningController], _ probe: () async -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let found = await probe() { return found }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        // What each replica said about leases, replicas and errors.
        let logs = replicas.enumerated().map { r in
            let lines = r.element.logText.split(separator: "\n").filter { line in
                ["lease", "replica", "handing", "leader", "standby", "error", "warning", "recover"].contains { line.contains($0) }
            }
            return "replica \(r.offset):\n" + lines.suffix(60).joined(separator: "\n")
        }.joined(separator: "\n")
        throw ControllerTestError("timed out waiting for \(what); leaders \(await leaders(replicas))\n\(logs)")
    }

    @Test func replicasShareApplicationsAndSurviveAKillAndAStop() async throws {
        let cluster = try PostgresCluster.shared()
        let db = try cluster.makeDatabase()
        let repos = try Self.applications.map { try FleetTests.applicationRepo($0) }
        let servicesData = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-ha-services-\(UUID().uuidString)").path
        // Endpoints take 3 s to create or update: long enough to be caught applying.
        let services = try ServedProcess.services(binary: CLITests.binary, data: servicesData, latency: "Endpoint=3s,*=0")
        let config = try Self.config(store: db.url, workers: 2, services: services, applications: Array(zip(Self.applications, repos)))
        let env = Self.replicaEnvironment
        var replicas: [RunningController] = []
        for i in 0..<3 {
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-ha-\(i)-\(UUID().uuidString)").path
            replicas.append(try await RunningController(arguments: ["--config", config, "--data", data, "--interval", "1s"],
                                                        directory: FileManager.default.temporaryDirectory, env: env))
        }
        #expect(!replicas[0].logText.contains(db.password), "the store's password is never logged")

        // Caught applying: kill -9 the replica that is.
        let first = try await waitFor(60, "an application applying", replicas) {
            await leaders(replicas).first { $0.sync == "Progressing" }
        }
        let killed = first.replica
        replicas[killed].process.signal(SIGKILL)
        await replicas[killed].process.exited()

        // A new commit everywhere; stop (not kill) another replica caught applying it.
        var heads: [String: String] = [:]
        for (name, repo) in zip(Self.applications, repos) {
            try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
            heads[name] = try repo.commit("scale \(name) out")
        }
        let second = try await waitFor(90, "an application applying the new commit on a live replica", replicas) {
            await leaders(replicas).first { $0.replica != killed && $0.sync == "Progressing" }
        }
        let stopped = second.replica
        replicas[stopped].process.signal(SIGSTOP)
        let survivor = [0, 1, 2].first { $0 != killed && $0 != stopped } ?? 0

        // The survivor takes every application over (after the TTL) and converges each on its head.
        func converged(_ on: [Int]) async -> Bool {
            let led = await leaders(replicas).filter { on.contains($0.replica) }
            guard Set(led.map(\.app)) == Set(Self.applications), led.count == Self.applications.count else { return false }
            for l in led {
                guard l.sync == "Synced",
                      let s = try? await replicas[l.replica].status("/api/v1/apps/\(l.app)/status"),
                      sync(s)["commit"] as? String == heads[l.app] else { return false }
            }
            return true
        }
        _ = try await waitFor(120, "the survivor leading and converging all five", replicas) { await converged([survivor]) ? true : nil }

        // Resumed, the stopped replica finds its lease gone and steps down; it acts no more
        // under that token, and may lead again only by taking a new lease.
        replicas[stopped].process.signal(SIGCONT)
        _ = try await waitFor(30, "the resumed replica stepping down", replicas) {
            replicas[stopped].logText.contains("lost the lease") ? true : nil
        }
        _ = try await waitFor(60, "all five converged with one leader each", replicas) { await converged([survivor, stopped]) ? true : nil }
        let owners = await leaders(replicas)
        #expect(Set(owners.map(\.app)).count == owners.count, "one leader per application: \(owners)")
        for r in replicas where r.process.isRunning { r.stop() }

        // One owner per object, every object once; no action taken twice; every chain intact.
        let sharedObjects = try cluster.sql("SELECT count(*) FROM (SELECT kind, physical_name FROM inventory GROUP BY 1, 2 HAVING count(DISTINCT app) > 1) o",
                                            database: db.name)
        #expect(sharedObjects.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let perApp = try cluster.sql("SELECT app || '=' || count(*) FROM inventory GROUP BY app ORDER BY app", database: db.name)
        #expect(perApp.split(separator: "\n").sorted() == Self.applications.sorted().map { "\($0)=9" }, "\(perApp)")
        let twice = try cluster.sql("""
            SELECT app || ' ' || resource || ' ' || action || ' ' || count(*) FROM audit
            WHERE outcome = 'succeeded' AND action IN ('create', 'replace') GROUP BY app, resource, action, after_digest HAVING count(*) > 1
            """, database: db.name)
        #expect(twice.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "actions recorded twice: \(twice)")
        services.stop()
        let live = try CLITests.run(["services", "list", "--data", servicesData], in: FileManager.default.temporaryDirectory)
        for name in Self.applications {
            let lines = live.stdout.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("ModelPackage/\(name)-models/") }.count == 2, "\(name): \(live.stdout)")
            #expect(lines.filter { $0.hasPrefix("Model/\(name)-xgb") }.count == 1, "\(name): \(live.stdout)")
            #expect(lines.filter { $0.hasPrefix("Endpoint/\(name)-detector ") }.count == 1, "\(name): \(live.stdout)")
            let verify = try CLITests.run(["audit", "verify", "--store", db.url, "--app", name], in: FileManager.default.temporaryDirectory)
            #expect(verify.status == 0, "\(name): \(verify.stderr)")
            #expect(verify.stdout.contains("audit chain verified"))
        }
        // The database refused the stale replica: its log says so, not a crash.
        #expect(!replicas[stopped].logText.contains("Fatal error"))
    }

    /// A replica whose database and services both went away still stops on SIGTERM: what it
    /// was waiting for is given up at the end of the grace period, never waited on for good.
    @Test func aReplicaStopsOnSIGTERMWhenItsDatabaseAndServicesAreGone() async throws {
        let cluster = try PostgresCluster.dedicated()
        let db = try cluster.makeDatabase()
        let names = ["alpha", "beta", "gamma"]
        let repos = try names.map { try FleetTests.applicationRepo($0) }
        let servicesData = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-gone-\(UUID().uuidString)").path
        let services = try ServedProcess.services(binary: CLITests.binary, data: servicesData, latency: "Endpoint=2s,*=0")
        let config = try Self.config(store: db.url, workers: 1, services: services, applications: Array(zip(names, repos)))
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-gone-\(UUID().uuidString)").path
        let replica = try await RunningController(arguments: ["--config", config, "--data", data, "--interval", "1s"],
                                                  directory: FileManager.default.temporaryDirectory,
                                                  env: Self.replicaEnvironment)
        _ = try await waitFor(60, "an application applying", [replica]) {
            await leaders([replica]).first { $0.sync == "Progressing" }
        }
        // Both die.
        services.process.stop()
        try cluster.stop()
        try await Task.sleep(nanoseconds: 3_000_000_000)
        // stop() fails the test when serve is still running 60 s after SIGTERM.
        replica.stop()
        #expect(!replica.logText.contains("Fatal error"))
    }
}
