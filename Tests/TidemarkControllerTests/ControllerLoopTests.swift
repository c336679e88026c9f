import Foundation
import Logging
import Testing
import TidemarkController
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkStore
import TidemarkTesting

/// A services backend with no change feed: drift is then found by the resync only.
struct FeedlessBackend: ServiceBackend {
    let inner: LocalServices
    func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject? { try await inner.describe(kind, name) }
    func list(_ kind: ResourceKind) async throws -> [LiveObject] { try await inner.list(kind) }
    func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject {
        try await inner.create(kind, name: name, spec: spec, clientToken: clientToken)
    }
    func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject { try await inner.update(kind, name, spec: spec) }
    func delete(_ kind: ResourceKind, _ name: String) async throws { try await inner.delete(kind, name) }
}

/// The controller in process: a real git repository, real SQLite, real local services, on a
/// test clock that moves only when the test says. Each step takes milliseconds.
final class Loop {
    let repo: TempRepository
    let folder: String
    let clock = TestClock()
    let services: LocalServices
    let store: SQLiteStore
    let controller: Controller
    var task: Task<Void, any Error>?

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let serving = "manifests/serving/fraud-detector.yaml"

    init(selfHeal: Bool = false, automated: Bool = true, feed: Bool = true, resync: Double = 300) throws {
        repo = try TempRepository()
        for sub in ["feature-store/transactions.yaml", "pipelines/fraud-training.yaml", "registry/fraud-models.yaml",
                    "serving/fraud-detector.yaml", "monitoring/fraud-data-quality.yaml"] {
            try repo.write("manifests/" + sub, try String(contentsOf: Self.root.appendingPathComponent("manifests/" + sub), encoding: .utf8))
        }
        try repo.commit("the stack")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-loop-\(UUID().uuidString)").path
        services = try LocalServices(folder: folder, time: clock, latencies: .zero)
        store = try SQLiteStore(folder: folder, holder: .current(role: "serve"), time: clock, leaseTTL: 60)
        let source = try GitSource(mirroring: repo.url.path, at: folder + "/mirror.git", token: nil)
        var settings = ControllerSettings(repo: repo.url.path, data: folder)
        settings.branch = "main"
        settings.interval = 5
        settings.leaseRenewal = 5
        settings.policy.selfHeal = selfHeal
        settings.policy.automated = automated
        settings.policy.resync = resync
        settings.apply.pollInterval = 0.01
        let backend: any ServiceBackend = feed ? services : FeedlessBackend(inner: services)
        controller = Controller(settings: settings, reconciler: Reconciler(source: source, backend: backend, store: store, time: clock),
                                logger: Logger(label: "test"))
    }

    deinit {
        task?.cancel()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func start() {
        let controller = self.controller
        task = Task { try await controller.run() }
    }

    /// Waits (real time, bounded) until the status satisfies `predicate`. The bound is
    /// generous: a step takes milliseconds, but on two cores other suites running beside
    /// this one can hold the threads for seconds.
    @discardableResult
    func until(_ what: String, _ predicate: (ControllerStatus) -> Bool) async throws -> ControllerStatus {
        let deadline = Date().addingTimeInterval(60)
        var last = await controller.currentStatus()
        while !predicate(last) {
            guard Date() < deadline else { throw LoopError("timed out waiting for \(what); status: \(last.sync) \(last.message)") }
            try await Task.sleep(nanoseconds: 5_000_000)
            last = await controller.currentStatus()
        }
        return last
    }

    /// Moves the clock one interval and lets the loop run a pass.
    func tick(_ seconds: Double = 5) async throws {
        await clock.advance(seconds: seconds)
        try await Task.sleep(nanoseconds: 30_000_000)
    }

    func head() throws -> String { try repo.git("rev-parse", "HEAD") }

    func revisions() throws -> [RevisionRecord] { try store.revisions(limit: 100) }
}

struct LoopError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

@Suite(.serialized) struct ControllerLoopTests {
    @Test func aCommitIsAppliedAndAFailureBacksOffThenRetries() async throws {
        let loop = try Loop()
        loop.start()
        let first = try loop.head()
        let synced = try await loop.until("the first sync") { $0.sync == .synced && $0.lastAppliedCommit == first }
        #expect(synced.role == .leader)
        #expect(synced.lastAppliedRevision == 1)

        try loop.services.inject(.fail, .endpointConfig, "fraud-detector", detail: "no capacity")
        try loop.repo.edit(Loop.serving, "initialInstanceCount: 4", "initialInstanceCount: 6")
        let second = try loop.repo.commit("scale out")
        try await loop.tick()
        let failed = try await loop.until("the failed sync") { $0.sync == .failed }
        #expect(failed.message.contains("no capacity"))
        let retryAt = try #require(failed.nextAttempt)
        #expect(retryAt.timeIntervalSince(loop.clock.now()) > 5)

        // Within the backoff nothing is retried.
        let attempts = try loop.revisions().count
        try await loop.tick()
        #expect(try loop.revisions().count == attempts)
        // After it, the same commit is retried and applies (the fault fired once).
        try await loop.tick(10)
        let healed = try await loop.until("the retry") { $0.sync == .synced && $0.lastAppliedCommit == second }
        #expect(healed.nextAttempt == nil)
        #expect(try loop.revisions().first?.outcome == .succeeded)
    }

