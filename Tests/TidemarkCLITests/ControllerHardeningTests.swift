import Crypto
import Foundation
import Testing
import TidemarkTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `tidemark serve` under what a demanding operator does to it: rollbacks while it is
/// polled, SIGSTOP past the lease, hostile numbers, credentials in URLs, replays, slow clients.
@Suite(.serialized) struct ControllerHardeningTests {
    func setUp() throws -> (TempRepository, String) {
        let repo = try CLITests.stackRepo()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-serve-state-\(UUID().uuidString)").path
        return (repo, data)
    }

    @Test func statusAnswersAtOnceWhileARollbackRuns() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "Endpoint=1s,*=0"])
        _ = try await c.waitFor(15, "the first sync") { applied($0) == (try? repo.git("rev-parse", "HEAD")) }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try repo.commit("scale out")
        _ = try await c.waitFor(15, "the second commit") { applied($0) == second }
        let (accepted, _) = try await c.request("POST", "/api/v1/rollback", body: Data(#"{"revision": 1}"#.utf8))
        #expect(accepted == 202)
        var slowest = 0.0
        for _ in 0..<100 {
            let start = Date()
            let (code, _) = try await c.request("GET", "/api/v1/status", timeout: 1)
            slowest = max(slowest, Date().timeIntervalSince(start))
            #expect(code == 200)
        }
        #expect(slowest < 1, "the slowest of 100 status requests took \(slowest) s")
        let pinned = try await c.waitFor(15, "the rollback to pin") { sync($0)["status"] as? String == "Pinned" }
        #expect(pinned["pinnedRevision"] as? Int == 3)
        let (health, _) = try await c.request("GET", "/healthz", timeout: 1)
        #expect(health == 200)
        let (_, history) = try await c.request("GET", "/api/v1/history")
        #expect(String(decoding: history, as: UTF8.self).contains("\"trigger\": \"rollback\""))
    }

    @Test func aLeaderPausedPastItsLeaseOnlyStepsDown() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let env = ["TIDEMARK_LEASE_TTL": "3s"]
        let args = ["--interval", "1s", "--service-latency", "0"]
        let a = try await RunningController(repo: repo, data: data, args: args, env: env)
        _ = try await a.waitFor(15, "a to lead and sync") { $0["role"] as? String == "leader" && sync($0)["status"] as? String == "Synced" }
        let b = try await RunningController(repo: repo, data: data, args: args, env: env)
        _ = try await b.waitFor(10, "b to stand by") { $0["role"] as? String == "standby" }

        a.process.signal(SIGSTOP)
        _ = try await b.waitFor(15, "b to take over from the paused leader") { $0["role"] as? String == "leader" }
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let next = try repo.commit("scale out while a sleeps")
        _ = try await b.waitFor(15, "b to apply the next commit") { applied($0) == next }

        a.process.signal(SIGCONT)
        _ = try await a.waitFor(10, "a to step down") { $0["role"] as? String == "standby" }
        try await Task.sleep(nanoseconds: 3_000_000_000)
        #expect(a.logText.contains("lost the lease"), "\(a.logText.suffix(2000))")
        #expect(!a.logText.contains("applying 1 change of \(next.prefix(7))"), "\(a.logText.suffix(2000))")
        #expect(try await b.status()["role"] as? String == "leader")
        let history = try CLITests.run(["history", "--limit", "100"], in: repo.url, env: ["TIDEMARK_DATA": data])
        let rows = history.stdout.split(separator: "\n").filter { $0.contains(String(next.prefix(7))) }
        #expect(rows.count == 1, "exactly one revision of the next commit: \(history.stdout)")
        #expect(rows.first?.contains("succeeded") == true)
        #expect(try CLITests.run(["audit", "verify"], in: repo.url, env: ["TIDEMARK_DATA": data]).status == 0)
    }

    static let hostile = ["9223372036854775807", "-9223372036854775808", "1e18", "1e308", ".inf", ".nan", "-0", "0"]

    @Test func hostileNumbersAreLocatedErrorsAndServeStaysUp() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        for value in Self.hostile {
            try repo.write("manifests/serving/fraud-detector.yaml", try String(contentsOf: CLITests.root.appendingPathComponent("manifests/serving/fraud-detector.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "canarySize: {type: CAPACITY_PERCENT, value: 25}", with: "canarySize: {type: INSTANCE_COUNT, value: \(value)}"))
            try repo.commit("canary \(value)")
            let r = try CLITests.run(["validate"], in: repo.url)
            #expect(r.status == 1, "canary \(value): \(r.stdout) \(r.stderr)")
            #expect(r.stdout.contains("manifests/serving/fraud-detector.yaml:4") || r.stderr.contains("manifests/serving/fraud-detector.yaml:4"),
                    "canary \(value): \(r.stdout) \(r.stderr)")
        }
        try repo.write("manifests/serving/fraud-detector.yaml", try String(contentsOf: CLITests.root.appendingPathComponent("manifests/serving/fraud-detector.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "initialInstanceCount: 4", with: "initialInstanceCount: 0")
            .replacingOccurrences(of: "canarySize: {type: CAPACITY_PERCENT, value: 25}", with: "canarySize: {type: INSTANCE_COUNT, value: 1}"))
        let bad = try repo.commit("no instances under a count canary")
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        let s = try await c.waitFor(10, "the rejection") { sync($0)["status"] as? String == "Rejected" && sync($0)["commit"] as? String == bad }
        let diagnostics = sync(s)["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.contains { $0["file"] as? String == "manifests/serving/fraud-detector.yaml" && ($0["line"] as? Int ?? 0) > 0 })
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(c.process.isRunning)
        let (health, _) = try await c.request("GET", "/healthz")
        #expect(health == 200)
    }

    @Test func aPasswordInTheRepositoryURLIsNeverShownLoggedOrStored() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let secret = "s3cretPASSw0rd"
        let url = "http://tidemark:\(secret)@127.0.0.1:9/risk/ml-infra.git"
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"], repoArgument: url)
        _ = try await c.waitFor(10, "the fetch error") { (($0["lastFetch"] as? [String: Any])?["error"] as? String) != nil }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        await #expect(throws: Never.self) { _ = try await c.request("POST", "/api/v1/sync") }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        var seen: [String] = []
        for path in ["/api/v1/status", "/readyz", "/api/v1/audit?limit=1000", "/api/v1/history", "/metrics", "/api/v1/plan", "/api/v1/resources"] {
            let (_, body) = try await c.request("GET", path)
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains(secret), "\(path) shows the password: \(text)")
            seen.append(text)
        }
        #expect(seen[0].contains("http://127.0.0.1:9/risk/ml-infra.git"))
        c.stop()
        #expect(!c.logText.contains(secret), "the log shows the password")
        #expect(c.logText.contains("127.0.0.1:9/risk/ml-infra.git"))
        var files = 0
        let walk = try #require(FileManager.default.enumerator(atPath: data))
        for case let path as String in walk {
            let full = (data as NSString).appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(path) holds the password")
            files += 1
        }
        #expect(files > 3)
        let config = try String(contentsOfFile: data + "/mirror.git/config", encoding: .utf8)
        #expect(config.contains("url = http://127.0.0.1:9/risk/ml-infra.git"))
    }

    @Test func theAPIRefusesReplaysUnknownKindsAndSlowClients() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let c = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0", "--idle-timeout", "1s"],
                                      env: ["TIDEMARK_WEBHOOK_SECRET": "s3cret"])
        let head = try repo.git("rev-parse", "HEAD")
        _ = try await c.waitFor(15, "the first sync") { applied($0) == head }

        let (unknown, unknownBody) = try await c.request("GET", "/api/v1/resources/Bogus/x")
        #expect(unknown == 404)
        let unknownText = String(decoding: unknownBody, as: UTF8.self)
        #expect(unknownText.contains("\"code\": \"unknown-kind\"") && unknownText.contains("\"EndpointConfig\""))
        let (kindOnly, kindBody) = try await c.request("GET", "/api/v1/resources/Endpoint")
        #expect(kindOnly == 200)
        #expect(String(decoding: kindBody, as: UTF8.self).components(separatedBy: "\"resource\":").count - 1 == 1)

        let payload = Data(#"{"ref":"refs/heads/main"}"#.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Data("s3cret".utf8)))
        let headers = ["X-Hub-Signature-256": "sha256=" + mac.map { String(format: "%02x", $0) }.joined(), "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"]
        let (first, _) = try await c.request("POST", "/api/v1/webhook", body: payload, headers: headers)
        #expect(first == 202)
        let (replay, replayBody) = try await c.request("POST", "/api/v1/webhook", body: payload, headers: headers)
        #expect(replay == 200)
        #expect(String(decoding: replayBody, as: UTF8.self).contains("already received"))

        let (_, metrics) = try await c.request("GET", "/metrics")
        let lines = String(decoding: metrics, as: UTF8.self).split(separator: "\n")
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        #expect(!typed.isEmpty)
        for name in typed { #expect(helped.contains(name), "no # HELP for \(name)") }
        #expect(lines.contains { $0.hasPrefix("tidemark_webhook_deliveries_total{result=\"duplicate\"} 1") })

        // A client that never finishes its request head is cut off.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(c.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        let partial = "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        _ = partial.withCString { send(fd, $0, strlen($0), 0) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 64)
        let started = Date()
        let n = recv(fd, &buffer, buffer.count, 0)
        #expect(n == 0, "the slow client was not disconnected (recv returned \(n))")
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func afterARestartTheLastAppliedRevisionComesFromTheStore() async throws {
        let (repo, data) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let head = try repo.git("rev-parse", "HEAD")
        let first = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        _ = try await first.waitFor(15, "the first sync") { applied($0) == head }
        first.stop()
        let second = try await RunningController(repo: repo, data: data, args: ["--interval", "1s", "--service-latency", "0"])
        let s = try await second.waitFor(10, "the restart") { $0["role"] as? String == "leader" }
        let last = s["lastApplied"] as? [String: Any] ?? [:]
        #expect(last["revision"] as? Int == 1)
        #expect(last["commit"] as? String == head)
        func mode(_ path: String) throws -> Int {
            ((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
        }
        #expect(try mode(data) == 0o700)
        for name in ["tidemark.sqlite", "services.sqlite"] { #expect(try mode(data + "/" + name) == 0o600, "\(name)") }
        second.stop()
    }
}
