import Foundation
import Testing
import TidemarkConsole
import TidemarkCore

/// The console's renderer on its own: the resource tree from a real dependency graph, and
/// the templates' escaping.
@Suite struct ConsoleRenderingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The example stack, with a second model behind a second variant of the endpoint config
    /// (so the config has two parents, and the package two referrers).
    static func stack(secondVariant: Bool) throws -> RevisionIndex {
        var files: [SourceFile] = []
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("manifests").path).sorted() where path.hasSuffix(".yaml") {
            var text = try String(contentsOf: root.appendingPathComponent("manifests/" + path), encoding: .utf8)
            if secondVariant, path == "serving/fraud-detector.yaml" {
                text = text.replacingOccurrences(of: """
                      initialVariantWeight: 1
                """, with: """
                      initialVariantWeight: 1
                    - variantName: challenger
                      modelName: fraud-xgb-b
                      instanceType: ml.m5.xlarge
                      initialInstanceCount: 1
                      initialVariantWeight: 1
                """)
                text += """
                ---
                apiVersion: tidemark.dev/v1alpha1
                kind: Model
                metadata:
                  name: fraud-xgb-b
                spec:
                  executionRoleARN: arn:aws:iam::123456789012:role/risk-sagemaker-inference
                  primaryContainer:
                    modelPackageName: fraud-xgb-v1

                """
            }
            files.append(SourceFile(path: "manifests/" + path, text: text))
        }
        let index = RevisionIndex(files)
        #expect(!index.loaded.hasErrors, "\(index.loaded.diagnostics)")
        return index
    }

    static func tree(_ index: RevisionIndex, drifted: ResourceID? = nil) -> String {
        var nodes: [ResourceID: ResourceTree.Node] = [:]
        for (id, r) in index.resolved {
            nodes[id] = ResourceTree.Node(physicalName: r.physicalName, sync: id == drifted ? "OutOfSync" : "Synced", health: "Healthy", drifted: id == drifted)
        }
        return ResourceTree(graph: index.graph, nodes: nodes, link: { "/apps/a/resources/\($0.kind.rawValue)/\(HTMLText.segment($0.name))" }).html()
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func theStackIsOneTreeUnderWhatEachDependsOnAndStartsCollapsed() throws {
        let html = Self.tree(try Self.stack(secondVariant: false), drifted: ResourceID(.endpoint, "fraud-detector"))
        #expect(Self.count("<li class=\"node", in: html) == 9)
        #expect(!html.contains(" open"))
        // The flow nests: package → model → config → endpoint → schedule.
        let order = ["id=\"r-ModelPackage-fraud-xgb-v1\"", "id=\"r-Model-fraud-xgb\"", "id=\"r-EndpointConfig-fraud-detector\"",
                     "id=\"r-Endpoint-fraud-detector\"", "id=\"r-MonitoringSchedule-fraud-detector-data-quality\""]
        let positions = order.compactMap { html.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())
        let endpoint = try #require(html.range(of: "id=\"r-Endpoint-fraud-detector\""))
        let schedule = try #require(html.range(of: "id=\"r-MonitoringSchedule-fraud-detector-data-quality\""))
        #expect(!html[endpoint.upperBound..<schedule.lowerBound].contains("</details></li>"), "the schedule sits inside the endpoint's row")
        // Versioned kinds show their physical names; the drifted endpoint is marked.
        #expect(html.contains("<a href=\"/apps/a/resources/Model/fraud-xgb\">fraud-xgb</a> <span class=\"physical\" title=\"physical name\">fraud-xgb-"))
        #expect(html.contains("class=\"node sync-OutOfSync health-Healthy drifted\" id=\"r-Endpoint-fraud-detector\""))
        #expect(Self.count("<span class=\"badge drift\">Drift</span>", in: html) == 1)
    }

    @Test func aResourceUnderTwoParentsIsDrawnOnceAndLinkedFromTheOther() throws {
        let html = Self.tree(try Self.stack(secondVariant: true))
        #expect(Self.count("<li class=\"node", in: html) == 11)
        #expect(Self.count(" id=\"r-EndpointConfig-fraud-detector\"", in: html) == 1)
        #expect(html.contains("<li class=\"node sync-Synced health-Healthy again\"><span class=\"kind\">EndpointConfig</span> <a href=\"#r-EndpointConfig-fraud-detector\">fraud-detector</a> <span class=\"note\">(shown above)</span></li>"))
        #expect(Self.count(" id=\"r-Endpoint-fraud-detector\"", in: html) == 1)
    }

    @Test func textIsEscapedInTheTreeAndThePages() throws {
        #expect(HTMLText.escape(#"<script>"x" & 'y'</script>"#) == "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;")
        #expect(HTMLText.segment("a b/ü") == "a%20b%2F%C3%BC")
        let pages = try ConsolePages()
        let page = pages.render(.message, title: "<b>t</b>", app: "a", events: nil,
                                fields: ["heading": "<img src=x onerror=alert(1)>", "text": "\"quoted\" & <script>alert(1)</script>", "back": "/"],
                                at: Date(timeIntervalSince1970: 0))
        #expect(!page.contains("<script>alert") && !page.contains("<img src=x"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("<title>&lt;b&gt;t&lt;/b&gt; · Tidemark</title>"))
        #expect(page.contains("Rendered 1970-01-01 00:00:00 UTC"))
    }
}
