import Foundation
import Testing
@testable import TidemarkEngine
import TidemarkCore
import TidemarkServices
import TidemarkStore
import TidemarkTesting

/// Reading a kind with one `list` call observes exactly what one `describe` per object does.
@Suite struct ObserveTests {
    @Test func listingAKindObservesWhatDescribingEachObjectDoes() async throws {
        let h = try Harness(latencies: .zero)
        let stack = try Harness.stack()
        try await h.apply(stack)
        // A missing object, a failed one, an out-of-band edit and an unmanaged neighbour.
        try await h.services.delete(.monitoringSchedule, "fraud-detector-data-quality")
        try h.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        _ = try await h.services.create(.modelPackageGroup, name: "someone-elses", spec: .object([]), clientToken: "x")
        let inventory = try h.store.inventory()
        let resolved = LivePlanner.serviceNames(stack.resolved, inventory: inventory)
        let listed = try await LivePlanner.observe(resolved, inventory: inventory, backend: h.services, listAbove: 0)
        let described = try await LivePlanner.observe(resolved, inventory: inventory, backend: h.services, listAbove: .max)
        // Kinds listed ahead (while the inventory is read) are read from that listing.
        let ahead = try await LivePlanner.list(ResourceKind.allCases, backend: h.services)
        let prelisted = try await LivePlanner.observe(resolved, inventory: inventory, backend: h.services, listAbove: .max, listed: ahead)
        #expect(listed == described)
        #expect(prelisted == described)
        #expect(listed.count == 8)
        #expect(listed[ResourceID(.modelPackage, "fraud-xgb-v1")]?.name == "fraud-models/1")
        #expect(listed[ResourceID(.monitoringSchedule, "fraud-detector-data-quality")] == nil)
    }

    /// Live state read before the revision loads (what `plan` does) plans exactly what reading
    /// it after does: when the revision needs kinds listed that the inventory had few of, and
    /// when the inventory had many of kinds the revision no longer needs listed.
    @Test func aPlanFromLiveStateReadAheadIsThePlanReadAfter() async throws {
        let h = try Harness(latencies: .zero)
        func revision(applications: Int) throws -> RevisionIndex {
            var generator = ManifestGenerator(seed: 11)
            let files = generator.files(resources: applications * 9).map { SourceFile(path: $0.key, text: $0.value) }
            let index = RevisionIndex(files)
            guard !index.loaded.hasErrors else { throw Harness.HarnessError(message: "\(index.loaded.diagnostics)") }
            return index
        }
        func expectSamePlans(_ index: RevisionIndex, prune: Bool, listedAhead: [ResourceKind]) async throws {
            let ahead = try await h.reconciler.readLive()
            #expect(ahead.listed.keys.sorted() == listedAhead)
            let fromAhead = try await h.reconciler.plan(index, origin: Harness.origin, prune: prune, ahead: ahead)
            let after = try await h.reconciler.plan(index, origin: Harness.origin, prune: prune)
            #expect(PlanRenderer.json(fromAhead.plan) == PlanRenderer.json(after.plan))
            #expect(fromAhead.observed == after.observed)
            #expect(fromAhead.steps.map(\.change.id) == after.steps.map(\.change.id))
            #expect(!after.plan.isEmpty)
        }
        let few = try revision(applications: 10)  // 10 of each kind, 20 registry versions: each described
        let many = try revision(applications: 40)  // 40 of each kind: listed in one call each
        try await h.apply(few)
        // Drift on what is there: a missing object, an out-of-band edit, an unmanaged neighbour.
        try await h.services.delete(.monitoringSchedule, "app0-quality")
        let model = try #require(try h.store.inventory()[ResourceID(.model, "app1")]?.physicalName)
        try h.services.setField(.model, model, path: "primaryContainer.environment.LOG_LEVEL", value: .string("40"))
        _ = try await h.services.create(.modelPackageGroup, name: "someone-elses", spec: .object([]), clientToken: "x")
        try await expectSamePlans(many, prune: false, listedAhead: [])
        try await h.apply(many)
        try await expectSamePlans(few, prune: true, listedAhead: ResourceKind.allCases.sorted())
    }
}
