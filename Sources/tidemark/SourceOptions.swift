import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
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

    /// The repository as the engine's source port.
    func openSource() throws -> GitSource {
        do { return try GitSource(path: repo) } catch { throw CommandFailure("error: \(error)") }
    }

    /// The commit `revision` names, and its manifests loaded; invalid manifests are printed and
    /// end the command (exit 1) with `refusal` ("nothing was applied").
    func loadValid(_ source: GitSource, refusal: String) async throws -> (Commit, RevisionIndex) {
        let commit: Commit
        let index: RevisionIndex
        let uncommitted = scanUncommitted()
        do {
            commit = try await source.resolve(rev)
            index = try await source.index(at: commit, path: path)
        } catch {
            throw CommandFailure("error: \(error)")
        }
        await noteUncommitted(uncommitted)
        if index.loaded.hasErrors {
            Terminal.error(DiagnosticRenderer.text(index.loaded.diagnostics, color: Terminal.colorEnabled(STDERR_FILENO)))
            throw CommandFailure("error: the manifests at \(rev) are invalid; \(refusal)")
        }
        return (commit, index)
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

    /// For `HEAD`: the manifest files with changes the revision does not include, looked for
    /// on a queue of its own (the scan stats every file of the work tree, and the decoding holds
    /// every thread of the cooperative pool), so that it runs while the revision loads.
    /// `noteUncommitted` tells what it found.
    func scanUncommitted() -> Task<[String], Never>? {
        guard rev == "HEAD" else { return nil }
        let (repo, path) = (self.repo, self.path)
        return Task(executorPreference: SerialTaskExecutor(label: "tidemark.uncommitted")) {
            // A folder that is not a repository has been reported by the load already.
            (try? GitRepository(path: repo))?.uncommittedChanges(under: path) ?? []
        }
    }

    /// Tells, on stderr, which manifest files have changes the revision does not include.
    func noteUncommitted(_ scan: Task<[String], Never>?) async {
        guard let changed = await scan?.value, !changed.isEmpty else { return }
        let list = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? " and \(changed.count - 5) more" : "")
        Terminal.error("note: \(list) \(changed.count == 1 ? "has" : "have") uncommitted changes that this run does not include (it reads HEAD); commit them to include them")
    }
}
