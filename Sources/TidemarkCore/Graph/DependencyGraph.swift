/// Who references whom among the desired resources. Parents (the referenced) come first in
/// `order`; deletes walk it backwards. `updated` moves it to a nearby state in time
/// proportional to what changed.
public struct DependencyGraph: Sendable {
    /// For each resource, the resources it references (that exist in the state).
    public private(set) var dependencies: ResourceMap<[ResourceID]>
    /// For each identity any manifest references (defined or not), the resources that do.
    public private(set) var referrers: ResourceMap<Set<ResourceID>>
    /// Every resource, parents before children; ties broken by kind then name.
    public private(set) var order: [ResourceID]
    /// Depth in the graph: 0 for resources that reference nothing.
    public private(set) var level: ResourceMap<Int>

    public init(_ state: DesiredState) {
        // Dense numbers, in (kind, name) order: the levels and the order are worked out over
        // arrays, and only the results go into the persistent maps.
        let entries = Array(state.manifests)
        let sorted = ResourceID.orderedPositions(entries.map(\.key))
        let ids = sorted.map { entries[$0].key }
        var number = [ResourceID: Int](minimumCapacity: ids.count)
        for (i, id) in ids.enumerated() { number[id] = i }
        var deps = ResourceMap<[ResourceID]>()
        var referrers = ResourceMap<Set<ResourceID>>()
        var edges = [[Int]](repeating: [], count: ids.count)
        for (i, id) in ids.enumerated() {
            let m = entries[sorted[i]].value
            let targets = Self.targetList(of: m)
            var defined: [ResourceID] = []
            for target in targets {
                if let n = number[target] {
                    defined.append(target)
                    edges[i].append(n)
                }
                referrers[target, default: []].insert(id)
            }
            deps[id] = defined
        }
        self.dependencies = deps
        self.referrers = referrers
        let depth = Self.levels(edges)
        var level = ResourceMap<Int>()
        for (i, id) in ids.enumerated() { level[id] = depth[i] }
        self.level = level
        // By level, keeping (kind, name) order within one: a counting sort.
        var start = [Int](repeating: 0, count: (depth.max() ?? -1) + 2)
        for d in depth { start[d + 1] += 1 }
        for l in start.indices.dropFirst() { start[l] += start[l - 1] }
        var order = ids
        for (i, id) in ids.enumerated() {
            order[start[depth[i]]] = id
            start[depth[i]] += 1
        }
        self.order = order
    }

    /// The identities `m` references, other than itself, defined or not.
    static func targets(of m: Manifest) -> Set<ResourceID> { Set(targetList(of: m)) }

    /// The same, once each, in (kind, name) order.
    static func targetList(of m: Manifest) -> [ResourceID] {
        var out: [ResourceID] = []
        out.reserveCapacity(m.references.count)
        for ref in m.references where ref.kind != m.id.kind || ref.name != m.id.name { out.append(ResourceID(ref.kind, ref.name)) }
        guard out.count > 1 else { return out }
        out.sort()
        var unique = [out[0]]
        for id in out.dropFirst() where id != unique[unique.count - 1] { unique.append(id) }
        return unique
    }

    static func dependencies(of m: Manifest, in state: DesiredState) -> [ResourceID] {
        targetList(of: m).filter { state.contains($0) }
    }

    static func before(_ a: (Int, ResourceID), _ b: (Int, ResourceID)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }

    /// Levels by iterative depth-first search over dense numbers; a cycle (impossible with
    /// today's kinds, whose references all point one way) is cut where it closes.
    static func levels(_ edges: [[Int]]) -> [Int] {
        var level = [Int](repeating: -1, count: edges.count)
        var onStack = [Bool](repeating: false, count: edges.count)
        var stack: [(node: Int, next: Int)] = []
        for root in edges.indices where level[root] < 0 {
            stack.append((root, 0))
            onStack[root] = true
            while let (node, next) = stack.last {
                let children = edges[node]
                if next < children.count {
                    stack[stack.count - 1].next += 1
                    let child = children[next]
                    if level[child] < 0, !onStack[child] {
                        onStack[child] = true
                        stack.append((child, 0))
                    }
                } else {
                    var deepest = -1
                    for child in children where level[child] > deepest { deepest = level[child] }
                    level[node] = deepest + 1
                    onStack[node] = false
                    stack.removeLast()
                }
            }
        }
        return level
    }

