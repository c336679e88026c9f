import Foundation
import TidemarkTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `tidemark serve` left on an idle repository at a 1 ms interval: how much its resident
/// memory grows per 1,000 fetches once warm. A leak per fetch shows as a steady slope.
enum ServeSoak {
    struct Result {
        var fetches: Int
        var seconds: Double
        var startKB: Int
        var endKB: Int
        /// The process's peak resident memory (VmHWM), first sync included.
        var peakKB: Int
        /// The console's application page (the whole resource tree), fetched after the idle RSS
        /// was read: the fastest of three, and its size.
        var pageSeconds: Double?
        var pageBytes = 0
        /// RSS after the page was fetched.
        var pageKB = 0
        var kbPerThousand: Double { Double(endKB - startKB) / Double(max(1, fetches)) * 1000 }
    }

    /// `settle` seconds of idling after the last fetch counted, before the final RSS is read.
    static func run(tidemark: String, repo: String, data: String, warmup: Int = 500, fetches: Int = 5000, settle: Double = 0,
                    consolePage: Bool = false) async throws -> Result {
        try? FileManager.default.removeItem(atPath: data)
        let log = data + ".log"
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw BenchError("cannot create \(log)") }
        let process = try ChildProcess.start(tidemark, ["serve", "--repo", repo, "--data", data, "--interval", "1ms", "--listen", "127.0.0.1:0",
                                                        "--service-latency", "0", "--log-level", "warning"],
                                             stdout: .file(log), stderr: .standardOutput)
        defer { process.stop(SIGTERM) }
        var port: Int?
        for _ in 0..<600 where port == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[r].split(separator: ":").last ?? "")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        guard let port else { throw BenchError("serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
        let session = URLSession(configuration: .ephemeral)
        func fetchCount() async throws -> Int {
            guard let url = URL(string: "http://127.0.0.1:\(port)/metrics") else { throw BenchError("bad metrics URL") }
            let (body, _) = try await session.data(from: url)
            let line = String(decoding: body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("tidemark_fetch_duration_seconds_count") }
            return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? 0) } ?? 0
        }
        func waitFor(_ n: Int) async throws {
            let deadline = Date().addingTimeInterval(600)
            while try await fetchCount() < n {
                guard Date() < deadline, process.isRunning else { throw BenchError("serve stopped fetching: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(2000) ?? "")") }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        try await waitFor(warmup)
        let startCount = try await fetchCount()
        let startKB = rss(process.pid)
        let start = Date()
        try await waitFor(startCount + fetches)
        let endCount = try await fetchCount()
        if settle > 0 { try await Task.sleep(nanoseconds: UInt64(settle * 1_000_000_000)) }
        let endKB = rss(process.pid)
        let peakKB = rss(process.pid, field: "VmHWM:")
        var result = Result(fetches: endCount - startCount, seconds: Date().timeIntervalSince(start), startKB: startKB, endKB: endKB, peakKB: peakKB)
        if consolePage, let url = URL(string: "http://127.0.0.1:\(port)/apps/default") {
            for _ in 0..<3 {
                let t = Date()
                let (body, response) = try await session.data(from: url)
                guard (response as? HTTPURLResponse)?.statusCode == 200, body.count > 0 else { throw BenchError("the console page failed") }
                let seconds = Date().timeIntervalSince(t)
                result.pageSeconds = min(result.pageSeconds ?? seconds, seconds)
                result.pageBytes = body.count
            }
            result.pageKB = rss(process.pid)
        }
        return result
    }

    /// VmRSS of a process (or another field of its status, such as the peak VmHWM), in KB.
    static func rss(_ pid: Int32, field: String = "VmRSS:") -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
}
