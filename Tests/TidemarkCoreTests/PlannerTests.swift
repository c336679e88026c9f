import Testing
import TidemarkTesting
@testable import TidemarkCore

@Suite struct PlannerTests {
    /// Plans from the example stack to the stack with `edits`.
    func plan(_ edits: [(String, String, String)], from baseEdits: [(String, String, String)] = []) throws -> [Change] {
        let base = Fixtures.load(baseEdits)
        let head = Fixtures.load(edits)
        try #require(!base.hasErrors, "\(base.diagnostics)")
        try #require(!head.hasErrors, "\(head.diagnostics)")
        return Planner.changes(from: Planner.Side(base.desired), to: Planner.Side(head.desired)).changes
    }

    func change(_ changes: [Change], _ id: String) -> Change? {
        changes.first { $0.id.description == id }
    }

    /// Identities order by kind (as listed), then by name byte by byte: the order of plans,
    /// applies and every listing.
    @Test func identitiesOrderByKindThenNameBytes() {
        #expect(ResourceKind.allCases.map(\.rank) == Array(0..<ResourceKind.allCases.count))
        let names = ["b", "a-1", "a", "", "a0", "Z", "é", "e", "ab", "a-10", "a-2"]
        for kind in ResourceKind.allCases {
            let ids = names.map { ResourceID(kind, $0) }.sorted()
            #expect(ids.map(\.name) == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
        let mixed = ResourceKind.allCases.reversed().map { ResourceID($0, "x") }.sorted()
        #expect(mixed.map(\.kind) == ResourceKind.allCases)
        #expect(!(ResourceID(.model, "a") < ResourceID(.model, "a")))
    }

    /// The prefix-keyed sorts give exactly `<`'s order, and by level first when asked: names
    /// around the key's 7- and 15-byte halves, shared prefixes, prefixes of one another, bytes
    /// above ASCII (and one nul, which the key's padding must not confuse).
    @Test func theFastSortsOrderAsTheComparisonDoes() {
        var rng = SplitMix64(seed: 5)
        let stems = ["", "a", "abcdefg", "abcdefgh", "abcdefghijklmno", "abcdefghijklmnop", "shared-prefix-", "é", "a\u{0}"]
        var ids: [ResourceID] = []
        for _ in 0..<2_000 {
            let kind = ResourceKind.allCases[Int(rng.next() % 8)]
            let stem = stems[Int(rng.next() % UInt64(stems.count))]
            ids.append(ResourceID(kind, stem + String(rng.next() % 40, radix: 36)))
        }
        #expect(ResourceID.ordered(ids) == ids.sorted())
        func level(_ id: ResourceID) -> Int { id.name.utf8.count % 4 }
        #expect(ResourceID.ordered(ids, byLevel: level) == ids.sorted { level($0) != level($1) ? level($0) < level($1) : $0 < $1 })
    }

    /// A long list is visited in two halves, one per core: the same changes, in the same order,
    /// as one pass.
    @Test func aLongListVisitedInHalvesIsOnePass() {
        func resource(_ i: Int, _ tag: String) -> ResolvedResource {
            ResolvedResource(id: ResourceID(.modelPackageGroup, "g\(i)"), physicalName: "g\(i)", digest: "d\(i)",
                             spec: .object([.init("modelPackageGroupDescription", .string(tag))]), referenceDigests: [:],
                             location: nil, policy: ManifestPolicy())
        }
        var before = ResourceMap<ResolvedResource>()
        var after = ResourceMap<ResolvedResource>()
        for i in 0..<1_500 {
            if i % 7 != 0 { before[resource(i, "x").id] = resource(i, "x") }
            after[resource(i, "x").id] = resource(i, i % 5 == 0 ? "y" : "x")
        }
        let ids = after.keys.sorted()
        let split = Planner.visit(ids, Planner.Side(resources: before, order: ids), Planner.Side(resources: after, order: ids), candidates: nil)
        let single = Planner.visit(ids[...], Planner.Side(resources: before, order: ids), Planner.Side(resources: after, order: ids), candidates: nil)
        #expect(split.changes.map(\.id) == single.changes.map(\.id))
        #expect(split.changes.map(\.action) == single.changes.map(\.action))
        #expect(split.unchanged == single.unchanged)
        #expect(split.changes.count == 215 + 257)  // creates (every 7th) and updates (every 5th of the rest)
    }

    @Test func addingAFeatureIsAnInPlaceUpdate() throws {
        let changes = try plan([(Fixtures.featureStore, "    - {featureName: is_foreign, featureType: Integral}\n",
                                 "    - {featureName: is_foreign, featureType: Integral}\n    - {featureName: merchant_risk, featureType: Fractional}\n")])
        #expect(changes.count == 1)
        let c = try #require(change(changes, "FeatureGroup/fraud-transactions"))
        #expect(c.action == .update)
        #expect(!c.destructive)
        #expect(c.reason == "adds feature merchant_risk in place")
        #expect(c.diff == [FieldDiff(path: "featureDefinitions[merchant_risk]", before: nil,
                                     after: .object([.init("featureName", .string("merchant_risk")), .init("featureType", .string("Fractional"))]),
                                     forcesReplacement: false)])
    }

    @Test func removingAFeatureIsADestructiveReplacement() throws {
        let changes = try plan([(Fixtures.featureStore, "    - {featureName: is_foreign, featureType: Integral}\n", "")])
        let c = try #require(change(changes, "FeatureGroup/fraud-transactions"))
        #expect(c.action == .replace)
        #expect(c.destructive)
        #expect(c.reason.hasPrefix("removes feature is_foreign"))
        #expect(c.diff.first?.forcesReplacement == true)
    }

    @Test func retypingAFeatureIsADestructiveReplacement() throws {
        let changes = try plan([(Fixtures.featureStore, "{featureName: is_foreign, featureType: Integral}", "{featureName: is_foreign, featureType: String}")])
        let c = try #require(change(changes, "FeatureGroup/fraud-transactions"))
        #expect(c.action == .replace)
        #expect(c.destructive)
        #expect(c.reason.hasPrefix("changes feature is_foreign"))
        #expect(c.diff.map(\.path) == ["featureDefinitions[is_foreign].featureType"])
    }

    @Test func anImmutableModelChangeCascadesToConfigAndEndpoint() throws {
        let changes = try plan([(Fixtures.serving, "SAGEMAKER_CONTAINER_LOG_LEVEL: \"20\"", "SAGEMAKER_CONTAINER_LOG_LEVEL: \"10\"")])
        #expect(changes.map(\.id.description) == ["Model/fraud-xgb", "EndpointConfig/fraud-detector", "Endpoint/fraud-detector"])
        #expect(changes.map(\.action) == [.replace, .replace, .update])
        let model = changes[0], config = changes[1], endpoint = changes[2]
        #expect(model.previousPhysicalName?.hasPrefix("fraud-xgb-") == true)
        #expect(model.physicalName != model.previousPhysicalName)
        #expect(config.diff.first?.path == "productionVariants[primary].modelName")
        #expect(config.diff.first?.after == model.physicalName.map(Value.string))
        #expect(config.reason.contains("Model/fraud-xgb is replaced"))
        #expect(endpoint.diff.first?.after == config.physicalName.map(Value.string))
        #expect(endpoint.reason.hasPrefix("deploys \(config.physicalName ?? "")"))
        #expect(changes.allSatisfy { !$0.destructive })
    }

    @Test func anApprovalChangeIsInPlaceAndDoesNotCascade() throws {
        let changes = try plan([(Fixtures.registry, "approvalDescription: Approved by risk-ml review 2026-10-02", "approvalDescription: Re-approved after audit")])
        #expect(changes.map(\.id.description) == ["ModelPackage/fraud-xgb-v1"])
        #expect(changes.first?.action == .update)
        let approve = try plan([(Fixtures.registry, "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved")])
        #expect(approve.map(\.action) == [.update])
        #expect(approve.first?.reason == "approval PendingManualApproval → Approved in place")
    }

    @Test func servingANewPackageVersionReplacesTheModel() throws {
        let approveV2 = (Fixtures.registry, "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved")
        let changes = try plan([approveV2, (Fixtures.serving, "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")], from: [approveV2])
        #expect(changes.map(\.id.description) == ["Model/fraud-xgb", "EndpointConfig/fraud-detector", "Endpoint/fraud-detector"])
    }

    @Test func reorderingIsNotAChange() throws {
        let changes = try plan([
            (Fixtures.featureStore, "    - {featureName: transaction_id, featureType: String}\n    - {featureName: event_time, featureType: Fractional}\n",
             "    - {featureType: Fractional, featureName: event_time}\n    - {featureName: transaction_id, featureType: String}\n"),
            (Fixtures.serving, "    captureOptions:\n      - {captureMode: Input}\n      - {captureMode: Output}\n",
             "    captureOptions:\n      - {captureMode: Output}\n      - {captureMode: Input}\n"),
            (Fixtures.pipeline, "      - {Name: InputData, Type: String, DefaultValue: \"s3://risk-ml-data/fraud/raw/\"}\n",
             ""),
            (Fixtures.pipeline, "      - {Name: AucThreshold, Type: Float, DefaultValue: 0.9}\n",
             "      - {Name: AucThreshold, Type: Float, DefaultValue: 0.9}\n      - {Name: InputData, Type: String, DefaultValue: \"s3://risk-ml-data/fraud/raw/\"}\n"),
        ])
        #expect(changes.isEmpty, "\(changes.map(\.reason))")
    }

    @Test func writingADefaultExplicitlyIsNotAChange() throws {
        let changes = try plan([
            (Fixtures.serving, "      initialVariantWeight: 1\n", ""),
            (Fixtures.serving, "    modelPackageName: fraud-xgb-v1\n", "    modelPackageName: fraud-xgb-v1\n    mode: SingleModel\n"),
            (Fixtures.serving, "  executionRoleARN:", "  enableNetworkIsolation: false\n  executionRoleARN:"),
            (Fixtures.monitoring, "            localPath: /opt/ml/processing/input/endpoint\n", "            localPath: /opt/ml/processing/input/endpoint\n            s3InputMode: File\n"),
        ])
        #expect(changes.isEmpty, "\(changes.map(\.reason))")
    }

    @Test func aPipelineStepChangeIsAnUpdateNamingTheStep() throws {
        let changes = try plan([(Fixtures.pipeline, "max_depth: \"6\"", "max_depth: \"8\"")])
        let c = try #require(changes.first)
        #expect(changes.count == 1)
        #expect(c.action == .update)
        #expect(c.diff.map(\.path) == ["pipelineDefinition.Steps[Train].Arguments.HyperParameters.max_depth"])
    }

    @Test func deletesComeAfterCreatesChildrenFirstAndRetainIsHonoured() throws {
        let monitoring = Fixtures.stackPaths.firstIndex(of: Fixtures.monitoring)!
        let base = Fixtures.load()
        var headFiles = Fixtures.stack()
        headFiles.remove(at: monitoring)
        let serving = headFiles.firstIndex { $0.path == Fixtures.serving }!
        headFiles.remove(at: serving)
        let head = RevisionLoader.load(headFiles)
        #expect(!head.hasErrors)
        let changes = Planner.changes(from: Planner.Side(base.desired), to: Planner.Side(head.desired)).changes
        #expect(changes.map(\.id.description) == ["MonitoringSchedule/fraud-detector-data-quality", "Endpoint/fraud-detector",
                                                  "EndpointConfig/fraud-detector", "Model/fraud-xgb"])
        #expect(changes.allSatisfy { $0.action == .delete })
        #expect(changes[1].retain)
        #expect(!changes[0].retain)
    }

    @Test func recreatingAGroupReregistersItsPackagesAndCascades() throws {
        let changes = try plan([(Fixtures.registry, "modelPackageGroupDescription: XGBoost card-fraud classifiers", "modelPackageGroupDescription: Card-fraud classifiers")])
        #expect(change(changes, "ModelPackageGroup/fraud-models")?.action == .replace)
        #expect(change(changes, "ModelPackageGroup/fraud-models")?.destructive == true)
        #expect(change(changes, "ModelPackage/fraud-xgb-v1")?.action == .replace)
        #expect(change(changes, "Model/fraud-xgb")?.action == .replace)
        #expect(change(changes, "Endpoint/fraud-detector")?.action == .update)
        #expect(change(changes, "Pipeline/fraud-training") == nil)
    }

    @Test func anExplicitNullMeansTheDefault() throws {
        let changes = try plan([(Fixtures.serving, "      initialVariantWeight: 1\n", "      initialVariantWeight: null\n")])
        #expect(changes.isEmpty, "\(changes.map(\.reason))")
    }

    @Test func anUnchangedStackPlansNothing() throws {
        let loaded = Fixtures.load()
        let result = Planner.changes(from: Planner.Side(loaded.desired), to: Planner.Side(loaded.desired))
        #expect(result.changes.isEmpty)
        #expect(result.unchanged == 9)
    }

    @Test func anEmptyBaseCreatesEverythingParentsFirst() throws {
        let loaded = Fixtures.load()
        let changes = Planner.changes(from: .empty, to: Planner.Side(loaded.desired)).changes
        #expect(changes.count == 9)
        let position = Dictionary(uniqueKeysWithValues: changes.enumerated().map { ($1.id.description, $0) })
        #expect(position["ModelPackageGroup/fraud-models"]! < position["Pipeline/fraud-training"]!)
        #expect(position["ModelPackage/fraud-xgb-v1"]! < position["Model/fraud-xgb"]!)
        #expect(position["Model/fraud-xgb"]! < position["EndpointConfig/fraud-detector"]!)
        #expect(position["Endpoint/fraud-detector"]! < position["MonitoringSchedule/fraud-detector-data-quality"]!)
    }
}

