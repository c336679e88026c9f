import ArgumentParser
import CMalloc
import Foundation

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidemark-bench",
        abstract: "Measure Tidemark against the floor (read + parse) on generated repositories.",
        subcommands: [RunCommand.self, FloorProbe.self, ReplanProbe.self, ApplyProbe.self, SoakCommand.self],
        defaultSubcommand: RunCommand.self)
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Generate, measure, print the table, write JSON.")

    @Option(help: "Resource counts, comma-separated.") var sizes = "1000,10000"
    @Flag(help: "Also measure 100,000 resources.") var large = false
    @Option(help: "Runs per step (the median is reported).") var runs = 5
    @Option(help: "Runs of the apply step, which is the slowest.") var applyRuns = 3
    @Option(help: "Where repositories, state and results go.") var out = "bench-out"
    @Option(help: "Generator seed.") var seed: UInt64 = 42
    @Option(help: "Applications × resources for the fleet run on PostgreSQL, or 'none'.") var fleet = "100x100"
    @Option(help: "Replicas in the fleet run.") var fleetReplicas = 3

    struct Row: Codable {
        var step: String
        var seconds: Double
        var ratio: Double
        var peakRSSMB: Double
        var note: String
    }

    func run() async throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let bin = me.deletingLastPathComponent()
        let tidemark = bin.appendingPathComponent("tidemark").path
        let bench = me.path
        guard FileManager.default.isExecutableFile(atPath: tidemark) else { throw BenchError("no tidemark binary beside \(bench)") }
        let outDir = URL(fileURLWithPath: out).standardizedFileURL
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        var counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if large { counts.append(100_000) }
        var report: [String: [Row]] = [:]
        var replans: [Int: Double] = [:]
        var indexUpdates: [Int: Double] = [:]
        var machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / (1 << 30)) GiB"
        if let model = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8).split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = model.split(separator: ":").last {
            machine += ", " + name.trimmingCharacters(in: .whitespaces)
        }
        // Both executables, and so the floor and every step, allocate with it.
        let version = mi_version()
        machine += "; mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        print("tidemark bench — \(machine); \(runs) runs per step (apply: \(applyRuns)), medians")
        for n in counts {
            let repoPath = outDir.appendingPathComponent("repo-\(n)").path
            let repo = try BenchRepository.create(at: repoPath, resources: n, seed: seed)
            print("\nN = \(n) resources in \(repo.files) files (\(repoPath))")
            func sample(_ args: [String], runs: Int, env: [String: String] = [:], expect: Set<Int32> = [0],
                        before: () throws -> Void = {}) throws -> (seconds: Double, rss: Double, outputs: [String]) {
                var times: [Double] = [], rss: [Double] = [], outputs: [String] = []
                for _ in 0..<runs {
                    try before()
                    let s = try Measurement.run(args, env: env)
                    guard expect.contains(s.status) else { throw BenchError("\(args.joined(separator: " ")) exited \(s.status)") }
                    times.append(s.seconds)
                    rss.append(Double(s.peakRSSKB) / 1024)
                    outputs.append(s.stdout)
                }
                return (Measurement.median(times), Measurement.median(rss), outputs)
            }
            func internalSeconds(_ outputs: [String], _ key: String) -> Double {
                Measurement.median(outputs.compactMap { text in
                    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?[key] as? Double
                })
            }
            let planOut = outDir.appendingPathComponent("plan-\(n).json").path
            let floor = try sample([bench, "floor", "--repo", repoPath, "--rev", repo.onePercent], runs: runs)
            var rows: [Row] = []
            func add(_ step: String, _ seconds: Double, _ rss: Double, _ note: String = "") {
                let row = Row(step: step, seconds: seconds, ratio: seconds / floor.seconds, peakRSSMB: rss, note: note)
                rows.append(row)
                let pad = step.padding(toLength: 44, withPad: " ", startingAt: 0)
                print("  \(pad) \(String(format: "%8.3f s  %6.2f×  %6.1f MB", seconds, row.ratio, rss))  \(note)")
            }
            add("floor (libgit2 read + libyaml parse)", floor.seconds, floor.rss)
            let validate = try sample([tidemark, "validate", "--repo", repoPath, "--rev", repo.onePercent], runs: runs)
            add("validate, cold", validate.seconds, validate.rss)
            let plan = try sample([tidemark, "plan", "--repo", repoPath, "--rev", repo.onePercent, "--base", repo.base, "--format", "json", "--out", planOut], runs: runs)
            add("plan --base, cold (1% changed)", plan.seconds, plan.rss)
            let coldOne = try sample([tidemark, "plan", "--repo", repoPath, "--rev", repo.oneFile, "--base", repo.base, "--format", "json", "--out", planOut], runs: runs)
            add("plan --base, cold (one file changed)", coldOne.seconds, coldOne.rss)
            let replan = try sample([bench, "replan", "--repo", repoPath, "--from", repo.base, "--to", repo.oneFile], runs: runs)
            let replanSeconds = internalSeconds(replan.outputs, "seconds")
            add("replan after one-file commit (incremental)", replanSeconds, replan.rss,
                String(format: "%.1f%% of the cold plan; git's diff %.1f ms, the index %.1f ms", replanSeconds / plan.seconds * 100,
                       internalSeconds(replan.outputs, "git") * 1000, internalSeconds(replan.outputs, "update") * 1000))
            let data = outDir.appendingPathComponent("state-\(n)").path
            let apply = try sample([bench, "apply", "--repo", repoPath, "--rev", repo.base, "--data", data], runs: applyRuns,
                                   before: { try? FileManager.default.removeItem(atPath: data) })
            let applySeconds = internalSeconds(apply.outputs, "seconds")
            let moduleSeconds = internalSeconds(apply.outputs, "moduleSeconds")
            let overhead = (applySeconds - moduleSeconds) / moduleSeconds
            add("apply all into empty services (0 latency)", applySeconds, apply.rss,
                String(format: "%.0f resources/s; engine %.0f%% of module time", Double(n) / applySeconds, overhead * 100))
            let noop = try sample([tidemark, "plan", "--repo", repoPath, "--rev", repo.base, "--data", data, "--service-latency", "0", "--detailed-exitcode"], runs: runs)
            add("plan against live state, no changes", noop.seconds, noop.rss)
            if n >= 10_000 {
                // Serve at this size: the first sync applies everything, then idle passes.
                let serve = try await ServeSoak.run(tidemark: tidemark, repo: repoPath, data: outDir.appendingPathComponent("serve-\(n)").path,
                                                    warmup: 20, fetches: 20, settle: 8, consolePage: true)
                add("serve: RSS after the first sync, idle", serve.seconds, Double(serve.endKB) / 1024,
                    String(format: "peak %.0f MB during the first sync and the pass after it", Double(serve.peakKB) / 1024))
                if let page = serve.pageSeconds {
                    add("console: application page (\(n / 1000)k-resource tree)", page, Double(serve.pageKB) / 1024,
                        String(format: "%.1f MB of HTML, fastest of 3 over loopback", Double(serve.pageBytes) / 1_048_576))
                }
                replans[n] = replanSeconds
                indexUpdates[n] = internalSeconds(replan.outputs, "update")
                print("  targets at \(n / 1000)k:")
                func check(_ ok: Bool, _ text: String) { print("    \(ok ? "met   " : "MISSED") \(text)") }
                check(plan.seconds <= 2 * floor.seconds, String(format: "cold plan within 2× the floor (%.2f×)", plan.seconds / floor.seconds))
                check(replanSeconds <= 0.02 * plan.seconds, String(format: "one-file replan at most 2%% of the cold plan (%.2f%%)", replanSeconds / plan.seconds * 100))
                check(overhead <= 0.2, String(format: "engine at most 20%% of module time (%.0f%%)", overhead * 100))
                check(noop.seconds <= 3 * floor.seconds, String(format: "plan against live state, no changes, within 3× the floor (%.2f×)", noop.seconds / floor.seconds))
                if let page = serve.pageSeconds {
                    check(page < 1, String(format: "console page for %dk resources rendered in under a second (%.2f s)", n / 1000, page))
                }
                if n == 10_000 {
                    check(serve.endKB <= 150 * 1024, String(format: "serve memory at most 150 MB (%.0f MB idle after the first sync; peak %.0f MB)",
                                                             Double(serve.endKB) / 1024, Double(serve.peakKB) / 1024))
                }
            }
            report["\(n)"] = rows
        }
        if let small = indexUpdates[10_000], let large = indexUpdates[100_000] {
            print(String(format: "\n  %@ the index's update flat from 10k to 100k (%.2f ms → %.2f ms, %.2f×)", large <= 2 * small ? "met   " : "MISSED",
                         small * 1000, large * 1000, large / small))
        }
        if let small = replans[10_000], let large = replans[100_000] {
            print(String(format: "\n  %@ one-file replan flat from 10k to 100k (%.1f ms → %.1f ms, %.2f×)", large <= 2 * small ? "met   " : "MISSED",
                         small * 1000, large * 1000, large / small))
        }
        if let n = counts.first {
            let soakData = outDir.appendingPathComponent("soak-\(n)").path
            let soak = try await ServeSoak.run(tidemark: tidemark, repo: outDir.appendingPathComponent("repo-\(n)").path, data: soakData)
            print("\nserve soak (repo-\(n), idle, 1 ms interval): \(soak.fetches) fetches in \(String(format: "%.1f", soak.seconds)) s; RSS \(soak.startKB / 1024) → \(soak.endKB / 1024) MB")
            print(String(format: "  %@ RSS growth %.0f KB per 1,000 fetches (target: under 1,024 KB)", soak.kbPerThousand < 1024 ? "met   " : "MISSED", soak.kbPerThousand))
            report["soak"] = [Row(step: "serve soak: RSS growth per 1,000 fetches (KB)", seconds: soak.seconds, ratio: soak.kbPerThousand,
                                  peakRSSMB: Double(soak.endKB) / 1024, note: "\(soak.fetches) fetches")]
        }
        let fleetSize = fleet.split(separator: "x").compactMap { Int($0) }
        if fleetSize.count == 2, fleetSize.allSatisfy({ $0 > 0 }) {
            let (apps, each) = (fleetSize[0], fleetSize[1])
            print("\nfleet: \(apps) applications × \(each) resources, \(fleetReplicas) replicas on PostgreSQL, one services serve (0 latency), 4 workers each")
            let r = try await FleetBench.run(tidemark: tidemark, out: outDir.path, apps: apps, resources: each, replicas: fleetReplicas, seed: seed)
            let peak = Double(r.peakRSSKB.max() ?? 0) / 1024
            func line(_ step: String, _ seconds: Double, _ note: String) -> Row {
                print("  \(step.padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%8.3f s", seconds))  \(note)")
                return Row(step: step, seconds: seconds, ratio: 0, peakRSSMB: peak, note: note)
            }
            report["fleet"] = [
                line("first sync of every application", r.firstSyncSeconds,
                     String(format: "%.0f resources/s; leaders per replica %@; peak RSS per replica %@ MB", r.throughput,
                            r.leadersPerReplica.map(String.init).joined(separator: "/"), r.peakRSSKB.map { String($0 / 1024) }.joined(separator: "/"))),
                line("commit→Synced after a webhook, median", r.percentile(0.5), "all \(apps) applications committed at once"),
                line("commit→Synced after a webhook, p95", r.percentile(0.95), ""),
                line("commit→Synced after a webhook, max", r.percentile(1), ""),
            ]
        }
        let json = try JSONEncoder().encode(["machine": [Row(step: machine, seconds: 0, ratio: 0, peakRSSMB: 0, note: "")]].merging(report) { a, _ in a })
        try json.write(to: outDir.appendingPathComponent("results.json"))
        print("\nwrote \(outDir.appendingPathComponent("results.json").path)")
    }
}

/// The serve soak alone: `tidemark-bench soak --repo DIR`.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "RSS growth of an idle `tidemark serve` per 1,000 fetches.")
    @Option var repo: String
    @Option var data = "bench-out/soak"
    @Option var fetches = 5000

    func run() async throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let tidemark = me.deletingLastPathComponent().appendingPathComponent("tidemark").path
        let soak = try await ServeSoak.run(tidemark: tidemark, repo: URL(fileURLWithPath: repo).standardizedFileURL.path,
                                           data: URL(fileURLWithPath: data).standardizedFileURL.path, fetches: fetches)
        print(String(format: "%d fetches in %.1f s; RSS %d → %d KB; %.0f KB per 1,000 fetches", soak.fetches, soak.seconds, soak.startKB, soak.endKB, soak.kbPerThousand))
    }
}
