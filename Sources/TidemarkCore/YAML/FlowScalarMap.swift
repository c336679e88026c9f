/// Where each character of a flow scalar's value (single- or double-quoted, or plain) was
/// written in the file. YAML folds a line break into a space, drops the indentation of
/// continuation lines, and turns escapes into characters, so a character's offset in the
/// value is not its column: a JSON document in a multi-line quoted string (ACK's e2e style)
/// needs this map to place its errors.
enum FlowScalarMap {
    /// One mark per Unicode scalar of `value`, or nil when re-reading the source does not
    /// give back `value` exactly (the caller then falls back to approximate positions).
    static func marks(source: [UInt8], start: Mark, style: YAMLNode.Scalar.Style, value: String) -> [Mark]? {
        guard style == .singleQuoted || style == .doubleQuoted || style == .plain else { return nil }
        guard let offset = byteOffset(source, line: Int(start.line)) else { return nil }
        let tail = Array(String(decoding: source[offset...], as: UTF8.self).unicodeScalars)
        var k = Int(start.column) - 1
        guard k >= 0, k < tail.count else { return nil }
        let target = Array(value.unicodeScalars)
        var line = start.line, column = start.column
        var out: [Unicode.Scalar] = []
        var marks: [Mark] = []
        out.reserveCapacity(target.count)
        marks.reserveCapacity(target.count)

        func advance() {
            if tail[k] == "\n" { line += 1; column = 1 } else { column += 1 }
            k += 1
        }
        func isBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" }
        func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
        func skipBlanks() { while k < tail.count, isBlank(tail[k]) { advance() } }
        func skipBreak() {
            if k < tail.count, tail[k] == "\r" { advance() }
            if k < tail.count, tail[k] == "\n" { advance() }
        }
        func emit(_ c: Unicode.Scalar, _ m: Mark) {
            out.append(c)
            marks.append(m)
        }

        if style != .plain { advance() }  // the opening quote
        while out.count < target.count, k < tail.count {
            let c = tail[k]
            let here = Mark(line: line, column: column)
            if style == .singleQuoted, c == "'" {
                guard k + 1 < tail.count, tail[k + 1] == "'" else { break }
                emit("'", here)
                advance(); advance()
                continue
            }
            if style == .doubleQuoted, c == "\"" { break }
            if style == .doubleQuoted, c == "\\" {
                advance()
                guard k < tail.count else { break }
                let e = tail[k]
                if isBreak(e) {  // an escaped line break joins the lines with nothing between
                    skipBreak()
                    skipBlanks()
                    continue
                }
                advance()
                let digits: Int
                switch e {
                case "x": digits = 2
                case "u": digits = 4
                case "U": digits = 8
                default:
                    guard let simple = simpleEscape(e) else { return nil }
                    emit(simple, here)
                    continue
                }
                guard k + digits <= tail.count else { return nil }
                var text = ""
                text.unicodeScalars.append(contentsOf: tail[k..<(k + digits)])
                guard let v = UInt32(text, radix: 16), let scalar = Unicode.Scalar(v) else { return nil }
                for _ in 0..<digits { advance() }
                emit(scalar, here)
                continue
            }
            if isBlank(c) {
                var j = k
                while j < tail.count, isBlank(tail[j]) { j += 1 }
                if j < tail.count, isBreak(tail[j]) {  // trailing blanks before a break are dropped
                    while k < j { advance() }
                    continue
                }
                emit(c, here)
                advance()
                continue
            }
            if isBreak(c) {
                skipBreak()
                skipBlanks()
                var empty = 0
                while k < tail.count, isBreak(tail[k]) {
                    empty += 1
                    skipBreak()
                    skipBlanks()
                }
                if empty == 0 { emit(" ", here) } else { for _ in 0..<empty { emit("\n", here) } }
                continue
            }
            emit(c, here)
            advance()
        }
        return out == target ? marks : nil
    }

    static func simpleEscape(_ e: Unicode.Scalar) -> Unicode.Scalar? {
        switch e {
        case "0": return "\u{00}"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "t", "\t": return "\t"
        case "n": return "\n"
        case "v": return "\u{0B}"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case " ": return " "
        case "\"": return "\""
        case "/": return "/"
        case "\\": return "\\"
        case "N": return "\u{85}"
        case "_": return "\u{A0}"
        case "L": return "\u{2028}"
        case "P": return "\u{2029}"
        default: return nil
        }
    }

    /// The byte offset where 1-based `line` starts.
    static func byteOffset(_ source: [UInt8], line: Int) -> Int? {
        guard line >= 1 else { return nil }
        var remaining = line - 1
        var i = 0
        while remaining > 0 {
            guard let nl = source[i...].firstIndex(of: 0x0A) else { return nil }
            i = nl + 1
            remaining -= 1
        }
        return i
    }
}
