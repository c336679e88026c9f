import Foundation
import Testing
@testable import TidemarkCore

/// Faults found in real manifests (issue 9's list), one regression test each.
@Suite struct RealManifestFaultTests {
    @Test func aDuplicateStepNameNamesTheEarlierOneAsFirst() throws {
        let loaded = Fixtures.load([(Fixtures.pipeline, "      - Name: Evaluate", "      - Name: Train")])
        let d = try #require(loaded.diagnostics.first { $0.code == "duplicate-entry" })
        #expect(d.location?.line == 47)
        #expect(d.message.contains("first at line 32"), "\(d.message)")
    }

    /// Every object schema that requires a field with another spelling accepts either.
    @Test func theSchemaAcceptsACKsTypeUnderscoreWhereValidateDoes() throws {
        var objects: [Value] = []
        func walk(_ v: Value) {
            if let members = v.members {
                if v["properties"]?["type_"] != nil { objects.append(v) }
                for m in members { walk(m.value) }
            } else if let items = v.elements {
                for i in items { walk(i) }
            }
        }
        walk(SchemaRenderer.schema())
        #expect(!objects.isEmpty)
        for o in objects {
            let required = o["required"]?.elements?.compactMap(\.stringValue) ?? []
            #expect(!required.contains("type"), "an object requires `type` and would refuse `type_`")
            let alternatives = (o["allOf"]?.elements ?? []).compactMap { $0["oneOf"]?.elements }
                .map { $0.compactMap { $0["required"]?.elements?.first?.stringValue } }
            #expect(alternatives.contains(["type", "type_"]), "\(o)")
        }
        // And validate really accepts the ACK spelling there.
        let ack = Fixtures.load([(Fixtures.serving, "canarySize: {type: CAPACITY_PERCENT, value: 25}", "canarySize: {type_: CAPACITY_PERCENT, value: 25}")])
        #expect(!ack.hasErrors, "\(ack.diagnostics)")
    }
}

@Suite struct PlanClippingTests {
    @Test func longValuesThatDifferNearTheEndShowTheDifference() {
        let base = "s3://risk-ml-models/fraud/training-output/xgboost-2026/pipelines-run-0042/"
        let (before, after) = PlanRenderer.clipPair(.string(base + "2026-09/model.tar.gz"), .string(base + "2026-10/model.tar.gz"))
        #expect(before != after)
        #expect(before.contains("2026-09") && after.contains("2026-10"), "\(before) → \(after)")
        #expect(before.count <= 60 && after.count <= 60)
        #expect(before.hasPrefix("…"))
    }

    @Test func shortValuesAreShownWhole() {
        let (before, after) = PlanRenderer.clipPair(.int(4), .int(6))
        #expect(before == "4" && after == "6")
    }

    @Test func aDifferenceAtTheStartKeepsTheStart() {
        let tail = String(repeating: "x", count: 100)
        let (before, after) = PlanRenderer.clipPair(.string("a" + tail), .string("b" + tail))
        #expect(before.hasPrefix("\"a") && after.hasPrefix("\"b"), "\(before) → \(after)")
    }
}

@Suite struct ApprovalGateTests {
    @Test func anUnversionedPackageCanBeServedWithoutApproval() {
        let loaded = Fixtures.load([
            (Fixtures.registry, "  modelPackageGroupName: fraud-models\n  modelPackageDescription: Baseline, trained on 2026-09 data (AUC 0.931)\n  modelApprovalStatus: Approved\n  approvalDescription: Approved by risk-ml review 2026-10-02\n",
             "  modelPackageName: fraud-xgb-v1\n  modelPackageDescription: Baseline, trained on 2026-09 data (AUC 0.931)\n"),
            (Fixtures.registry, "    supportedRealtimeInferenceInstanceTypes: [ml.m5.large, ml.m5.xlarge]\n  modelMetrics:\n    modelQuality:\n      statistics: {contentType: application/json, s3URI: s3://risk-ml-models/fraud/2026-09/evaluation.json}",
             "    supportedRealtimeInferenceInstanceTypes: [ml.m5.large, ml.m5.xlarge]\n    supportedTransformInstanceTypes: [ml.m5.large]\n  modelMetrics:\n    modelQuality:\n      statistics: {contentType: application/json, s3URI: s3://risk-ml-models/fraud/2026-09/evaluation.json}"),
        ])
        #expect(!loaded.diagnostics.contains { $0.code == "approval-gate" }, "\(loaded.diagnostics)")
        #expect(!loaded.hasErrors, "\(loaded.diagnostics.map(\.description))")
    }

