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

    /// The `limit` values nearest to `value` by edit distance, nearest first; ties keep the
    /// model's order.
    public func nearest(to value: String, limit: Int) -> [String] {
        let lower = value.lowercased()
        let ranked = values.enumerated()
            .map { (offset: $0.offset, value: $0.element, distance: Suggestion.distance(lower, $0.element.lowercased())) }
            .sorted { ($0.distance, $0.offset) < ($1.distance, $1.offset) }
        return ranked.prefix(limit).map(\.value)
    }

    /// "'a', 'b' or 'c'".
    public func quoted(_ some: [String]) -> String {
        let q = some.map { "'\($0)'" }
        guard q.count > 1, let last = q.last else { return q.first ?? "" }
        return q.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The constraint in words for a value that broke it: every value when there are few,
    /// otherwise the few nearest to what was written.
    public func explain(rejecting value: String) -> String {
        if values.count <= 6 { return "one of \(quoted(values))" }
        let near = nearest(to: value, limit: 4)
        return "one of \(values.count) values; the nearest are \(near.map { "'\($0)'" }.joined(separator: ", "))"
    }
}
