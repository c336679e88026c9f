import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkGit

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what changing from one revision to another would do.",
        discussion: """
            With --base REV, compares the manifests at --rev against those at REV without any \
            access to live state: the pull-request CI path. Without --base, compares them against \
            the live objects in the state folder (--data), showing drift and missing objects.
            Exit codes: 0 success (no changes, with --detailed-exitcode), 1 error or invalid \
            manifests, 2 changes present (with --detailed-exitcode).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var source: SourceOptions

    @Option(help: "The revision to compare against (e.g. origin/main).")
    var base: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    @Option(help: "Write the plan to this file instead of standard output. Long Markdown is split into FILE, FILE-2.md, ...")
    var out: String?

    @Flag(help: "Exit 2 when the plan has changes, 0 when it has none.")
    var detailedExitcode = false

    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions

    @Flag(help: "Against live state: include deletes of managed resources whose manifests are gone.")
    var prune = false

    func run() async throws {
        guard let base else { return try await planAgainstLiveState() }
        let git = try source.openSource()
        let uncommitted = source.scanUncommitted()
        let baseCommit: Commit
        let headCommit: Commit
        do {
            baseCommit = try await git.resolve(base)
            headCommit = try await git.resolve(source.rev)
        } catch {
            throw CommandFailure("error: \(error)")
        }
        // The base is read in full; the head only where git says it differs.
        let baseIndex: RevisionIndex
        let headIndex: RevisionIndex
        do {
            do {
                baseIndex = RevisionIndex(try await git.files(at: baseCommit, under: source.path))
            } catch where error.code == .pathNotFound {
                Terminal.error("note: \(error.message); planning as if it were empty")
                baseIndex = RevisionIndex([])
            }
            headIndex = try await git.index(at: headCommit, path: source.path, after: (baseIndex, baseCommit))
        } catch {
            throw CommandFailure("error: \(error)")
        }
        await source.noteUncommitted(uncommitted)
        ProcessLifetime.keep(baseIndex, headIndex)
        let (baseRevision, headRevision) = (baseIndex.loaded, headIndex.loaded)
        if headRevision.hasErrors {
            Terminal.error(DiagnosticRenderer.text(headRevision.diagnostics, color: Terminal.colorEnabled(STDERR_FILENO)))
            Terminal.error("error: the manifests at \(source.rev) are invalid; no plan was made")
            throw ExitCode(1)
        }
        var warnings = headRevision.diagnostics
        if baseRevision.hasErrors {
            let count = baseRevision.diagnostics.filter { $0.severity == .error }.count
            warnings.insert(.warning("invalid-base", "the base revision \(base) has \(count) error\(count == 1 ? "" : "s"); resources it could not read are treated as absent", at: nil), at: 0)
        }
        let (changes, unchanged) = Planner.changes(from: baseIndex.side, to: headIndex.side, candidates: headIndex.touched)
        let plan = Planner.plan(base: PlanSide(revision: base, commit: baseCommit.id), head: PlanSide(revision: source.rev, commit: headCommit.id),
                                path: source.path, changes: changes, unchanged: unchanged, warnings: warnings)
        try emit(plan)
        if detailedExitcode, !plan.isEmpty { throw ExitCode(2) }
    }

    func planAgainstLiveState() async throws {
        let git = try source.openSource()
        // Live state is read while the revision loads: a plan writes nothing, so what it reads
        // ahead counts as much as what it would read after. Only state that exists is read
        // ahead: opening a new one creates it, which a plan refused for its manifests must not.
        // The reading runs on a queue of its own: the decoding holds every thread of the
        // cooperative pool, and would hold the reading up until it ended.
        let stateExists = FileManager.default.fileExists(atPath: state.folder)
        async let opened = stateExists ? try await withTaskExecutorPreference(SerialTaskExecutor(label: "tidemark.read-ahead")) {
            try await openAndReadLive(git)
        } : nil
        let (commit, index) = try await source.loadValid(git, refusal: "no plan was made")
        let environment: Environment
        let ahead: LiveReading?
        if let read = try await opened {
            (environment, ahead) = read
        } else {
            (environment, ahead) = (try await Environment.open(state: state, backend: backend, source: git, role: "plan"), nil)
        }
        if !(try await environment.store.openIntents()).isEmpty {
            Terminal.error("note: an earlier apply was interrupted; the next apply or status records what it left")
        }
        let live = try await environment.reconciler.plan(index, origin: RevisionOrigin(commit: commit, reference: source.rev, path: source.path),
                                                         prune: prune, ahead: ahead)
        ProcessLifetime.keep(index, live)
        try emit(live.plan)
        if !live.blocked.isEmpty { throw ExitCode(1) }
        if detailedExitcode, !live.plan.isEmpty { throw ExitCode(2) }
    }

    func openAndReadLive(_ git: GitSource) async throws -> (Environment, LiveReading) {
        let environment = try await Environment.open(state: state, backend: backend, source: git, role: "plan")
        return (environment, try await environment.reconciler.readLive())
    }

    func emit(_ plan: Plan) throws {
        switch format {
        case .text:
            try output([PlanRenderer.text(plan, color: out == nil && Terminal.colorEnabled())])
        case .json:
            try output([PlanRenderer.json(plan)])
        case .markdown:
            try output(PlanRenderer.markdown(plan))
        }
    }

    /// Writes each part: to standard output (parts separated by a marker line), or to files.
    func output(_ parts: [String]) throws {
        guard let out else {
            for (i, part) in parts.enumerated() {
                if parts.count > 1 { Terminal.write("<!-- tidemark: part \(i + 1) of \(parts.count) -->\n") }
                Terminal.write(part.hasSuffix("\n") ? part : part + "\n")
            }
            return
        }
        for (i, part) in parts.enumerated() {
            let url = URL(fileURLWithPath: i == 0 ? out : Self.partPath(out, i + 1))
            do {
                try Data(part.utf8).write(to: url, options: .atomic)
            } catch {
                throw CommandFailure("error: cannot write \(url.path): \(error.localizedDescription)")
            }
        }
        if parts.count > 1 { Terminal.error("note: the plan was split into \(parts.count) parts: \(out) and \((2...parts.count).map { Self.partPath(out, $0) }.joined(separator: ", "))") }
    }

    static func partPath(_ path: String, _ n: Int) -> String {
        if path.hasSuffix(".md") { return String(path.dropLast(3)) + "-\(n).md" }
        return path + "-\(n)"
    }
}
