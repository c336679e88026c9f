import Foundation

/// A botocore string pattern (Java regex syntax), matched against the whole value. Each is
/// compiled once, when its static is first used. A few patterns are matched by hand: the
/// resource-name patterns (hot, and worded better), the ones that accept everything, and the
/// ones ICU cannot take as written (`HandWrittenPatterns`).
public struct StringPattern: Sendable {
    public let source: String
    /// The rule in words, for diagnostics ("an IAM role ARN ...").
    public let explanation: String
    let matcher: Matcher

    enum Matcher: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
        case anything(nonEmpty: Bool)
        /// Java's `.`: anything but a line terminator.
        case singleLine(nonEmpty: Bool)
        /// A resource-name pattern; `bounded` when the pattern itself limits the length.
        case name(NameRule, bounded: Bool)
        case scalars(@Sendable (Unicode.Scalar) -> Bool)
        case regex(NSRegularExpression)
        /// Neither compiled nor matched by hand: a test fails while any pattern is here.
        case unsupported(String)
    }

    public init(_ source: String) {
        self.source = source
        let hand = HandWrittenPatterns.entry(for: source)
        self.explanation = hand?.explanation ?? "a value matching the pattern \(source)"
        self.matcher = hand?.matcher ?? Self.compile(source)
        // A hand-written regex is a rewrite of a pattern ICU (and so ECMAScript) cannot take.
        switch hand?.matcher {
        case .some(.regex), .some(.scalars): self.schemaPattern = nil
        default: self.schemaPattern = "^(?:" + source + ")$"
        }
    }

    /// The pattern for the JSON Schema (ECMAScript with the `u` flag, as editors use it), when
    /// botocore's spelling means the same there.
    public let schemaPattern: String?

    static func compile(_ source: String) -> Matcher {
        do {
            return .regex(try NSRegularExpression(pattern: "\\A(?:" + source + ")\\z"))
        } catch {
            return .unsupported("\(error)")
        }
    }

    /// Whether the pattern could be checked at all (a test holds every pattern to this).
    public var isSupported: Bool {
        if case .unsupported = matcher { return false }
        return true
    }

    /// Whether the pattern is compiled by the regex engine (rather than matched by hand).
    public var usesRegexEngine: Bool {
        if case .regex = matcher { return true }
        return false
    }

    public func matches(_ value: String) -> Bool {
        switch matcher {
        case .unsupported: return true
        case .anything(let nonEmpty): return !nonEmpty || !value.isEmpty
        case .singleLine(let nonEmpty):
            return (!nonEmpty || !value.isEmpty) && !value.unicodeScalars.contains(where: HandWrittenPatterns.isLineTerminator)
        case let .name(rule, bounded): return rule.accepts(value, checkingLength: bounded)
        case .scalars(let allowed): return value.unicodeScalars.allSatisfy(allowed)
        case .regex(let regex):
            return regex.rangeOfFirstMatch(in: value, options: [], range: NSRange(location: 0, length: value.utf16.count)).location != NSNotFound
        }
    }
}

/// The patterns matched or worded by hand, by their exact botocore source.
enum HandWrittenPatterns {
    struct Entry {
        /// nil: compiled as written, only worded by hand.
        let matcher: StringPattern.Matcher?
        let explanation: String
    }

    static func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

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
        case "(https|s3)://([^/]+)/?(.*)", "(https|s3)://([^/])/?(.*)":
            return Entry(matcher: nil, explanation: "an s3:// or https:// URI")
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
            return Entry(matcher: nil, explanation: "text without whitespace")
        case #"(?!\s*$).+"#:
            return Entry(matcher: nil, explanation: "a name that is not blank")
        case ".?P.*":
            return Entry(matcher: nil, explanation: "an ISO-8601 duration such as -PT1H")
        case #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)"#:
            return Entry(matcher: nil, explanation: "a name (letters, digits and hyphens, at most 63) or a SageMaker ARN")
        case #"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?"#:
            return Entry(matcher: nil, explanation: "a name, a name/version, or a SageMaker ARN")
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
