import HashTreeCollections

/// A loaded, validated and resolved revision that can be moved to a nearby revision by
/// re-reading only the files that changed: what a long-running controller keeps between
/// commits. Every part is kept per file or per resource in persistent maps, so an update
/// decodes, validates and resolves only the changed resources and their neighbours, and
/// costs the same at 10,000 resources as at 100,000.
public struct RevisionIndex: Sendable {
    public struct File: Sendable {
        public var blobID: String?
        public var decoded: ManifestDecoder.Result
    }

    /// Decoded documents per file, with the blob they came from.
    public private(set) var files: TreeDictionary<String, File>
    public private(set) var loaded: LoadedRevision
    public private(set) var graph: DependencyGraph
    public private(set) var resolved: ResourceMap<ResolvedResource>
    /// Resources whose resolution changed in the last `updated(...)`; nil after `init`, where
    /// every resource is new (a plan compares them all, with no set of every identity built).
    public private(set) var touched: Set<ResourceID>?

    /// The files that define each identity (a path twice when a file defines it twice).
    var definers: ResourceMap<[String]>
    /// Diagnostics by where they come from; only entries that have some are kept.
    var fileDiagnostics: TreeDictionary<String, [Diagnostic]>
    var duplicates: ResourceMap<[Diagnostic]>
    var checks: ResourceMap<[Diagnostic]>
    var dangling: ResourceMap<[Reference]>

    public init(_ files: [SourceFile], limits: YAMLLimits = YAMLLimits()) {
        let decoded = RevisionLoader.decodeConcurrently(files, limits: limits)
        // Nearly every identity has one definition: it wins without a search. Only those
        // defined more than once go through `pick`. The two halves of the files are mapped
        // side by side, one per core, and joined structurally.
        let middle = decoded.count / 2
        let (first, second) = Striped.both({ Self.definitions(decoded[..<middle]) }, { Self.definitions(decoded[middle...]) })
        var winners = first.map
        var contested = first.contested + second.contested
        winners.merge(second.map) { kept, _ in
            contested.append(kept.id)
            return kept
        }
        // The per-file tables an update reads with the rules' findings, and the dependency
        // graph, side by side: all serial work (the rules split over the cores on their own, but
        // a split inside a split runs on one core). The state is final at once unless some
        // identity is defined twice; then the rules and the graph wait for `pick`. The
        // resolution splits over the cores at the top level, after.
        let settled = contested.isEmpty ? DesiredState(winners) : nil
        let ((tables, early), earlyGraph) = Striped.both(
            { (Tables(files, decoded), settled.map { Self.check(Array($0.manifests.values), in: $0) }) },
            { settled.map { DependencyGraph($0) } })
        var state = settled ?? DesiredState(winners)
        var duplicates = ResourceMap<[Diagnostic]>()
        for id in Set(contested) {
            let (winner, extra) = Self.pick(id, tables.definers[id] ?? [], tables.files)
            state[id] = winner
            if !extra.isEmpty { duplicates[id] = extra }
        }
        let (checks, dangling) = early ?? Self.check(Array(state.manifests.values), in: state)
        self.files = tables.files
        self.definers = tables.definers
        self.fileDiagnostics = tables.fileDiagnostics
        self.duplicates = duplicates
        self.checks = checks
        self.dangling = dangling
        self.graph = earlyGraph ?? DependencyGraph(state)
        self.loaded = LoadedRevision(desired: state, diagnostics: [], fileCount: tables.files.count)
        self.resolved = Resolution.resolve(state, graph: graph)
        self.touched = nil
        self.loaded.diagnostics = gatherDiagnostics()
    }

    /// Each identity's manifest in `decoded` (one of them, when several define it), and the
    /// identities defined more than once.
    static func definitions(_ decoded: ArraySlice<ManifestDecoder.Result>) -> (map: ResourceMap<Manifest>, contested: [ResourceID]) {
        var map = ResourceMap<Manifest>()
        var contested: [ResourceID] = []
        for d in decoded {
            for m in d.manifests where map.updateValue(m, forKey: m.id) != nil { contested.append(m.id) }
        }
        return (map, contested)
    }

    /// Decoded documents per file, who defines each identity, and each file's diagnostics.
    struct Tables: Sendable {
        var files = TreeDictionary<String, File>()
        var definers = ResourceMap<[String]>()
        var fileDiagnostics = TreeDictionary<String, [Diagnostic]>()

        init(_ sources: [SourceFile], _ decoded: [ManifestDecoder.Result]) {
            for (f, d) in zip(sources, decoded) {
                files[f.path] = File(blobID: f.blobID, decoded: d)
                for m in d.manifests { definers[m.id, default: []].append(f.path) }
                if !d.diagnostics.isEmpty { fileDiagnostics[f.path] = d.diagnostics }
            }
        }
    }

    /// The kinds' cross-resource rules and the dangling references of each of `manifests`,
    /// on both cores: each reads the state and nothing else.
    static func check(_ manifests: [Manifest], in state: DesiredState) -> (ResourceMap<[Diagnostic]>, ResourceMap<[Reference]>) {
        let found = Striped.map(manifests.count, minimum: 256) { i in
            (checks: Validator.check(manifests[i], in: state), dangling: Validator.danglingReferences(of: manifests[i], in: state))
        }
        var checks = ResourceMap<[Diagnostic]>()
        var dangling = ResourceMap<[Reference]>()
        for (m, found) in zip(manifests, found) {
            if !found.checks.isEmpty { checks[m.id] = found.checks }
            if !found.dangling.isEmpty { dangling[m.id] = found.dangling }
        }
        return (checks, dangling)
    }

