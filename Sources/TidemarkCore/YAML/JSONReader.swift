/// Reads JSON text (RFC 8259) into YAML nodes, so a document written as a JSON string (a
/// pipeline definition, as the SageMaker SDK writes it) is checked like one written as YAML.
/// Unlike a YAML parser it takes every JSON escape, surrogate pairs included (`\ud83d\udea8`,
/// which Python's `json.dumps` writes). `position` maps a character offset in the text to
/// where that character was written in the file.
struct JSONReader {
    struct Failure: Error {
        var code: String
        var message: String
        var offset: Int
    }

    private let chars: [Unicode.Scalar]
    private let position: (Int) -> Mark
    private let maxDepth: Int
    private var i = 0

    static func read(_ text: String, maxDepth: Int, position: @escaping (Int) -> Mark) -> Result<YAMLNode, Failure> {
        var reader = JSONReader(chars: Array(text.unicodeScalars), position: position, maxDepth: maxDepth)
        do {
            reader.skipSpace()
            let node = try reader.value(depth: 0)
            reader.skipSpace()
            if reader.i < reader.chars.count {
                throw Failure(code: "json-syntax", message: "unexpected '\(reader.chars[reader.i])' after the JSON document", offset: reader.i)
            }
            return .success(node)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(code: "json-syntax", message: "\(error)", offset: 0))
        }
    }

    private init(chars: [Unicode.Scalar], position: @escaping (Int) -> Mark, maxDepth: Int) {
        self.chars = chars
        self.position = position
        self.maxDepth = maxDepth
    }

    private func fail(_ message: String, at offset: Int? = nil, code: String = "json-syntax") -> Failure {
        Failure(code: code, message: message, offset: offset ?? i)
    }

    private mutating func skipSpace() {
        while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" || chars[i] == "\r" { i += 1 }
    }

    private var found: String {
        i < chars.count ? "'\(chars[i])'" : "the end of the text"
    }

    private mutating func value(depth: Int) throws -> YAMLNode {
        guard i < chars.count else { throw fail("expected a JSON value, found the end of the text") }
        let start = i
        switch chars[i] {
        case "{":
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels", code: "yaml-depth") }
            i += 1
            var entries: [YAMLNode.Entry] = []
            var seen: [String: Int] = [:]
            skipSpace()
            if i < chars.count, chars[i] == "}" { i += 1; return YAMLNode(.mapping([]), at: position(start)) }
            while true {
                skipSpace()
                guard i < chars.count, chars[i] == "\"" else { throw fail("expected a member name in double quotes, found \(found)") }
                let keyStart = i
                let key = try string()
                if let first = seen[key] {
                    throw fail("duplicate key '\(key)' (first at line \(position(first).line))", at: keyStart, code: "duplicate-key")
                }
                seen[key] = keyStart
                skipSpace()
                guard i < chars.count, chars[i] == ":" else { throw fail("expected ':' after the member name, found \(found)") }
                i += 1
                skipSpace()
                let v = try value(depth: depth + 1)
                entries.append(.init(key: key, keyMark: position(keyStart), value: v))
                skipSpace()
                guard i < chars.count else { throw fail("unclosed '{' (opened at line \(position(start).line))", at: start) }
                if chars[i] == "," { i += 1; continue }
                if chars[i] == "}" { i += 1; break }
                throw fail("expected ',' or '}', found \(found)")
            }
            return YAMLNode(.mapping(entries), at: position(start))
        case "[":
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels", code: "yaml-depth") }
            i += 1
            var items: [YAMLNode] = []
            skipSpace()
            if i < chars.count, chars[i] == "]" { i += 1; return YAMLNode(.sequence([]), at: position(start)) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < chars.count else { throw fail("unclosed '[' (opened at line \(position(start).line))", at: start) }
                if chars[i] == "," { i += 1; continue }
                if chars[i] == "]" { i += 1; break }
                throw fail("expected ',' or ']', found \(found)")
            }
            return YAMLNode(.sequence(items), at: position(start))
        case "\"":
            let s = try string()
            return scalar(s, .string(s), .doubleQuoted, at: start)
        case "t", "f", "n":
            for (word, v) in [("true", ScalarValue.bool(true)), ("false", .bool(false)), ("null", .null)] where matches(word) {
                i += word.unicodeScalars.count
                return scalar(word, v, .plain, at: start)
            }
            throw fail("expected a JSON value, found \(found)")
        default:
            return try number()
        }
    }

    private func matches(_ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        return i + w.count <= chars.count && Array(chars[i..<(i + w.count)]) == w
    }

    private func scalar(_ text: String, _ value: ScalarValue, _ style: YAMLNode.Scalar.Style, at start: Int) -> YAMLNode {
        YAMLNode(.scalar(.init(text: text, style: style, value: value, contentColumn: 0)), at: position(start))
    }

    private mutating func number() throws -> YAMLNode {
        let start = i
        func digits() -> Int {
            let from = i
            while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
            return i - from
        }
        if i < chars.count, chars[i] == "-" { i += 1 }
        guard i < chars.count, ("0"..."9").contains(chars[i]) else { throw fail("expected a JSON value, found \(found)") }
        if chars[i] == "0" { i += 1 } else { _ = digits() }
        var integral = true
        if i < chars.count, chars[i] == "." {
            integral = false
            i += 1
            guard digits() > 0 else { throw fail("expected digits after '.'") }
        }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            integral = false
            i += 1
            if i < chars.count, chars[i] == "+" || chars[i] == "-" { i += 1 }
            guard digits() > 0 else { throw fail("expected digits in the exponent") }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: chars[start..<i])
        if integral, let v = Int64(text) { return scalar(text, .int(v), .plain, at: start) }
        guard let d = Double(text), d.isFinite else { throw fail("number \(text) is out of range", at: start, code: "out-of-range") }
        return scalar(text, .double(d), .plain, at: start)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= chars.count else { throw fail("\\u needs four hex digits") }
        var v: UInt32 = 0
        for c in chars[i..<(i + 4)] {
            guard let d = Int(String(c), radix: 16) else { throw fail("\\u needs four hex digits, found '\(c)'") }
            v = v * 16 + UInt32(d)
        }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        let open = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < chars.count else { throw fail("unclosed string (opened at line \(position(open).line))", at: open) }
            let c = chars[i]
            if c == "\"" { i += 1; break }
            if c.value < 0x20 { throw fail("a control character (U+\(String(c.value, radix: 16, uppercase: true))) must be escaped in a JSON string") }
            guard c == "\\" else { out.append(c); i += 1; continue }
            let escape = i
            i += 1
            guard i < chars.count else { throw fail("unfinished escape", at: escape) }
            let e = chars[i]
            i += 1
            switch e {
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "/": out.append("/")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "u":
                let high = try hex4()
                if (0xD800...0xDBFF).contains(high) {
                    guard matches("\\u") else { throw fail("\\u\(String(high, radix: 16)) is half of a surrogate pair; the second half is missing", at: escape) }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("\\u\(String(high, radix: 16)) must be followed by a low surrogate (\\udc00–\\udfff)", at: escape) }
                    let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    guard let scalar = Unicode.Scalar(combined) else { throw fail("invalid surrogate pair", at: escape) }
                    out.append(scalar)
                } else if (0xDC00...0xDFFF).contains(high) {
                    throw fail("\\u\(String(high, radix: 16)) is the second half of a surrogate pair without a first", at: escape)
                } else if let scalar = Unicode.Scalar(high) {
                    out.append(scalar)
                }
            default:
                throw fail("'\\\(e)' is not a JSON escape", at: escape)
            }
        }
        return String(out)
    }
}

extension Value {
    /// Parses JSON text (an API body): every JSON escape, surrogate pairs included; nil for
    /// malformed text or nesting deeper than `maxDepth`.
    public init?(jsonText text: String, maxDepth: Int = 200) {
        guard case .success(let node) = JSONReader.read(text, maxDepth: maxDepth, position: { Mark(line: 1, column: Int32(clamping: $0 + 1)) }) else { return nil }
        self = Value.exact(node)
    }
}
