import Foundation
import TidemarkCore

/// After a crash: closes the intents a dead process left open, from what the services now
/// report, so the inventory neither loses an object that was made nor keeps one that is gone;
/// marks its revision interrupted. Each intent is closed, with its inventory change and audit
/// entry, in one transaction, so a crash during recovery repeats nothing. The next plan then
/// converges from observed state.
public enum Recovery {
    /// What recovery concluded about one intent.
    struct Finding {
        var outcome: String
        var detail: String
        var change: InventoryChange = .none
    }

    public static func recover(store: any StateStore, backend: any ServiceBackend, time: any TimeSource,
                               actor: String) async throws -> [String] {
        var notes: [String] = []
        for intent in try await store.openIntents() {
            let finding = try await examine(intent, store: store, backend: backend)
            let audit = AuditDraft(time: time.now(), actor: actor, trigger: .recovery, revision: intent.revision,
                                   commit: intent.pendingEntry?.commit, resource: intent.resource.description,
                                   action: "recover-\(intent.action.rawValue)", outcome: finding.outcome, error: nil,
                                   afterDigest: intent.pendingEntry?.specHash,
                                   diff: .list([.object([.init("observed", .string(finding.detail))])]))
            try await store.completeIntent(intent.id, outcome: .recovered, inventory: finding.change, audit: audit)
            notes.append("\(intent.resource): interrupted \(intent.action.rawValue) — \(finding.detail)")
        }
        for revision in try await store.unfinishedRevisions() {
            try await store.finishRevision(revision.number, outcome: .interrupted, message: "the process applying it stopped before it finished", at: time.now())
            try await store.append(AuditDraft(time: time.now(), actor: actor, trigger: .recovery, revision: revision.number,
                                        commit: revision.commit, resource: nil, action: "interrupted", outcome: "recorded",
                                        error: "revision \(revision.number) was interrupted"))
            notes.append("revision \(revision.number) (\(revision.commit.prefix(7))) was interrupted; reconciling from live state")
        }
        return notes
    }

    /// How far the service's clock may run behind ours when creation times are compared.
    static let clockSkew: Double = 300

    static func examine(_ intent: JournalIntent, store: any StateStore, backend: any ServiceBackend) async throws -> Finding {
        let id = intent.resource
        switch intent.action {
        case .create, .replace:
            var live = try await backend.describe(id.kind, intent.physicalName)
            // A backend that cannot report client tokens (the SageMaker API): the object with
            // the intended name, created after the intent was written, is this create's.
            let tokenless = live.map { $0.clientToken == nil && $0.createdAt >= intent.startedAt.addingTimeInterval(-Self.clockSkew) } ?? false
            if !tokenless, live?.clientToken != intent.clientToken {
                let all = try await backend.list(id.kind)
                live = all.first { $0.clientToken == intent.clientToken }
                if live == nil, let hash = intent.pendingEntry?.specHash {
                    // The service named it (a registry version) and reports no tokens: an
                    // unmanaged object with exactly the spec sent, created after the intent.
                    let managed = Set(try await store.inventory().values.flatMap { [$0.physicalName] + $0.superseded })
                    live = all.first { o in
                        o.clientToken == nil && !managed.contains(o.name) && o.createdAt >= intent.startedAt.addingTimeInterval(-Self.clockSkew)
                            && Digest.sha256(o.spec.canonicalJSON) == hash
                    }
                }
            }
            guard let live, var entry = intent.pendingEntry else {
                return Finding(outcome: "not-created", detail: "\(intent.physicalName) was not created")
            }
            entry.physicalName = live.name
            return Finding(outcome: "created", detail: "\(live.name) exists (\(live.status ?? "no status")); recorded in the inventory",
                           change: .upsert(entry))
        case .update, .adopt, .reuse:
            let live = try await backend.describe(id.kind, intent.physicalName)
            if let live, let entry = intent.pendingEntry, Digest.sha256(live.spec.canonicalJSON) == entry.specHash {
                return Finding(outcome: "updated", detail: "\(live.name) has the new spec", change: .upsert(entry))
            }
            return Finding(outcome: "not-updated", detail: "\(intent.physicalName) does not have the new spec (\(live?.status ?? "gone")); the next plan shows it")
        case .delete, .rollbackDelete:
            if let live = try await backend.describe(id.kind, intent.physicalName) {
                return Finding(outcome: "not-deleted", detail: "\(intent.physicalName) still exists (\(live.status ?? ""))")
            }
            let current = try await store.inventory()[id]
            var change: InventoryChange = .none
            if let restore = intent.pendingEntry {
                change = .upsert(restore)
            } else if current?.physicalName == intent.physicalName {
                change = .remove(id)
            }
            return Finding(outcome: "deleted", detail: "\(intent.physicalName) is gone", change: change)
        case .forget:
            return Finding(outcome: "deleted", detail: "\(intent.physicalName) is no longer managed", change: .remove(id))
        case .collect:
            if try await backend.describe(id.kind, intent.physicalName) != nil {
                return Finding(outcome: "not-deleted", detail: "\(intent.physicalName) is still kept; the next apply collects it")
            }
            guard var entry = try await store.inventory()[id] else {
                return Finding(outcome: "deleted", detail: "\(intent.physicalName) is gone")
            }
            entry.superseded.removeAll { $0 == intent.physicalName }
            return Finding(outcome: "deleted", detail: "\(intent.physicalName) is gone", change: .upsert(entry))
        case .rollbackUpdate:
            let live = try await backend.describe(id.kind, intent.physicalName)
            var change: InventoryChange = .none
            if let restore = intent.pendingEntry, let live, Digest.sha256(live.spec.canonicalJSON) == restore.specHash {
                change = .upsert(restore)
            }
            return Finding(outcome: "observed", detail: "\(intent.physicalName) is \(live?.status ?? "gone")", change: change)
        }
    }
}
