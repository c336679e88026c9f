import Foundation
import TidemarkCore

/// The repository's own example stack (`manifests/`), read from disk, as test fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let stackPaths = [
        "manifests/feature-store/transactions.yaml",
        "manifests/pipelines/fraud-training.yaml",
        "manifests/registry/fraud-models.yaml",
        "manifests/serving/fraud-detector.yaml",
        "manifests/monitoring/fraud-data-quality.yaml",
    ]

    static func text(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }

    /// The example stack with `edits` applied: (path, old text, new text).
    static func stack(_ edits: [(String, String, String)] = []) -> [SourceFile] {
        stackPaths.map { path in
            var text = text(path)
            for (p, old, new) in edits where p == path {
                precondition(text.contains(old), "fixture edit did not match: \(old)")
                text = text.replacingOccurrences(of: old, with: new)
            }
            return SourceFile(path: path, text: text)
        }
    }

    static func load(_ edits: [(String, String, String)] = []) -> LoadedRevision {
        RevisionLoader.load(stack(edits))
    }

    static let featureStore = "manifests/feature-store/transactions.yaml"
    static let pipeline = "manifests/pipelines/fraud-training.yaml"
    static let registry = "manifests/registry/fraud-models.yaml"
    static let serving = "manifests/serving/fraud-detector.yaml"
    static let monitoring = "manifests/monitoring/fraud-data-quality.yaml"
}
