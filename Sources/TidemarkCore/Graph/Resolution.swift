import Crypto

/// A resource as it would be sent to the service: references to versioned kinds replaced by
/// physical names, with a digest of everything that cannot change in place.
///
/// A class: copied into maps and plans often and never changed, one shared immutable instance
/// costs a reference count where a struct's copy retained every member.
public final class ResolvedResource: Sendable {
    public let id: ResourceID
    /// The live object's name: `metadata.name`, or `<name>-<8 hex>` for Model and EndpointConfig.
    public let physicalName: String
    /// SHA-256 (hex) over the kind, the spec's immutable fields and the digests of what it
    /// references: equal digests mean no replacement is needed.
    public let digest: String
    public let spec: Value
    /// Digests of referenced resources, so a plan can say which reference forced a change.
    public let referenceDigests: [ResourceID: String]
    public let location: SourceLocation?
    public let policy: ManifestPolicy

    public init(id: ResourceID, physicalName: String, digest: String, spec: Value, referenceDigests: [ResourceID: String],
                location: SourceLocation?, policy: ManifestPolicy) {
        self.id = id
        self.physicalName = physicalName
        self.digest = digest
        self.spec = spec
        self.referenceDigests = referenceDigests
        self.location = location
        self.policy = policy
    }

    /// The same resource with another spec (its references named as the service knows them).
    public func with(spec: Value) -> ResolvedResource {
        ResolvedResource(id: id, physicalName: physicalName, digest: digest, spec: spec, referenceDigests: referenceDigests,
                         location: location, policy: policy)
    }
}

public enum Resolution {
    /// Resolves every desired resource, parents first.
    public static func resolve(_ state: DesiredState, graph: DependencyGraph) -> ResourceMap<ResolvedResource> {
        // The resolved resources are kept in two maps, filled side by side (one core each: a
        // map takes one writer), and joined at the end.
        var halves = (ResourceMap<ResolvedResource>(), ResourceMap<ResolvedResource>())
        // Resources of one level depend only on lower levels: resolve each level in parallel.
        var start = 0
        let order = graph.order
        while start < order.count {
            let end = levelEnd(from: start, in: order, graph.level)
            let ids = Array(order[start..<end])
            let results = resolveLevel(ids, state, graph, halves.0, halves.1)
            withUnsafeMutablePointer(to: &halves.0) { first in
                withUnsafeMutablePointer(to: &halves.1) { second in
                    // Each side writes only its own map.
                    nonisolated(unsafe) let (first, second) = (first, second)
                    _ = Striped.both({ for i in stride(from: 0, to: ids.count, by: 2) { first.pointee[ids[i]] = results[i] } },
                                     { for i in stride(from: 1, to: ids.count, by: 2) { second.pointee[ids[i]] = results[i] } })
                }
            }
            start = end
        }
        halves.0.merge(halves.1) { a, _ in a }
        return halves.0
    }

    /// One level's resources, resolved on both cores against the lower levels' (in either map).
    static func resolveLevel(_ ids: [ResourceID], _ state: DesiredState, _ graph: DependencyGraph,
                             _ first: ResourceMap<ResolvedResource>, _ second: ResourceMap<ResolvedResource>) -> [ResolvedResource?] {
        Striped.map(ids.count) { i in
            state[ids[i]].map { resolveOne($0, graph: graph) { first[$0] ?? second[$0] } }
        }
    }

