/// A commit manifests are read at.
public struct Commit: Sendable, Hashable {
    /// The full 40-hex id.
    public var id: String
    public var summary: String

    public init(id: String, summary: String) {
        self.id = id
        self.summary = summary
    }

    public var shortID: String { String(id.prefix(7)) }
}
