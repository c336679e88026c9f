/// The patterns matched or worded by hand, by their exact botocore source.
enum HandWrittenPatterns {
    struct Entry {
        /// nil: compiled as written, only worded by hand.
        let matcher: StringPattern.Matcher?
        let explanation: String
    }

    /// What `.` does not take: Java's line terminators.
    static func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `\s` as the regex engine reads it: Unicode's White_Space.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        // ASCII without a property lookup: tab to carriage return, and the space.
        if c.value < 0x80 { return c.value == 0x20 || (0x09...0x0D).contains(c.value) }
        return c.properties.isWhitespace
    }

    /// `[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]`: every general category but control, format,
    /// surrogate, private use and unassigned.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        // ASCII without a property lookup: all but the controls (Cc) are printable.
        if c.value < 0x80 { return c.value >= 0x20 && c.value != 0x7F }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return false
        default: return true
        }
    }

    /// `(https|s3)://([^/]+)/?(.*)`: a scheme, then a host of at least one character that is
    /// not a slash, then anything without a line break; with `oneHostCharacter`, `([^/])`: the
    /// host is one character. The host may hold line breaks (`[^/]` takes them); nothing after
    /// it may.
    static func uri(_ value: String, oneHostCharacter: Bool) -> Bool {
        let scalars = value.unicodeScalars
        let rest: Substring.UnicodeScalarView
        if scalars.starts(with: "https://".unicodeScalars) {
            rest = scalars.dropFirst(8)
        } else if scalars.starts(with: "s3://".unicodeScalars) {
            rest = scalars.dropFirst(5)
        } else {
            return false
        }
        guard let first = rest.first, first != "/" else { return false }
        if oneHostCharacter { return !rest.dropFirst().contains(where: isLineTerminator) }
        guard let slash = rest.firstIndex(of: "/") else { return true }
        return !rest[slash...].contains(where: isLineTerminator)
    }

    /// `(?!\s*$).+`: at least one character, no line break, not all whitespace.
    static func notBlank(_ value: String) -> Bool {
        var blank = true
        for c in value.unicodeScalars {
            if isLineTerminator(c) { return false }
            if !isSpace(c) { blank = false }
        }
        return !blank
    }

    /// `(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?` then a name of 1 to 63
    /// letters, digits and hyphens that starts with a letter or digit and does not end with a
    /// hyphen, then with `version` an optional `/` and 1 to 9 digits.
    static func sageMakerName(_ value: String, version: Bool) -> Bool {
        var rest = Substring(value).utf8
        if rest.starts(with: "arn:aws".utf8) {
            guard let afterARN = afterSageMakerARNPrefix(rest) else { return false }
            rest = afterARN
        }
        var name = rest
        if version, let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            name = rest[..<slash]
            let digits = rest[rest.index(after: slash)...]
            guard (1...9).contains(digits.count), digits.allSatisfy(isDigit) else { return false }
        }
        guard let first = name.first, let last = name.last, name.count <= 63,
              isAlphanumeric(first), last != UInt8(ascii: "-") else { return false }
        return name.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// What follows `arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/`, or nil. Each
    /// part's class excludes the separator after it, so the parts split without backtracking.
    static func afterSageMakerARNPrefix(_ arn: Substring.UTF8View) -> Substring.UTF8View? {
        var i = arn.index(arn.startIndex, offsetBy: 7)  // past "arn:aws"
        func take(while accepts: (UInt8) -> Bool) -> Int {
            var n = 0
            while i < arn.endIndex, accepts(arn[i]) { i = arn.index(after: i); n += 1 }
            return n
        }
        func expect(_ literal: String) -> Bool {
            for b in literal.utf8 {
                guard i < arn.endIndex, arn[i] == b else { return false }
                i = arn.index(after: i)
            }
            return true
        }
        _ = take { isLower($0) || $0 == UInt8(ascii: "-") }
        guard expect(":sagemaker:") else { return nil }
        _ = take { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        guard expect(":"), take(while: isDigit) == 12, expect(":") else { return nil }
        _ = take { isLower($0) || $0 == UInt8(ascii: "-") }
        guard expect("/") else { return nil }
        return arn[i...]
    }

    static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    static func isLower(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) }
    static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLower(b) || (0x41...0x5A).contains(b) }

    static let tagCharacters = #"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"#

    static func entry(for source: String) -> Entry? {
        switch source {
        // Accepts everything (`[\S\s]` is any character, newlines included).
        case #"[\S\s]*"#, #"[\s\S]*"#:
            return Entry(matcher: .anything(nonEmpty: false), explanation: "any text")
        case #"[\S\s]+"#, #"[\s\S]+"#:
            return Entry(matcher: .anything(nonEmpty: true), explanation: "any text, not empty")
        case ".*":
            return Entry(matcher: .singleLine(nonEmpty: false), explanation: "a single line of text")
        case ".+":
            return Entry(matcher: .singleLine(nonEmpty: true), explanation: "a single line of text, not empty")
        // Resource names: checked by hand, worded as names.
        case "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}":
            return Entry(matcher: .name(.hyphenated63, bounded: true), explanation: NameRule.hyphenated63.explanation)
        case #"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?"#:
            return Entry(matcher: .name(.model, bounded: false), explanation: NameRule.model.explanation)
        case "[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}", "[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}":
            return Entry(matcher: .name(.underscored64, bounded: true), explanation: NameRule.underscored64.explanation)
        case "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}":
            return Entry(matcher: .name(.hyphenated256, bounded: true), explanation: NameRule.hyphenated256.explanation)
        // ICU cannot take these as written.
        case #"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,128}"#, #"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,256}"#:
            // A quantified end anchor: it means the character class, with the length limits
            // botocore also states as min and max.
            return Entry(matcher: StringPattern.compile(tagCharacters), explanation: "letters, digits, spaces and _ . : / = + - @")
        case #"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"#:
            // Java's UTF-16 spelling of "any XML character": tab, U+0020–U+D7FF,
            // U+E000–U+FFFD and every supplementary-plane character.
            return Entry(matcher: .scalars({ c in
                c.value == 0x09 || (0x20...0xD7FF).contains(c.value) || (0xE000...0xFFFD).contains(c.value) || c.value >= 0x10000
            }), explanation: "text without control characters")
        // Compiled as written, worded by hand.
        case #"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"#:
            return Entry(matcher: nil, explanation: "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
        case "(https|s3)://([^/]+)/?(.*)":
            return Entry(matcher: .text({ uri($0, oneHostCharacter: false) }), explanation: "an s3:// or https:// URI")
        case "(https|s3)://([^/])/?(.*)":
            return Entry(matcher: .text({ uri($0, oneHostCharacter: true) }), explanation: "an s3:// or https:// URI")
        case #"arn:aws[a-z\-]*:sns:[a-z0-9\-]*:[0-9]{12}:[a-zA-Z0-9_.-]+"#:
            return Entry(matcher: nil, explanation: "an SNS topic ARN (arn:aws:sns:<region>:<12-digit account>:<topic>)")
        case #"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"#:
            return Entry(matcher: nil, explanation: "letters, digits, spaces and _ . : / = + - @")
        case "[Ss][Hh][Aa]256:[0-9a-fA-F]{64}":
            return Entry(matcher: nil, explanation: "a digest such as sha256:<64 hex digits>")
        case "[-0-9a-zA-Z]+":
            return Entry(matcher: nil, explanation: "letters, digits and hyphens")
        case "[a-zA-Z0-9:/_-]*":
            return Entry(matcher: nil, explanation: "a KMS key ID, alias or ARN (letters, digits and : / _ -)")
        case "[a-zA-Z_][a-zA-Z0-9_]*", "[a-zA-Z_][a-zA-Z0-9_]{0,1023}":
            return Entry(matcher: nil, explanation: "an environment variable name (a letter or _, then letters, digits and _)")
        case #"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*"#, #"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9+.])*"#, #"[-\w]+\/.+"#:
            return Entry(matcher: nil, explanation: "a MIME type such as text/csv")
        case #"[\S]+"#:
            return Entry(matcher: .text({ !$0.isEmpty && !$0.unicodeScalars.contains(where: isSpace) }),
                         explanation: "text without whitespace")
        case #"(?!\s*$).+"#:
            return Entry(matcher: .text({ notBlank($0) }), explanation: "a name that is not blank")
        case #"[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*"#:
            // Matched by hand but not rewritten: editors' JSON Schema keeps the pattern as written.
            return Entry(matcher: .text({ $0.unicodeScalars.allSatisfy(isPrintable) }), explanation: "text without control characters")
        case ".?P.*":
            return Entry(matcher: nil, explanation: "an ISO-8601 duration such as -PT1H")
        case #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)"#:
            return Entry(matcher: .text({ sageMakerName($0, version: false) }),
                         explanation: "a name (letters, digits and hyphens, at most 63) or a SageMaker ARN")
        case #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?"#:
            return Entry(matcher: .text({ sageMakerName($0, version: true) }), explanation: "a name, a name/version, or a SageMaker ARN")
        case #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:feature-group\/)?([a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63})"#:
            return Entry(matcher: nil, explanation: "a feature group name or ARN")
        case #"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/[\S]{1,2048}"#:
            return Entry(matcher: nil, explanation: "a model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/...)")
        case #"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z0-9\-]{1,14}/.*"#:
            return Entry(matcher: nil, explanation: "a SageMaker reservation ARN")
        case #"[0-9]\.[A-Za-z0-9.-]+"#:
            return Entry(matcher: nil, explanation: "a version such as 2.1 or 1.13.1")
        case "[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*", "[a-zA-Z0-9](-*[a-zA-Z0-9])*":
            return Entry(matcher: nil, explanation: "letters, digits and hyphens, starting and ending with a letter or digit")
        case "[a-zA-Z0-9-]+":
            return Entry(matcher: nil, explanation: "letters, digits and hyphens")
        default:
            return nil
        }
    }
}
