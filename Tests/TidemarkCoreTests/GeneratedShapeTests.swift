import Foundation
import Testing
@testable import TidemarkCore

/// Cases derived from the generated shapes themselves: for every kind, maximal manifests that
/// use every member validate; for every constrained member, a value that breaks the
/// constraint is reported at that member's line with the constraint's code.
@Suite struct GeneratedShapeTests {
    @Test(arguments: ResourceKind.allCases)
    func maximalManifestsUsingEveryMemberConform(_ kind: ResourceKind) throws {
        let spec = KindDefinition.of(kind).spec
        var used = Set<String>()
        let groups = SampleBuilder.groups(spec)
        for variant in 0..<(1 << groups.count) {
            let sample = try SampleBuilder(variant: variant, groups: groups).object(spec, path: "spec")
            let yaml = SampleYAML.render(kind: kind, spec: sample)
            let diagnostics = SampleYAML.check(yaml.text, spec)
            #expect(diagnostics.isEmpty, "\(kind) variant \(variant): \(diagnostics.map(\.description))\n\(yaml.text)")
            used.formUnion(yaml.lines.keys)
        }
        // Every member of the spec, at every depth, appeared in one of the manifests.
        let unused = SampleBuilder.memberPaths(spec, path: "spec").filter { !used.contains($0) }
        #expect(unused.isEmpty, "\(kind): no maximal manifest uses \(unused)")
    }

    @Test(arguments: ResourceKind.allCases)
    func everyConstraintFailsAtItsMembersLine(_ kind: ResourceKind) throws {
        let spec = KindDefinition.of(kind).spec
        let sample = try SampleBuilder(variant: 0, groups: SampleBuilder.groups(spec)).object(spec, path: "spec")
        let breaks = ConstraintBreaks.all(in: .object(spec), sample: sample, path: "spec")
        #expect(breaks.count > 10, "\(kind): only \(breaks.count) constraints found")
        for b in breaks {
            let yaml = SampleYAML.render(kind: kind, spec: b.sample)
            let line = try #require(b.atKey ? yaml.keyLines[b.linePath] : yaml.lines[b.linePath], "\(kind): \(b.linePath) not rendered")
            let diagnostics = SampleYAML.check(yaml.text, spec)
            let hit = diagnostics.contains { $0.location?.line == line && b.codes.contains($0.code) }
            #expect(hit, "\(kind): \(b.what) at \(b.linePath) (line \(line)) expected \(b.codes); got \(diagnostics.map(\.description))")
        }
    }

