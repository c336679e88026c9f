import TidemarkCore

/// One resource Tidemark manages: what it created and recorded, and where it came from.
/// Deletes (prune) only ever consider entries of the inventory.
public struct InventoryEntry: Sendable, Hashable {
    public var id: ResourceID
    public var physicalName: String
    /// The resource's digest at its last apply (immutable fields and references).
    public var digest: String
    public var referenceDigests: [ResourceID: String]
    /// SHA-256 of the whole resolved spec at its last apply: a live spec that differs while
    /// Git's has not changed is drift.
    public var specHash: String
    public var commit: String
    public var file: String
    public var line: Int
    public var retain: Bool
    /// Older physical names of a versioned resource, newest first, kept for fast rollback.
    public var superseded: [String]
    public var revision: Int64

    public init(id: ResourceID, physicalName: String, digest: String, referenceDigests: [ResourceID: String], specHash: String,
                commit: String, file: String, line: Int, retain: Bool, superseded: [String], revision: Int64) {
        self.id = id
        self.physicalName = physicalName
        self.digest = digest
        self.referenceDigests = referenceDigests
        self.specHash = specHash
        self.commit = commit
        self.file = file
        self.line = line
        self.retain = retain
        self.superseded = superseded
        self.revision = revision
    }

    /// As a value, for the journal and JSON output.
    public var value: Value {
        .object(sorting: [
            .init("id", .string(id.description)), .init("physicalName", .string(physicalName)),
            .init("digest", .string(digest)),
            .init("referenceDigests", .object(sorting: referenceDigests.map { .init($0.key.description, .string($0.value)) })),
            .init("specHash", .string(specHash)), .init("commit", .string(commit)), .init("file", .string(file)),
            .init("line", .int(Int64(line))), .init("retain", .bool(retain)),
            .init("superseded", .list(superseded.map(Value.string))), .init("revision", .int(revision)),
        ])
    }

    public init?(_ v: Value) {
        guard let idText = v["id"]?.stringValue, let id = ResourceID(parsing: idText),
              let physical = v["physicalName"]?.stringValue else { return nil }
        var refs: [ResourceID: String] = [:]
        for m in v["referenceDigests"]?.members ?? [] {
            if let rid = ResourceID(parsing: m.key), let d = m.value.stringValue { refs[rid] = d }
        }
        self.init(id: id, physicalName: physical, digest: v["digest"]?.stringValue ?? "", referenceDigests: refs,
                  specHash: v["specHash"]?.stringValue ?? "", commit: v["commit"]?.stringValue ?? "",
                  file: v["file"]?.stringValue ?? "", line: Int(v["line"]?.intValue ?? 0),
                  retain: v["retain"] == .bool(true), superseded: v["superseded"]?.elements?.compactMap(\.stringValue) ?? [],
                  revision: v["revision"]?.intValue ?? 0)
    }
}
