/// Model (reference §5.1): immutable. A change creates a new versioned physical model.
enum ModelKind {
    static let definition = KindDefinition(
        kind: .model,
        spec: .spec(from: SageMakerOperations.createModel.input, nameField: "modelName", [
            .exactlyOneOf("", ["primaryContainer", "containers"]),
            .defaultValue("enableNetworkIsolation", .bool(false)),
        ] + ["primaryContainer", "containers"].flatMap { c in [
            .defaultValue("\(c).mode", .string("SingleModel")),
            .references("\(c).modelPackageName", .modelPackage, "Deploy a registry version: a ModelPackage's metadata.name (or an ARN)."),
        ] }),
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
