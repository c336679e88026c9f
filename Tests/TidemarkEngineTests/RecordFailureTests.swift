import Foundation
import Synchronization
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore
import TidemarkTesting

/// The real SQLite store with a say in the journal's writes: `refuses` turns batches of
/// outcomes away, as a full disk or a lost lease would; `holdIntents` runs before each batch
/// of intents is written, to hold it back.
final class InterposedStore: StateStore {
    let inner: SQLiteStore
    let refuses: @Sendable ([IntentCompletion]) -> Bool
    let holdIntents: @Sendable ([IntentDraft]) async -> Void
    let refused = Atomic<Int>(0)

    init(_ inner: SQLiteStore, refuses: @escaping @Sendable ([IntentCompletion]) -> Bool = { _ in false },
         holdIntents: @escaping @Sendable ([IntentDraft]) async -> Void = { _ in }) {
        self.inner = inner
        self.refuses = refuses
        self.holdIntents = holdIntents
    }

    struct DiskFull: Error, CustomStringConvertible { var description: String { "disk I/O error (injected)" } }

    func inventory() throws -> [ResourceID: InventoryEntry] { try inner.inventory() }
    func owners(of objects: Set<ObjectName>) throws -> [ObjectName: String] { try inner.owners(of: objects) }
    func beginRevision(_ start: RevisionStart) throws -> Int64 { try inner.beginRevision(start) }
    func finishRevision(_ number: Int64, outcome: RevisionRecord.Outcome, message: String, at time: Date) throws {
        try inner.finishRevision(number, outcome: outcome, message: message, at: time)
    }
    func revisions(limit: Int) throws -> [RevisionRecord] { try inner.revisions(limit: limit) }
    func revision(_ number: Int64) throws -> RevisionRecord? { try inner.revision(number) }
    func unfinishedRevisions() throws -> [RevisionRecord] { try inner.unfinishedRevisions() }
    func pinnedRevision() throws -> RevisionRecord? { try inner.pinnedRevision() }
    func pin(_ number: Int64?) throws { try inner.pin(number) }
    func recordIntent(_ intent: IntentDraft) throws -> Int64 { try inner.recordIntent(intent) }
    func recordIntents(_ intents: [IntentDraft]) async throws -> [Int64] {
        await holdIntents(intents)
        return try await inner.recordIntents(intents)
    }
    func completeIntent(_ id: Int64, outcome: IntentOutcome, inventory: InventoryChange, audit: AuditDraft) throws {
        if refuses([IntentCompletion(intent: id, outcome: outcome, inventory: inventory, audit: audit)]) {
            refused.add(1, ordering: .relaxed)
            throw DiskFull()
        }
        try inner.completeIntent(id, outcome: outcome, inventory: inventory, audit: audit)
    }
    func completeIntents(_ batch: [IntentCompletion]) async throws {
        if refuses(batch) {
            refused.add(1, ordering: .relaxed)
            throw DiskFull()
        }
        try await inner.completeIntents(batch)
    }
    func record(inventory: InventoryChange, audit: AuditDraft) throws { try inner.record(inventory: inventory, audit: audit) }
    func openIntents() throws -> [JournalIntent] { try inner.openIntents() }
    func append(_ audit: AuditDraft) throws { try inner.append(audit) }
    func audit(_ query: AuditQuery) throws -> [AuditEntry] { try inner.audit(query) }
    func verifyAudit() throws -> AuditVerification { try inner.verifyAudit() }
    func acquireLease(wait: Double) async throws { try await inner.acquireLease(wait: wait) }
    func heartbeat() throws { try inner.heartbeat() }
    func releaseLease() throws { try inner.releaseLease() }
    func leaseHolder() throws -> LeaseInfo? { try inner.leaseHolder() }
}

@Suite struct RecordFailureTests {
    @Test func aStoreFailureDuringRollbackIsReportedFailsTheApplyAndIsRecoveredLater() async throws {
        let h = try Harness(latencies: .zero)
        try await h.apply(try Harness.stack())
        // The rollback's records are refused.
        let store = InterposedStore(h.store, refuses: { batch in batch.contains { $0.audit.trigger == .rollback } })
        let reconciler = Reconciler(source: InMemorySource(), backend: h.services, store: store, time: h.time)
        try h.services.inject(.fail, .endpoint, "fraud-detector", detail: "no capacity")
        let changed = try Harness.stack([(Harness.serving, "initialInstanceCount: 4", "initialInstanceCount: 6")])
        var options = ApplyOptions()
        options.actor = "test"
        let outcome = try await reconciler.reconcile(changed, origin: Harness.origin, prune: false, options: options, pin: .keep,
                                                     confirm: { _ in true }, progress: { _ in })
        guard case .applied(_, let report) = outcome else { Issue.record("not applied: \(outcome)"); return }
        #expect(report.result.outcome != .succeeded)
        #expect(store.refused.load(ordering: .relaxed) > 0)
        #expect(!report.result.recordFailures.isEmpty, "\(report.result)")
        #expect(report.result.recordFailures.allSatisfy { $0.contains("disk I/O error (injected)") })
        #expect(try h.store.revisions(limit: 1).first?.outcome != .succeeded)
        // What could not be recorded is still in the journal: recovery closes it.
        let open = try h.store.openIntents()
        #expect(!open.isEmpty)
        let notes = try await h.reconciler.recover(actor: "test")
        #expect(notes.count >= open.count)
        #expect(try h.store.openIntents().isEmpty)
        #expect(try h.store.verifyAudit().firstBroken == nil)
        // And the next apply converges.
        let converged = try await h.apply(changed)
        #expect(converged.outcome == .succeeded, "\(converged)")
        #expect(try await h.plan(changed).steps.isEmpty)
    }
}
