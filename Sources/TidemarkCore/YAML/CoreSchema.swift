/// YAML 1.2 core-schema resolution of plain scalars, by hand (no regular expressions:
/// this runs for every scalar of every manifest).
///
/// - null: `null`, `Null`, `NULL`, `~`, empty
/// - bool: `true|True|TRUE|false|False|FALSE` (so `yes`, `on`, `y` stay strings)
/// - int: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`
/// - float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf`, `.nan`
enum CoreSchema {
    static func resolvePlain(_ text: String) -> ScalarValue {
        guard let first = text.utf8.first else { return .null }
        // Fast exit: most scalars in manifests are words that cannot be anything but strings.
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if text == "null" || text == "Null" || text == "NULL" || text == "~" { return .null }
            return .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if text == "true" || text == "True" || text == "TRUE" { return .bool(true) }
            return .string(text)
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if text == "false" || text == "False" || text == "FALSE" { return .bool(false) }
            return .string(text)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            break
        default:
            return .string(text)
        }
        if let number = resolveNumber(text) { return number }
        return .string(text)
    }

    private static func resolveNumber(_ text: String) -> ScalarValue? {
        let bytes = Array(text.utf8)
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        let rest = bytes[i...]
        if rest.isEmpty { return nil }
        // Special floats.
        let restText = String(decoding: rest, as: UTF8.self)
        if restText == ".inf" || restText == ".Inf" || restText == ".INF" {
            return .double(negative ? -.infinity : .infinity)
        }
        if i == 0, restText == ".nan" || restText == ".NaN" || restText == ".NAN" { return .double(.nan) }
        // Octal and hex (unsigned only in the core schema).
        if i == 0, bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "o"), bytes[2...].allSatisfy({ $0 >= 48 && $0 <= 55 }) {
                return Int64(String(decoding: bytes[2...], as: UTF8.self), radix: 8).map(ScalarValue.int)
                    ?? .string(text)
            }
            if bytes[1] == UInt8(ascii: "x"), bytes[2...].allSatisfy(isHexDigit) {
                return Int64(String(decoding: bytes[2...], as: UTF8.self), radix: 16).map(ScalarValue.int)
                    ?? .string(text)
            }
        }
        // Decimal integer.
        if rest.allSatisfy(isDigit) {
            if let v = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .int(v) }
            return Double(text).map(ScalarValue.double)  // too large for Int64: keep it as a number
        }
        // Float: [0-9]* ( . [0-9]* )? ( [eE] [-+]? [0-9]+ )?, with at least one digit in the mantissa.
        var j = i
        var mantissaDigits = 0
        while j < bytes.count, isDigit(bytes[j]) { j += 1; mantissaDigits += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
            j += 1
            while j < bytes.count, isDigit(bytes[j]) { j += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if j < bytes.count, bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E") {
            j += 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: "+") { j += 1 }
            let expStart = j
            while j < bytes.count, isDigit(bytes[j]) { j += 1 }
            guard j > expStart else { return nil }
        }
        guard j == bytes.count else { return nil }
        return Double(text).map(ScalarValue.double)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
    }
}
