import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkTesting

/// What every store promises the engine, checked on SQLite and on a real PostgreSQL cluster
/// with the same tests: revisions, the journal's atomic close, the audit chain, the fenced
/// lease, and one owner per live object across applications.
@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func revisionsAreNumberedPerApplicationAndPinned(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let fraud = try f.store("fraud", holder: "a")
        let churn = try f.store("churn", holder: "a")
        try await fraud.acquireLease(wait: 0)
        try await churn.acquireLease(wait: 0)
        let one = try await fraud.beginRevision(f.start())
        let two = try await fraud.beginRevision(f.start())
        let churnOne = try await churn.beginRevision(f.start())
        #expect((one, two, churnOne) == (1, 2, 1))
        #expect(try await fraud.unfinishedRevisions().map(\.number) == [1, 2])
        try await fraud.finishRevision(one, outcome: .succeeded, message: "3 changes applied", at: f.time.now())
        #expect(try await fraud.unfinishedRevisions().map(\.number) == [2])
        let first = try #require(try await fraud.revision(1))
        #expect(first.outcome == .succeeded)
        #expect(first.message == "3 changes applied")
        #expect(first.finishedAt != nil)
        #expect(try await fraud.revision(9) == nil)
        #expect(try await fraud.revisions(limit: 1).map(\.number) == [2])
        try await fraud.pin(1)
        #expect(try await fraud.pinnedRevision()?.number == 1)
        #expect(try await churn.pinnedRevision() == nil)
        try await fraud.pin(2)
        #expect(try await fraud.revisions(limit: 10).filter(\.pinned).map(\.number) == [2])
        try await fraud.pin(nil)
        #expect(try await fraud.pinnedRevision() == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func anIntentClosesWithItsInventoryChangeAndAuditEntryAtOnce(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let store = try f.store(holder: "a")
        try await store.acquireLease(wait: 0)
        let revision = try await store.beginRevision(f.start())
        let entry = StoreFixture.entry(.model, "scorer")
        let intent = try await store.recordIntent(IntentDraft(revision: revision, resource: entry.id, action: .create, physicalName: "scorer",
                                                              clientToken: "tok-1", pendingEntry: entry, time: f.time.now()))
        let open = try await store.openIntents()
        #expect(open.map(\.id) == [intent])
        #expect(open.first?.pendingEntry == entry)
        #expect(open.first?.clientToken == "tok-1")
        try await store.completeIntent(intent, outcome: .succeeded, inventory: .upsert(entry), audit: f.audit("create", resource: "Model/scorer"))
        #expect(try await store.openIntents().isEmpty)
        #expect(try await store.inventory() == [entry.id: entry])
        // Closing it again is refused and changes nothing: no second audit entry, no inventory change.
        await #expect(throws: StoreCorrupt.self) {
            try await store.completeIntent(intent, outcome: .failed, inventory: .remove(entry.id), audit: f.audit("create", resource: "Model/scorer"))
        }
        #expect(try await store.inventory() == [entry.id: entry])
        #expect(try await store.audit(AuditQuery()).map(\.draft.action) == ["create"])
        try await store.record(inventory: .remove(entry.id), audit: f.audit("forget", resource: "Model/scorer"))
        #expect(try await store.inventory().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func theAuditChainVerifiesAndIsQueried(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let store = try f.store(holder: "a")
        let other = try f.store("churn", holder: "a")
        try await store.acquireLease(wait: 0)
        try await other.acquireLease(wait: 0)
        for i in 0..<25 { try await store.append(f.audit("step", resource: i % 5 == 0 ? "Model/m" : "Endpoint/e")) }
        try await other.append(f.audit("fetch"))
        let verified = try await store.verifyAudit()
        #expect(verified.entries == 25)
        #expect(verified.firstBroken == nil)
        #expect(try await other.verifyAudit().entries == 1)
        let page = try await store.audit(AuditQuery(after: 10, limit: 5))
        #expect(page.map(\.sequence) == [11, 12, 13, 14, 15])
        #expect(try await store.audit(AuditQuery(resource: "Model/m")).map(\.sequence) == [1, 6, 11, 16, 21])
        let entries = try await store.audit(AuditQuery())
        #expect(entries.first?.previousHash == AuditEntry.genesisHash)
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $1.previousHash == $0.hash })
    }

    @Test(arguments: StoreKind.allCases)
    func aLeaderPastItsTTLLosesTheLeaseAndEveryWriteIsRefused(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let old = try f.store(holder: "old")
        let new = try f.store(holder: "new")
        try await old.acquireLease(wait: 0)
        let revision = try await old.beginRevision(f.start())
        let intent = try await old.recordIntent(IntentDraft(revision: revision, resource: ResourceID(.model, "m"), action: .create,
                                                            physicalName: "m", clientToken: "t", pendingEntry: nil, time: f.time.now()))
        await #expect(throws: LeaseHeld.self) { try await new.acquireLease(wait: 0) }
        try await f.expireLeases()
        try await new.acquireLease(wait: 0)
        let taken = try #require(try await new.leaseHolder())
        #expect(taken.holder == "new")
        #expect(taken.generation == 2)
        await #expect(throws: LeaseLost.self) { try await old.heartbeat() }
        await #expect(throws: LeaseLost.self) { try await old.beginRevision(f.start()) }
        await #expect(throws: LeaseLost.self) { try await old.append(f.audit("late")) }
        await #expect(throws: LeaseLost.self) { try await old.pin(revision) }
        await #expect(throws: LeaseLost.self) {
            try await old.completeIntent(intent, outcome: .succeeded, inventory: .upsert(StoreFixture.entry(.model, "m")), audit: f.audit("create"))
        }
        // The old holder's release leaves the new holder's lease alone.
        try await old.releaseLease()
        #expect(try await new.leaseHolder()?.holder == "new")
        #expect(try await new.openIntents().map(\.id) == [intent])
        #expect(try await new.inventory().isEmpty)
        try await new.append(f.audit("recovered"))
        #expect(try await new.verifyAudit().firstBroken == nil)
        #expect(try await new.audit(AuditQuery()).map(\.draft.action) == ["recovered"])
    }

    @Test(arguments: StoreKind.allCases)
    func generationsOnlyGrowAndAStoreWithoutTheLeaseWritesNothing(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let a = try f.store(holder: "a")
        let b = try f.store(holder: "b")
        await #expect(throws: LeaseLost.self) { try await a.beginRevision(f.start()) }
        #expect(try await a.revisions(limit: 10).isEmpty)
        try await a.acquireLease(wait: 0)
        try await a.releaseLease()
        #expect(try await a.leaseHolder() == nil)
        try await b.acquireLease(wait: 0)
        try await b.releaseLease()
        try await a.acquireLease(wait: 0)
        #expect(try await a.leaseHolder()?.generation == 3)
        await #expect(throws: LeaseLost.self) { try await b.heartbeat() }
        // Renewing one's own lease keeps the generation.
        try await a.acquireLease(wait: 0)
        try await a.heartbeat()
        #expect(try await a.leaseHolder()?.generation == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func anObjectAnotherApplicationManagesIsReportedWithItsOwner(_ kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        defer { f.close() }
        let fraud = try f.store("fraud", holder: "a")
        let churn = try f.store("churn", holder: "a")
        try await fraud.acquireLease(wait: 0)
        try await churn.acquireLease(wait: 0)
        try await fraud.record(inventory: .upsert(StoreFixture.entry(.model, "scorer")), audit: f.audit("create"))
        try await churn.record(inventory: .upsert(StoreFixture.entry(.endpoint, "churn-ep")), audit: f.audit("create"))
        let asked: Set<ObjectName> = [ObjectName(.model, "scorer"), ObjectName(.endpoint, "scorer"), ObjectName(.endpoint, "churn-ep"), ObjectName(.model, "free")]
        #expect(try await churn.owners(of: asked) == [ObjectName(.model, "scorer"): "fraud"])
        #expect(try await fraud.owners(of: asked) == [ObjectName(.endpoint, "churn-ep"): "churn"])
        #expect(try await fraud.owners(of: []) == [:])
    }
}