    @Test func aBadCommitIsRejectedOnceAndTheLastGoodRevisionStays() async throws {
        let loop = try Loop()
        loop.start()
        try await loop.until("the first sync") { $0.sync == .synced }
        try loop.repo.edit(Loop.serving, "initialInstanceCount: 4", "initialInstanceCount: \"4\"")
        try loop.repo.commit("typo")
        try await loop.tick()
        let rejected = try await loop.until("the rejection") { $0.sync == .rejected }
        let error = try #require(rejected.diagnostics.first { $0.severity == .error })
        #expect(error.location?.file == Loop.serving)
        #expect(error.location?.line == 23)
        #expect(rejected.lastAppliedRevision == 1)
        let recorded = try loop.revisions().count
        try await loop.tick()
        // A live change wakes the loop on the same bad commit: still recorded once.
        try loop.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        try await loop.tick()
        try await loop.tick()
        #expect(try loop.revisions().count == recorded, "a rejected commit is recorded once")
        #expect(await loop.controller.currentStatus().sync == .rejected)
        try loop.repo.git("revert", "--no-edit", "HEAD")
        let fixed = try loop.head()
        try await loop.tick()
        // The fixed commit is reconciled, and the edit made while it was rejected shows as drift.
        let after = try await loop.until("the fixed commit") { $0.syncCommit == fixed && $0.sync != .rejected }
        #expect(after.sync == .outOfSync)
        #expect(after.drift == 1)
    }

    @Test func aRollbackPinsUntilANewCommitArrives() async throws {
        let loop = try Loop()
        loop.start()
        try await loop.until("the first sync") { $0.sync == .synced }
        try loop.repo.edit(Loop.serving, "initialInstanceCount: 4", "initialInstanceCount: 6")
        try loop.repo.commit("scale out")
        try await loop.tick()
        try await loop.until("revision 2") { $0.lastAppliedRevision == 2 }

        try await loop.controller.requestRollback(to: 1)
        let pinned = try await loop.until("the rollback") { $0.sync == .pinned }
        #expect(pinned.pinnedRevision == 3)
        #expect(try loop.store.pinnedRevision()?.number == 3)
        #expect(try loop.revisions().first?.trigger == .rollback)
        #expect(try loop.revisions().first?.actor == "api")
        let config = try #require(try loop.store.inventory()[ResourceID(.endpointConfig, "fraud-detector")])
        #expect(try await loop.services.describe(.endpointConfig, config.physicalName)?.spec["productionVariants"]?.elements?.first?["initialInstanceCount"] == .int(4))
        // Intervals pass and the loop does not roll forward over the pin.
        try await loop.tick()
        try await loop.tick()
        #expect(await loop.controller.currentStatus().sync == .pinned)
        #expect(try loop.revisions().count == 3)
        // A new commit lifts it.
        try loop.repo.edit(Loop.serving, "initialInstanceCount: 6", "initialInstanceCount: 8")
        let newest = try loop.repo.commit("scale out more")
        try await loop.tick()
        let moved = try await loop.until("the new commit") { $0.sync == .synced && $0.lastAppliedCommit == newest }
        #expect(moved.pinnedRevision == nil)
        #expect(try loop.store.pinnedRevision() == nil)
    }

