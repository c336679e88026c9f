/// Model (reference §5.1): immutable. A change creates a new versioned physical model.
enum ModelKind {
    static let container = Shape.object([
        Field("containerHostname", .text(max: 63)),
        Field("image", .text(max: 255, min: 1)),
        Field("imageConfig", .object([
            Field("repositoryAccessMode", .oneOf(["Platform", "Vpc"]), required: true),
            Field("repositoryAuthConfig", .object([
                Field("repositoryCredentialsProviderARN", CommonShapes.arn, required: true),
            ])),
        ])),
        Field("mode", .oneOf(["SingleModel", "MultiModel"]), default: .string("SingleModel")),
        Field("modelDataURL", CommonShapes.s3URI),
        Field("modelDataSource", .document(acceptsJSONString: false)),
        Field("modelPackageName", .text(max: 176, min: 1), references: .modelPackage,
              "Deploy a registry version: a ModelPackage's metadata.name (or an ARN)."),
        Field("inferenceSpecificationName", .text(max: 63)),
        Field("multiModelConfig", .object([Field("modelCacheSetting", .oneOf(["Enabled", "Disabled"]))])),
        Field("environment", CommonShapes.environment),
    ])

    static let definition = KindDefinition(
        kind: .model,
        spec: ObjectShape([
            Field("modelName", .name(.model)),
            Field("primaryContainer", container),
            Field("containers", .list(container, count: 1...15)),
            Field("inferenceExecutionConfig", .object([Field("mode", .oneOf(["Serial", "Direct"]), required: true)])),
            Field("executionRoleARN", CommonShapes.arn),
            Field("vpcConfig", CommonShapes.vpcConfig),
            Field("enableNetworkIsolation", .boolean, default: .bool(false)),
            CommonShapes.tags,
        ], exactlyOneOf: [["primaryContainer", "containers"]]),
        nameRule: .model,
        nameField: "modelName",
        versionedNames: true,
        replacementIsDestructive: false,
        summary: "An inference model: container image and artifacts, or a registry ModelPackage.",
        rules: rules)

    @Sendable static func rules(_ c: inout RuleContext) {
        var containers: [YAMLNode] = []
        if let p = c.node["primaryContainer"] { containers.append(p) }
        containers += c.node["containers"]?.items ?? []
        var environmentBytes = 0
        for container in containers {
            if container["image"] == nil && container["modelPackageName"] == nil {
                c.error("missing-field", "a container needs an image or a modelPackageName", at: container)
            }
            for e in container["environment"]?.entries ?? [] {
                environmentBytes += e.key.utf8.count + (e.value.string?.utf8.count ?? 0)
            }
        }
        if environmentBytes > 32 * 1024 {
            c.error("too-large", "container environments hold \(environmentBytes) bytes together; at most 32 KB are allowed", at: containers.first)
        }
        if let exec = c.node["inferenceExecutionConfig"], c.node["containers"] == nil {
            c.error("invalid-combination", "inferenceExecutionConfig applies only to a multi-container model (containers)", at: exec)
        }
    }
}
