import Foundation
import Testing
@testable import TidemarkEngine
import TidemarkCore
import TidemarkServices
import TidemarkStore

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
        let ids = Set(resolved.keys).union(inventory.keys).sorted() + [ResourceID(.model, "never-created")]
        let listed = try await LivePlanner.observe(ids, resolved: resolved, inventory: inventory, backend: h.services, listAbove: 0)
        let described = try await LivePlanner.observe(ids, resolved: resolved, inventory: inventory, backend: h.services, listAbove: .max)
        // Kinds listed ahead (while the inventory is read) are read from that listing.
        let ahead = try await LivePlanner.list(ResourceKind.allCases, backend: h.services)
        let prelisted = try await LivePlanner.observe(ids, resolved: resolved, inventory: inventory, backend: h.services, listAbove: .max, listed: ahead)
        #expect(listed == described)
        #expect(prelisted == described)
        #expect(listed.count == 8)
        #expect(listed[ResourceID(.modelPackage, "fraud-xgb-v1")]?.name == "fraud-models/1")
        #expect(listed[ResourceID(.monitoringSchedule, "fraud-detector-data-quality")] == nil)
    }
}