    /// Where the level of `order[start]` ends: `order` runs by level, so a binary search finds
    /// it in a few lookups instead of one per resource.
    static func levelEnd(from start: Int, in order: [ResourceID], _ level: ResourceMap<Int>) -> Int {
        let at = level[order[start]] ?? 0
        var low = start + 1, high = order.count
        while low < high {
            let mid = low + (high - low) / 2
            if (level[order[mid]] ?? 0) == at { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Resolves one manifest whose dependencies are already in `resolved`.
    public static func resolveOne(_ m: Manifest, graph: DependencyGraph, resolved: ResourceMap<ResolvedResource>) -> ResolvedResource {
        resolveOne(m, graph: graph) { resolved[$0] }
    }

    /// Resolves one manifest whose dependencies `resolved` finds.
    static func resolveOne(_ m: Manifest, graph: DependencyGraph, resolved: (ResourceID) -> ResolvedResource?) -> ResolvedResource {
        let id = m.id
        let definition = m.definition
        // Only references to versioned kinds read differently once resolved.
        let spec = renamesReferences.contains(id.kind) ? substitute(m.spec, .object(definition.spec)) { kind, name in
            resolved(ResourceID(kind, name))?.physicalName
        } : m.spec
        var refDigests: [ResourceID: String] = [:]
        for dep in graph.dependencies[id] ?? [] { refDigests[dep] = resolved(dep)?.digest }
        let digest = digestOf(kind: id.kind, spec: spec, definition: definition, references: refDigests)
        let physical = definition.versionedNames ? versionedName(id.name, digest: digest, limit: definition.nameRule.maxLength) : id.name
        return ResolvedResource(id: id, physicalName: physical, digest: digest, spec: spec,
                                referenceDigests: refDigests, location: m.nameLocation, policy: m.policy)
    }

    /// `<name>-<8 hex of the digest>`, within `limit` characters. A name too long for the
    /// suffix keeps its first characters, and its hash then covers the whole name too, so two
    /// long names that share their start never share a physical name.
    public static func versionedName(_ name: String, digest: String, limit: Int) -> String {
        let base = versionedBase(name, limit: limit)
        guard base != name else { return "\(name)-\(digest.prefix(8))" }
        return "\(base)-\(SHA256Hex.of("\(digest)\n\(name)").prefix(8))"
    }

    /// The part of a versioned physical name before `-<8 hex>`: the name itself, or its first
    /// `limit - 9` characters (without a trailing hyphen) when the whole would not fit.
    public static func versionedBase(_ name: String, limit: Int) -> String {
        let room = limit - 9
        guard name.count > room else { return name }
        var base = String(name.prefix(room))
        while base.hasSuffix("-") { base.removeLast() }
        return base
    }

    /// Kinds whose specs reference a kind with versioned physical names.
    static let renamesReferences = Set(ResourceKind.allCases.filter { kind in
        ResourceKind.allCases.contains { KindDefinition.of($0).versionedNames && Shape.object(KindDefinition.of(kind).spec).references($0) }
    })

    /// Each kind's fields that can change in place: left out of the digest.
    static let mutableFields: [ResourceKind: Set<String>] = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { kind in
        (kind, Set(KindDefinition.of(kind).spec.fields.filter { $0.mutability != .immutable }.map(\.name)))
    })

    static func digestOf(kind: ResourceKind, spec: Value, definition: KindDefinition, references: [ResourceID: String]) -> String {
        var text = CanonicalJSON(capacity: 2048)
        text.append(kind.rawValue)
        text.append("\n")
        if let members = spec.members {
            text.write(members, skipping: mutableFields[kind] ?? [])
        } else {
            text.write(spec)
        }
        text.append("\n")
        for (id, digest) in references.sorted(by: { $0.key < $1.key }) { text.append("\(id)=\(digest)\n") }
        return SHA256Hex.of(bytes: text.bytes)
    }

    /// Replaces reference strings by what `physical` returns for them (when it returns one).
    public static func substitute(_ value: Value, _ shape: Shape, _ physical: (ResourceKind, String) -> String?) -> Value {
        switch (shape, value) {
        case (.object(let object), .object(let members)):
            return .object(members.map { m in
                guard let field = object.field(named: m.key) else { return m }
                if let kind = field.reference, let name = m.value.stringValue {
                    return .init(m.key, physical(kind, name).map(Value.string) ?? m.value)
                }
                return .init(m.key, substitute(m.value, field.shape, physical))
            })
        case (.list(let list), .list(let items)):
            return .list(items.map { substitute($0, list.element, physical) })
        default:
            return value
        }
    }
}
