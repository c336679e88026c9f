import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show managed live objects: physical name, status, the commit and file:line they came from.",
        discussion: "KIND lists every managed object of a kind; KIND/NAME shows one in full. For an endpoint, also the model package versions it serves and their approval.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "KIND or KIND/NAME, e.g. Endpoint or Endpoint/fraud-detector. Omit for everything managed.")
    var target: String?

    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions

    @Option(help: "text or json")
    var format: Format = .text

    func run() async throws {
        let store = try await state.openStore(role: "get")
        let services: any ServiceBackend = try backend.open(state: state)
        let inventory = try await store.inventory()
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
            if id.kind == .endpoint, let live { serving = try await packagesServed(by: live, services, inventory: inventory) }
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

    /// Endpoint → config → models → registry versions and their approval (`trace` shows who approved them).
    func packagesServed(by endpoint: LiveObject, _ services: any ServiceBackend, inventory: [ResourceID: InventoryEntry]) async throws -> [Value] {
        try await Lineage.served(by: endpoint, backend: services, inventory: inventory).map { p in
            .object(sorting: [
                .init("variant", .string(p.variant)), .init("model", .string(p.model)), .init("package", .string(p.package)),
                .init("version", p.version.map(Value.int) ?? .null), .init("approval", p.approval.map(Value.string) ?? .null),
            ])
        }
    }
}
