import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore
import TidemarkTesting

/// A real store and real local services in a temporary folder, on a manual clock, composed
/// into a `Reconciler` as the CLI and the controller compose them.
final class Harness {
    let folder: String
    let time = ManualTime()
    let store: SQLiteStore
    let services: LocalServices
    let reconciler: Reconciler
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let commit = Commit(id: String(repeating: "c0ffee", count: 7).prefix(40).description, summary: "test")

    /// With `lease`, the harness's store holds the lease (every store write is fenced by it).
    init(latencies: Latencies = .standard, lease: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-engine-\(UUID().uuidString)").path
        store = try SQLiteStore(folder: folder, time: time)
        services = try LocalServices(folder: folder, time: time, latencies: latencies)
        reconciler = Reconciler(source: InMemorySource(), backend: services, store: store, time: time)
        if lease { try store.acquireLeaseNow() }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    static let stackPaths = [
        "manifests/feature-store/transactions.yaml", "manifests/pipelines/fraud-training.yaml",
        "manifests/registry/fraud-models.yaml", "manifests/serving/fraud-detector.yaml",
        "manifests/monitoring/fraud-data-quality.yaml",
    ]
    static let featureStore = stackPaths[0], registry = stackPaths[2], serving = stackPaths[3], monitoring = stackPaths[4]

    /// The example stack's files with edits.
    static func stackFiles(_ edits: [(String, String, String)] = [], without: [String] = []) throws -> [SourceFile] {
        try stackPaths.filter { !without.contains($0) }.map { path -> SourceFile in
            var text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            for (p, old, new) in edits where p == path {
                guard text.contains(old) else { throw HarnessError(message: "edit did not match: \(old)") }
                text = text.replacingOccurrences(of: old, with: new)
            }
            return SourceFile(path: path, text: text)
        }
    }

    /// The example stack with edits, loaded and validated.
    static func stack(_ edits: [(String, String, String)] = [], without: [String] = []) throws -> RevisionIndex {
        let index = RevisionIndex(try stackFiles(edits, without: without))
        guard !index.loaded.hasErrors else { throw HarnessError(message: "\(index.loaded.diagnostics)") }
        return index
    }

    struct HarnessError: Error { let message: String }

    static let origin = RevisionOrigin(commit: commit, reference: "HEAD", path: "manifests")

    func plan(_ index: RevisionIndex, prune: Bool = false) async throws -> LivePlan {
        try await reconciler.plan(index, origin: Self.origin, prune: prune)
    }

    /// Plans and applies through the Reconciler, as a new revision.
    @discardableResult
    func apply(_ index: RevisionIndex, prune: Bool = false, configure: (inout ApplyOptions) -> Void = { _ in }) async throws -> ApplyResult {
        var options = ApplyOptions()
        options.actor = "test"
        configure(&options)
        let outcome = try await reconciler.reconcile(index, origin: Self.origin, prune: prune, options: options, pin: .lift,
                                                     confirm: { _ in true }, progress: { _ in })
        switch outcome {
        case .applied(_, let report): return report.result
        case .upToDate: return ApplyResult(outcome: .succeeded)
        case .blocked(let plan): throw HarnessError(message: "blocked: \(plan.blocked)")
        case .refused(_, let refusals): throw HarnessError(message: "refused: \(refusals)")
        case .declined: throw HarnessError(message: "declined")
        }
    }

    /// Every live object, by kind and name, with its spec and status: to compare whole states.
    func snapshot() async throws -> [String: Value] {
        var out: [String: Value] = [:]
        for kind in ResourceKind.allCases {
            for o in try await services.list(kind) {
                out["\(kind.rawValue)/\(o.name)"] = .object(sorting: [.init("spec", o.spec), .init("status", o.status.map(Value.string) ?? .null)])
            }
        }
        return out
    }
}
