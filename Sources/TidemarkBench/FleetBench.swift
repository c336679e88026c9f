import Foundation
import TidemarkTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Many applications over several replicas on PostgreSQL: `apps` generated repositories of
/// `resources` each, reconciled by `replicas` `tidemark serve` processes sharing a throwaway
/// PostgreSQL cluster, through one `tidemark services serve` (0 latency). It measures the
/// first sync of everything (reconcile throughput), then one commit in every application
/// announced by webhook, and each application's commit→Synced time.
enum FleetBench {
    struct Result {
        var apps: Int
        var resources: Int
        var replicas: Int
        var firstSyncSeconds: Double
        var commitToSynced: [Double]
        var peakRSSKB: [Int]
        var leadersPerReplica: [Int]
        var throughput: Double { Double(apps * resources) / firstSyncSeconds }
        func percentile(_ p: Double) -> Double {
            let s = commitToSynced.sorted()
            guard !s.isEmpty else { return .nan }
            return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
        }
    }

    struct Replica {
        let process: ChildProcess
        let port: Int
        let log: String
    }

    static func run(tidemark: String, out: String, apps: Int, resources: Int, replicas count: Int, seed: UInt64) async throws -> Result {
        let root = (out as NSString).appendingPathComponent("fleet")
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let cluster = try PostgresCluster.shared()
        let db = try cluster.makeDatabase()
        let services = try ServedProcess.services(binary: tidemark, data: root + "/services")
        defer { services.stop() }

        // The repositories: disjoint objects, so every application owns its own.
        var repos: [(name: String, path: String, features: String)] = []
        let unitsPerApp = (resources + 8) / 9
        for k in 0..<apps {
            let name = "app-\(String(format: "%03d", k))"
            let path = root + "/repos/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            var g = ManifestGenerator(seed: seed &+ UInt64(k))
            let files = g.files(resources: resources, firstUnit: k * unitsPerApp)
            for (p, text) in files { try BenchRepository.write(path, p, text) }
            try BenchRepository.git(path, "init", "-q", "-b", "main")
            _ = try BenchRepository.commit(path, "generated: \(resources) resources")
            guard let features = files.keys.filter({ $0.hasSuffix("features.yaml") }).sorted().first else { throw BenchError("no feature group in \(name)") }
            repos.append((name, path, features))
        }
        let entries = repos.map { "  - {name: \($0.name), repo: \($0.path), branch: main}\n" }.joined()
        let config = root + "/config.yaml"
        try """
            store: \(db.url)
            workers: 4
            backend: {type: sagemaker, region: us-east-1, endpointURL: \(services.url)}
            applications:
            \(entries)
            """.write(toFile: config, atomically: true, encoding: .utf8)

        // The replicas; the interval is long, so what is measured is the webhook's path.
        let env = ["AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench"]
        let start = Date()
        var replicas: [Replica] = []
        // All replicas start together, as a deployment's would.
        var started: [(ChildProcess, String)] = []
        defer { for (p, _) in started { p.stop(SIGTERM) } }
        for i in 0..<count {
            let log = root + "/replica-\(i).log"
            guard FileManager.default.createFile(atPath: log, contents: nil) else { throw BenchError("cannot create \(log)") }
            let p = try ChildProcess.start(tidemark, ["serve", "--config", config, "--data", root + "/replica-\(i)", "--listen", "127.0.0.1:0",
                                                      "--interval", "60s", "--log-level", ProcessInfo.processInfo.environment["TIDEMARK_BENCH_LOG_LEVEL"] ?? "warning"],
                                           environment: env, stdout: .file(log), stderr: .standardOutput)
            started.append((p, log))
        }
        for (i, (p, log)) in started.enumerated() {
            var port: Int?
            for _ in 0..<1200 where port == nil {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let r = text.range(of: #"API on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(text[r].split(separator: ":").last ?? "")
                }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            guard let port else { throw BenchError("replica \(i) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            replicas.append(Replica(process: p, port: port, log: log))
        }
        let session = URLSession(configuration: .ephemeral)
        func get(_ r: Replica, _ path: String) async -> [String: Any] {
            guard let url = URL(string: "http://127.0.0.1:\(r.port)\(path)"),
                  let (body, _) = try? await session.data(from: url) else { return [:] }
            return (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
        /// Who leads each application, and its sync state there.
        func leaders() async -> [String: (replica: Int, sync: String)] {
            var out: [String: (Int, String)] = [:]
            for (i, r) in replicas.enumerated() {
                for a in await get(r, "/api/v1/apps")["applications"] as? [[String: Any]] ?? [] where a["role"] as? String == "leader" {
                    if let name = a["name"] as? String { out[name] = (i, a["sync"] as? String ?? "") }
                }
            }
            return out
        }
        func waitUntil(_ seconds: Double, _ what: String, _ done: () async -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while !(await done()) {
                guard Date() < deadline else {
                    throw BenchError("timed out waiting for \(what); replica 0 log: \((try? String(contentsOfFile: replicas[0].log, encoding: .utf8))?.suffix(2000) ?? "")")
                }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
        }
        try await waitUntil(1800, "the first sync of every application") {
            let l = await leaders()
            return l.count == apps && l.values.allSatisfy { $0.sync == "Synced" }
        }
        let firstSync = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "  first sync of %d applications: %.1f s\n", apps, firstSync).utf8))
        // Replicas that started a moment later take their share between passes: wait until
        // who leads what holds still (three looks, 2 s apart), so each webhook reaches its leader.
        var placed = await leaders()
        var still = 0
        let settleBy = Date().addingTimeInterval(120)
        while still < 3 && Date() < settleBy {
            try await Task.sleep(nanoseconds: 2_000_000_000)
            let now = await leaders()
            let same = now.count == apps && now.mapValues(\.replica) == placed.mapValues(\.replica) && now.values.allSatisfy { $0.sync == "Synced" }
            still = same ? still + 1 : 0
            placed = now
        }
        let perReplica = (0..<count).map { i in placed.values.filter { $0.replica == i }.count }

        // One commit in every application (a feature added in place), then its webhook.
        var heads: [String: String] = [:]
        for repo in repos {
            let file = (repo.path as NSString).appendingPathComponent(repo.features)
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try text.replacingOccurrences(of: "  onlineStoreConfig:", with: "    - {featureName: bench_added, featureType: Fractional}\n  onlineStoreConfig:")
                .write(toFile: file, atomically: false, encoding: .utf8)
            heads[repo.name] = try BenchRepository.commit(repo.path, "add a feature")
        }
        var sent: [String: Date] = [:]
        for repo in repos {
            guard let leader = placed[repo.name], let url = URL(string: "http://127.0.0.1:\(replicas[leader.replica].port)/api/v1/apps/\(repo.name)/webhook") else { continue }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"ref": "refs/heads/main"}"#.utf8)
            request.setValue("push", forHTTPHeaderField: "X-GitHub-Event")
            sent[repo.name] = Date()
            _ = try await session.data(for: request)
        }
        var synced: [String: Double] = [:]
        try await waitUntil(600, "every application synced at its new commit") {
            for repo in repos where synced[repo.name] == nil {
                guard let leader = placed[repo.name] else { continue }
                let status = await get(replicas[leader.replica], "/api/v1/apps/\(repo.name)/status")
                let sync = status["sync"] as? [String: Any] ?? [:]
                if sync["status"] as? String == "Synced", sync["commit"] as? String == heads[repo.name], let t = sent[repo.name] {
                    synced[repo.name] = Date().timeIntervalSince(t)
                }
            }
            return synced.count == apps
        }
        let rss = replicas.map { ServeSoak.rss($0.process.pid, field: "VmHWM:") }
        return Result(apps: apps, resources: resources, replicas: count, firstSyncSeconds: firstSync,
                      commitToSynced: Array(synced.values), peakRSSKB: rss, leadersPerReplica: perReplica)
    }
}
