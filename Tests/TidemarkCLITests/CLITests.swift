import Foundation
import Testing
import TidemarkTesting

/// End to end: the built `tidemark` binary against real git repositories in temp folders.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let binary = ProcessInfo.processInfo.environment["TIDEMARK_BIN"]
        ?? root.appendingPathComponent(".build/debug/tidemark").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], in dir: URL, env: [String: String] = [:]) throws -> Run {
        var environment = ["NO_COLOR": "1"]
        for (k, v) in env { environment[k] = v }
        let r = try ChildProcess.capture(binary, args, environment: environment, directory: dir.path)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// A repository whose first commit holds the example stack.
    static func stackRepo() throws -> TempRepository {
        let repo = try TempRepository()
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("manifests").path) where path.hasSuffix(".yaml") {
            try repo.write("manifests/" + path, String(contentsOf: root.appendingPathComponent("manifests/" + path), encoding: .utf8))
        }
        try repo.commit("the stack")
        return repo
    }

    @Test func validateAcceptsTheExampleStack() throws {
        let repo = try Self.stackRepo()
        let r = try Self.run(["validate"], in: repo.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("valid: 9 resources in 5 files, 0 errors, 0 warnings"))
    }

    @Test func validateLocatesErrorsAndExitsOne() throws {
        let repo = try Self.stackRepo()
        try repo.edit("manifests/serving/fraud-detector.yaml", "instanceType: ml.m5.xlarge", "intanceType: ml.m5.xlarge")
        try repo.commit("typo")
        let r = try Self.run(["validate"], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("manifests/serving/fraud-detector.yaml:22:7: error: unknown field 'intanceType' in spec.productionVariants[primary], did you mean 'instanceType'? [unknown-field]"))
        let github = try Self.run(["validate", "--format", "github"], in: repo.url)
        #expect(github.status == 1)
        #expect(github.stdout.hasPrefix("::error file=manifests/serving/fraud-detector.yaml,line=22,col=7,"))
        let json = try Self.run(["validate", "--format", "json"], in: repo.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == false)
        #expect(object?["errors"] as? Int == 1)
    }

    @Test func validateSurvivesHostileFiles() throws {
        let repo = try Self.stackRepo()
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        try repo.write("manifests/bomb.yaml", bomb)
        try repo.write("manifests/deep.yaml", String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000))
        try Data([0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: repo.url.appendingPathComponent("manifests/binary.yaml"))
        try repo.write("manifests/tabs.yaml", "apiVersion: tidemark.dev/v1alpha1\nkind: Model\n\tmetadata: {}\n")
        try repo.commit("hostile")
        let r = try Self.run(["validate"], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("manifests/bomb.yaml:"))
        #expect(r.stdout.contains("[yaml-alias-limit]"))
        #expect(r.stdout.contains("manifests/deep.yaml:1:"))
        #expect(r.stdout.contains("manifests/binary.yaml:1:"))
        #expect(r.stdout.contains("manifests/tabs.yaml:3:"))
    }

    @Test func planBetweenRevisionsInEveryFormat() throws {
        let repo = try Self.stackRepo()
        try repo.edit("manifests/feature-store/transactions.yaml", "    - {featureName: is_foreign, featureType: Integral}\n",
                      "    - {featureName: is_foreign, featureType: Integral}\n    - {featureName: merchant_risk, featureType: Fractional}\n")
        try repo.edit("manifests/serving/fraud-detector.yaml", "SAGEMAKER_CONTAINER_LOG_LEVEL: \"20\"", "SAGEMAKER_CONTAINER_LOG_LEVEL: \"10\"")
        try repo.commit("change")
        let text = try Self.run(["plan", "--base", "HEAD~1"], in: repo.url)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("~ FeatureGroup/fraud-transactions"))
        #expect(text.stdout.contains("-/+ Model/fraud-xgb"))
        #expect(text.stdout.contains("Plan: 0 to create, 2 to update, 2 to replace, 0 to delete; 5 unchanged."))
        let detailed = try Self.run(["plan", "--base", "HEAD~1", "--detailed-exitcode", "--format", "json"], in: repo.url)
        #expect(detailed.status == 2)
        let object = try JSONSerialization.jsonObject(with: Data(detailed.stdout.utf8)) as? [String: Any]
        #expect((object?["changes"] as? [[String: Any]])?.count == 4)
        let out = repo.url.appendingPathComponent("plan.md")
        let markdown = try Self.run(["plan", "--base", "HEAD~1", "--format", "markdown", "--out", out.path], in: repo.url)
        #expect(markdown.status == 0)
        let md = try String(contentsOf: out, encoding: .utf8)
        #expect(md.contains("| `-/+` | `Model/fraud-xgb` | replace |"))
        let none = try Self.run(["plan", "--base", "HEAD", "--detailed-exitcode"], in: repo.url)
        #expect(none.status == 0)
        #expect(none.stdout.contains("No changes. 9 resources up to date."))
    }

    @Test func planRefusesAnInvalidHead() throws {
        let repo = try Self.stackRepo()
        try repo.edit("manifests/serving/fraud-detector.yaml", "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")
        try repo.commit("serve an unapproved package")
        let r = try Self.run(["plan", "--base", "HEAD~1", "--detailed-exitcode"], in: repo.url)
        #expect(r.status == 1)
        #expect(r.stderr.contains("[approval-gate]"))
        #expect(r.stdout.isEmpty)
    }

    @Test func missingRevisionsAndUsageErrorsExitOne() throws {
        let repo = try Self.stackRepo()
        let missing = try Self.run(["plan", "--base", "nope"], in: repo.url)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("revision 'nope' not found"))
        let usage = try Self.run(["plan", "--format", "yaml"], in: repo.url)
        #expect(usage.status == 1)
        let path = try Self.run(["validate", "--path", "deploy"], in: repo.url)
        #expect(path.status == 1)
        #expect(path.stderr.contains("path 'deploy' does not exist"))
    }

    @Test func graphAndSchema() throws {
        let repo = try Self.stackRepo()
        let mermaid = try Self.run(["graph"], in: repo.url)
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.hasPrefix("flowchart LR\n"))
        #expect(mermaid.stdout.contains("[\"Endpoint/fraud-detector\"]"))
        let dot = try Self.run(["graph", "--format", "dot"], in: repo.url)
        #expect(dot.stdout.contains("\"Endpoint/fraud-detector\" -> \"EndpointConfig/fraud-detector\";"))
        let schema = try Self.run(["schema"], in: repo.url)
        let object = try JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any]
        #expect((object?["$defs"] as? [String: Any])?.keys.count == 8)
    }

    @Test func theExampleEnvironmentsValidate() throws {
        let repo = try TempRepository()
        for env in ["dev", "prod"] {
            let path = "examples/environments/\(env)/serving.yaml"
            try repo.write(path, String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8))
        }
        try repo.commit("environments")
        for env in ["dev", "prod"] {
            let r = try Self.run(["validate", "--path", "examples/environments/\(env)"], in: repo.url)
            #expect(r.status == 0, "\(r.stdout)")
        }
    }

    @Test func notesUncommittedManifestChanges() throws {
        let repo = try Self.stackRepo()
        try repo.edit("manifests/serving/fraud-detector.yaml", "initialInstanceCount: 4", "initialInstanceCount: 6")
        let r = try Self.run(["validate"], in: repo.url)
        #expect(r.status == 0)
        #expect(r.stderr.contains("manifests/serving/fraud-detector.yaml has uncommitted changes"))
    }
}