    @Test func everyPatternIsCheckedByTheRegexEngineOrByHand() {
        for p in SageMakerPatterns.all {
            #expect(p.isSupported, "pattern \(p.source) is neither compiled nor hand-written")
        }
        // The hand-written matchers agree with ICU where ICU takes the pattern as written.
        let probes = ["a", "a-b", "a--b", "-a", "a-", "a_b", "_a", "A9", "", "a b", String(repeating: "a", count: 63),
                      String(repeating: "a", count: 64), String(repeating: "b", count: 65), "x\ny", "é", "a\u{2028}b", "\t",
                      // URIs, ARNs, versions, blanks and categories for the hot patterns matched by hand.
                      "s3://b/k", "s3://b", "s3://bk/", "https://h/p\nq", "https://h\n/p", "s3://\n/x", "s3:///x", "S3://b/k",
                      "s3:/b", "https://", "s3://é/ü", "s3://b\u{2028}/k", "s3://b/k\u{2029}",
                      "arn:aws:sagemaker:us-east-1:123456789012:model-package/name-1/3",
                      "arn:aws:sagemaker:us-east-1:123456789012:model-package/name-1",
                      "arn:aws-cn:sagemaker:cn-north-1:123456789012:endpoint/e",
                      "arn:aws:sagemaker:us-east-1:12345678901:model/x", "arn:aws:sagemaker:us-east-1:1234567890123:model/x",
                      "arn:aws:sagemaker:us-east-1:123456789012:Model/x", "arn:aws:sagemaker:us-east-1:123456789012:model/",
                      "arn:aws:iam::123456789012:role/R", "arn:aws:sagemaker::123456789012:/x", "arnaws",
                      "name-1/12", "name-/1", "a/1234567890", "a/123456789", "a/", "a/b", String(repeating: "a", count: 63) + "/1",
                      " ", "  ", " a ", "a\u{00A0}b", "\u{00A0}", "a\u{0}b", "a\u{7F}", "x\u{301}", "\u{1F600}", "\u{E000}",
                      "\u{200B}", "a\u{1680}", "tab\there"]
        for p in SageMakerPatterns.all where !p.usesRegexEngine {
            guard let icu = try? NSRegularExpression(pattern: "\\A(?:" + p.source + ")\\z") else { continue }
            // ICU compiles it, so it is matched by hand only for speed or wording, and editors'
            // JSON Schema still carries it; but for Java's UTF-16 spelling of "any XML
            // character", which ICU compiles to something else and is rewritten.
            if p.source != #"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"# {
                #expect(p.schemaPattern != nil, "\(p.source) lost its schema pattern")
            }
            for s in probes {
                let expected = icu.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
                let got = p.matches(s)
                #expect(got == expected, "hand-written \(p.source) on \(s.debugDescription): \(got), ICU says \(expected)")
            }
        }
    }

    /// The hand matchers' classes take ASCII without a property lookup; every scalar up to
    /// U+3000 gets the answer Unicode's properties give.
    @Test func theHandMatchersClassesAgreeWithUnicodesProperties() {
        for value in UInt32(0)...0x3000 {
            guard let c = Unicode.Scalar(value) else { continue }
            #expect(HandWrittenPatterns.isSpace(c) == c.properties.isWhitespace, "White_Space of U+\(String(value, radix: 16))")
            let category = c.properties.generalCategory
            let printable = ![.control, .format, .surrogate, .privateUse, .unassigned].contains(category)
            #expect(HandWrittenPatterns.isPrintable(c) == printable, "printable U+\(String(value, radix: 16))")
        }
    }

    /// The per-thread memo of matched values never changes a verdict.
    @Test func theMemoAgreesWithThePatternItRemembers() {
        let memo = PatternMemo()
        let probes = ["arn:aws:iam::123456789012:role/R", "arn:aws:iam::123456789012:user/u", "s3://b/k", "gs://b/k", "team", "team!"]
        for _ in 0..<3 {
            for p in SageMakerPatterns.all {
                for s in probes + [SampleBuilder.patternSamples[p.source] ?? ""] {
                    #expect(memo.matches(p, s) == p.matches(s), "memo and \(p.source) disagree on \(s)")
                }
            }
        }
    }

    @Test func everyPatternHasASampleThatMatchesIt() {
        for p in SageMakerPatterns.all {
            let sample = SampleBuilder.patternSamples[p.source]
            #expect(sample != nil, "no sample for pattern \(p.source): add one to SampleBuilder.patternSamples")
            if let sample { #expect(p.matches(sample), "sample \(sample) does not match \(p.source)") }
        }
    }

    /// Each field that changes in place names a member of the kind's Update* operation.
    @Test(arguments: ResourceKind.allCases)
    func inPlaceChangesGoThroughTheUpdateOperation(_ kind: ResourceKind) {
        let d = KindDefinition.of(kind)
        let members = Set(d.updateOperation?.input.fields.map(\.wireName) ?? [])
        for (path, field) in SampleBuilder.fields(d.spec, path: "spec") where field.mutability != .immutable {
            let member = field.updateMember ?? field.wireName
            #expect(member == "Tags" || members.contains(member),
                    "\(kind): \(path) changes in place, but \(d.updateOperation?.name ?? "no update operation") has no member \(member)")
        }
    }

    @Test func fieldNamesFollowACKsRuleAndKeepTheirWireNames() throws {
        let model = SageMakerOperations.createModel.input
        #expect(model.field(named: "executionRoleARN")?.wireName == "ExecutionRoleArn")
        let container = try #require(model.field(named: "primaryContainer"))
        guard case .object(let c) = container.shape else { Issue.record("primaryContainer is not an object"); return }
        #expect(c.field(named: "modelDataURL")?.wireName == "ModelDataUrl")
        let fg = SageMakerOperations.createFeatureGroup.input
        guard case .object(let offline)? = fg.field(named: "offlineStoreConfig")?.shape,
              case .object(let s3)? = offline.field(named: "s3StorageConfig")?.shape else { Issue.record("offline store shape"); return }
        #expect(s3.field(named: "s3URI")?.wireName == "S3Uri")
        #expect(s3.field(named: "kmsKeyID")?.wireName == "KmsKeyId")
        guard case .object(let endpoint)? = SageMakerOperations.createEndpoint.input.field(named: "deploymentConfig")?.shape,
              case .object(let bg)? = endpoint.field(named: "blueGreenUpdatePolicy")?.shape,
              case .object(let routing)? = bg.field(named: "trafficRoutingConfiguration")?.shape else { Issue.record("deployment shape"); return }
        #expect(routing.field(named: "type_")?.name == "type")
    }
}

