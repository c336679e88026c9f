import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkGit

/// Where the manifests come from: `--repo`, `--rev`, `--path`.
struct SourceOptions: ParsableArguments {
    @Option(help: "The git repository (a work tree or a bare repository).")
    var repo: String = "."

    @Option(help: "The revision to read: a branch, tag, commit id, HEAD~1, origin/main, ...")
    var rev: String = "HEAD"

    @Option(help: "The folder (or file) of manifests inside the repository.")
    var path: String = "manifests"

    func open() throws -> GitRepository {
        do { return try GitRepository(path: repo) } catch { throw CommandFailure("error: \(error)") }
    }

    /// Reads the files of `revision` from the object database. With `missingPathIsEmpty`, a
    /// revision without the manifests path reads as no files (a base before they existed).
    func read(_ repository: GitRepository, _ revision: String, missingPathIsEmpty: Bool = false) throws -> (Commit, [SourceFile]) {
        let commit: Commit
        do { commit = try repository.resolve(revision) } catch { throw CommandFailure("error: \(error)") }
        do {
            return (commit, try repository.files(at: commit, under: path))
        } catch where error.code == .pathNotFound && missingPathIsEmpty {
            Terminal.error("note: \(error.message); planning as if it were empty")
            return (commit, [])
        } catch {
            throw CommandFailure("error: \(error)")
        }
    }

    /// Reads and validates the manifests at `--rev`; invalid manifests are printed and end
    /// the command (exit 1) with `refusal` ("nothing was applied").
    func loadValid(_ repository: GitRepository, refusal: String) throws -> (Commit, LoadedRevision) {
        let (commit, files) = try read(repository, rev)
        noteUncommitted(repository)
        let loaded = RevisionLoader.load(files)
        if loaded.hasErrors {
            Terminal.error(DiagnosticRenderer.text(loaded.diagnostics, color: Terminal.colorEnabled(STDERR_FILENO)))
            throw CommandFailure("error: the manifests at \(rev) are invalid; \(refusal)")
        }
        return (commit, loaded)
    }

    /// Tells, on stderr, which manifest files have changes the revision does not include.
    func noteUncommitted(_ repository: GitRepository) {
        guard rev == "HEAD" else { return }
        let changed = repository.uncommittedChanges(under: path)
        guard !changed.isEmpty else { return }
        let list = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? " and \(changed.count - 5) more" : "")
        Terminal.error("note: \(list) \(changed.count == 1 ? "has" : "have") uncommitted changes that this run does not include (it reads HEAD); commit them to include them")
    }
}
