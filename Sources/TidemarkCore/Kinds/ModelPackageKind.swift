/// ModelPackage (reference §4): a versioned package in a group, or an unversioned one.
/// Only approval, customer metadata, the inference specification and additional inference
/// specifications (append-only) change in place.
enum ModelPackageKind {
    static let definition = KindDefinition(
        kind: .modelPackage,
        spec: .spec(from: SageMakerOperations.createModelPackage.input, nameField: nil,
                    updateOnly: ["approvalDescription"], of: SageMakerOperations.updateModelPackage, [
            .references("modelPackageGroupName", .modelPackageGroup, "The group this version belongs to (a ModelPackageGroup's metadata.name, or an ARN)."),
            .summary("modelPackageName", "For an unversioned package only."),
            .exactlyOneOf("", ["modelPackageGroupName", "modelPackageName"]),
            .updatable("modelApprovalStatus"),
            .summary("modelApprovalStatus", "Only Approved packages can be served by an Endpoint."),
            .keyed("additionalInferenceSpecifications", by: "name"),
            .appendOnly("additionalInferenceSpecifications", via: "AdditionalInferenceSpecificationsToAdd"),
        ] + ["inferenceSpecification", "customerMetadataProperties", "sourceURI", "modelCard", "modelLifeCycle"]
            .map { .updatable($0) }),
        nameRule: .hyphenated63,
        nameField: nil,
        versionedNames: false,
        replacementIsDestructive: false,
        summary: "A model version in the registry: containers, metrics and an approval status.",
        rules: rules,
        updateOperation: SageMakerOperations.updateModelPackage,
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
