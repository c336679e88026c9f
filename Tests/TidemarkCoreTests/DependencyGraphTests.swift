import Testing
import TidemarkTesting
@testable import TidemarkCore

/// The graph is built over dense numbers with a prefix-keyed sort; it must say exactly what a
/// plain reading of the references says: each resource's defined targets, who names each
/// identity, the longest path below each resource, and (level, kind, name) order.
@Suite struct DependencyGraphTests {
    /// Names that cross the 7- and 15-byte halves of the sort key, share their first 15 bytes,
    /// are prefixes of one another, or hold bytes above ASCII.
    static let names: [String] = {
        var names = ["a", "ab", "abc-1234", "abcdefg", "abcdefgh", "abcdefghijklmno", "abcdefghijklmnop",
                     "abcdefghijklmnoa", "abcdefghijklmno-x", "abcdefghijklmno-y", "abcdefghijklmno-x1", "é", "éa", "zz",
                     "fraud-detector-v1", "fraud-detector-v10", "fraud-detector-v2", "fraud-detector", "fraud"]
        for i in 0..<60 { names.append("shared-prefix-\(i % 7)-\(i)") }
        return names
    }()

    static func manifest(_ id: ResourceID, referencing targets: [ResourceID]) -> Manifest {
        let at = SourceLocation(file: "m.yaml", line: 1, column: 1)
        return Manifest(id: id, location: at, nameLocation: at, labels: [:], annotations: [:], policy: ManifestPolicy(),
                        spec: .object([]), references: targets.map { Reference(kind: $0.kind, name: $0.name, location: at, path: "spec.x") })
    }

    /// A random acyclic state: each resource names some created before it (perhaps twice, or
    /// itself), and some identities that are not defined.
    static func state(seed: UInt64) -> DesiredState {
        var rng = SplitMix64(seed: seed)
        var ids: [ResourceID] = []
        for kind in ResourceKind.allCases {
            for name in names where rng.next() % 3 != 0 { ids.append(ResourceID(kind, name)) }
        }
        ids.shuffle(using: &rng)
        var manifests = ResourceMap<Manifest>()
        for (i, id) in ids.enumerated() {
            var targets: [ResourceID] = []
            for _ in 0..<Int(rng.next() % 4) where i > 0 { targets.append(ids[Int(rng.next() % UInt64(i))]) }
            if rng.next() % 5 == 0, let first = targets.first { targets.append(first) }
            if rng.next() % 7 == 0 { targets.append(id) }
            if rng.next() % 4 == 0 { targets.append(ResourceID(.model, "undefined-\(rng.next() % 5)")) }
            manifests[id] = manifest(id, referencing: targets)
        }
        return DesiredState(manifests)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func matchesAPlainReading(seed: UInt64) {
        let state = Self.state(seed: seed)
        let graph = DependencyGraph(state)
        var expectedDeps: [ResourceID: [ResourceID]] = [:]
        var expectedReferrers: [ResourceID: Set<ResourceID>] = [:]
        for (id, m) in state.manifests {
            let targets = Set(m.references.map { ResourceID($0.kind, $0.name) }).subtracting([id])
            expectedDeps[id] = targets.filter { state.contains($0) }.sorted()
            for t in targets { expectedReferrers[t, default: []].insert(id) }
        }
        var depth: [ResourceID: Int] = [:]
        func level(_ id: ResourceID) -> Int {
            if let known = depth[id] { return known }
            let l = (expectedDeps[id] ?? []).map(level).max().map { $0 + 1 } ?? 0
            depth[id] = l
            return l
        }
        let expectedOrder = state.manifests.keys.sorted { a, b in
            if level(a) != level(b) { return level(a) < level(b) }
            if a.kind != b.kind { return a.kind.rank < b.kind.rank }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        #expect(graph.order.count == expectedOrder.count)
        let differ = zip(graph.order, expectedOrder).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(differ == nil, "order differs at \(differ.map { "\($0.offset): \($0.element.0) where \($0.element.1) belongs" } ?? "")")
        for id in state.manifests.keys {
            #expect(graph.dependencies[id] == expectedDeps[id], "dependencies of \(id)")
            #expect(graph.level[id] == level(id), "level of \(id)")
        }
        #expect(graph.referrers.count == expectedReferrers.count)
        for (target, referrers) in expectedReferrers { #expect(graph.referrers[target] == referrers, "referrers of \(target)") }
    }

    /// An update that moves many resources to another level (here 600, when the group 300
    /// name goes, and those naming them) orders them afresh, as a cold build does; so does one
    /// that moves a few.
    @Test(arguments: [300, 12])
    func anUpdateMovingManyLevelsEqualsAColdBuild(referrers: Int) {
        let group = ResourceID(.modelPackageGroup, "g")
        var manifests = ResourceMap<Manifest>()
        manifests[group] = Self.manifest(group, referencing: [])
        for i in 0..<referrers {
            let id = ResourceID(.pipeline, "p-\(i)")
            manifests[id] = Self.manifest(id, referencing: [group])
            // A kind listed first, a level above: level order and kind order differ.
            manifests[ResourceID(.featureGroup, "f-\(i)")] = Self.manifest(ResourceID(.featureGroup, "f-\(i)"), referencing: [id])
        }
        for name in Self.names { manifests[ResourceID(.model, name)] = Self.manifest(ResourceID(.model, name), referencing: [group]) }
        let before = DesiredState(manifests)
        var graph = DependencyGraph(before)
        manifests[group] = nil
        let after = DesiredState(manifests)
        _ = graph.update(to: after, from: before, changed: [group])
        let cold = DependencyGraph(after)
        #expect(graph.order == cold.order)
        for id in after.manifests.keys {
            #expect(graph.level[id] == cold.level[id], "level of \(id)")
            #expect(graph.dependencies[id] == cold.dependencies[id], "dependencies of \(id)")
        }
    }

    /// A cycle (no kind writes one today) is cut, not followed forever: every resource is
    /// placed once.
    @Test func aCycleIsCut() {
        let ids = (0..<3).map { ResourceID(.pipeline, "p\($0)") }
        var manifests = ResourceMap<Manifest>()
        for (i, id) in ids.enumerated() { manifests[id] = Self.manifest(id, referencing: [ids[(i + 1) % ids.count]]) }
        let graph = DependencyGraph(DesiredState(manifests))
        #expect(graph.order.sorted() == ids)
        #expect(Set(ids.compactMap { graph.level[$0] }).count == 3)
    }
}
