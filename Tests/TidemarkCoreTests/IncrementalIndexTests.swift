import Testing
import TidemarkTesting
@testable import TidemarkCore

/// The incremental path (`RevisionIndex.updated`) must be indistinguishable from loading each
/// revision cold: the same desired state, diagnostics, graph, resolution and plan.
@Suite struct IncrementalIndexTests {
    /// A repository as path → text, changed by random commits.
    struct Repository {
        var files: [String: String]
        var rng: SplitMix64
        var generator: ManifestGenerator
        var nextUnit: Int

        init(seed: UInt64, units: Int) {
            generator = ManifestGenerator(seed: seed)
            files = generator.files(resources: units * 9)
            rng = SplitMix64(seed: seed &+ 1)
            nextUnit = units
        }

        mutating func pick<T>(_ items: [T]) -> T? {
            items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
        }

        func paths(_ suffix: String) -> [String] { files.keys.filter { $0.hasSuffix(suffix) }.sorted() }

        /// Replaces the first occurrence of `old` in `path`.
        mutating func replace(_ path: String, _ old: String, _ new: String) -> String? {
            guard let text = files[path], let range = text.range(of: old) else { return nil }
            files[path] = text.replacingCharacters(in: range, with: new)
            return "\(path): '\(old)' → '\(new)'"
        }

        func app(of path: String) -> String? {
            guard let dir = path.split(separator: "/").first(where: { $0.hasPrefix("app-") }), let n = Int(dir.dropFirst(4)) else { return nil }
            return "app\(n)"
        }

        /// One random change: an edit, a reference moved, a rename, a delete, an add, a move,
        /// a copy (duplicate identities) or a break (a file that no longer parses).
        mutating func mutate() -> String {
            let all = files.keys.sorted()
            switch rng.next() % 10 {
            case 0, 1:  // edit in place or forcing a replacement
                guard let path = pick(all) else { return "nothing" }
                let edits = [("LOG_LEVEL: \"", "LOG_LEVEL: \"1"), ("modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved"),
                             ("modelApprovalStatus: Approved", "modelApprovalStatus: Rejected"), ("waitIntervalInSeconds: ", "waitIntervalInSeconds: 1"),
                             ("Versions of", "Releases of"), ("enableOnlineStore: true", "enableOnlineStore: false"),
                             ("initialInstanceCount: ", "initialInstanceCount: 1"), ("volumeSizeInGB: 20", "volumeSizeInGB: 21")]
                for (old, new) in edits.shuffled(using: &rng) { if let done = replace(path, old, new) { return done } }
                return "no edit in \(path)"
            case 2:  // a reference points elsewhere
                guard let path = pick(paths("serving.yaml") + paths("monitoring.yaml")), let app = app(of: path),
                      let other = pick(paths("serving.yaml")).flatMap(self.app) else { return "nothing" }
                let choices = [("modelPackageName: \(app)-v1", "modelPackageName: \(app)-v2"), ("modelPackageName: \(app)-v", "modelPackageName: \(other)-v"),
                               ("modelName: \(app),", "modelName: \(other),"), ("endpointConfigName: \(app)", "endpointConfigName: \(other)"),
                               ("endpointName: \(app),", "endpointName: \(other),")]
                for (old, new) in choices.shuffled(using: &rng) { if let done = replace(path, old, new) { return done } }
                return "no reference in \(path)"
            case 3:  // a resource renamed (what referenced it dangles, or follows when renamed too)
                guard let path = pick(all), let app = app(of: path) else { return "nothing" }
                let suffix = "r\(rng.next() % 3)"
                let names = ["name: \(app)}", "name: \(app)-v1}", "name: \(app)-v2}", "name: \(app)-models}", "name: \(app)-features", "name: \(app)-quality}"]
                for old in names.shuffled(using: &rng) {
                    if let done = replace(path, old, old.replacingOccurrences(of: app, with: "\(app)\(suffix)")) { return done }
                }
                return "no name in \(path)"
            case 4:  // a file deleted
                guard let path = pick(all) else { return "nothing" }
                files[path] = nil
                return "deleted \(path)"
            case 5:  // a new application
                let u = nextUnit
                nextUnit += 1
                for (name, text, _) in generator.unit(u) { files["manifests/team-new/app-\(u)/\(name)"] = text }
                return "added app\(u)"
            case 6:  // a file moved
                guard let path = pick(all), let text = files[path] else { return "nothing" }
                files[path] = nil
                files["manifests/moved/\(rng.next() % 1000)-\(path.split(separator: "/").last ?? "x")"] = text
                return "moved \(path)"
            case 7:  // a file copied: every identity in it defined twice
                guard let path = pick(all), let text = files[path] else { return "nothing" }
                files["manifests/copies/\(rng.next() % 1000).yaml"] = text
                return "copied \(path)"
            case 8:  // a file broken, or mended
                guard let path = pick(all) else { return "nothing" }
                return replace(path, "spec:\n", "spec: [\n") ?? replace(path, "spec: [\n", "spec:\n") ?? "no spec in \(path)"
            default:  // an unknown field (a shape error): the resource drops out
                guard let path = pick(all) else { return "nothing" }
                return replace(path, "spec:\n", "spec:\n  tagz: 1\n") ?? replace(path, "spec:\n  tagz: 1\n", "spec:\n") ?? "nothing"
            }
        }

