import ArgumentParser
import TidemarkCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the manifests at a revision: syntax, fields, names, limits, references, the approval gate.",
        discussion: "Exits 0 when valid (warnings allowed), 1 when any error is found. Every error of the run is reported, sorted by file and line.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, github }

    @OptionGroup var source: SourceOptions

    @Option(help: "Output format: text, json, or github (workflow annotations).")
    var format: Format = .text

    func run() async throws {
        let repository = try source.open()
        let uncommitted = source.scanUncommitted()
        let (commit, files) = try source.read(repository, source.rev)
        let loaded = RevisionLoader.load(files)
        await source.noteUncommitted(uncommitted)
        ProcessLifetime.keep(loaded, files)
        let errors = loaded.diagnostics.filter { $0.severity == .error }.count
        let warnings = loaded.diagnostics.count - errors
        switch format {
        case .json:
            Terminal.write(DiagnosticRenderer.json(loaded.diagnostics, files: files.count, resources: loaded.desired.count))
        case .github:
            Terminal.write(DiagnosticRenderer.github(loaded.diagnostics))
        case .text:
            Terminal.write(DiagnosticRenderer.text(loaded.diagnostics, color: Terminal.colorEnabled()))
            let verdict = errors == 0 ? "valid" : "invalid"
            Terminal.write("\(source.path) at \(source.rev) (\(commit.shortID)): \(verdict): \(loaded.desired.count) resources in \(files.count) files, \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
        }
        if errors > 0 { throw ExitCode(1) }
    }
}
