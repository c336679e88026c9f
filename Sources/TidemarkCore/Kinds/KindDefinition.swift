/// Everything Tidemark knows about one kind: its spec's shape, its name rule, the spec field
/// that may repeat the name, and the rules that need more than the shape.
public struct KindDefinition: Sendable {
    public var kind: ResourceKind
    public var spec: ObjectShape
    public var nameRule: NameRule
    /// The API's own name field (`endpointName`); if a spec repeats it, it must match.
    public var nameField: String?
    /// Kinds with no update API get versioned physical names (`<name>-<hash>`) so a change
    /// creates a new object beside the old one.
    public var versionedNames: Bool
    /// Whether replacing the live object drops data (a feature group's online store).
    public var replacementIsDestructive: Bool
    public var summary: String
    /// Rules beyond the shape, run on a spec that conformed to it.
    public var rules: @Sendable (inout RuleContext) -> Void
    /// The operation that changes the kind in place, if it has one; every field that is not
    /// immutable names one of its members (`Field.updateMember`).
    public var updateOperation: SageMakerOperation? = nil
    /// Keyed lists the service only adds to (a feature group's features): additions are made
    /// in place and cannot be undone by a rollback.
    public var appendOnlyLists: [String] = []
    /// Fields the service changes only when a deployment completes (an endpoint's config): a
    /// different live value once settled means the service rolled the deployment back.
    public var deployedFields: [String] = []
    /// The spec field that, when set, makes the service name new objects itself (a versioned
    /// model package: `group/N`).
    public var serviceNamedBy: String?
    /// The kind whose objects must be deleted before an object of this kind can be (a package
    /// group's versions).
    public var deletesWith: ResourceKind?

    public static func of(_ kind: ResourceKind) -> KindDefinition {
        switch kind {
        case .featureGroup: return FeatureGroupKind.definition
        case .pipeline: return PipelineKind.definition
        case .modelPackageGroup: return ModelPackageGroupKind.definition
        case .modelPackage: return ModelPackageKind.definition
        case .model: return ModelKind.definition
        case .endpointConfig: return EndpointConfigKind.definition
        case .endpoint: return EndpointKind.definition
        case .monitoringSchedule: return MonitoringScheduleKind.definition
        }
    }

    /// Whether the service picks the name of a new object with this spec.
    public func serviceAssignsName(_ spec: Value) -> Bool { serviceNamedBy.map { spec[$0] != nil } ?? false }
}

/// What a kind's rules see: the spec as YAML (for positions) and as a value (for logic),
/// and where to put diagnostics and extra references.
public struct RuleContext {
    public let file: String
    public let name: String
    public let node: YAMLNode
    public let spec: Value
    /// Documents that were written as JSON strings, parsed, by field path.
    public let embedded: [String: YAMLNode]
    public internal(set) var diagnostics: [Diagnostic] = []
    public internal(set) var references: [Reference] = []

    public mutating func error(_ code: String, _ message: String, at node: YAMLNode?) {
        diagnostics.append(.error(code, message, at: SourceLocation(file: file, (node ?? self.node).mark)))
    }

    public mutating func warning(_ code: String, _ message: String, at node: YAMLNode?) {
        diagnostics.append(.warning(code, message, at: SourceLocation(file: file, (node ?? self.node).mark)))
    }

    public mutating func reference(_ kind: ResourceKind, _ name: String, at node: YAMLNode, path: String) {
        references.append(Reference(kind: kind, name: name, location: SourceLocation(file: file, node.mark), path: path))
    }
}