/// Builds a valid value for every member of a shape. Each exactly-one-of group (all have two
/// members) picks by one bit of `variant`, so the 2^groups variants use every member.
struct SampleBuilder {
    let variant: Int
    let groups: [String]

    static func groups(_ object: ObjectShape) -> [String] {
        var out: [String] = []
        func walk(_ shape: Shape) {
            switch shape {
            case .object(let o):
                out += o.exactlyOneOf.map { $0.joined(separator: "|") }
                o.fields.forEach { walk($0.shape) }
            case .list(let l): walk(l.element)
            case .map(let m): walk(m.value)
            case .string, .integer, .number, .boolean, .document: break
            }
        }
        walk(.object(object))
        return out
    }

    struct NoSample: Error, CustomStringConvertible {
        let description: String
    }

    static let patternSamples: [String: String] = [
        #"[A-Za-z0-9\.\-_]+"#: "channel-1",
        #"(?!\s*$).+"#: "HighLatency",
        #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)"#: "name-1",
        #"[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9]"#: "my-bucket",
        #"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9+.])*"#: "text/csv",
        #"[\s\S]+"#: "1,2,3",
        "[a-zA-Z0-9-]+": "token-1",
        #"[\S]+"#: "123456789012.dkr.ecr.us-east-1.amazonaws.com/image:1",
        #"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*"#: "text/csv",
        #"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,128}"#: "team",
        #"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,256}"#: "ml-platform",
        #"[\S\s]+"#: #"{"input_1": [1, 28, 28]}"#,
        "(https|s3)://([^/])/?(.*)": "s3://bucket/prefix",
        #"[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*"#: "A description.",
        "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}": "name-1",
        "[a-zA-Z_][a-zA-Z0-9_]*": "LOG_LEVEL",
        #"[\S\s]*"#: "info",
        "[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}": "feature_1",
        #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:feature-group\/)?([a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63})"#: "group_1",
        "[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}": "feature_2",
        #"\d{1,4}.\d{1,4}.\d{1,4}"#: "1.0.0",
        "[Ss][Hh][Aa]256:[0-9a-fA-F]{64}": "sha256:" + String(repeating: "ab", count: 32),
        ".+": "key",
        "[a-zA-Z0-9:/_-]*": "alias/key",
        #"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z0-9\-]{1,14}/.*"#: "arn:aws:sagemaker:us-east-1:123456789012:reservation/r1",
        #"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?"#: "model-1",
        #"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/[\S]{1,2048}"#: "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/1",
        #"[0-9]\.[A-Za-z0-9.-]+"#: "2.1",
        #"[\p{L}\p{M}\p{Z}\p{N}\p{P}]{0,1024}"#: "s3://bucket/source",
        ".?P.*": "-PT1H",
        #".*(?:[ \r\n\t].*)*"#: "{}",
        ".*": "A pipeline.",
        "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}": "pipeline-1",
        "[a-zA-Z0-9](-*[a-zA-Z0-9])*": "product-1",
        #"[-\w]+\/.+"#: "application/json",
        #"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"#: "arn:aws:iam::123456789012:role/SageMakerRole",
        "(https|s3)://([^/]+)/?(.*)": "s3://bucket/prefix/key",
        "[-0-9a-zA-Z]+": "sg-0123",
        #"arn:aws[a-z\-]*:sns:[a-z0-9\-]*:[0-9]{12}:[a-zA-Z0-9_.-]+"#: "arn:aws:sns:us-east-1:123456789012:topic",
        ".{0,1024}": "stage",
        #"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"#: "table",
        #"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"#: "team",
        "[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*": "al2-ami",
        "[a-zA-Z_][a-zA-Z0-9_]{0,1023}": "KEY",
        #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?"#: "package-1",
    ]

