/// A normalized, position-free value: what is compared, hashed and shown in diffs.
/// Objects keep their members sorted by key, so structural equality ignores key order.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([Value])
    case object([Member])

    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: Value

        public init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// An object from members in any order (sorted here; later duplicates win). The array is
    /// taken over and sorted in place, and not at all when its keys already ascend: a copy
    /// would retain every member.
    public static func object(sorting members: consuming [Member]) -> Value {
        var sorted = members
        var ascending = true
        var k = 1
        while ascending, k < sorted.count {
            ascending = sorted[k - 1].key < sorted[k].key
            k += 1
        }
        if ascending { return .object(sorted) }
        sorted.sort { $0.key < $1.key }
        var i = 1
        while i < sorted.count {
            if sorted[i].key == sorted[i - 1].key { sorted.remove(at: i - 1) } else { i += 1 }
        }
        return .object(sorted)
    }

    public subscript(key: String) -> Value? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var members: [Member]? {
        if case .object(let m) = self { return m }
        return nil
    }

    public var elements: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let v) = self { return v }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    /// Returns a copy with `key` set (or removed when `value` is nil) in an object.
    public func setting(_ key: String, _ value: Value?) -> Value {
        guard case .object(var members) = self else { return self }
        members.removeAll { $0.key == key }
        if let value { members.append(Member(key, value)) }
        return .object(sorting: members)
    }

    /// Canonical JSON: sorted keys, no whitespace. The basis of content hashes.
    public var canonicalJSON: String {
        var out = CanonicalJSON()
        out.write(self)
        return out.text
    }

    /// Indented JSON with sorted keys, for people.
    public var prettyJSON: String {
        var out = ""
        writeJSON(into: &out, pretty: true, indent: 0)
        return out
    }

    func writeJSON(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONText.number(d)
        case .string(let s): JSONText.quote(s, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                item.writeJSON(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (n, m) in members.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                JSONText.quote(m.key, into: &out)
                out += pretty ? ": " : ":"
                m.value.writeJSON(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    /// A one-line rendering for diffs: strings quoted, compound values as compact JSON.
    public var inline: String {
        switch self {
        case .string(let s):
            var out = ""
            JSONText.quote(s, into: &out)
            return out
        default: return canonicalJSON
        }
    }
}

/// JSON text helpers shared by every renderer.
public enum JSONText {
    /// Escapes as `CanonicalJSON.quote` does (it is the one place that knows how).
    public static func quote(_ s: String, into out: inout String) {
        // Nearly every string needs no escaping: append it whole.
        guard CanonicalJSON.needsEscaping(s) else {
            out += "\""
            out += s
            out += "\""
            return
        }
        var json = CanonicalJSON(capacity: s.utf8.count + 16)
        json.quote(s)
        out += json.text
    }

    public static func quote(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }

    public static func number(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return String(d)
    }
}

extension Value {
    /// Parses JSON written by `canonicalJSON` or `prettyJSON` back into the same value
    /// (integers stay integers, `1.0` stays a double). Nil for malformed text.
    public init?(json text: String) {
        guard let value = JSONValueReader.read(text, maxDepth: 200) else { return nil }
        self = value
    }

    /// A YAML node as a value, without any normalization.
    public static func exact(_ node: YAMLNode) -> Value {
        switch node.content {
        case .scalar(let s):
            switch s.value {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .string(let t): return .string(t)
            }
        case .sequence(let items): return .list(items.map(exact))
        case .mapping(let entries): return .object(sorting: entries.map { .init($0.key, exact($0.value)) })
        }
    }
}
