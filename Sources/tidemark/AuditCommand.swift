import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The tamper-evident log of every action Tidemark took.",
        subcommands: [Log.self, Verify.self, Export.self])

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show audit entries, oldest first.")
        @OptionGroup var state: StateOptions
        @Option(help: "Only entries for this resource (Kind/name).") var resource: String?
        @Option(help: "Only entries since a time: 2026-11-22, 2026-11-22T10:00, or an age like 1h or 7d.") var since: String?
        @Option(help: "At most this many entries.") var limit = 200

        func run() async throws {
            let store = try await state.openStore(role: "audit")
            var since: Date?
            if let s = self.since {
                guard let d = Timestamp.parse(s, now: Date()) else { throw CommandFailure("error: --since '\(s)' is not a date or an age like 1h") }
                since = d
            }
            let entries = try await store.audit(.init(resource: resource, since: since, limit: limit))
            let rows = entries.map { e in
                [String(e.sequence), Timestamp.iso8601(e.draft.time), e.draft.actor, e.draft.trigger.rawValue,
                 e.draft.revision.map(String.init) ?? "-", e.draft.resource ?? "-", e.draft.action, e.draft.outcome, e.draft.error ?? ""]
            }
            Terminal.write(rows.isEmpty ? "no audit entries\n" : Table.render(["SEQ", "TIME", "ACTOR", "TRIGGER", "REV", "RESOURCE", "ACTION", "OUTCOME", "ERROR"], rows))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the hash chain; exit 1 naming the first broken entry.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let store = try await state.openStore(role: "audit")
            let v = try await store.verifyAudit()
            if let broken = v.firstBroken {
                Terminal.error("audit chain BROKEN at entry \(broken.sequence): \(broken.reason)")
                throw ExitCode(1)
            }
            Terminal.write("audit chain verified: \(v.entries) entr\(v.entries == 1 ? "y" : "ies"), every hash and link intact\n")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every entry as JSON lines, with hashes, for external archiving.")
        @OptionGroup var state: StateOptions
        @Option(help: "Only jsonl is supported.") var format = "jsonl"

        func run() async throws {
            guard format == "jsonl" else { throw CommandFailure("error: --format must be jsonl") }
            let store = try await state.openStore(role: "audit")
            var after: Int64 = 0
            while true {
                let page = try await store.audit(.init(after: after, limit: 1000))
                for e in page { Terminal.write(e.value.canonicalJSON + "\n") }
                guard let last = page.last else { break }
                after = last.sequence
            }
        }
    }
}
