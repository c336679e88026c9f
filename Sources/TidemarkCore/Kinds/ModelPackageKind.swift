/// ModelPackage (reference §4): a versioned package in a group, or an unversioned one.
/// Only approval, customer metadata, the inference specification and additional inference
/// specifications (append-only) change in place.
enum ModelPackageKind {
    static let approvalStatuses = ["Approved", "Rejected", "PendingManualApproval"]

    static let container = Shape.object([
        Field("containerHostname", .text(max: 63)),
        Field("image", .text(max: 255, min: 1), required: true),
        Field("imageDigest", .text(max: 72)),
        Field("modelDataURL", CommonShapes.s3URI),
        Field("modelDataSource", .document(acceptsJSONString: false)),
        Field("productID", .text(max: 256)),
        Field("environment", CommonShapes.environment),
        Field("modelInput", .object([Field("dataInputConfig", .text(max: 1024, min: 1), required: true)])),
        Field("framework", .text(max: 256)),
        Field("frameworkVersion", .text(max: 10, min: 3)),
        Field("nearestModelName", .text(max: 256)),
        Field("additionalS3DataSource", .document(acceptsJSONString: false)),
    ])

    static let inferenceSpecificationFields: [Field] = [
        Field("containers", .list(container, count: 1...15), required: true),
        Field("supportedContentTypes", .list(.text(max: 256))),
        Field("supportedResponseMIMETypes", .list(.text(max: 1024))),
        Field("supportedRealtimeInferenceInstanceTypes", .list(.text(max: 64))),
        Field("supportedTransformInstanceTypes", .list(.text(max: 64), count: 1...100)),
    ]

    static let definition = KindDefinition(
        kind: .modelPackage,
        spec: ObjectShape([
            Field("modelPackageGroupName", .name(.hyphenated63), references: .modelPackageGroup,
                  "The group this version belongs to (a ModelPackageGroup's metadata.name)."),
            Field("modelPackageName", .name(.hyphenated63), .immutable, "For an unversioned package only."),
            Field("modelPackageDescription", .text(max: 1024)),
            Field("inferenceSpecification", .object(inferenceSpecificationFields), .updatable),
            Field("modelApprovalStatus", .oneOf(approvalStatuses), .updatable,
                  "Only Approved packages can be served by an Endpoint."),
            Field("approvalDescription", .text(max: 1024), .updatable),
            Field("customerMetadataProperties", .map(.text(max: 256), maxEntries: 50), .updatable),
            Field("additionalInferenceSpecifications", .list(.object(
                [Field("name", .name(.hyphenated63), required: true), Field("description", .text(max: 1024))]
                + inferenceSpecificationFields), count: 1...15, key: "name"), .appendOnly),
            Field("modelMetrics", .object([
                Field("modelQuality", .object([Field("statistics", CommonShapes.metricsSource), Field("constraints", CommonShapes.metricsSource)])),
                Field("modelDataQuality", .object([Field("statistics", CommonShapes.metricsSource), Field("constraints", CommonShapes.metricsSource)])),
                Field("bias", .object([Field("report", CommonShapes.metricsSource), Field("preTrainingReport", CommonShapes.metricsSource), Field("postTrainingReport", CommonShapes.metricsSource)])),
                Field("explainability", .object([Field("report", CommonShapes.metricsSource)])),
            ])),
            Field("validationSpecification", .object([
                Field("validationRole", CommonShapes.arn, required: true),
                Field("validationProfiles", .list(.object([
                    Field("profileName", .name(.hyphenated63), required: true),
                    Field("transformJobDefinition", .document(acceptsJSONString: false), required: true),
                ]), count: 1...1), required: true),
            ])),
            Field("sourceAlgorithmSpecification", .object([
                Field("sourceAlgorithms", .list(.object([
                    Field("algorithmName", .text(max: 170, min: 1), required: true),
                    Field("modelDataURL", CommonShapes.s3URI),
                    Field("modelDataSource", .document(acceptsJSONString: false)),
                ]), count: 1...1), required: true),
            ])),
            Field("driftCheckBaselines", .document(acceptsJSONString: false)),
            Field("metadataProperties", .object([
                Field("commitID", .text(max: 1024)), Field("generatedBy", .text(max: 1024)),
                Field("projectID", .text(max: 1024)), Field("repository", .text(max: 1024)),
            ])),
            Field("certifyForMarketplace", .boolean),
            Field("domain", .text(max: 256)),
            Field("task", .text(max: 256)),
            Field("samplePayloadURL", CommonShapes.s3URI),
            Field("skipModelValidation", .oneOf(["All", "None"])),
            Field("sourceURI", .text(max: 1024), .updatable),
            CommonShapes.tags,
        ], exactlyOneOf: [["modelPackageGroupName", "modelPackageName"]]),
        nameRule: .hyphenated63,
        nameField: nil,
        versionedNames: false,
        replacementIsDestructive: false,
        summary: "A model version in the registry: containers, metrics and an approval status.",
        rules: rules,
        serviceNamedBy: "modelPackageGroupName")

    @Sendable static func rules(_ c: inout RuleContext) {
        let versioned = c.node["modelPackageGroupName"] != nil
        if versioned {
            if let tags = c.node.entry("tags"), tags.value.items?.isEmpty == false {
                c.error("invalid-combination", "a versioned ModelPackage takes its tags from its group; remove tags", at: tags.value)
            }
            if let cert = c.node["certifyForMarketplace"] {
                c.error("invalid-combination", "certifyForMarketplace does not apply to a versioned ModelPackage", at: cert)
            }
        } else {
            if let status = c.node["modelApprovalStatus"] {
                c.error("invalid-combination", "modelApprovalStatus applies only to versioned packages (with modelPackageGroupName)", at: status)
            }
            if let spec = c.node["inferenceSpecification"] {
                for field in ["supportedTransformInstanceTypes", "supportedRealtimeInferenceInstanceTypes"] where spec[field] == nil {
                    c.error("missing-field", "an unversioned ModelPackage needs inferenceSpecification.\(field)", at: spec)
                }
            }
        }
        for container in c.node["inferenceSpecification"]?["containers"]?.items ?? [] {
            if let url = container["modelDataURL"], let text = url.string, !text.hasSuffix(".tar.gz") {
                c.warning("model-data-url", "modelDataURL should point to a single .tar.gz archive", at: url)
            }
        }
    }
}
