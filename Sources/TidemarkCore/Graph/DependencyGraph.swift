/// Who references whom among the desired resources. Parents (the referenced) come first in
/// `order`; deletes walk it backwards.
public struct DependencyGraph: Sendable {
    /// For each resource, the resources it references (that exist in the state).
    public let dependencies: [ResourceID: [ResourceID]]
    /// Every resource, parents before children; ties broken by kind then name.
    public let order: [ResourceID]
    /// Depth in the graph: 0 for resources that reference nothing.
    public let level: [ResourceID: Int]

    public init(_ state: DesiredState) {
        var deps: [ResourceID: [ResourceID]] = [:]
        deps.reserveCapacity(state.count)
        for (id, m) in state.manifests {
            var seen = Set<ResourceID>()
            deps[id] = m.references.compactMap { ref in
                let target = ResourceID(ref.kind, ref.name)
                guard state[target] != nil, target != id, seen.insert(target).inserted else { return nil }
                return target
            }.sorted()
        }
        // Levels by iterative depth-first search; a cycle (impossible with today's kinds,
        // whose references all point one way) would be cut where it closes.
        var level: [ResourceID: Int] = [:]
        level.reserveCapacity(state.count)
        var onStack = Set<ResourceID>()
        for root in deps.keys where level[root] == nil {
            var stack: [(ResourceID, Int)] = [(root, 0)]
            onStack.insert(root)
            while let (id, next) = stack.last {
                let children = deps[id] ?? []
                if next < children.count {
                    stack[stack.count - 1].1 += 1
                    let child = children[next]
                    if level[child] == nil, !onStack.contains(child) {
                        onStack.insert(child)
                        stack.append((child, 0))
                    }
                } else {
                    level[id] = (children.compactMap { level[$0] }.max() ?? -1) + 1
                    onStack.remove(id)
                    stack.removeLast()
                }
            }
        }
        self.dependencies = deps
        self.level = level
        // Sort (level, id) pairs: no dictionary lookups inside the comparator.
        self.order = deps.keys.map { (level[$0] ?? 0, $0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map(\.1)
    }

    /// A Mermaid flowchart: an arrow from each resource to what it references.
    public func mermaid() -> String {
        var ids: [ResourceID: String] = [:]
        for (i, id) in order.enumerated() { ids[id] = "r\(i)" }
        var out = "flowchart LR\n"
        for id in order { out += "  \(ids[id]!)[\"\(id)\"]\n" }
        for id in order {
            for dep in dependencies[id] ?? [] { out += "  \(ids[id]!) --> \(ids[dep]!)\n" }
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
