import TidemarkCore
import TidemarkEngine

/// The `RepositorySource` port over libgit2: a local repository read in place, or a bare
/// mirror of a remote one under the state folder, fetched on `refresh`. One repository handle
/// is opened once and kept; the actor gives it to one task at a time.
public actor GitSource: RepositorySource {
    public nonisolated let location: String
    let repository: GitRepository
    let credentials: GitCredentials
    let mirrored: Bool

    /// A local repository (a work tree or a bare one), read as it is.
    public init(path: String) throws(SourceError) {
        do { repository = try GitRepository(path: path) } catch { throw Self.sourceError(error) }
        location = path
        credentials = .none
        mirrored = false
    }

    /// A mirror of `url` kept at `mirrorPath`. Credentials written into the URL are taken
    /// out: the mirror's config and every message hold the bare URL only.
    public init(mirroring url: String, at mirrorPath: String, token: String?) throws(SourceError) {
        let parsed = RepositoryURL(url)
        do { repository = try GitRepository.mirror(of: parsed.url, at: mirrorPath) } catch { throw Self.sourceError(error) }
        location = parsed.url
        credentials = parsed.credentials(token: token)
        mirrored = true
    }

    static func sourceError(_ e: GitError) -> SourceError {
        let code: SourceError.Code
        switch e.code {
        case .repositoryNotFound: code = .repositoryNotFound
        case .revisionNotFound: code = .revisionNotFound
        case .pathNotFound: code = .pathNotFound
        case .unreachable: code = .unreachable
        case .readFailed: code = .readFailed
        }
        return SourceError(code, e.message)
    }

    public func refresh() throws(SourceError) {
        guard mirrored else { return }
        do { try repository.fetch(credentials: credentials) } catch { throw Self.sourceError(error) }
    }

    public func resolve(_ revision: String) throws(SourceError) -> Commit {
        do { return try repository.resolve(revision) } catch { throw Self.sourceError(error) }
    }

    public func head(of branch: String?) throws(SourceError) -> (branch: String, commit: Commit) {
        guard mirrored else {
            let name = branch ?? "HEAD"
            return (name, try resolve(branch.map { "refs/heads/\($0)" } ?? "HEAD"))
        }
        guard let name = branch ?? repository.defaultBranch() else {
            let branches = repository.remoteBranches()
            throw SourceError(.revisionNotFound, branches.isEmpty
                ? "the repository at \(location) has no branches yet"
                : "no branch to follow: the repository has \(branches.joined(separator: ", ")); pass --branch")
        }
        do {
            return (name, try repository.resolve("refs/remotes/origin/\(name)"))
        } catch {
            throw SourceError(.revisionNotFound, "branch '\(name)' does not exist at \(location) (deleted, or renamed by a force-push?)")
        }
    }

    public func files(at commit: Commit, under path: String) throws(SourceError) -> [SourceFile] {
        do { return try repository.files(at: commit, under: path) } catch { throw Self.sourceError(error) }
    }

    /// Only a path missing at the new commit is a removal; every other read failure is thrown.
    public func changes(from old: Commit, to new: Commit, under path: String) throws(SourceError) -> ChangedFiles {
        do {
            let (changed, removed) = try repository.changedManifests(from: old, to: new, under: path)
            return ChangedFiles(changed: changed, removed: removed)
        } catch {
            throw Self.sourceError(error)
        }
    }
}