    @Test func aVersionedPackageStillNeedsApproval() {
        let loaded = Fixtures.load([(Fixtures.serving, "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")])
        #expect(loaded.diagnostics.contains { $0.code == "approval-gate" })
    }
}

@Suite struct DeepPipelineTests {
    /// Nested Condition steps, `depth` YAML levels deep inside the definition: the shape real
    /// SDK-written pipelines of nested conditions take.
    static func pipeline(depth: Int) -> String {
        var condition = "{Type: Fail, Name: Deepest, Arguments: {ErrorMessage: too deep}}"
        var level = 0
        var i = 0
        while level + 4 < depth {
            condition = "{Name: Check\(i), Type: Condition, Arguments: {Conditions: [{Type: Equals, LeftValue: 1, RightValue: 1}], IfSteps: [\(condition)], ElseSteps: []}}"
            level += 4
            i += 1
        }
        return """
            apiVersion: tidemark.dev/v1alpha1
            kind: Pipeline
            metadata:
              name: deep
            spec:
              roleARN: arn:aws:iam::123456789012:role/risk-sagemaker-pipelines
              pipelineDefinition:
                Version: "2020-12-01"
                Steps: [\(condition)]

            """
    }

    @Test(arguments: [96, 120])
    func aDeeplyNestedPipelineLoadsOnEveryDecodingThread(_ depth: Int) {
        // Several files, so decoding runs on the concurrent workers (small stacks).
        let files = (0..<4).map { SourceFile(path: "manifests/p\($0).yaml", text: Self.pipeline(depth: depth).replacingOccurrences(of: "name: deep", with: "name: deep-\($0)")) }
        let loaded = RevisionLoader.load(files)
        #expect(!loaded.diagnostics.contains { $0.code.hasPrefix("yaml-") }, "\(loaded.diagnostics.prefix(2).map(\.description))")
        #expect(loaded.desired.count == 4, "\(loaded.diagnostics.prefix(2).map(\.description))")
        let index = RevisionIndex(files)
        #expect(Planner.changes(from: .empty, to: index.side).changes.count == 4)
    }

    @Test func nestingPastTheLimitIsALocatedError() {
        let loaded = RevisionLoader.load([SourceFile(path: "manifests/p.yaml", text: Self.pipeline(depth: 200))])
        #expect(loaded.diagnostics.contains { $0.code == "yaml-depth" && ($0.location?.line ?? 0) > 0 })
    }
}

@Suite struct LongVersionedNameTests {
    static let long63 = "fraud-detector-gradient-boosted-trees-for-card-not-present-eu1"

    func renamed(_ name: String) -> [(String, String, String)] {
        [(Fixtures.serving, "  name: fraud-xgb\n", "  name: \(name)\n"), (Fixtures.serving, "modelName: fraud-xgb", "modelName: \(name)")]
    }

    @Test func aValid63CharacterModelNameIsAcceptedAndItsPhysicalNameFits() throws {
        #expect(Self.long63.count == 62 || Self.long63.count == 63)
        let name = Self.long63 + String(repeating: "x", count: 63 - Self.long63.count)
        let loaded = Fixtures.load(renamed(name))
        #expect(!loaded.hasErrors, "\(loaded.diagnostics.map(\.description))")
        let index = RevisionIndex(Fixtures.stack(renamed(name)))
        let model = try #require(index.resolved[ResourceID(.model, name)])
        #expect(model.physicalName.count <= 63)
        #expect(model.physicalName.hasPrefix(String(name.prefix(54))))
        #expect(KindDefinition.of(.model).nameRule.accepts(model.physicalName))
    }

    @Test func twoLongNamesSharingTheirStartGetDifferentPhysicalNames() {
        let a = Resolution.versionedName(String(repeating: "a", count: 60) + "one", digest: "0123456789abcdef", limit: 63)
        let b = Resolution.versionedName(String(repeating: "a", count: 60) + "two", digest: "0123456789abcdef", limit: 63)
        #expect(a != b)
        #expect(a.count <= 63 && b.count <= 63)
        // Names that fit keep the plain scheme.
        #expect(Resolution.versionedName("fraud-xgb", digest: "d4b4d94cffff", limit: 63) == "fraud-xgb-d4b4d94c")
    }
}
