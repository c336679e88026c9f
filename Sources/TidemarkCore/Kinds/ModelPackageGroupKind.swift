/// ModelPackageGroup (reference §4): no update API, so any change replaces it.
enum ModelPackageGroupKind {
    static let definition = KindDefinition(
        kind: .modelPackageGroup,
        spec: .spec(from: SageMakerOperations.createModelPackageGroup.input, nameField: "modelPackageGroupName", []),
        nameRule: .hyphenated63,
        nameField: "modelPackageGroupName",
        versionedNames: false,
        replacementIsDestructive: true,
        summary: "A model registry group that holds numbered ModelPackage versions.",
        rules: { _ in },
        deletesWith: .modelPackage)
}
