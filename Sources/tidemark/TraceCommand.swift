import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkConsole

/// `tidemark trace KIND/NAME`: the lineage of one managed resource as text or JSON.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Where a managed resource came from: commit, author, file:line, revision, what it serves and who approved it, its audit entries.",
        discussion: "For an endpoint, each model package version it serves, with the commit and author of the change that approved it.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "KIND/NAME, e.g. Endpoint/fraud-detector.")
    var target: String

    @Option(help: "The git repository the commits come from (for their authors).")
    var repo: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions

    @Option(help: "text or json")
    var format: Format = .text

    func run() async throws {
        guard let id = ResourceID(parsing: target) else {
            throw CommandFailure("error: '\(target)' is not KIND/NAME (kinds: \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let store = try await state.openStore(role: "trace")
        let services: any ServiceBackend = try backend.open(state: state)
        // Without the repository the lineage still names every commit; only authors are missing.
        let source: GitSource?
        do { source = try GitSource(path: repo) } catch { source = nil }
        guard let lineage = try await Lineage.trace(id, store: store, backend: services, source: source) else {
            throw CommandFailure("error: \(id) is not managed by Tidemark in \(state.folder)")
        }
        Terminal.write(format == .json ? LineageRenderer.json(lineage).prettyJSON + "\n" : LineageRenderer.text(lineage))
    }
}
