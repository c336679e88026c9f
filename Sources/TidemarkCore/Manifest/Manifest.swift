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
///
/// A class: manifests are copied often (into maps, checks, plans) and never changed once
/// decoded, so sharing one immutable instance costs a reference count where a struct's copy
/// retained every member.
public final class Manifest: Sendable {
    public let id: ResourceID
    /// Where the document starts (its `apiVersion` line, in practice).
    public let location: SourceLocation
    /// Where `metadata.name` is written.
    public let nameLocation: SourceLocation
    public let labels: [String: String]
    public let annotations: [String: String]
    public let policy: ManifestPolicy
    public let spec: Value
    public let references: [Reference]

    public init(id: ResourceID, location: SourceLocation, nameLocation: SourceLocation, labels: [String: String],
                annotations: [String: String], policy: ManifestPolicy, spec: Value, references: [Reference]) {
        self.id = id
        self.location = location
        self.nameLocation = nameLocation
        self.labels = labels
        self.annotations = annotations
        self.policy = policy
        self.spec = spec
        self.references = references
    }

    public var definition: KindDefinition { KindDefinition.of(id.kind) }
}
