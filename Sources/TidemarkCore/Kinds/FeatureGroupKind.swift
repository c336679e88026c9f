/// FeatureGroup (reference §2, §9, §11.2).
enum FeatureGroupKind {
    static let reservedNames: Set<String> = ["is_deleted", "write_time", "api_invocation_time"]
    /// Their lengths in bytes (each is ASCII, and so is its lowercase): most names need no lowercasing.
    static let reservedLengths = Set(reservedNames.map(\.utf8.count))

    static let definition = KindDefinition(
        kind: .featureGroup,
        spec: .spec(from: SageMakerOperations.createFeatureGroup.input, nameField: "featureGroupName", [
            .keyed("featureDefinitions", by: "featureName"),
            .appendOnly("featureDefinitions", via: "FeatureAdditions"),
            .summary("featureDefinitions", "Features may be added in place; removing or retyping one replaces the group and drops its data."),
            .defaultValue("onlineStoreConfig.enableOnlineStore", .bool(false)),
            .updatable("onlineStoreConfig.ttlDuration", via: "OnlineStoreConfig"),
            .defaultValue("offlineStoreConfig.disableGlueTableCreation", .bool(false)),
            .updatable("throughputConfig"),
        ]),
        nameRule: .underscored64,
        nameField: "featureGroupName",
        versionedNames: false,
        replacementIsDestructive: true,
        summary: "A SageMaker Feature Store feature group: record identifier, event time, features, online and offline stores.",
        rules: rules,
        updateOperation: SageMakerOperations.updateFeatureGroup,
        appendOnlyLists: ["featureDefinitions"])

    @Sendable static func rules(_ c: inout RuleContext) {
        let defs = c.node["featureDefinitions"]?.items ?? []
        var types: [String: String] = [:]
        types.reserveCapacity(defs.count)
        for def in defs {
            guard let name = def["featureName"]?.string else { continue }
            types[name] = def["featureType"]?.string
            if reservedLengths.contains(name.utf8.count), reservedNames.contains(name.lowercased()) {
                c.error("reserved-name", "feature name '\(name)' is reserved by Feature Store (is_deleted, write_time, api_invocation_time)", at: def["featureName"])
            }
            if def["collectionType"]?.string == "Vector", def["featureType"]?.string != "Fractional" {
                c.error("invalid-value", "feature '\(name)': a Vector collection must have featureType Fractional", at: def["collectionType"])
            }
            if def["collectionType"]?.string == "Vector", def["collectionConfig"] == nil {
                c.error("missing-field", "feature '\(name)': a Vector collection needs collectionConfig.vectorConfig.dimension", at: def["collectionType"])
            }
        }
        if let node = c.node["recordIdentifierFeatureName"], let id = node.string {
            if types[id] == nil {
                c.error("unknown-feature", "recordIdentifierFeatureName '\(id)' is not among featureDefinitions\(suggest(id, types))", at: node)
            } else if defs.first(where: { $0["featureName"]?.string == id })?["collectionType"] != nil {
                c.error("invalid-value", "the record identifier '\(id)' cannot be a collection feature", at: node)
            }
        }
        if let node = c.node["eventTimeFeatureName"], let name = node.string {
            switch types[name] {
            case nil:
                c.error("unknown-feature", "eventTimeFeatureName '\(name)' is not among featureDefinitions\(suggest(name, types))", at: node)
            case "String", "Fractional": break
            case let other?:
                c.error("invalid-value", "the event time feature '\(name)' must have featureType String or Fractional, not \(other)", at: node)
            }
        }
        let online = c.node["onlineStoreConfig"]
        let offline = c.node["offlineStoreConfig"]
        let onlineEnabled = online?["enableOnlineStore"]?.bool ?? false
        if offline == nil && !onlineEnabled {
            c.error("missing-store", "a feature group needs an online store (onlineStoreConfig.enableOnlineStore: true) or an offline store (offlineStoreConfig)", at: nil)
        }
        if let online, !onlineEnabled, online["storageType"] != nil || online["ttlDuration"] != nil {
            c.warning("ineffective-field", "onlineStoreConfig settings have no effect while enableOnlineStore is false", at: online)
        }
        if let offline, offline["tableFormat"]?.string == "Iceberg", offline["disableGlueTableCreation"]?.bool == true {
            c.error("invalid-combination", "the Iceberg table format needs disableGlueTableCreation: false", at: offline["tableFormat"])
        }
        if let t = c.node["throughputConfig"], t["throughputMode"]?.string == "OnDemand",
           t["provisionedReadCapacityUnits"] != nil || t["provisionedWriteCapacityUnits"] != nil {
            c.error("invalid-combination", "provisioned capacity units apply only to throughputMode Provisioned", at: t)
        }
    }

    static func suggest(_ name: String, _ known: [String: String]) -> String {
        Suggestion.closest(to: name, in: Array(known.keys)).map { "; did you mean '\($0)'?" } ?? ""
    }
}
