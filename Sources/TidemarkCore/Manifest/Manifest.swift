/// A file read from the manifests path: its path relative to the repository and its bytes.
public struct SourceFile: Sendable {
    public var path: String
    public var bytes: [UInt8]
    /// The git blob id when read from a commit; equal ids mean equal contents.
    public var blobID: String?

    public init(path: String, bytes: [UInt8], blobID: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.blobID = blobID
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// How Tidemark may treat the live object behind a manifest, from its annotations.
public struct ManifestPolicy: Hashable, Sendable, Codable {
    /// `tidemark.dev/deletion-policy: retain` keeps the live object when the manifest goes.
    public var retainOnDelete = false
    /// `tidemark.dev/adopt: "true"` lets Tidemark take over an existing unmanaged object.
    public var adopt = false
    /// `tidemark.dev/allow-destroy: "true"` lets apply perform destructive replacements.
    public var allowDestroy = false

    public init() {}
}

/// One validated document: identity, provenance and the normalized spec.
public struct Manifest: Sendable {
    public var id: ResourceID
    /// Where the document starts (its `apiVersion` line, in practice).
    public var location: SourceLocation
    /// Where `metadata.name` is written.
    public var nameLocation: SourceLocation
    public var labels: [String: String]
    public var annotations: [String: String]
    public var policy: ManifestPolicy
    public var spec: Value
    public var references: [Reference]

    public var definition: KindDefinition { KindDefinition.of(id.kind) }
}
