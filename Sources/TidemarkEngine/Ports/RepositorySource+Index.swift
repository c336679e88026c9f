import TidemarkCore

extension RepositorySource {
    /// The manifests at `commit`, decoded, validated and resolved; read incrementally from
    /// `previous` (an index of an earlier commit) when given, so only the files git says
    /// differ are decoded again. The one load path of plan, apply, serve and the bench.
    public func index(at commit: Commit, path: String, after previous: (index: RevisionIndex, commit: Commit)? = nil)
        async throws(SourceError) -> RevisionIndex {
        guard let previous else { return RevisionIndex(try await files(at: commit, under: path)) }
        if previous.commit.id == commit.id { return previous.index }
        let changes: ChangedFiles
        do {
            changes = try await self.changes(from: previous.commit, to: commit, under: path)
        } catch where error.code == .revisionNotFound {
            // The old commit vanished (a force-push and gc): read the new one in full.
            return RevisionIndex(try await files(at: commit, under: path))
        }
        return previous.index.updated(changed: changes.changed, removed: changes.removed)
    }
}