    @Test func anOutOfBandEditIsOutOfSyncWithinOneInterval() async throws {
        let loop = try Loop()
        loop.start()
        try await loop.until("the first sync") { $0.sync == .synced }
        try loop.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        try await loop.tick()
        let drifted = try await loop.until("the drift") { $0.sync == .outOfSync }
        #expect(drifted.drift == 1)
        #expect(drifted.message.contains("self-heal is off"))
        #expect(try await loop.services.describe(.endpoint, "fraud-detector")?.spec["deploymentConfig"]?["blueGreenUpdatePolicy"]?["terminationWaitInSeconds"] == .int(0))
    }

    @Test func selfHealUndoesAnOutOfBandEditWithinOneInterval() async throws {
        let loop = try Loop(selfHeal: true)
        loop.start()
        try await loop.until("the first sync") { $0.sync == .synced }
        try loop.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        try await loop.tick()
        try await loop.until("the heal") { $0.lastAppliedRevision == 2 && $0.sync == .synced }
        #expect(try await loop.services.describe(.endpoint, "fraud-detector")?.spec["deploymentConfig"]?["blueGreenUpdatePolicy"]?["terminationWaitInSeconds"] == .int(300))
        #expect(try loop.revisions().first?.trigger == .drift)
    }

    @Test func withoutAChangeFeedTheResyncFindsDrift() async throws {
        let loop = try Loop(feed: false, resync: 60)
        loop.start()
        try await loop.until("the first sync") { $0.sync == .synced }
        try loop.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        try await loop.tick()
        #expect(await loop.controller.currentStatus().sync == .synced)
        try await loop.tick(60)
        try await loop.until("the resync") { $0.sync == .outOfSync && $0.drift == 1 }
    }

    @Test func manualSyncWaitsForARequestAndTheAPIIsItsTrigger() async throws {
        let loop = try Loop(automated: false)
        loop.start()
        let waiting = try await loop.until("the plan") { $0.sync == .outOfSync }
        #expect(waiting.message.contains("automated sync is off"))
        #expect(try loop.revisions().isEmpty)
        await loop.controller.requestSync(.api, force: true)
        try await loop.until("the sync") { $0.sync == .synced }
        #expect(try loop.revisions().first?.trigger == .api)
        #expect(try loop.revisions().first?.actor == "api")
    }
}

@Suite(.serialized) struct ControllerRejectedHeadTests {
    @Test func whileTheHeadIsRejectedSelfHealStillRestoresTheLastGoodCommit() async throws {
        let loop = try Loop(selfHeal: true)
        loop.start()
        let good = try loop.head()
        try await loop.until("the first sync") { $0.sync == .synced && $0.lastAppliedCommit == good }
        try loop.repo.edit(Loop.serving, "initialInstanceCount: 4", "initialInstanceCount: \"4\"")
        try loop.repo.commit("typo")
        try await loop.tick()
        try await loop.until("the rejection") { $0.sync == .rejected }
        try loop.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        try await loop.tick()
        let healed = try await loop.until("the heal") { $0.message.contains("drift healed against") }
        #expect(healed.sync == .rejected)
        #expect(healed.lastAppliedCommit == good)
        #expect(try await loop.services.describe(.endpoint, "fraud-detector")?.spec["deploymentConfig"]?["blueGreenUpdatePolicy"]?["terminationWaitInSeconds"] == .int(300))
        let last = try #require(try loop.revisions().first)
        #expect(last.commit == good)
        #expect(last.trigger == .drift)
        #expect(last.outcome == .succeeded)
        // Nothing else of the bad head was applied: the config still has 4 instances.
        let config = try #require(try loop.store.inventory()[ResourceID(.endpointConfig, "fraud-detector")])
        #expect(try await loop.services.describe(.endpointConfig, config.physicalName)?.spec["productionVariants"]?.elements?.first?["initialInstanceCount"] == .int(4))
    }
}
