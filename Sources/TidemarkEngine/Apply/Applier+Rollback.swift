import Foundation
import TidemarkCore

/// After the steps: collect superseded versions on success, or undo this apply's changes in
/// reverse on failure. Every record either is written or is reported in `recordFailures`.
extension Applier {
    func collectSuperseded() async {
        let inventory: [ResourceID: InventoryEntry]
        do { inventory = try await store.inventory() } catch {
            recordFailure("superseded versions were not collected: the inventory could not be read", error)
            return
        }
        // Only the few entries over the limit are sorted (sorting 10,000 entries copies each many times).
        let over = inventory.filter { $0.value.superseded.count > options.keepSuperseded }
        for (id, e) in over.sorted(by: { $0.key < $1.key }) {
            var entry = e
            for name in e.superseded.dropFirst(options.keepSuperseded) where !stopping() {
                var after = entry
                after.superseded.removeAll { $0 == name }
                do {
                    try await journaled(.collect, id, physical: name, pending: after, failure: { error in
                        (.none, self.audit(id, JournalAction.collect.rawValue, "failed", error: "\(error)"))
                    }) {
                        if try await backend.describe(id.kind, name) != nil {
                            try await backend.delete(id.kind, name)
                            _ = try await settle(id, name, expectGone: true)
                        }
                        say(id, "collected superseded \(name)")
                        return (.upsert(after), audit(id, JournalAction.collect.rawValue, "succeeded",
                                                      diff: [FieldDiff(path: "physicalName", before: .string(name), after: nil, forcesReplacement: false)]))
                    }
                    entry = after
                } catch let error as RecordFailed {
                    recordFailure("\(id): \(name) was not collected", error)
                } catch {
                    // A version that cannot be collected now is tried again after the next apply;
                    // the journal and audit log hold the failure.
                    say(id, "could not collect \(name): \(error)")
                }
            }
        }
    }

    func rollback() async {
        for u in undo.reversed() where !lostLease {
            switch u {
            case let .irreversible(text):
                result.irreversible.append(text)
            case let .restoreInventory(id, entry):
                do {
                    try await store.record(inventory: entry.map { .upsert($0) } ?? .remove(id),
                                     audit: audit(id, "rollback-repoint", "succeeded", trigger: .rollback))
                    result.rolledBack.append("\(id): repointed to \(entry?.physicalName ?? "nothing")")
                } catch {
                    recordFailure("\(id): the repoint to \(entry?.physicalName ?? "nothing") was not recorded", error)
                }
            case let .forgetAdoption(id):
                do {
                    try await store.record(inventory: .remove(id), audit: audit(id, "rollback-forget", "succeeded", trigger: .rollback))
                    result.rolledBack.append("\(id): adoption undone")
                } catch {
                    recordFailure("\(id): undoing the adoption was not recorded", error)
                }
            case let .delete(id, physical, restore):
                await undoStep(id, .rollbackDelete, physical: physical, restore: restore) {
                    if try await self.backend.describe(id.kind, physical) != nil {
                        await self.say(id, "rolling back: deleting \(physical)")
                        try await self.backend.delete(id.kind, physical)
                        _ = try await self.settle(id, physical, expectGone: true)
                    }
                    return "deleted \(physical)"
                }
            case let .update(id, physical, spec, restore):
                await undoStep(id, .rollbackUpdate, physical: physical, restore: restore) {
                    guard let live = try await self.backend.describe(id.kind, physical) else { return "\(physical) is gone" }
                    if live.spec == spec { return "\(physical) already as before" }
                    await self.say(id, "rolling back: restoring \(physical)")
                    _ = try await self.backend.update(id.kind, physical, spec: spec)
                    let settled = try await self.settle(id, physical, expectGone: false)
                    guard settled?.spec == spec else {
                        throw StepFailure(resource: id, message: "\(physical) could not be restored: \(settled?.failureReason ?? settled?.status ?? "gone")")
                    }
                    return "restored \(physical)"
                }
            }
        }
        if lostLease { result.irreversible.append("the rollback stopped: another process took over the lease") }
    }

    /// One journaled undo: when its intent cannot be written, nothing is undone and the
    /// failure is reported.
    func undoStep(_ id: ResourceID, _ action: JournalAction, physical: String, restore: InventoryEntry?,
                  _ body: @escaping @Sendable () async throws -> String) async {
        var what = ""
        do {
            try await journaled(action, id, physical: physical, pending: restore, failure: { error in
                (.none, self.audit(id, action.rawValue, "failed", error: "\(error)", trigger: .rollback))
            }) {
                what = try await body()
                return (restore.map { .upsert($0) } ?? .remove(id), audit(id, action.rawValue, "succeeded", trigger: .rollback))
            }
            result.rolledBack.append("\(id): \(what)")
        } catch let error as RecordFailed {
            recordFailure("\(id): \(action.rawValue) of \(physical)", error)
        } catch {
            result.irreversible.append("\(id): rollback failed: \(error)")
        }
    }
}
