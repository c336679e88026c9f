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
/// Manifests are copied often (into maps, checks, plans) and never changed once decoded: the
/// fields live in one shared, immutable box, so a copy costs one reference count.
public struct Manifest: Sendable {
    private final class Fields: Sendable {
        let id: ResourceID
        let location: SourceLocation
        let nameLocation: SourceLocation
        let labels: [String: String]
        let annotations: [String: String]
        let policy: ManifestPolicy
        let spec: Value
        let references: [Reference]

        init(id: ResourceID, location: SourceLocation, nameLocation: SourceLocation, labels: [String: String],
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
    }

    private let fields: Fields

    public init(id: ResourceID, location: SourceLocation, nameLocation: SourceLocation, labels: [String: String],
                annotations: [String: String], policy: ManifestPolicy, spec: Value, references: [Reference]) {
        fields = Fields(id: id, location: location, nameLocation: nameLocation, labels: labels,
                        annotations: annotations, policy: policy, spec: spec, references: references)
    }

    public var id: ResourceID { fields.id }
    /// Where the document starts (its `apiVersion` line, in practice).
    public var location: SourceLocation { fields.location }
    /// Where `metadata.name` is written.
    public var nameLocation: SourceLocation { fields.nameLocation }
    public var labels: [String: String] { fields.labels }
    public var annotations: [String: String] { fields.annotations }
    public var policy: ManifestPolicy { fields.policy }
    public var spec: Value { fields.spec }
    public var references: [Reference] { fields.references }

    public var definition: KindDefinition { KindDefinition.of(id.kind) }
}