    func string(_ rule: StringRule, path: String, index: Int = 0) throws -> String {
        if let allowed = rule.allowed { return allowed.values[index % allowed.values.count] }
        var s: String
        if let name = rule.name {
            s = name == .underscored64 ? "name_1" : "name-1"
        } else if let pattern = rule.pattern {
            guard let sample = Self.patternSamples[pattern.source] else { throw NoSample(description: "no sample for \(pattern.source) at \(path)") }
            s = sample
        } else {
            s = "text"
        }
        if index > 0 { s += String(index) }
        while s.utf16.count < rule.minLength { s += "a" }
        if let max = rule.maxLength, s.utf16.count > max { throw NoSample(description: "sample '\(s)' is longer than \(max) at \(path)") }
        return s
    }

    func value(_ shape: Shape, path: String, index: Int = 0) throws -> Sample {
        switch shape {
        case .string(let rule): return .text(try string(rule, path: path, index: index))
        case let .integer(min, max): return .int(Swift.max(min ?? 1, Swift.min(1, max ?? 1)))
        case let .number(min, max): return .number(Swift.max(min ?? 1, Swift.min(1, max ?? 1)))
        case .boolean: return .bool(true)
        case .document: return .object([("Version", .text("2020-12-01")), ("Steps", .list([.object([("Name", .text("Step")), ("Type", .text("Fail")), ("Arguments", .object([]))])]))])
        case .list(let list):
            let count = Swift.max(list.minCount ?? 1, 1)
            return .list(try (0..<count).map { i in
                if let key = list.key, case .object(let element) = list.element {
                    return try object(element, path: path + "[]", keyIndex: (key, i))
                }
                return try value(list.element, path: path + "[]", index: i)
            })
        case .map(let map):
            let count = Swift.max(map.minEntries ?? 1, 1)
            return .object(try (0..<count).map { i in (try string(map.key, path: path + "{}", index: i + 1), try value(map.value, path: path + "{}")) })
        case .object(let object): return try self.object(object, path: path)
        }
    }

    func object(_ object: ObjectShape, path: String, keyIndex: (String, Int)? = nil) throws -> Sample {
        let excluded = Set(object.exactlyOneOf.flatMap { group in
            let bit = groups.firstIndex(of: group.joined(separator: "|")) ?? 0
            return group.enumerated().filter { $0.offset != ((variant >> bit) & 1) % group.count }.map(\.element)
        })
        var members: [(String, Sample)] = []
        for f in object.fields where !excluded.contains(f.name) {
            let index = keyIndex.flatMap { $0.0 == f.name ? $0.1 : nil } ?? 0
            members.append((f.name, try value(f.shape, path: "\(path).\(f.name)", index: index)))
        }
        return .object(members)
    }

    /// The paths of every member below a shape, as the renderer names them.
    static func memberPaths(_ object: ObjectShape, path: String) -> [String] {
        fields(object, path: path).map(\.0)
    }

    static func fields(_ object: ObjectShape, path: String) -> [(String, Field)] {
        var out: [(String, Field)] = []
        func walk(_ shape: Shape, _ path: String) {
            switch shape {
            case .object(let o):
                for f in o.fields {
                    out.append(("\(path).\(f.name)", f))
                    walk(f.shape, "\(path).\(f.name)")
                }
            case .list(let l): walk(l.element, path + "[0]")
            case .map, .string, .integer, .number, .boolean, .document: break
            }
        }
        walk(.object(object), path)
        return out
    }
}

indirect enum Sample {
    case text(String)
    case int(Int64)
    case number(Double)
    case bool(Bool)
    case list([Sample])
    case object([(String, Sample)])
}

/// Renders a sample as a block-style manifest and remembers the line of every path:
/// `spec.a.b`, `spec.list[0].x`, `spec.map{0}` (a map's first entry).
enum SampleYAML {
    struct Rendered {
        var text: String
        /// Where each path's node starts.
        var lines: [String: Int]
        /// Where each member's key is written.
        var keyLines: [String: Int]
    }