        var sourceFiles: [SourceFile] { files.sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, text: $0.value) } }
    }

    static func rendered(_ d: [Diagnostic]) -> [String] {
        d.map { "\($0.location.map(\.description) ?? "-") \($0.code) \($0.message)" }
    }

    static func expectSame(_ incremental: RevisionIndex, _ cold: RevisionIndex, _ what: String) {
        #expect(incremental.loaded.desired.ids == cold.loaded.desired.ids, "desired identities after \(what)")
        #expect(rendered(incremental.loaded.diagnostics) == rendered(cold.loaded.diagnostics), "diagnostics after \(what)")
        #expect(incremental.loaded.fileCount == cold.loaded.fileCount)
        #expect(incremental.graph.order == cold.graph.order, "graph order after \(what)")
        for id in cold.graph.order {
            #expect(incremental.graph.level[id] == cold.graph.level[id], "level of \(id) after \(what)")
            #expect(incremental.graph.dependencies[id] == cold.graph.dependencies[id], "dependencies of \(id) after \(what)")
        }
        #expect(incremental.resolved.count == cold.resolved.count, "resolved count after \(what)")
        for (id, want) in cold.resolved {
            guard let got = incremental.resolved[id] else {
                Issue.record("\(id) is not resolved incrementally after \(what)")
                continue
            }
            #expect(got.digest == want.digest && got.physicalName == want.physicalName && got.spec == want.spec
                    && got.referenceDigests == want.referenceDigests && got.location == want.location && got.policy == want.policy,
                    "resolution of \(id) after \(what)")
        }
    }

    /// The central property: 200 random commits, each applied to the index of the one before
    /// (so errors would accumulate), against a cold load of the same files.
    /// Async, yielding after each commit: the test process's few cooperative threads are
    /// shared with the end-to-end tests, which time their servers' answers.
    @Test func twoHundredRandomCommitsUpdateExactlyAsAColdLoadAndPlan() async {
        var repo = Repository(seed: 2026, units: 10)
        var before = repo.files
        var index = RevisionIndex(repo.sourceFiles)
        var previousCold = index
        var kinds = Set<String>()
        for commit in 1...200 {
            var what: [String] = []
            for _ in 0..<(1 + repo.rng.next() % 3) { what.append(repo.mutate()) }
            let described = "commit \(commit) (\(what.joined(separator: "; ")))"
            kinds.formUnion(what.compactMap { $0.split(separator: " ").first.map(String.init) })
            let changed = repo.files.filter { before[$0.key] != $0.value }.map { SourceFile(path: $0.key, text: $0.value) }
            let removed = before.keys.filter { repo.files[$0] == nil }
            let next = index.updated(changed: changed, removed: removed)
            let cold = RevisionIndex(repo.sourceFiles)
            Self.expectSame(next, cold, described)
            let incremental = Planner.changes(from: previousCold.side, to: next.side, candidates: next.touched)
            let full = Planner.changes(from: previousCold.side, to: cold.side)
            #expect(incremental.changes.map(\.id) == full.changes.map(\.id), "plan after \(described)")
            #expect(incremental.changes.map(\.action) == full.changes.map(\.action), "actions after \(described)")
            #expect(incremental.changes.map(\.diff) == full.changes.map(\.diff), "diffs after \(described)")
            #expect(incremental.unchanged == full.unchanged, "unchanged after \(described)")
            index = next
            previousCold = cold
            before = repo.files
            await Task.yield()
        }
        // The walk reached every kind of change, errors included.
        #expect(kinds.isSuperset(of: ["deleted", "added", "moved", "copied"]))
        #expect(index.loaded.desired.count > 50)
    }

    /// The same walk through the validator's cold path (`validate`, `graph`) agrees with the index.
    @Test func theIndexAndTheValidatorAgreeOnDiagnostics() async {
        var repo = Repository(seed: 99, units: 4)
        for _ in 0..<30 {
            _ = repo.mutate()
            let index = RevisionIndex(repo.sourceFiles)
            let loaded = RevisionLoader.load(repo.sourceFiles)
            #expect(Self.rendered(index.loaded.diagnostics) == Self.rendered(loaded.diagnostics))
            #expect(index.loaded.desired.ids == loaded.desired.ids)
            await Task.yield()
        }
    }
}
