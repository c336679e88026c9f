import TidemarkCore

/// Where manifests come from: a git repository, or a mirror of a remote one, read at commits.
/// The controller, the CLI and the bench read through this port; libgit2 is one adapter.
public protocol RepositorySource: Sendable {
    /// Where the source is, safe to log, store and return: credentials removed.
    var location: String { get }
    /// Brings the source up to date with its origin (a fetch, for a mirror). A local
    /// repository is always up to date.
    func refresh() async throws(SourceError)
    /// The commit a revision names: a branch, tag, full or short id, `HEAD~1`.
    func resolve(_ revision: String) async throws(SourceError) -> Commit
    /// The branch to follow and its commit: `branch`, or the default one (main, else master,
    /// else the only branch) when nil.
    func head(of branch: String?) async throws(SourceError) -> (branch: String, commit: Commit)
    /// Every manifest file under `path` at `commit`, sorted by path.
    func files(at commit: Commit, under path: String) async throws(SourceError) -> [SourceFile]
    /// The manifest files under `path` that differ between two commits.
    func changes(from old: Commit, to new: Commit, under path: String) async throws(SourceError) -> ChangedFiles
}

/// The manifest files that differ between two commits: new or modified (with their
/// contents), and removed paths.
public struct ChangedFiles: Sendable {
    public var changed: [SourceFile]
    public var removed: [String]

    public init(changed: [SourceFile], removed: [String]) {
        self.changed = changed
        self.removed = removed
    }
}

/// A failure to read the source, with a code decisions can switch on.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No repository at the location.
        case repositoryNotFound
        /// The revision or branch does not exist (deleted, force-pushed away, never fetched).
        case revisionNotFound
        /// The manifests path does not exist at that commit.
        case pathNotFound
        /// The origin could not be reached or refused the credentials.
        case unreachable
        /// Anything else: a corrupt object, an unreadable tree.
        case readFailed
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