@Suite struct RevisionIndexTests {
    /// The incremental path must plan exactly what a full load plans.
    @Test(arguments: [
        [(Fixtures.serving, "SAGEMAKER_CONTAINER_LOG_LEVEL: \"20\"", "SAGEMAKER_CONTAINER_LOG_LEVEL: \"10\"")],
        [(Fixtures.registry, "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved"),
         (Fixtures.serving, "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")],
        [(Fixtures.registry, "modelPackageGroupDescription: XGBoost card-fraud classifiers", "modelPackageGroupDescription: other")],
        [(Fixtures.featureStore, "tableFormat: Iceberg", "tableFormat: Glue")],
    ])
    func incrementalEqualsFull(_ edits: [(String, String, String)]) throws {
        let base = Fixtures.stack()
        let head = Fixtures.stack(edits)
        let changedPaths = Set(edits.map(\.0))
        let index = RevisionIndex(base)
        let next = index.updated(changed: head.filter { changedPaths.contains($0.path) }, removed: [])
        let incremental = Planner.changes(from: index.side, to: next.side, candidates: next.touched)
        let full = Planner.changes(from: Planner.Side(RevisionLoader.load(base).desired), to: Planner.Side(RevisionLoader.load(head).desired))
        #expect(incremental.changes.map(\.id) == full.changes.map(\.id))
        #expect(incremental.changes.map(\.action) == full.changes.map(\.action))
        #expect(incremental.changes.map(\.diff) == full.changes.map(\.diff))
        #expect(incremental.unchanged == full.unchanged)
    }

    @Test func aRemovedFileDeletesItsResourcesAndBreaksReferencesToThem() throws {
        let index = RevisionIndex(Fixtures.stack())
        let next = index.updated(changed: [], removed: [Fixtures.registry])
        #expect(next.loaded.diagnostics.contains { $0.code == "dangling-reference" })
        let changes = Planner.changes(from: index.side, to: next.side, candidates: next.touched).changes
        #expect(changes.filter { $0.action == .delete }.count == 3)
    }
}
