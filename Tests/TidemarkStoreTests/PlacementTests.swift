import Foundation
import Logging
import Testing
import TidemarkController
import TidemarkEngine
import TidemarkPostgres
import TidemarkTesting

/// Spreading applications over replicas through the PostgreSQL replica registry, and the
/// bounded pool of reconcile workers.
@Suite struct PlacementTests {
    static let applications = (0..<100).map { "app-\($0)" }

    @Test func applicationsSpreadOverLiveReplicasAndOnlyALeaversShareMoves() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let registry = PostgresReplicas(pool: try #require(f.pool))
        let logger = Logger(label: "test")
        let names = ["serve pid 11 on a", "serve pid 12 on b", "serve pid 13 on c"]
        let replicas = names.map { Placement(replica: $0, registry: registry, ttl: 60, every: 1, time: SystemTime(), logger: logger) }
        for r in replicas { await r.beat() }
        for r in replicas { await r.beat() }
        #expect(await replicas[0].replicas == names.sorted())

        // Every application has exactly one preferring replica, and each replica a fair share.
        var share: [Int] = [0, 0, 0]
        var before: [String: Int] = [:]
        for app in Self.applications {
            var preferring: [Int] = []
            for (i, r) in replicas.enumerated() where await r.prefers(app) { preferring.append(i) }
            #expect(preferring.count == 1, "\(app): \(preferring)")
            if let i = preferring.first { share[i] += 1; before[app] = i }
        }
        #expect(share.allSatisfy { $0 >= 15 }, "\(share)")

        // The third replica leaves: only its applications move, and each to one of the others.
        try await registry.leave(names[2])
        for r in replicas.prefix(2) { await r.beat() }
        for app in Self.applications {
            let now = [await replicas[0].prefers(app), await replicas[1].prefers(app)]
            #expect(now.filter { $0 }.count == 1, "\(app)")
            if before[app] != 2 { #expect(now[before[app] ?? 0], "\(app) moved though its replica stayed") }
        }
    }

    @Test func aReplicaThatStopsBeatingDropsOutAfterTheTTL() async throws {
        let f = try await StoreFixture(.postgres)
        defer { f.close() }
        let registry = PostgresReplicas(pool: try #require(f.pool))
        _ = try await registry.beat("quiet", ttl: 60)
        #expect(try await registry.beat("busy", ttl: 60) == ["busy", "quiet"])
        // The database's clock decides: "quiet" last beat 61 s ago.
        try PostgresCluster.shared().sql("UPDATE replicas SET heartbeat_at = heartbeat_at - interval '61 seconds' WHERE name = 'quiet'",
                                         database: try #require(f.database).name)
        #expect(try await registry.beat("busy", ttl: 60) == ["busy"])
    }

    @Test func atMostCapacityPassesRunAtOnce() async throws {
        let slots = ReconcileSlots(capacity: 2)
        let running = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    _ = await slots.run {
                        await running.enter()
                        try? await Task.sleep(nanoseconds: 20_000_000)
                        await running.leave()
                    }
                }
            }
        }
        #expect(await running.peak == 2)
        #expect(await running.total == 8)
        #expect(await slots.busy == 0)
    }

    actor Counter {
        var now = 0
        var peak = 0
        var total = 0
        func enter() { now += 1; total += 1; peak = max(peak, now) }
        func leave() { now -= 1 }
    }
}
