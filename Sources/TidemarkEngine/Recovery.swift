import Foundation
import TidemarkCore

/// After a crash: closes the intents a dead process left open, from what the services now
/// report, so the inventory neither loses an object that was made nor keeps one that is gone;
/// marks its revision interrupted. The next plan then converges from observed state.
public enum Recovery {
    public static func recover(store: any StateStore, backend: any ServiceBackend, time: any TimeSource,
                               actor: String) async throws -> [String] {
        var notes: [String] = []
        for intent in try store.openIntents() {
            let id = intent.resource
            func draft(_ outcome: String, _ detail: String) -> AuditDraft {
                AuditDraft(time: time.now(), actor: actor, trigger: .recovery, revision: intent.revision,
                           commit: intent.pendingEntry?.commit, resource: id.description, action: "recover-\(intent.action)",
                           outcome: outcome, error: nil, afterDigest: intent.pendingEntry?.specHash,
                           diff: .list([.object([.init("observed", .string(detail))])]))
            }
            var change: InventoryChange = .none
            var outcome: String
            var detail: String
            switch intent.action {
            case "create", "replace":
                var live = try await backend.describe(id.kind, intent.physicalName)
                if live == nil || live?.clientToken != intent.clientToken {
                    live = try await backend.list(id.kind).first { $0.clientToken == intent.clientToken }
                }
                if let live, var entry = intent.pendingEntry {
                    entry.physicalName = live.name
                    change = .upsert(entry)
                    outcome = "created"
                    detail = "\(live.name) exists (\(live.status ?? "no status")); recorded in the inventory"
                } else {
                    outcome = "not-created"
                    detail = "\(intent.physicalName) was not created"
                }
            case "update", "adopt":
                let live = try await backend.describe(id.kind, intent.physicalName)
                if let live, let entry = intent.pendingEntry, Digest.sha256(live.spec.canonicalJSON) == entry.specHash {
                    change = .upsert(entry)
                    outcome = "updated"
                    detail = "\(live.name) has the new spec"
                } else {
                    outcome = "not-updated"
                    detail = "\(intent.physicalName) does not have the new spec (\(live?.status ?? "gone")); the next plan shows it"
                }
            case "delete", "forget", "rollback-delete":
                let live = intent.action == "forget" ? nil : try await backend.describe(id.kind, intent.physicalName)
                if live == nil {
                    let current = try store.inventory()[id]
                    if let restore = intent.pendingEntry {
                        change = .upsert(restore)
                    } else if current?.physicalName == intent.physicalName || intent.action == "forget" {
                        change = .remove(id)
                    }
                    outcome = "deleted"
                    detail = "\(intent.physicalName) is gone"
                } else {
                    outcome = "not-deleted"
                    detail = "\(intent.physicalName) still exists (\(live?.status ?? ""))"
                }
            case "rollback-update":
                let live = try await backend.describe(id.kind, intent.physicalName)
                if let restore = intent.pendingEntry, let live, Digest.sha256(live.spec.canonicalJSON) == restore.specHash {
                    change = .upsert(restore)
                }
                outcome = "observed"
                detail = "\(intent.physicalName) is \(live?.status ?? "gone")"
            default:
                outcome = "observed"
                detail = "unknown action \(intent.action)"
            }
            try store.updateInventory(change)
            try store.append(draft(outcome, detail))
            try store.closeIntent(intent.id, outcome: "recovered: \(outcome)", at: time.now())
            notes.append("\(id): interrupted \(intent.action) — \(detail)")
        }
        for revision in try store.unfinishedRevisions() {
            try store.finishRevision(revision.number, outcome: .interrupted, message: "the process applying it stopped before it finished", at: time.now())
            try store.append(AuditDraft(time: time.now(), actor: actor, trigger: .recovery, revision: revision.number,
                                        commit: revision.commit, resource: nil, action: "interrupted", outcome: "recorded",
                                        error: "revision \(revision.number) was interrupted"))
            notes.append("revision \(revision.number) (\(revision.commit.prefix(7))) was interrupted; reconciling from live state")
        }
        return notes
    }
}