    static func render(kind: ResourceKind, spec: Sample) -> Rendered {
        var out = ["apiVersion: tidemark.dev/v1alpha1", "kind: \(kind.rawValue)", "metadata:", "  name: sample-1", "spec:"]
        var lines: [String: Int] = ["spec": 6]
        var keyLines: [String: Int] = [:]
        emit(spec, indent: 2, path: "spec", out: &out, lines: &lines, keyLines: &keyLines)
        return Rendered(text: out.joined(separator: "\n") + "\n", lines: lines, keyLines: keyLines)
    }

    static func scalar(_ s: Sample) -> String? {
        switch s {
        case .text(let t): return quote(t)
        case .int(let i): return String(i)
        case .number(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items) where items.isEmpty: return "[]"
        case .object(let m) where m.isEmpty: return "{}"
        case .list, .object: return nil
        }
    }

    static func quote(_ t: String) -> String {
        var q = "\""
        for u in t.unicodeScalars {
            switch u {
            case "\"": q += "\\\""
            case "\\": q += "\\\\"
            case "\n": q += "\\n"
            case "\t": q += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x85 || u.value == 0x2028 || u.value == 0x2029 { q += String(format: "\\u%04X", u.value) } else { q.unicodeScalars.append(u) }
            }
        }
        return q + "\""
    }

    /// Writes the members of `s` (an object or list) at `indent`; the node itself starts on
    /// the next line written, which `lines[path]` records.
    static func emit(_ s: Sample, indent: Int, path: String, out: inout [String], lines: inout [String: Int], keyLines: inout [String: Int]) {
        let pad = String(repeating: " ", count: indent)
        switch s {
        case .object(let members):
            for (k, v) in members {
                let p = "\(path).\(k)"
                keyLines[p] = out.count + 1
                if let text = scalar(v) {
                    out.append("\(pad)\(key(k)): \(text)")
                    lines[p] = out.count
                } else {
                    out.append("\(pad)\(key(k)):")
                    lines[p] = out.count + 1
                    emit(v, indent: indent + 2, path: p, out: &out, lines: &lines, keyLines: &keyLines)
                }
            }
        case .list(let items):
            for (i, v) in items.enumerated() {
                let p = "\(path)[\(i)]"
                if let text = scalar(v) {
                    out.append("\(pad)- \(text)")
                    lines[p] = out.count
                } else {
                    out.append("\(pad)-")
                    lines[p] = out.count + 1
                    emit(v, indent: indent + 2, path: p, out: &out, lines: &lines, keyLines: &keyLines)
                }
            }
        case .text, .int, .number, .bool: break
        }
    }

    static func key(_ k: String) -> String {
        k.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? k : quote(k)
    }

    /// The shape checker's verdict on the rendered spec.
    static func check(_ text: String, _ spec: ObjectShape) -> [Diagnostic] {
        let loaded = YAMLLoader.load(text, file: "sample.yaml")
        guard loaded.diagnostics.isEmpty, let doc = loaded.documents.first, let node = doc["spec"] else { return loaded.diagnostics }
        var checker = ShapeChecker(file: "sample.yaml")
        _ = checker.check(node, .object(spec), path: "spec")
        return checker.diagnostics
    }
}

/// One way to break one constraint, and where the diagnostic must appear.
struct ConstraintBreak {
    var what: String
    var sample: Sample
    /// The path whose rendered line the diagnostic must be on.
    var linePath: String
    var codes: Set<String>
    /// Whether the line is that of the member's key rather than its value.
    var atKey = false
}

enum ConstraintBreaks {
    static let patternProbes = ["!", "a b", "a\nb", "-", "x", "arn:aws:iam::123456789012:user/u", "sqs", "http://", "  "]

    static func all(in shape: Shape, sample: Sample, path: String) -> [ConstraintBreak] {
        var out: [ConstraintBreak] = []
        collect(shape, sample, path: path, replace: { $0 }, into: &out)
        return out
    }

