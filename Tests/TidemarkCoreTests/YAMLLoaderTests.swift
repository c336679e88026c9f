import Testing
import TidemarkTesting
@testable import TidemarkCore

@Suite struct YAMLLoaderTests {
    func load(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLLoader.Result {
        YAMLLoader.load(text, file: "t.yaml", limits: limits)
    }

    @Test func resolvesScalarsByTheYAML12CoreSchema() throws {
        let r = load("a: yes\nb: on\nc: \"1\"\nd: 1\ne: 1.5\nf: true\ng: ~\nh: 0x1F\ni: 0o17\nj: .inf\nk: 1e3\nl: '2'\nm: NO\n")
        let doc = try #require(r.documents.first)
        #expect(r.diagnostics.isEmpty)
        #expect(doc["a"]?.string == "yes")
        #expect(doc["b"]?.string == "on")
        #expect(doc["c"]?.string == "1")
        #expect(doc["d"]?.int == 1)
        #expect(doc["e"]?.number == 1.5)
        #expect(doc["f"]?.bool == true)
        #expect(doc["g"]?.isNull == true)
        #expect(doc["h"]?.int == 31)
        #expect(doc["i"]?.int == 15)
        #expect(doc["j"]?.number == .infinity)
        #expect(doc["k"]?.number == 1000)
        #expect(doc["l"]?.string == "2")
        #expect(doc["m"]?.string == "NO")
    }

    @Test func carriesOneBasedPositionsOnEveryNode() throws {
        let r = load("---\nkind: Model\nspec:\n  list:\n    - x\n    - y: 2\n")
        let doc = try #require(r.documents.first)
        let item = try #require(doc["spec"]?["list"]?.items?[1])
        #expect(item.mark == Mark(line: 6, column: 7))
        #expect(doc.entry("spec")?.keyMark == Mark(line: 3, column: 1))
    }

    @Test func readsEveryDocumentOfAFile() {
        let r = load("a: 1\n---\nb: 2\n---\n# only a comment\n")
        #expect(r.documents.count == 3)
        #expect(r.documents[2].isNull)
    }

    @Test func rejectsDuplicateKeysNamingBothPlaces() throws {
        let r = load("a: 1\nb: 2\na: 3\n")
        let d = try #require(r.diagnostics.first)
        #expect(d.code == "yaml-duplicate-key")
        #expect(d.location == SourceLocation(file: "t.yaml", line: 3, column: 1))
        #expect(d.message.contains("line 1"))
    }

    @Test func explainsTabIndentation() throws {
        let r = load("spec:\n\tname: x\n")
        let d = try #require(r.diagnostics.first)
        #expect(d.code == "yaml-syntax")
        #expect(d.location?.line == 2)
        #expect(d.message.contains("tabs"))
    }

    @Test func locatesAnUnclosedQuote() throws {
        let r = load("a: 1\nb: \"open\nc: 2\n")
        let d = try #require(r.diagnostics.first)
        #expect(d.code == "yaml-syntax")
        #expect(d.location != nil)
        #expect(d.message.contains("quoted scalar"))
    }

    @Test func stopsABillionLaughsFast() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        var r: YAMLLoader.Result?
        let elapsed = clock.measure { r = load(text) }
        let d = try #require(r?.diagnostics.first)
        #expect(d.code == "yaml-alias-limit")
        #expect(d.location?.file == "t.yaml")
        #expect(elapsed < .seconds(5))
    }

    @Test func allowsModestAliases() throws {
        let r = load("base: &b {x: 1}\nother: *b\n")
        #expect(r.diagnostics.isEmpty)
        #expect(r.documents.first?["other"]?["x"]?.int == 1)
    }

    @Test func rejectsUndefinedAliases() throws {
        let d = try #require(load("a: *nope\n").diagnostics.first)
        #expect(d.code == "yaml-alias")
    }

    @Test func boundsNestingDepth() throws {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let d = try #require(load(deep).diagnostics.first)
        #expect(d.code == "yaml-depth")
        #expect(d.location?.line == 1)
        let mapDeep = (0..<300).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(load(mapDeep).diagnostics.first?.code == "yaml-depth")
    }

