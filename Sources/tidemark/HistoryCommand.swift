import ArgumentParser
import Foundation
import TidemarkEngine

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The revisions applied, newest first.")

    @OptionGroup var state: StateOptions

    @Option(help: "How many revisions to show.")
    var limit = 20

    func run() async throws {
        let store = try await state.openStore(role: "history")
        let rows = try await store.revisions(limit: limit).map { r in
            [String(r.number) + (r.pinned ? " (pinned)" : ""), String(r.commit.prefix(7)), r.reference, Timestamp.iso8601(r.startedAt),
             r.actor, r.trigger.rawValue, r.outcome.rawValue, r.message]
        }
        Terminal.write(rows.isEmpty ? "no revisions applied yet in \(state.folder)\n"
                       : Table.render(["REVISION", "COMMIT", "REF", "STARTED", "ACTOR", "TRIGGER", "OUTCOME", "MESSAGE"], rows))
    }
}
