import TidemarkCore

/// The application's resources as a tree drawn from the dependency graph: each resource
/// under what it depends on (feature group → pipeline; package group → package → model →
/// endpoint config → endpoint → monitoring schedule). Built as HTML in one pass, nested
/// `<details>` that start collapsed, so it reads and folds without JavaScript and a
/// 10,000-resource tree is one string, not a template walk.
public struct ResourceTree: Sendable {
    /// What a node shows besides its kind and name.
    public struct Node: Sendable {
        public var physicalName: String
        public var sync: String
        public var health: String
        public var drifted: Bool

        public init(physicalName: String, sync: String, health: String, drifted: Bool) {
            self.physicalName = physicalName
            self.sync = sync
            self.health = health
            self.drifted = drifted
        }
    }

    public var graph: DependencyGraph
    public var nodes: [ResourceID: Node]
    /// The resource page's address of a resource.
    public var link: @Sendable (ResourceID) -> String

    public init(graph: DependencyGraph, nodes: [ResourceID: Node], link: @escaping @Sendable (ResourceID) -> String) {
        self.graph = graph
        self.nodes = nodes
        self.link = link
    }

    /// The resources nothing else is drawn above: those that depend on nothing.
    var roots: [ResourceID] {
        nodes.keys.filter { (graph.dependencies[$0] ?? []).allSatisfy { nodes[$0] == nil } }.sorted(by: Self.reading)
    }

    /// Kinds in the order of the flow, then names.
    static func reading(_ a: ResourceID, _ b: ResourceID) -> Bool {
        a.kind.rank != b.kind.rank ? a.kind.rank < b.kind.rank : a.name < b.name
    }

    /// The tree as HTML. A resource under several parents is drawn in full once; elsewhere it
    /// links to that place, so the output grows with the edges, not the paths.
    public func html() -> String {
        var out = "<ul class=\"tree\">"
        var drawn = Set<ResourceID>()
        for root in roots { draw(root, into: &out, drawn: &drawn) }
        out += "</ul>"
        return out
    }

    static func anchor(_ id: ResourceID) -> String { "r-\(id.kind.rawValue)-\(HTMLText.segment(id.name))" }

    func draw(_ id: ResourceID, into out: inout String, drawn: inout Set<ResourceID>) {
        guard let node = nodes[id] else { return }
        let classes = "node sync-\(node.sync) health-\(node.health)\(node.drifted ? " drifted" : "")"
        guard drawn.insert(id).inserted else {
            out += "<li class=\"\(classes) again\"><span class=\"kind\">\(id.kind.rawValue)</span> <a href=\"#\(Self.anchor(id))\">\(HTMLText.escape(id.name))</a> <span class=\"note\">(shown above)</span></li>"
            return
        }
        let children = (graph.referrers[id] ?? []).filter { nodes[$0] != nil }.sorted(by: Self.reading)
        out += "<li class=\"\(classes)\" id=\"\(Self.anchor(id))\">"
        let label = label(id, node)
        if children.isEmpty {
            out += "<div class=\"leaf\">\(label)</div>"
        } else {
            out += "<details data-id=\"\(Self.anchor(id))\"><summary>\(label) <span class=\"count\">\(children.count) below</span></summary><ul>"
            for child in children { draw(child, into: &out, drawn: &drawn) }
            out += "</ul></details>"
        }
        out += "</li>"
    }

    func label(_ id: ResourceID, _ node: Node) -> String {
        var s = "<span class=\"kind\">\(id.kind.rawValue)</span> <a href=\"\(link(id))\">\(HTMLText.escape(id.name))</a>"
        if node.physicalName != id.name { s += " <span class=\"physical\" title=\"physical name\">\(HTMLText.escape(node.physicalName))</span>" }
        s += " <span class=\"badge sync-\(node.sync)\">\(node.sync)</span> <span class=\"badge health-\(node.health)\">\(node.health)</span>"
        if node.drifted { s += " <span class=\"badge drift\">Drift</span>" }
        return s
    }
}
