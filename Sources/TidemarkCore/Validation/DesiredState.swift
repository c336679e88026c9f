/// The validated manifests of one revision, by identity.
public struct DesiredState: Sendable {
    public private(set) var manifests: ResourceMap<Manifest>

    public init(_ manifests: ResourceMap<Manifest>) {
        self.manifests = manifests
    }

    public subscript(id: ResourceID) -> Manifest? {
        get { manifests[id] }
        set { manifests[id] = newValue }
    }

    /// Whether `id` is defined, without copying its manifest out.
    public func contains(_ id: ResourceID) -> Bool { manifests.index(forKey: id) != nil }

    /// Identities in a stable order (kind, then name).
    public var ids: [ResourceID] { manifests.keys.sorted() }

    public var count: Int { manifests.count }
}
