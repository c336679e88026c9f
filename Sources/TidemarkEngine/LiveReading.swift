import TidemarkCore

/// Live state read before the revision it is planned against has loaded, so that the reads
/// overlap the load: the inventory, and the lists of the kinds it holds many of (those a plan
/// reads with one `list` call). A plan lists whatever else it needs itself.
///
/// Read ahead only where nothing can write between the reading and the plan that uses it
/// counts against it: a read-only plan, or a holder of the lease.
public struct LiveReading: Sendable {
    public var inventory: [ResourceID: InventoryEntry]
    public var listed: [ResourceKind: [LiveObject]]

    /// Reads the inventory, then lists the kinds it holds more than `LivePlanner.listThreshold` of.
    public static func read(store: any StateStore, backend: any ServiceBackend) async throws -> LiveReading {
        let inventory = try await store.inventory()
        let kinds = LivePlanner.kindsToList(inventory.keys)
        return LiveReading(inventory: inventory, listed: try await LivePlanner.list(kinds, backend: backend))
    }
}
