import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore

/// A real store and real local services in a temporary folder, on a manual clock.
final class Harness {
    let folder: String
    let time = ManualTime()
    let store: SQLiteStore
    let services: LocalServices
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(latencies: Latencies = .standard) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-engine-\(UUID().uuidString)").path
        store = try SQLiteStore(folder: folder)
        services = try LocalServices(folder: folder, time: time, latencies: latencies)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    static let stackPaths = [
        "manifests/feature-store/transactions.yaml", "manifests/pipelines/fraud-training.yaml",
        "manifests/registry/fraud-models.yaml", "manifests/serving/fraud-detector.yaml",
        "manifests/monitoring/fraud-data-quality.yaml",
    ]
    static let featureStore = stackPaths[0], registry = stackPaths[2], serving = stackPaths[3], monitoring = stackPaths[4]

    /// The example stack with edits, validated.
    static func stack(_ edits: [(String, String, String)] = [], without: [String] = []) throws -> DesiredState {
        let files = stackPaths.filter { !without.contains($0) }.map { path -> SourceFile in
            var text = (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
            for (p, old, new) in edits where p == path {
                precondition(text.contains(old), "edit did not match: \(old)")
                text = text.replacingOccurrences(of: old, with: new)
            }
            return SourceFile(path: path, text: text)
        }
        let loaded = RevisionLoader.load(files)
        guard !loaded.hasErrors else { throw HarnessError(message: "\(loaded.diagnostics)") }
        return loaded.desired
    }

    struct HarnessError: Error { let message: String }

    func plan(_ desired: DesiredState, prune: Bool = false) async throws -> LivePlan {
        try await LivePlanner.plan(desired: desired, head: PlanSide(revision: "HEAD", commit: "c0ffee"), path: "manifests",
                                   inventory: try store.inventory(), backend: services, prune: prune)
    }

    @discardableResult
    func apply(_ desired: DesiredState, prune: Bool = false, configure: (inout ApplyOptions) -> Void = { _ in }) async throws -> ApplyResult {
        let live = try await plan(desired, prune: prune)
        var options = ApplyOptions()
        options.actor = "test"
        configure(&options)
        let number = try store.beginRevision(commit: "c0ffee", reference: "HEAD", path: "manifests", actor: "test",
                                             trigger: .cli, planDigest: "", at: time.now())
        let result = await Applier(backend: services, store: store, time: time, options: options, revision: number,
                                   commit: "c0ffee", progress: { _ in }).run(live)
        try store.finishRevision(number, outcome: result.outcome, message: "", at: time.now())
        return result
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
