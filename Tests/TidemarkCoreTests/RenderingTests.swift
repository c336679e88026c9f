import Foundation
import Testing
@testable import TidemarkCore

/// Golden files for the three plan formats. Set TIDEMARK_UPDATE_GOLDEN=1 to rewrite them
/// after an intended change, then review the diff.
@Suite struct RenderingTests {
    static let golden = Fixtures.root.appendingPathComponent("Tests/TidemarkCoreTests/Golden")

    func samplePlan() throws -> Plan {
        let approveV2 = (Fixtures.registry, "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved")
        let base = Fixtures.load()
        let head = Fixtures.load([
            approveV2,
            (Fixtures.serving, "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2"),
            (Fixtures.featureStore, "    - {featureName: is_foreign, featureType: Integral}\n", "    - {featureName: is_foreign, featureType: String}\n"),
        ])
        try #require(!head.hasErrors, "\(head.diagnostics)")
        let (changes, unchanged) = Planner.changes(from: Planner.Side(base.desired), to: Planner.Side(head.desired))
        return Plan(base: PlanSide(revision: "origin/main", commit: "1111111111111111111111111111111111111111"),
                    head: PlanSide(revision: "HEAD", commit: "2222222222222222222222222222222222222222"),
                    path: "manifests", changes: changes, unchanged: unchanged, warnings: [])
    }

    func check(_ actual: String, _ name: String) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["TIDEMARK_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from its golden file; rerun with TIDEMARK_UPDATE_GOLDEN=1 if intended")
    }

    @Test func textPlanMatchesGolden() throws {
        try check(PlanRenderer.text(samplePlan(), color: false), "plan.txt")
    }

    /// With a limit, the changes stop once the text passes it; the summary still closes it.
    @Test func aLimitedTextPlanSaysWhatItLeftOut() throws {
        let plan = try samplePlan()
        let whole = PlanRenderer.text(plan, color: false)
        let none = PlanRenderer.text(plan, color: false, limit: .max)
        #expect(none.text == whole && none.omitted == 0)
        // The title line alone passes 10 bytes: no change is shown, the count says so.
        let cut = PlanRenderer.text(plan, color: false, limit: 10)
        #expect(plan.changes.count > 1 && cut.omitted == plan.changes.count)
        let firstOnly = PlanRenderer.text(plan, color: false, limit: whole.utf8.count / 10)
        #expect(firstOnly.omitted > 0 && firstOnly.omitted < plan.changes.count, "\(firstOnly.omitted)")
        #expect(cut.text.contains("\n  … and \(cut.omitted) more changes\n"))
        #expect(cut.text.hasSuffix(PlanRenderer.summaryLine(plan) + "\n"))
        #expect(cut.text.utf8.count < whole.utf8.count)
    }

    @Test func markdownPlanMatchesGolden() throws {
        let parts = PlanRenderer.markdown(try samplePlan())
        #expect(parts.count == 1)
        try check(parts.joined(), "plan.md")
    }

    @Test func jsonPlanMatchesGoldenAndParses() throws {
        let json = PlanRenderer.json(try samplePlan())
        try check(json, "plan.json")
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["formatVersion"] as? String == "1")
        let summary = object?["summary"] as? [String: Any]
        #expect(summary?["replace"] as? Int == 3)
        #expect(summary?["destructive"] as? Int == 1)
    }

    @Test func colourIsOnlyAddedWhenAsked() throws {
        let plan = try samplePlan()
        #expect(!PlanRenderer.text(plan, color: false).contains("\u{1B}["))
        #expect(PlanRenderer.text(plan, color: true).contains("\u{1B}["))
    }

    @Test func longMarkdownIsSplitIntoNumberedPartsUnderTheLimit() throws {
        var plan = try samplePlan()
        let template = plan.changes[0]
        plan.changes = (0..<3000).map { i in
            var c = template
            c.id = ResourceID(.featureGroup, "group-\(i)")
            return c
        }
        let parts = PlanRenderer.markdown(plan)
        #expect(parts.count > 1)
        for (i, part) in parts.enumerated() {
            #expect(part.count <= PlanRenderer.markdownPartLimit + 200)
            if i > 0 { #expect(part.hasPrefix("### Tidemark plan (part \(i + 1) of \(parts.count))")) }
        }
        #expect(parts.joined().components(separatedBy: "<details>").count - 1 == 3000)
    }

    @Test func githubAnnotationsEscapeTheirFields() {
        let d = Diagnostic.error("x", "bad: a, b\nc", at: SourceLocation(file: "a,b:c.yaml", line: 3, column: 4))
        #expect(DiagnosticRenderer.github([d]) == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=tidemark x::bad: a, b%0Ac\n")
    }

    @Test func schemaCoversEveryKindAndParses() throws {
        let json = SchemaRenderer.schema().prettyJSON
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let defs = object?["$defs"] as? [String: Any]
        #expect(defs?.count == 8)
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }
}