    @Test func reportsInvalidUTF8AtItsPosition() throws {
        var bytes = Array("a: 1\nb: caf".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        let r = YAMLLoader.load(bytes, file: "t.yaml")
        let d = try #require(r.diagnostics.first)
        #expect(d.code == "yaml-encoding")
        #expect(d.location?.line == 2)
        #expect(d.message.contains("UTF-8"))
    }

    @Test func refusesFilesOverTheSizeLimit() throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 50 * 1024 * 1024)
        let r = YAMLLoader.load(big, file: "big.yaml")
        let d = try #require(r.diagnostics.first)
        #expect(d.code == "yaml-too-large")
        #expect(d.location == SourceLocation(file: "big.yaml", line: 1, column: 1))
    }

    @Test func survivesRandomBytes() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let count = Int(generator.next() % 2048)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let r = YAMLLoader.load(bytes, file: "r.yaml")
            for d in r.diagnostics { #expect(d.location?.file == "r.yaml" || d.location == nil) }
        }
    }

    @Test func rejectsUnknownTags() throws {
        let d = try #require(load("a: !python/object x\n").diagnostics.first)
        #expect(d.code == "yaml-tag")
    }
}

/// The node budget counts nodes built (aliases expanded), not nesting.
@Suite struct YAMLBudgetTests {
    static func nested(_ depth: Int) -> String {
        var text = ""
        for i in 0..<depth { text += String(repeating: "  ", count: i) + "k\(i):\n" }
        return text + String(repeating: "  ", count: depth) + "leaf: 1\n"
    }

    @Test func nestingToTheDocumentedDepthLoads() throws {
        let limits = YAMLLimits()
        let r = YAMLLoader.load(Self.nested(limits.maxDepth - 1), file: "deep.yaml")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let deeper = YAMLLoader.load(Self.nested(limits.maxDepth + 1), file: "deep.yaml")
        #expect(deeper.diagnostics.first?.code == "yaml-depth")
    }

    @Test func deepNestingIsNotCountedAsAnAliasBomb() {
        // Under the old budget every level doubled the count: 40 levels were "2^40 nodes".
        var limits = YAMLLimits()
        limits.maxNodes = 1000
        let r = YAMLLoader.load(Self.nested(40), file: "deep.yaml", limits: limits)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
    }

    @Test func aliasesCountWhatTheyExpandTo() {
        var limits = YAMLLimits()
        limits.maxNodes = 100
        let small = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n"
        #expect(YAMLLoader.load(small, file: "t.yaml", limits: limits).diagnostics.isEmpty)
        let big = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [" + Array(repeating: "*a", count: 12).joined(separator: ", ") + "]\n"
        #expect(YAMLLoader.load(big, file: "t.yaml", limits: limits).diagnostics.first?.code == "yaml-alias-limit")
    }

    @Test func aPipelineWithAThousandStepsLoadsAndValidates() throws {
        let original = Fixtures.text(Fixtures.pipeline)
        var steps = "    Steps:\n"
        for i in 0..<1000 {
            steps += """
                  - Name: Step\(i)
                    Type: Processing
                    \(i > 0 ? "DependsOn: [Step\(i - 1)]\n        " : "")Arguments:
                      ProcessingResources:
                        ClusterConfig: {InstanceType: ml.m5.xlarge, InstanceCount: 1, VolumeSizeInGB: 30}
                      AppSpecification: {ImageUri: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/fraud-preprocess:1.4}
                      RoleArn: arn:aws:iam::123456789012:role/risk-sagemaker-pipelines

            """
        }
        let start = try #require(original.range(of: "    Steps:\n"))
        let pipeline = String(original[..<start.lowerBound]) + steps
        let files = Fixtures.stackPaths.filter { $0 != Fixtures.pipeline && $0 != Fixtures.registry && $0 != Fixtures.serving && $0 != Fixtures.monitoring }
            .map { SourceFile(path: $0, text: Fixtures.text($0)) } + [SourceFile(path: Fixtures.pipeline, text: pipeline)]
        let loaded = RevisionLoader.load(files)
        #expect(!loaded.diagnostics.contains { $0.code.hasPrefix("yaml-") }, "\(loaded.diagnostics.prefix(3))")
        #expect(loaded.desired[ResourceID(.pipeline, "fraud-training")] != nil, "\(loaded.diagnostics.prefix(3))")
    }
}
