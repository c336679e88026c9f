import Foundation

/// Runs a command as a child process and measures its wall time and peak resident memory
/// (from wait4's rusage, per child).
enum Measurement {
    struct Sample {
        var seconds: Double
        var peakRSSKB: Int
        var status: Int32
        var stdout: String
    }

    static func run(_ args: [String], env: [String: String] = [:]) throws -> Sample {
        var pid: pid_t = 0
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        let outPath = NSTemporaryDirectory() + "tidemark-bench-\(UUID().uuidString).out"
        posix_spawn_file_actions_addopen(&fileActions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        defer { unlink(outPath) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (k, v) in env { environment[k] = v }
        let cArgs = args.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        let start = DispatchTime.now()
        let rc = posix_spawn(&pid, args[0], &fileActions, nil, cArgs, cEnv)
        guard rc == 0 else { throw BenchError("cannot run \(args[0]): error \(rc)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        return Sample(seconds: seconds, peakRSSKB: Int(usage.ru_maxrss), status: exit, stdout: out)
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
