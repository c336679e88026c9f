import Foundation
import Testing
import TidemarkTesting
@testable import TidemarkCore

/// Records are read back through `Value(json:)`, which reads JSON straight into values. Over
/// random values it must give back what was written, and agree with the position-keeping
/// reader (`Value(jsonText:)`, the one API bodies go through) on everything both accept.
@Suite struct JSONValueReaderTests {
    static let pieces = ["a", "key", "ü", "漢字", "🚨", "\"", "\\", "/", "\n", "\t", "\r", "\u{1}", "\u{7f}", "\u{2028}", "\u{2029}", "\u{2027}",
                         "\u{e2}", " ", "ml.m5.xlarge", "{", "]", ":", ","]

    static func string(_ g: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...4, using: &g)).map { _ in pieces.randomElement(using: &g) ?? "" }.joined()
    }

    static func value(_ g: inout SplitMix64, depth: Int) -> Value {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .int([0, -1, 1, Int64.max, Int64.min, Int64.random(in: -1_000_000...1_000_000, using: &g)].randomElement(using: &g) ?? 0)
        case 3: return .double([0.5, -2.25, 1.0, 1e-7, 123456.789, 1e300, Double.random(in: -1e6...1e6, using: &g)].randomElement(using: &g) ?? 0)
        case 4: return .string(string(&g))
        case 5: return .list((0..<Int.random(in: 0...4, using: &g)).map { _ in value(&g, depth: depth + 1) })
        default:
            return .object(sorting: (0..<Int.random(in: 0...4, using: &g)).map { _ in .init(string(&g), value(&g, depth: depth + 1)) })
        }
    }

    /// The byte writer behind `canonicalJSON` (hashes, the audit chain) writes exactly what the
    /// text writer does with no indentation; both escape strings one way.
    @Test func canonicalBytesAreTheCompactText() {
        var g = SplitMix64(seed: 2611)
        for _ in 0..<2000 {
            let v = Self.value(&g, depth: 0)
            var text = ""
            v.writeJSON(into: &text, pretty: false, indent: 0)
            #expect(v.canonicalJSON == text)
        }
        #expect(JSONText.quote("a\"b\\c\n\r\t\u{1}\u{7f}\u{2028}\u{2029}\u{2027}é🚨") == #""a\"b\\c\n\r\t\u0001\u007f\u2028\u2029\#u{2027}é🚨""#)
        var skipped = CanonicalJSON()
        skipped.write([.init("a", .int(1)), .init("b", .string("x")), .init("c", .null)], skipping: ["b"])
        #expect(skipped.text == #"{"a":1,"c":null}"#)
    }

    @Test func randomValuesComeBackAsWritten() {
        var g = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            let v = Self.value(&g, depth: 0)
            for text in [v.canonicalJSON, v.prettyJSON] {
                #expect(Value(json: text) == v, "\(text)")
                #expect(Value(json: text) == Value(jsonText: text), "\(text)")
            }
        }
    }

    @Test func jsonAsOthersWriteItIsRead() throws {
        let text = #" { "b" : [1, -0, 2.5e3, 1E-2, 12345678901234567890, true, false, null], "a": "\u00e9\ud83d\udea8\/\b\f\r", "a": "later" } "#
        let v = try #require(Value(json: text))
        #expect(v["a"] == .string("later"))
        #expect(v["b"] == .list([.int(1), .int(0), .double(2500), .double(0.01), .double(12345678901234567890), .bool(true), .bool(false), .null]))
        #expect(v.members?.map(\.key) == ["a", "b"])
        #expect(Value(json: #""\u00e9\ud83d\udea8\/\b\f\r""#) == .string("é🚨/\u{8}\u{c}\r"))
    }

    @Test func malformedTextIsNil() {
        let deep = String(repeating: "[", count: 202) + String(repeating: "]", count: 202)
        for text in ["", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "'a'", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
                     "\"a", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\u{1}\"", "1 2", "{\"a\" 1}", "NaN", "1e999", deep] {
            #expect(Value(json: text) == nil, "\(text)")
        }
        #expect(Value(json: String(repeating: "[", count: 150) + String(repeating: "]", count: 150)) != nil)
    }
}
