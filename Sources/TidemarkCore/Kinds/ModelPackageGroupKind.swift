/// ModelPackageGroup (reference §4): no update API, so any change replaces it.
enum ModelPackageGroupKind {
    static let definition = KindDefinition(
        kind: .modelPackageGroup,
        spec: ObjectShape([
            Field("modelPackageGroupName", .name(.hyphenated63)),
            Field("modelPackageGroupDescription", .text(max: 1024)),
            CommonShapes.tags,
        ]),
        nameRule: .hyphenated63,
        nameField: "modelPackageGroupName",
        versionedNames: false,
        replacementIsDestructive: true,
        summary: "A model registry group that holds numbered ModelPackage versions.",
        rules: { _ in },
        deletesWith: .modelPackage)
}
