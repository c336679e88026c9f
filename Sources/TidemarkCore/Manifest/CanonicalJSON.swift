/// Canonical JSON (sorted keys, as `Value` keeps them; no whitespace) written as UTF-8 bytes:
/// the text behind every content hash, the audit chain and stored specs. Written byte by
/// byte into one growing buffer, it costs a fraction of appending to a `String`.
public struct CanonicalJSON {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var count: Int { bytes.count }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Value) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): append(String(i))
        case .double(let d): append(JSONText.number(d))
        case .string(let s): quote(s)
        case .list(let items):
            bytes.append(0x5B)  // [
            for i in items.indices {
                if i > 0 { bytes.append(0x2C) }
                write(items[i])
            }
            bytes.append(0x5D)
        case .object(let members):
            write(members, skipping: nil)
        }
    }

    /// An object's members, leaving out those whose keys are in `skipping`.
    public mutating func write(_ members: [Value.Member], skipping: Set<String>?) {
        bytes.append(0x7B)  // {
        var first = true
        for i in members.indices {
            if let skipping, skipping.contains(members[i].key) { continue }
            if !first { bytes.append(0x2C) }
            first = false
            quote(members[i].key)
            bytes.append(0x3A)  // :
            write(members[i].value)
        }
        bytes.append(0x7D)
    }

    /// Bytes that may need escaping: controls, the quote, the backslash, DEL, and 0xE2 (the
    /// lead byte of U+2028 and U+2029).
    private static let special: [Bool] = (0...255).map { b in b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xE2 }

    /// Whether any byte of `s` may need escaping.
    public static func needsEscaping(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { text in text.contains { special[Int($0)] } }
    }

    /// A JSON string: `"`, the backslash, newline, return and tab by their short escapes, other
    /// controls, DEL, U+2028 and U+2029 as `\u` with four lowercase hex digits; the rest as is.
    public mutating func quote(_ s: String) {
        var s = s
        s.withUTF8 { text in
            bytes.append(0x22)
            var start = 0
            var i = 0
            let n = text.count
            while i < n {
                guard Self.special[Int(text[i])] else { i += 1; continue }
                let b = text[i]
                var escape: [UInt8]
                var width = 1
                switch b {
                case 0x22: escape = [0x5C, 0x22]
                case 0x5C: escape = [0x5C, 0x5C]
                case 0x0A: escape = [0x5C, 0x6E]
                case 0x0D: escape = [0x5C, 0x72]
                case 0x09: escape = [0x5C, 0x74]
                case 0xE2:
                    // U+2028 and U+2029 (E2 80 A8, E2 80 A9) break JavaScript: escaped too.
                    guard i + 2 < n, text[i + 1] == 0x80, text[i + 2] == 0xA8 || text[i + 2] == 0xA9 else { i += 1; continue }
                    escape = Self.unicodeEscape(text[i + 2] == 0xA8 ? 0x2028 : 0x2029)
                    width = 3
                default: escape = Self.unicodeEscape(UInt32(b))
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<i]))
                bytes.append(contentsOf: escape)
                i += width
                start = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<n]))
            bytes.append(0x22)
        }
    }

    static func unicodeEscape(_ scalar: UInt32) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        return [0x5C, 0x75] + [12, 8, 4, 0].map { hex[Int((scalar >> UInt32($0)) & 0xF)] }
    }
}
