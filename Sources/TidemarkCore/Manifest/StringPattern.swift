import Foundation

/// A botocore string pattern (Java regex syntax), matched against the whole value. Each is
/// compiled once, when its static is first used. A few patterns are matched by hand: the
/// resource-name patterns and the others manifests use most (hot, and worded better), the
/// ones that accept everything, and the ones ICU cannot take as written (`HandWrittenPatterns`).
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
        /// A matcher written by hand over the whole value.
        case text(@Sendable (String) -> Bool)
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
        case .text(let accepts): return accepts(value)
        case .regex(let regex):
            return regex.rangeOfFirstMatch(in: value, options: [], range: NSRange(location: 0, length: value.utf16.count)).location != NSNotFound
        }
    }
}
