import Foundation
import GRDB
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkStore

/// The journal's batch writes wait for SQLite's writer without holding threads of the
/// cooperative pool (one per core). Blocking writes held them all on two cores: the apply's
/// service calls, and everything else in the process, stood still behind the journal.
@Suite struct SQLiteBatchWriteTests {
    @Test func batchWritesWaitingForTheDatabaseLeaveTheCooperativePoolFree() async throws {
        let f = try await StoreFixture(.sqlite)
        defer { f.close() }
        let store = try f.store(holder: "a")
        try await store.acquireLease(wait: 0)
        let revision = try await store.beginRevision(f.start())
        // Another connection, on a thread of its own, takes SQLite's write lock and keeps it.
        let blocker = try DatabaseQueue(path: (f.location as NSString).appendingPathComponent("apps/fraud/tidemark.sqlite"))
        let (locked, release, released) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        Thread {
            try? blocker.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                release.wait()
                try db.execute(sql: "COMMIT")
            }
            released.signal()
        }.start()
        locked.wait()
        // More batches than the pool has threads, all waiting for that lock.
        let writers = ProcessInfo.processInfo.activeProcessorCount + 1
        let writes = (0..<writers).map { i in
            Task {
                try await store.recordIntents([IntentDraft(revision: revision, resource: ResourceID(.model, "m\(i)"), action: .create,
                                                           physicalName: "m\(i)", clientToken: "t\(i)", pendingEntry: nil, time: f.time.now())])
            }
        }
        // Let them reach the lock. With blocking writes this task would not run again until
        // SQLite gave up on the lock (15 s each), and the writes would fail.
        try await Task.sleep(for: .milliseconds(300))
        let probe = Task { "ran" }
        #expect(await probe.value == "ran")
        release.signal()
        released.wait()
        var ids: [Int64] = []
        for w in writes { ids += try await w.value }
        #expect(Set(ids).count == writers)
        #expect(try await store.openIntents().count == writers)
    }
}
