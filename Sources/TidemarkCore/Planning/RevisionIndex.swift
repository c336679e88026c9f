/// A loaded, validated and resolved revision that can be moved to a nearby revision by
/// re-reading only the files that changed: what a long-running controller keeps between
/// commits, so a one-file commit costs time in proportion to the change.
public struct RevisionIndex: Sendable {
    /// Decoded documents per file, with the blob they came from.
    public private(set) var files: [String: (blobID: String?, decoded: ManifestDecoder.Result)]
    public private(set) var loaded: LoadedRevision
    public private(set) var graph: DependencyGraph
    public private(set) var resolved: [ResourceID: ResolvedResource]
    /// Resources whose resolution changed in the last `updated(...)` (all of them after `init`).
    public private(set) var touched: Set<ResourceID>

    public init(_ files: [SourceFile], limits: YAMLLimits = YAMLLimits()) {
        let decoded = RevisionLoader.decodeConcurrently(files, limits: limits)
        var map: [String: (String?, ManifestDecoder.Result)] = [:]
        for (f, d) in zip(files, decoded) { map[f.path] = (f.blobID, d) }
        self.files = map
        (loaded, graph, resolved) = Self.assemble(map)
        touched = Set(resolved.keys)
    }

    static func assemble(_ files: [String: (blobID: String?, decoded: ManifestDecoder.Result)])
        -> (LoadedRevision, DependencyGraph, [ResourceID: ResolvedResource]) {
        let (loaded, graph) = validate(files)
        return (loaded, graph, Resolution.resolve(loaded.desired, graph: graph))
    }

    static func validate(_ files: [String: (blobID: String?, decoded: ManifestDecoder.Result)],
                         graph known: DependencyGraph? = nil) -> (LoadedRevision, DependencyGraph) {
        var manifests: [Manifest] = []
        var diagnostics: [Diagnostic] = []
        for (_, f) in files {
            manifests += f.decoded.manifests
            diagnostics += f.decoded.diagnostics
        }
        let validated = Validator.validate(manifests)
        let loaded = LoadedRevision(desired: validated.desired, diagnostics: (diagnostics + validated.diagnostics).sortedForDisplay(),
                                    fileCount: files.count)
        return (loaded, known ?? DependencyGraph(validated.desired))
    }

    /// The index of a revision that differs from this one in `changed` files (new or
    /// modified) and `removed` paths. Only those files are decoded; only resources defined
    /// in them, or depending on a resource whose digest changed, are resolved again.
    public func updated(changed: [SourceFile], removed: [String], limits: YAMLLimits = YAMLLimits()) -> RevisionIndex {
        var next = self
        var dirtyFiles = Set(removed)
        for path in removed { next.files[path] = nil }
        let decoded = RevisionLoader.decodeConcurrently(changed, limits: limits)
        for (f, d) in zip(changed, decoded) {
            next.files[f.path] = (f.blobID, d)
            dirtyFiles.insert(f.path)
        }
        // Identities and references unchanged in the changed files: the graph is too.
        func shape(_ results: [ManifestDecoder.Result?]) -> [String] {
            results.compactMap { $0 }.flatMap(\.manifests).map { m in
                "\(m.id)>" + m.references.map { "\($0.kind.rawValue)/\($0.name)" }.sorted().joined(separator: ",")
            }.sorted()
        }
        let sameGraph = shape(dirtyFiles.map { files[$0]?.decoded }) == shape(dirtyFiles.map { next.files[$0]?.decoded })
        let (loaded, rebuilt) = Self.validate(next.files, graph: sameGraph ? graph : nil)
        let graph = rebuilt
        next.loaded = loaded
        next.graph = graph
        var resolved: [ResourceID: ResolvedResource] = [:]
        resolved.reserveCapacity(loaded.desired.count)
        var touched: Set<ResourceID> = []
        for id in graph.order {
            guard let m = loaded.desired[id] else { continue }
            let depsSame = (graph.dependencies[id] ?? []).allSatisfy { !touched.contains($0) }
            if !dirtyFiles.contains(m.location.file), depsSame, let previous = self.resolved[id],
               Set(previous.referenceDigests.keys) == Set(graph.dependencies[id] ?? []) {
                resolved[id] = previous
                continue
            }
            let r = Resolution.resolveOne(m, graph: graph, resolved: resolved)
            if self.resolved[id].map({ $0.digest != r.digest || $0.spec != r.spec || $0.policy != r.policy || $0.location != r.location }) ?? true {
                touched.insert(id)
            }
            resolved[id] = r
        }
        for id in self.resolved.keys where resolved[id] == nil { touched.insert(id) }
        next.resolved = resolved
        next.touched = touched
        return next
    }

    /// The planner's view of this revision.
    public var side: Planner.Side { Planner.Side(resources: resolved, order: graph.order) }
}
