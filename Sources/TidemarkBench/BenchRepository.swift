import Foundation
import TidemarkTesting

/// A generated repository with its three commits: everything, one file changed, 1 % changed.
struct BenchRepository {
    let path: String
    let resources: Int
    let files: Int
    let base: String, oneFile: String, onePercent: String

    static func create(at path: String, resources: Int, seed: UInt64) throws -> BenchRepository {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var g = ManifestGenerator(seed: seed)
        let files = g.files(resources: resources)
        for (p, text) in files { try write(path, p, text) }
        try git(path, "init", "-q", "-b", "main")
        // No automatic gc in the background: it would collide with the explicit one below.
        try git(path, "config", "gc.auto", "0")
        let base = try commit(path, "generated: \(resources) resources")
        // One file: a model's environment changes (a replacement that cascades).
        let servings = files.keys.filter { $0.hasSuffix("serving.yaml") }.sorted()
        let target = servings[servings.count / 2]
        try write(path, target, files[target]!.replacingOccurrences(of: "environment: {LOG_LEVEL: \"", with: "environment: {LOG_LEVEL: \"9"))
        let oneFile = try commit(path, "one file")
        // 1 %: features added to feature groups (in place).
        let groups = files.keys.filter { $0.hasSuffix("features.yaml") }.sorted()
        for p in groups.prefix(max(1, resources / 100)) {
            let text = try String(contentsOfFile: (path as NSString).appendingPathComponent(p), encoding: .utf8)
            try write(path, p, text.replacingOccurrences(of: "  onlineStoreConfig:", with: "    - {featureName: added_feature, featureType: Fractional}\n  onlineStoreConfig:"))
        }
        let onePercent = try commit(path, "one percent")
        try git(path, "gc", "-q")
        return BenchRepository(path: path, resources: resources, files: files.count, base: base, oneFile: oneFile, onePercent: onePercent)
    }

    static func write(_ root: String, _ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    static func commit(_ path: String, _ message: String) throws -> String {
        try git(path, "add", "-A")
        try git(path, "-c", "user.email=bench@tidemark.dev", "-c", "user.name=bench", "commit", "-q", "-m", message)
        return try git(path, "rev-parse", "HEAD")
    }

    @discardableResult
    static func git(_ path: String, _ args: String...) throws -> String {
        do {
            return try ChildProcess.run("/usr/bin/env", ["git", "-C", path] + args).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let failed as ChildProcess.Failed {
            throw BenchError("git \(args.joined(separator: " ")) failed: \(failed.description)")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
