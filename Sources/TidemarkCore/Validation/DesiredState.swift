/// The validated manifests of one revision, by identity.
public struct DesiredState: Sendable {
    public private(set) var manifests: [ResourceID: Manifest]

    public init(_ manifests: [ResourceID: Manifest]) {
        self.manifests = manifests
    }

    public subscript(id: ResourceID) -> Manifest? { manifests[id] }

    /// Identities in a stable order (kind, then name).
    public var ids: [ResourceID] { manifests.keys.sorted() }

    public var count: Int { manifests.count }
}
