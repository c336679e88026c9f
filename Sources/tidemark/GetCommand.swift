import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show managed live objects: physical name, status, the commit and file:line they came from.",
        discussion: "KIND lists every managed object of a kind; KIND/NAME shows one in full. For an endpoint, also the model package versions it serves and their approval.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "KIND or KIND/NAME, e.g. Endpoint or Endpoint/fraud-detector. Omit for everything managed.")
    var target: String?

    @OptionGroup var state: StateOptions

    @Option(help: "text or json")
    var format: Format = .text

    func run() async throws {
        let store = try state.openStore(role: "get")
        let services = try state.openServices()
        let inventory = try store.inventory()
        var ids = inventory.keys.sorted()
        if let target {
            if let id = ResourceID(parsing: target) {
                ids = [id]
            } else if let kind = ResourceKind(rawValue: target) {
                ids = ids.filter { $0.kind == kind }
            } else {
                throw CommandFailure("error: '\(target)' is not KIND or KIND/NAME (kinds: \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        var values: [Value] = []
        var text = ""
        for id in ids {
            guard let entry = inventory[id] else {
                throw CommandFailure("error: \(id) is not managed by Tidemark in \(state.folder)")
            }
            let live = try await services.describe(id.kind, entry.physicalName)
            var v: [Value.Member] = [
                .init("resource", .string(id.description)), .init("physicalName", .string(entry.physicalName)),
                .init("status", live?.status.map(Value.string) ?? (live == nil ? .string("Missing") : .null)),
                .init("arn", live.map { .string($0.arn) } ?? .null),
                .init("source", .object(sorting: [.init("commit", .string(entry.commit)), .init("file", .string(entry.file)), .init("line", .int(Int64(entry.line)))])),
                .init("revision", .int(entry.revision)),
                .init("superseded", .list(entry.superseded.map(Value.string))),
            ]
            if let failure = live?.failureReason { v.append(.init("failureReason", .string(failure))) }
            var serving: [Value] = []
            if id.kind == .endpoint, let live { serving = try await packagesServed(by: live, services) }
            if !serving.isEmpty { v.append(.init("serving", .list(serving))) }
            if ids.count == 1 {
                v.append(.init("spec", live?.spec ?? .null))
                v.append(.init("observed", live?.observed ?? .null))
            }
            values.append(.object(sorting: v))
            text += "\(id)  \(entry.physicalName)  \(live?.status ?? (live == nil ? "Missing" : "-"))\n"
            text += "  from \(entry.commit.prefix(7)) \(entry.file):\(entry.line) (revision \(entry.revision))\n"
            if let failure = live?.failureReason { text += "  failure: \(failure)\n" }
            for s in serving {
                text += "  serves \(s["package"]?.stringValue ?? "?") version \(s["version"]?.intValue.map(String.init) ?? "?") (\(s["approval"]?.stringValue ?? "?")) through \(s["model"]?.stringValue ?? "?")\n"
            }
            if !entry.superseded.isEmpty { text += "  kept for rollback: \(entry.superseded.joined(separator: ", "))\n" }
            if ids.count == 1, let live {
                text += "  arn: \(live.arn)\n  spec:\n" + live.spec.prettyJSON.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n"
            }
        }
        if format == .json {
            Terminal.write((ids.count == 1 && target?.contains("/") == true ? values[0] : .list(values)).prettyJSON + "\n")
        } else {
            Terminal.write(text.isEmpty ? "nothing is managed in \(state.folder)\n" : text)
        }
    }

    /// Endpoint → config → models → registry versions and their approval.
    func packagesServed(by endpoint: LiveObject, _ services: LocalServices) async throws -> [Value] {
        guard let configName = endpoint.spec["endpointConfigName"]?.stringValue,
              let config = try await services.describe(.endpointConfig, configName) else { return [] }
        var out: [Value] = []
        for variant in config.spec["productionVariants"]?.elements ?? [] {
            guard let modelName = variant["modelName"]?.stringValue, let model = try await services.describe(.model, modelName) else { continue }
            let containers = (model.spec["containers"]?.elements ?? []) + [model.spec["primaryContainer"]].compactMap { $0 }
            for c in containers {
                guard let package = c["modelPackageName"]?.stringValue, let p = try await services.describe(.modelPackage, package) else { continue }
                out.append(.object(sorting: [
                    .init("variant", variant["variantName"] ?? .null), .init("model", .string(modelName)),
                    .init("package", .string(package)), .init("version", p.observed["version"] ?? .null),
                    .init("approval", p.spec["modelApprovalStatus"] ?? .null),
                ]))
            }
        }
        return out
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The revisions applied, newest first.")

    @OptionGroup var state: StateOptions

    @Option(help: "How many revisions to show.")
    var limit = 20

    func run() throws {
        let store = try state.openStore(role: "history")
        let rows = try store.revisions(limit: limit).map { r in
            [String(r.number) + (r.pinned ? " (pinned)" : ""), String(r.commit.prefix(7)), r.reference, Timestamp.iso8601(r.startedAt),
             r.actor, r.trigger.rawValue, r.outcome.rawValue, r.message]
        }
        Terminal.write(rows.isEmpty ? "no revisions applied yet in \(state.folder)\n"
                       : Table.render(["REVISION", "COMMIT", "REF", "STARTED", "ACTOR", "TRIGGER", "OUTCOME", "MESSAGE"], rows))
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Apply an earlier revision's desired state and pin it.",
        discussion: "A rollback is a plan: the manifests of that revision's commit are read from git and applied. The revision is then pinned, so an automated loop does not roll forward until a newer commit arrives or `rollback --unpin`.")

    @Argument(help: "The revision number (see `tidemark history`).")
    var revision: Int64?

    @Flag(help: "Lift the pin instead of rolling back.")
    var unpin = false

    @Option(help: "The git repository holding the revision's commit.")
    var repo: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var run: RunOptions

    func run() async throws {
        let store = try state.openStore(role: "rollback")
        if unpin {
            try store.pin(nil)
            Terminal.write("unpinned\n")
            return
        }
        guard let revision else { throw CommandFailure("error: name a revision to roll back to (see `tidemark history`), or pass --unpin") }
        guard let record = try store.revision(revision) else {
            throw CommandFailure("error: there is no revision \(revision) in \(state.folder)")
        }
        let source = try SourceOptions.parse(["--repo", repo, "--rev", record.commit, "--path", record.path])
        let repository = try source.open()
        let (commit, files) = try source.read(repository, record.commit)
        let loaded = RevisionLoader.load(files)
        if loaded.hasErrors {
            Terminal.error(DiagnosticRenderer.text(loaded.diagnostics))
            throw CommandFailure("error: revision \(revision)'s manifests no longer validate; nothing was applied")
        }
        Terminal.error("rolling back to revision \(revision): \(record.reference) (\(commit.shortID)) \(commit.summary)")
        let outcome = try await Reconciliation(state: state, run: run, trigger: .rollback).apply(
            desired: loaded.desired, warnings: loaded.diagnostics, commit: commit.id, reference: "revision \(revision)",
            path: record.path, prune: true)
        guard outcome == .succeeded else { throw ExitCode(1) }
        guard let latest = try store.revisions(limit: 1).first else { return }
        try store.pin(latest.number)
        Terminal.write("pinned revision \(latest.number) (the state of revision \(revision)); `tidemark rollback --unpin` lifts it\n")
    }
}
