/// The values a string may take (botocore's enums: instance types, modes, statuses), kept
/// both in the model's order (for messages and the schema) and as a set (for checking).
public struct EnumValues: Sendable {
    public let values: [String]
    private let members: Set<String>

    public init(_ values: [String]) {
        self.values = values
        self.members = Set(values)
    }

    public func contains(_ value: String) -> Bool { members.contains(value) }

    /// The `limit` values nearest to `value`: those sharing the longest start first (an
    /// instance type's family, `ml.m5.`), then by edit distance; ties keep the model's order.
    public func nearest(to value: String, limit: Int) -> [String] {
        let lower = Array(value.lowercased().unicodeScalars)
        func sharedStart(_ other: String) -> Int {
            var n = 0
            for (a, b) in zip(lower, other.lowercased().unicodeScalars) {
                if a != b { break }
                n += 1
            }
            return n
        }
        let ranked = values.enumerated()
            .map { (offset: $0.offset, value: $0.element, shared: sharedStart($0.element),
                    distance: Suggestion.distance(value.lowercased(), $0.element.lowercased())) }
            .sorted { (-$0.shared, $0.distance, $0.offset) < (-$1.shared, $1.distance, $1.offset) }
        return ranked.prefix(limit).map(\.value)
    }

    /// "'a', 'b' or 'c'".
    public func quoted(_ some: [String]) -> String {
        let q = some.map { "'\($0)'" }
        guard q.count > 1, let last = q.last else { return q.first ?? "" }
        return q.dropLast().joined(separator: ", ") + " or " + last
    }

    /// Why `value` is refused, in words: every value when there are few, otherwise the few
    /// nearest to what was written.
    public func explain(rejecting value: String, at path: String) -> String {
        if values.count <= 6 { return "\(path) must be one of \(quoted(values)), found '\(value)'" }
        let near = nearest(to: value, limit: 4)
        return "\(path) '\(value)' is not one of its \(values.count) values; the nearest are \(near.map { "'\($0)'" }.joined(separator: ", "))"
    }
}