    /// The definition of `id` that counts among those in `paths`, and diagnostics at the others.
    static func pick(_ id: ResourceID, _ paths: [String], _ files: TreeDictionary<String, File>) -> (Manifest?, [Diagnostic]) {
        var definitions: [Manifest] = []
        for path in paths.count == 1 ? paths : Array(Set(paths)) {
            for m in files[path]?.decoded.manifests ?? [] where m.id == id { definitions.append(m) }
        }
        return Validator.pick(definitions)
    }

    func gatherDiagnostics() -> [Diagnostic] {
        var all: [Diagnostic] = []
        for (_, d) in fileDiagnostics { all += d }
        for (_, d) in duplicates { all += d }
        for (_, d) in checks { all += d }
        all += Validator.danglingDiagnostics(dangling.values.flatMap { $0 }, in: loaded.desired)
        return all.sortedForDisplay()
    }

    /// The index of a revision that differs from this one in `changed` files (new or
    /// modified) and `removed` paths. Only those files are decoded; only the resources they
    /// define, and those referencing them, are validated again; only those, and what depends
    /// on a resource whose digest changed, are resolved again.
    public func updated(changed: [SourceFile], removed: [String], limits: YAMLLimits = YAMLLimits()) -> RevisionIndex {
        var next = self
        let decoded = RevisionLoader.decodeConcurrently(changed, limits: limits)
        var dirty: [(path: String, file: File?)] = removed.map { ($0, nil) }
        for (f, d) in zip(changed, decoded) { dirty.append((f.path, File(blobID: f.blobID, decoded: d))) }

        // Files, and which identities they define.
        var affected = Set<ResourceID>()
        for (path, file) in dirty {
            for m in files[path]?.decoded.manifests ?? [] {
                affected.insert(m.id)
                if var paths = next.definers[m.id], let i = paths.firstIndex(of: path) {
                    paths.remove(at: i)
                    next.definers[m.id] = paths.isEmpty ? nil : paths
                }
            }
            next.files[path] = file
            next.fileDiagnostics[path] = file.flatMap { $0.decoded.diagnostics.isEmpty ? nil : $0.decoded.diagnostics }
            for m in file?.decoded.manifests ?? [] {
                affected.insert(m.id)
                next.definers[m.id, default: []].append(path)
            }
        }
        // The definition that counts for each affected identity.
        var state = loaded.desired
        for id in affected {
            let (winner, extra) = Self.pick(id, next.definers[id] ?? [], next.files)
            state[id] = winner
            next.duplicates[id] = extra.isEmpty ? nil : extra
        }
        let depsChanged = next.graph.update(to: state, from: loaded.desired, changed: affected)

        // Rules: the changed resources and everything that references them, transitively.
        var recheck = affected.union(depsChanged)
        var frontier = Array(recheck)
        while let id = frontier.popLast() {
            for r in next.graph.referrers[id] ?? [] where recheck.insert(r).inserted { frontier.append(r) }
        }
        for id in recheck {
            let found = state[id].map { Validator.check($0, in: state) } ?? []
            next.checks[id] = found.isEmpty ? nil : found
            let refs = state[id].map { Validator.danglingReferences(of: $0, in: state) } ?? []
            next.dangling[id] = refs.isEmpty ? nil : refs
        }
        next.loaded = LoadedRevision(desired: state, diagnostics: [], fileCount: next.files.count)
        next.loaded.diagnostics = next.gatherDiagnostics()

        // Resolution, level by level: what changed, then what depends on a changed digest.
        var pending: [Int: Set<ResourceID>] = [:]
        var touched = Set<ResourceID>()
        for id in affected.union(depsChanged) {
            if let l = next.graph.level[id] {
                pending[l, default: []].insert(id)
            } else if resolved[id] != nil {
                next.resolved[id] = nil
                touched.insert(id)
            }
        }
        var level = 0
        while let top = pending.keys.max(), level <= top {
            defer { level += 1 }
            guard let ids = pending.removeValue(forKey: level) else { continue }
            for id in ids.sorted() {
                guard let m = state[id] else { continue }
                let r = Resolution.resolveOne(m, graph: next.graph, resolved: next.resolved)
                let previous = resolved[id]
                next.resolved[id] = r
                if let previous, previous.digest == r.digest, previous.spec == r.spec, previous.policy == r.policy,
                   previous.location == r.location, previous.physicalName == r.physicalName {
                    continue
                }
                touched.insert(id)
                guard previous?.digest != r.digest || previous?.physicalName != r.physicalName else { continue }
                for referrer in next.graph.referrers[id] ?? [] {
                    if let l = next.graph.level[referrer], l > level { pending[l, default: []].insert(referrer) }
                }
            }
        }
        next.touched = touched
        return next
    }

    /// The planner's view of this revision.
    public var side: Planner.Side { Planner.Side(resources: resolved, order: graph.order, level: graph.level) }
}
