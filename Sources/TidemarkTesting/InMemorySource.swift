import TidemarkCore
import TidemarkEngine

/// A repository source held in memory: commits by id with their files, and branches. For
/// tests of what sits above the source port.
public actor InMemorySource: RepositorySource {
    public nonisolated let location = "memory"
    var commits: [String: (commit: Commit, files: [SourceFile])] = [:]
    var branches: [String: String] = [:]

    public init() {}

    /// Adds a commit with these files as the branch's head.
    public func commit(_ files: [SourceFile], id: String, on branch: String = "main") {
        commits[id] = (Commit(id: id, summary: "commit \(id.prefix(7))"), files)
        branches[branch] = id
    }

    public func refresh() throws(SourceError) {}

    public func resolve(_ revision: String) throws(SourceError) -> Commit {
        if let c = commits[revision] { return c.commit }
        if let id = branches[revision], let c = commits[id] { return c.commit }
        throw SourceError(.revisionNotFound, "revision '\(revision)' not found")
    }

    public func head(of branch: String?) throws(SourceError) -> (branch: String, commit: Commit) {
        let name = branch ?? "main"
        guard let id = branches[name], let c = commits[id] else { throw SourceError(.revisionNotFound, "no branch \(name)") }
        return (name, c.commit)
    }

    public func files(at commit: Commit, under path: String) throws(SourceError) -> [SourceFile] {
        guard let c = commits[commit.id] else { throw SourceError(.revisionNotFound, "commit \(commit.shortID) not found") }
        return c.files.filter { $0.path.hasPrefix(path) }
    }

    public func changes(from old: Commit, to new: Commit, under path: String) throws(SourceError) -> ChangedFiles {
        let before = Dictionary(try files(at: old, under: path).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let after = try files(at: new, under: path)
        let changed = after.filter { f in before[f.path].map { $0.bytes != f.bytes } ?? true }
        let removed = before.keys.filter { p in !after.contains { $0.path == p } }.sorted()
        return ChangedFiles(changed: changed, removed: removed)
    }
}
