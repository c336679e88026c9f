/// The manifests of one revision after decoding and validation.
public struct LoadedRevision: Sendable {
    public var desired: DesiredState
    public var diagnostics: [Diagnostic]
    public var fileCount: Int

    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Decodes the files of one or more revisions, each distinct blob once and in parallel, then
/// validates each revision as a whole.
public enum RevisionLoader {
    public static func load(_ files: [SourceFile], limits: YAMLLimits = YAMLLimits()) -> LoadedRevision {
        load([files], limits: limits)[0]
    }

    /// Loads several revisions at once; files with the same blob id are decoded only once
    /// (a pull request's base and head share almost every blob).
    public static func load(_ revisions: [[SourceFile]], limits: YAMLLimits = YAMLLimits()) -> [LoadedRevision] {
        var unique: [SourceFile] = []
        var slot: [String: Int] = [:]
        var slots: [[Int]] = []
        for files in revisions {
            var mine: [Int] = []
            for f in files {
                let key = f.blobID.map { "blob:\($0):\(f.path)" } ?? "file:\(unique.count)"
                if let i = slot[key] { mine.append(i); continue }
                slot[key] = unique.count
                mine.append(unique.count)
                unique.append(f)
            }
            slots.append(mine)
        }
        let decoded = decodeConcurrently(unique, limits: limits)
        return slots.map { indices in
            var manifests: [Manifest] = []
            var diagnostics: [Diagnostic] = []
            for i in indices {
                manifests += decoded[i].manifests
                diagnostics += decoded[i].diagnostics
            }
            let validated = Validator.validate(manifests)
            return LoadedRevision(desired: validated.desired,
                                  diagnostics: (diagnostics + validated.diagnostics).sortedForDisplay(),
                                  fileCount: indices.count)
        }
    }

    static func decodeConcurrently(_ files: [SourceFile], limits: YAMLLimits) -> [ManifestDecoder.Result] {
        Striped.map(files.count, workers: max(1, min(files.count, 8)), minimum: 2, state: { PatternMemo() }) { i, memo in
            ManifestDecoder.decode(files[i], limits: limits, memo: memo)
        }
    }
}
