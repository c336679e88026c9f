import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per resource: Synced, OutOfSync, Missing or Failed; health; live status; the revision that applied it.",
        discussion: "Also records what an interrupted apply left behind, when no other process holds the state.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var backend: BackendOptions

    @Option(help: "text or json")
    var format: Format = .text

    func run() async throws {
        let git = try source.openSource()
        let environment = try await Environment.open(state: state, backend: backend, source: git, role: "status")
        let store = environment.store
        let reconciler = environment.reconciler
        // Only an interrupted run needs the lease (to record what it left); status never
        // takes it otherwise, so it cannot get in an apply's way.
        let openIntents = try await store.openIntents()
        let unfinished = try await store.unfinishedRevisions()
        let interrupted = !openIntents.isEmpty || !unfinished.isEmpty
        if interrupted {
            let actor = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
            do {
                try await reconciler.exclusively(wait: 0, actor: actor, recovered: { Terminal.error("recovered: \($0)") }) {}
            } catch let held as LeaseHeld {
                Terminal.error("note: \(held.holder) is applying since \(Timestamp.iso8601(held.since))")
            }
        } else if let holder = try await store.leaseHolder() {
            Terminal.error("note: \(holder.holder) is applying since \(Timestamp.iso8601(holder.since))")
        }
        let commit: Commit
        let index: RevisionIndex
        do {
            commit = try await git.resolve(source.rev)
            index = try await git.index(at: commit, path: source.path)
        } catch {
            throw CommandFailure("error: \(error)")
        }
        let loaded = index.loaded
        if loaded.hasErrors {
            Terminal.error(DiagnosticRenderer.text(loaded.diagnostics))
            Terminal.error("error: the manifests at \(source.rev) are invalid; status compares live objects with the last valid state only after they are fixed")
            throw ExitCode(1)
        }
        let inventory = try await store.inventory()
        let live = try await reconciler.plan(index, origin: RevisionOrigin(commit: commit, reference: source.rev, path: source.path), prune: true)
        let changes = Dictionary(live.plan.changes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let revisions = Dictionary(try await store.revisions(limit: 500).map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [[String]] = []
        var values: [Value] = []
        let ids = Set(loaded.desired.ids).union(inventory.keys).sorted()
        var outOfSync = 0
        for id in ids {
            let object = live.observed[id]
            let entry = inventory[id]
            let sync: String
            if let object, object.phase == .failed || object.phase == .updateFailed { sync = "Failed" }
            else if loaded.desired[id] == nil { sync = "Orphaned" }
            else if object == nil { sync = "Missing" }
            else if changes[id] != nil { sync = "OutOfSync" }
            else { sync = "Synced" }
            if sync != "Synced" { outOfSync += 1 }
            let health = Phase.health(object?.phase)
            let revision = entry.map { e in revisions[e.revision].map { "\($0.number) (\($0.commit.prefix(7)))" } ?? "\(e.revision)" } ?? "-"
            rows.append([id.description, sync, health, object?.status ?? (object == nil ? "-" : "Present"), object?.name ?? entry?.physicalName ?? "-", revision])
            values.append(.object(sorting: [
                .init("resource", .string(id.description)), .init("sync", .string(sync)), .init("health", .string(health)),
                .init("status", object?.status.map(Value.string) ?? .null), .init("physicalName", (object?.name ?? entry?.physicalName).map(Value.string) ?? .null),
                .init("revision", entry.map { .int($0.revision) } ?? .null), .init("reason", changes[id].map { .string($0.reason) } ?? .null),
                .init("failureReason", object?.failureReason.map(Value.string) ?? .null),
            ]))
        }
        if format == .json {
            Terminal.write(Value.object(sorting: [.init("formatVersion", .string("1")), .init("commit", .string(commit.id)),
                                                  .init("resources", .list(values))]).prettyJSON + "\n")
        } else {
            Terminal.write(Table.render(["RESOURCE", "SYNC", "HEALTH", "STATUS", "PHYSICAL NAME", "REVISION"], rows))
            if let pinned = try await store.pinnedRevision() {
                Terminal.write("pinned: revision \(pinned.number) (\(pinned.commit.prefix(7))) by a rollback; `tidemark rollback --unpin` lifts it\n")
            }
            Terminal.write("\(ids.count - outOfSync) of \(ids.count) synced at \(source.rev) (\(commit.shortID)).\n")
        }
    }
}
