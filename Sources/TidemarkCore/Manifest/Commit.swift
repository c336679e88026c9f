/// A commit of the repository: what a revision is reconciled from.
public struct Commit: Sendable, Hashable {
    /// The full 40-hex id.
    public var id: String
    public var summary: String
    /// Who wrote it, as git records it: `Name <email>` (empty when the source does not say).
    public var author: String
    /// When the author wrote it, in seconds since 1970 (UTC).
    public var authoredAt: Int64?

    public init(id: String, summary: String, author: String = "", authoredAt: Int64? = nil) {
        self.id = id
        self.summary = summary
        self.author = author
        self.authoredAt = authoredAt
    }

    public var shortID: String { String(id.prefix(7)) }
}