    /// `replace` rebuilds the whole spec with this node replaced (nil removes it).
    static func collect(_ shape: Shape, _ sample: Sample, path: String, replace: @escaping (Sample?) -> Sample?, into out: inout [ConstraintBreak]) {
        func add(_ what: String, _ new: Sample?, atKey linePath: String? = nil, _ codes: Set<String>) {
            if let whole = replace(new) {
                out.append(ConstraintBreak(what: what, sample: whole, linePath: linePath ?? path, codes: codes, atKey: linePath != nil))
            }
        }
        switch (shape, sample) {
        case (.string(let rule), .text):
            if let allowed = rule.allowed {
                add("a value outside the enum", .text("NotA" + (allowed.values.first ?? "Value")), ["invalid-value"])
                return
            }
            if rule.minLength > 1 { add("shorter than \(rule.minLength)", .text(String(repeating: "a", count: rule.minLength - 1)), ["out-of-range", "invalid-name"]) }
            if rule.minLength == 1 { add("empty", .text(""), ["out-of-range", "invalid-name"]) }
            if let max = rule.maxLength, max < 5000 { add("longer than \(max)", .text(String(repeating: "a", count: max + 1)), ["out-of-range", "invalid-name"]) }
            if let pattern = rule.pattern {
                let fitting = patternProbes.first { p in
                    !pattern.matches(p) && p.utf16.count >= rule.minLength && p.utf16.count <= (rule.maxLength ?? Int.max)
                }
                if let probe = fitting { add("not matching \(pattern.source)", .text(probe), ["invalid-format", "invalid-name"]) }
            }
        case let (.integer(min, max), .int):
            if let min, min > Int64.min { add("below \(min)", .int(min - 1), ["out-of-range"]) }
            if let max, max < Int64.max { add("above \(max)", .int(max + 1), ["out-of-range"]) }
        case let (.number(min, max), .number):
            if let min { add("below \(min)", .number(min - 1), ["out-of-range"]) }
            if let max { add("above \(max)", .number(max + 1), ["out-of-range"]) }
        case (.list(let list), .list(let items)):
            if let min = list.minCount, min > 0 {
                add("fewer than \(min) items", .list(Array(items.prefix(min - 1))), ["too-few"])
            }
            if let max = list.maxCount, max <= 5000, let first = items.first {
                add("more than \(max) items", .list(Array(repeating: first, count: max + 1)), ["too-many"])
            }
            for (i, item) in items.enumerated() {
                collect(list.element, item, path: "\(path)[\(i)]", replace: { new in
                    var copy = items
                    if let new { copy[i] = new } else { copy.remove(at: i) }
                    return replace(.list(copy))
                }, into: &out)
            }
        case (.map(let map), .object(let entries)):
            if let min = map.minEntries, min > 0 { add("fewer than \(min) entries", .object(Array(entries.prefix(min - 1))), ["too-few"]) }
            if let max = map.maxEntries, max <= 5000, let first = entries.first {
                let many = (0...max).map { i in ("K\(i)", first.1) }
                add("more than \(max) entries", .object(many), ["too-many"])
            }
            if let pattern = map.key.pattern, let first = entries.first,
               let probe = patternProbes.first(where: { !pattern.matches($0) && !$0.contains("\n") && $0.utf16.count >= map.key.minLength }) {
                var copy = entries
                copy[0] = (probe, first.1)
                add("a key not matching \(pattern.source)", .object(copy), atKey: "\(path).\(probe)", ["invalid-format", "invalid-name"])
            }
        case (.object(let object), .object(let members)):
            for (i, (name, value)) in members.enumerated() {
                guard let field = object.field(named: name) else { continue }
                let replaceMember: (Sample?) -> Sample? = { new in
                    var copy = members
                    if let new { copy[i] = (name, new) } else { copy.remove(at: i) }
                    return replace(.object(copy))
                }
                if field.required, field.defaultValue == nil {
                    // The diagnostic names the object, at its first remaining member.
                    let remaining = members.enumerated().filter { $0.offset != i }
                    if let next = remaining.first {
                        if let whole = replaceMember(nil) {
                            out.append(ConstraintBreak(what: "without required \(name)", sample: whole, linePath: "\(path).\(next.element.0)", codes: ["missing-field"], atKey: true))
                        }
                    }
                }
                collect(field.shape, value, path: "\(path).\(name)", replace: replaceMember, into: &out)
            }
        default: break
        }
    }
}
