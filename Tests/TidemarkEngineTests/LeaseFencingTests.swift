import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkStore
import TidemarkTesting

/// The lease is a fencing token: a holder whose lease was taken over writes nothing more.
@Suite struct LeaseFencingTests {
    func stores() throws -> (folder: String, time: ManualTime, old: SQLiteStore, new: SQLiteStore) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-fence-\(UUID().uuidString)").path
        let time = ManualTime()
        let old = try SQLiteStore(folder: folder, holder: LeaseHolder(name: "serve pid 1 on host-a", pid: 1, host: "host-a"), time: time, leaseTTL: 3)
        let new = try SQLiteStore(folder: folder, holder: LeaseHolder(name: "serve pid 2 on host-b", pid: 2, host: "host-b"), time: time, leaseTTL: 3)
        return (folder, time, old, new)
    }

    static func start(_ time: ManualTime) -> RevisionStart {
        RevisionStart(commit: "c0ffee", reference: "main", path: "manifests", actor: "t", trigger: .controller, planDigest: "", time: time.now())
    }

    @Test func aPausedLeaderLosesItsLeaseAndEveryWriteIsRefused() async throws {
        let (folder, time, old, new) = try stores()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try old.acquireLeaseNow()
        let revision = try old.beginRevision(Self.start(time))
        let intent = try old.recordIntent(IntentDraft(revision: revision, resource: ResourceID(.model, "m"), action: .create,
                                                      physicalName: "m-1", clientToken: "t", pendingEntry: nil, time: time.now()))
        // The standby cannot take a live lease...
        #expect(throws: LeaseHeld.self) { try new.acquireLeaseNow() }
        // ...but takes it once the leader's heartbeat is older than the TTL (a SIGSTOP).
        time.advance(seconds: 4)
        try new.acquireLeaseNow()
        let taken = try #require(try new.leaseHolder())
        #expect(taken.holder == "serve pid 2 on host-b")
        #expect(taken.generation == 2)

        // The old leader wakes up: its heartbeat and every write are refused.
        #expect(throws: LeaseLost.self) { try old.heartbeat() }
        #expect(throws: LeaseLost.self) { try old.beginRevision(Self.start(time)) }
        #expect(throws: LeaseLost.self) {
            try old.completeIntent(intent, outcome: .succeeded, inventory: .none,
                                   audit: AuditDraft(time: time.now(), actor: "t", trigger: .controller, revision: revision, commit: "c0ffee",
                                                     resource: "Model/m", action: "create", outcome: "succeeded"))
        }
        #expect(throws: LeaseLost.self) {
            try old.append(AuditDraft(time: time.now(), actor: "t", trigger: .controller, revision: nil, commit: nil, resource: nil,
                                      action: "fetch", outcome: "rejected"))
        }
        #expect(throws: LeaseLost.self) { try old.pin(revision) }
        #expect(throws: LeaseLost.self) { try old.finishRevision(revision, outcome: .succeeded, message: "", at: time.now()) }
        // Its release does not free the new holder's lease.
        try old.releaseLease()
        #expect(try new.leaseHolder()?.holder == "serve pid 2 on host-b")
        // The new leader writes, the chain holds, and the intent the old one left is open for recovery.
        try new.append(AuditDraft(time: time.now(), actor: "t", trigger: .controller, revision: nil, commit: nil, resource: nil,
                                  action: "fetch", outcome: "ok"))
        #expect(try new.verifyAudit().firstBroken == nil)
        #expect(try new.openIntents().map(\.id) == [intent])
    }

    @Test func generationsOnlyGrowAcrossReleases() async throws {
        let (folder, _, old, new) = try stores()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try old.acquireLeaseNow()
        try old.releaseLease()
        try new.acquireLeaseNow()
        try new.releaseLease()
        try old.acquireLeaseNow()
        #expect(try old.leaseHolder()?.generation == 3)
        #expect(throws: LeaseLost.self) { try new.heartbeat() }
    }

    @Test func aStoreWithoutTheLeaseWritesNothing() throws {
        let (folder, time, old, _) = try stores()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: LeaseLost.self) { try old.beginRevision(Self.start(time)) }
        #expect(try old.revisions(limit: 10).isEmpty)
    }

    @Test func anUnreadableInventoryRowIsAnErrorNotASkip() throws {
        let h = try Harness(latencies: .zero)
        let r = try ChildProcess.capture("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO inventory VALUES ('Model/x', '{not json')\"); c.commit()",
                                                     h.store.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(throws: StoreCorrupt.self) { try h.store.inventory() }
    }

    @Test func theStateFolderIsPrivate() throws {
        let h = try Harness(latencies: .zero)
        func mode(_ path: String) throws -> Int {
            ((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
        }
        #expect(try mode(h.folder) == 0o700)
        for name in try FileManager.default.contentsOfDirectory(atPath: h.folder) {
            #expect(try mode((h.folder as NSString).appendingPathComponent(name)) == 0o600, "\(name)")
        }
    }
}