    /// Moves the graph from `previous` to `state`, which differ only in the manifests of
    /// `changed` (added, removed or edited). Returns the resources whose dependencies changed.
    /// The work is proportional to the change and the resources whose level it moves.
    public mutating func update(to state: DesiredState, from previous: DesiredState, changed: Set<ResourceID>) -> Set<ResourceID> {
        for id in changed {
            let old = previous[id].map(Self.targets) ?? []
            let new = state[id].map(Self.targets) ?? []
            for t in old.subtracting(new) {
                referrers[t]?.remove(id)
                if referrers[t]?.isEmpty == true { referrers[t] = nil }
            }
            for t in new.subtracting(old) { referrers[t, default: []].insert(id) }
        }
        // A resource that appeared or vanished changes the dependencies of those naming it.
        var recompute = changed
        for id in changed where (previous[id] == nil) != (state[id] == nil) { recompute.formUnion(referrers[id] ?? []) }
        var depsChanged = Set<ResourceID>()
        for id in recompute {
            let new = state[id].map { Self.dependencies(of: $0, in: state) }
            if new != dependencies[id] {
                dependencies[id] = new
                depsChanged.insert(id)
            }
        }
        // New levels, propagated to referrers while they move.
        var newLevel: [ResourceID: Int?] = [:]
        func current(_ id: ResourceID) -> Int? { newLevel[id] ?? level[id] }
        var queue = Array(depsChanged)
        var steps = 0
        while let id = queue.popLast() {
            steps += 1
            if steps > 4 * (state.count + changed.count) + 64 {  // only a cycle gets here
                self = DependencyGraph(state)
                return depsChanged.union(changed)
            }
            let want: Int? = dependencies[id].map { deps in (deps.compactMap(current).max() ?? -1) + 1 }
            if want == current(id) { continue }
            newLevel[id] = .some(want)
            for r in referrers[id] ?? [] where state.contains(r) { queue.append(r) }
        }
        // Take each moved resource out at its old place and put it in at its new one.
        let moved = newLevel.filter { $0.value != level[$0.key] }
        if moved.count > 256 {
            for (id, l) in moved { level[id] = l }
            let level = self.level
            order = ResourceID.ordered(Array(dependencies.keys)) { level[$0] ?? 0 }
            return depsChanged
        }
        for id in moved.keys {
            guard let old = level[id], let i = position(of: (old, id)), i < order.count, order[i] == id else { continue }
            order.remove(at: i)
        }
        for (id, l) in moved { level[id] = l }
        for (id, l) in moved {
            guard let l, let i = position(of: (l, id)) else { continue }
            order.insert(id, at: i)
        }
        return depsChanged
    }

    /// Where `key` is, or would be inserted, in `order` (binary search on level, then id).
    func position(of key: (Int, ResourceID)) -> Int? {
        var low = 0, high = order.count
        while low < high {
            let mid = low + (high - low) / 2
            guard let l = level[order[mid]] else { return nil }
            if Self.before((l, order[mid]), key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// A Mermaid flowchart: an arrow from each resource to what it references.
    public func mermaid() -> String {
        var ids: [ResourceID: String] = [:]
        for (i, id) in order.enumerated() { ids[id] = "r\(i)" }
        var out = "flowchart LR\n"
        for id in order { out += "  \(ids[id] ?? "")[\"\(id)\"]\n" }
        for id in order {
            for dep in dependencies[id] ?? [] { out += "  \(ids[id] ?? "") --> \(ids[dep] ?? "")\n" }
        }
        return out
    }

    /// A Graphviz digraph of the same.
    public func dot() -> String {
        var out = "digraph tidemark {\n  rankdir=LR;\n  node [shape=box];\n"
        for id in order { out += "  \(JSONText.quote(id.description));\n" }
        for id in order {
            for dep in dependencies[id] ?? [] { out += "  \(JSONText.quote(id.description)) -> \(JSONText.quote(dep.description));\n" }
        }
        return out + "}\n"
    }
}
