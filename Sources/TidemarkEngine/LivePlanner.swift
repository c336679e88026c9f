import Foundation
import TidemarkCore

/// One executable step of a plan against live state.
public struct Step: Sendable {
    public var change: Change
    /// What Git wants (nil for deletes).
    public var desired: ResolvedResource?
    /// The live object before the step (nil when missing).
    public var live: LiveObject?
    /// The inventory entry before the step.
    public var entry: InventoryEntry?
    /// Takes over an existing unmanaged object (`tidemark.dev/adopt: "true"`).
    public var adopt: Bool
    /// Depth in the dependency graph: parents run at lower levels.
    public var level: Int
}

/// A plan against live state, with what the applier needs to carry it out.
public struct LivePlan: Sendable {
    public var plan: Plan
    public var steps: [Step]
    /// Problems that stop an apply before it starts (an unmanaged object in the way).
    public var blocked: [Diagnostic]
    /// Managed resources no longer in Git, deleted only with `--prune`.
    public var unpruned: [ResourceID]
    public var desired: [ResourceID: ResolvedResource]
    public var inventory: [ResourceID: InventoryEntry]
    /// The live objects observed while planning.
    public var observed: [ResourceID: LiveObject]
}

/// Plans desired state against what the services report: observes every managed and desired
/// resource, pairs them with the inventory, and reports drift, missing objects, adoption and
/// pruning. The diffing itself is the core `Planner`.
public enum LivePlanner {
    public static func plan(desired state: DesiredState, head: PlanSide, path: String,
                            inventory: [ResourceID: InventoryEntry], backend: any ServiceBackend,
                            prune: Bool, warnings: [Diagnostic] = []) async throws -> LivePlan {
        let graph = DependencyGraph(state)
        var resolved = Resolution.resolve(state, graph: graph)
        // What the service receives: registry versions by their live names once they exist.
        for (id, r) in resolved {
            let definition = KindDefinition.of(id.kind)
            resolved[id]?.spec = Resolution.substitute(r.spec, .object(definition.spec)) { kind, name in
                kind == .modelPackage ? inventory[ResourceID(kind, name)]?.physicalName : nil
            }
        }
        // Observe everything desired or managed, a few calls at a time.
        let ids = Set(resolved.keys).union(inventory.keys).sorted()
        let observed = try await observe(ids, resolved: resolved, inventory: inventory, backend: backend)

        var blocked: [Diagnostic] = []
        var blockedIDs: Set<ResourceID> = []
        var before: [ResourceID: ResolvedResource] = [:]
        var adopting: Set<ResourceID> = []
        for id in ids {
            let entry = inventory[id]
            let want = resolved[id]
            guard let live = observed[id] else { continue }
            if entry == nil {
                guard let want else { continue }
                guard want.policy.adopt else {
                    blocked.append(.error("unmanaged-object",
                        "\(id) already exists in the service as '\(live.name)' and Tidemark does not manage it; add the annotation tidemark.dev/adopt: \"true\" to take it over, or rename the manifest",
                        at: want.location))
                    blockedIDs.insert(id)
                    continue
                }
                adopting.insert(id)
            }
            before[id] = ResolvedResource(
                id: id, physicalName: live.name,
                digest: entry?.digest ?? want?.digest ?? "",
                spec: live.spec, referenceDigests: entry?.referenceDigests ?? want?.referenceDigests ?? [:],
                location: entry.map { SourceLocation(file: $0.file, line: $0.line, column: 1) } ?? want?.location,
                policy: { var p = ManifestPolicy(); p.retainOnDelete = entry?.retain ?? false; return p }())
        }
        let beforeOrder = inventoryOrder(Array(before.keys), inventory)
        let after = Planner.Side(resources: resolved.filter { !blockedIDs.contains($0.key) },
                                 order: graph.order.filter { !blockedIDs.contains($0) })
        var (changes, unchanged) = Planner.changes(from: Planner.Side(resources: before, order: beforeOrder), to: after)
        // A failed object (an endpoint whose creation failed) accepts only a delete: recreate it
        // even when its spec matches.
        func isFailed(_ live: LiveObject?) -> Bool {
            guard let live else { return false }
            return live.phase == .failed && live.observed["lastUpdateStatus"] != .string("Failed")
        }
        let changedIDs = Set(changes.map(\.id))
        for id in after.order where !changedIDs.contains(id) && isFailed(observed[id]) && before[id] != nil {
            guard let want = resolved[id] else { continue }
            unchanged -= 1
            changes.append(Change(id: id, action: .replace, destructive: false, retain: false, reason: "", diff: [],
                                  physicalName: want.physicalName, previousPhysicalName: nil, location: want.location))
        }
        if changes.count != changedIDs.count {
            // Failed objects were appended: put them back in dependency order, deletes last.
            let deletes: [Change] = changes.filter { $0.action == .delete }
            let keyed: [(Int, Change)] = changes.filter { $0.action != .delete }.map { (graph.level[$0.id] ?? 0, $0) }
            let sorted: [(Int, Change)] = keyed.sorted { a, b in a.0 != b.0 ? a.0 < b.0 : a.1.id < b.1.id }
            changes = sorted.map { $0.1 } + deletes
        }

        // Reasons only live state can give, and failed objects that must be recreated.
        var steps: [Step] = []
        var unpruned: [ResourceID] = []
        var kept: [Change] = []
        let levels = graph.level
        let inventoryLevels = levelsOf(inventory)
        for var change in changes {
            let id = change.id
            let entry = inventory[id]
            let live = observed[id]
            if change.action == .delete {
                guard prune else {
                    unpruned.append(id)
                    continue
                }
            } else if let entry, live == nil {
                change.reason = "missing: \(entry.physicalName) was deleted outside Tidemark; \(change.reason)"
            } else if let live, isFailed(live) {
                change.action = .replace
                change.destructive = KindDefinition.of(id.kind).replacementIsDestructive
                change.reason = "the live object is \(live.status ?? "failed")\(live.failureReason.map { ": \($0)" } ?? ""); it is deleted and created again"
            } else if let entry, let want = resolved[id], entry.specHash == Digest.sha256(want.spec.canonicalJSON), change.action != .create {
                change.reason = "drift: the live object was changed outside Tidemark; \(change.reason)"
            }
            if adopting.contains(id) { change.reason = "adopt: \(change.reason)" }
            kept.append(change)
            steps.append(Step(change: change, desired: resolved[id], live: live, entry: entry, adopt: adopting.contains(id),
                              level: change.action == .delete ? (inventoryLevels[id] ?? 0) : (levels[id] ?? 0)))
        }
        // Adopted objects that already match still need recording.
        for id in adopting where !kept.contains(where: { $0.id == id }) {
            guard let want = resolved[id] else { continue }
            unchanged -= 1
            let change = Change(id: id, action: .update, destructive: false, retain: false,
                                reason: "adopt: the live object already matches; Tidemark starts managing it",
                                diff: [], physicalName: want.physicalName, previousPhysicalName: nil, location: want.location)
            kept.append(change)
            steps.append(Step(change: change, desired: want, live: observed[id], entry: nil, adopt: true, level: levels[id] ?? 0))
        }
        changes = kept
        var planWarnings = warnings
        if !unpruned.isEmpty {
            planWarnings.append(.warning("not-pruned",
                "\(unpruned.count) managed resource\(unpruned.count == 1 ? " is" : "s are") no longer in Git and will not be deleted without --prune: \(unpruned.map(\.description).joined(separator: ", "))",
                at: nil))
        }
        let plan = Plan(base: PlanSide(revision: "live", commit: nil), head: head, path: path,
                        changes: changes, unchanged: max(0, unchanged), warnings: planWarnings + blocked)
        return LivePlan(plan: plan, steps: steps, blocked: blocked, unpruned: unpruned, desired: resolved,
                        inventory: inventory, observed: observed)
    }

    static func observe(_ ids: [ResourceID], resolved: [ResourceID: ResolvedResource], inventory: [ResourceID: InventoryEntry],
                        backend: any ServiceBackend) async throws -> [ResourceID: LiveObject] {
        try await withThrowingTaskGroup(of: (ResourceID, LiveObject?).self) { group in
            var out: [ResourceID: LiveObject] = [:]
            var next = 0
            func launch() {
                guard next < ids.count else { return }
                let id = ids[next]
                next += 1
                let name = inventory[id]?.physicalName
                    ?? (id.kind == .modelPackage && resolved[id]?.spec["modelPackageGroupName"] != nil ? nil : resolved[id]?.physicalName)
                group.addTask {
                    guard let name else { return (id, nil) }
                    return (id, try await backend.describe(id.kind, name))
                }
            }
            for _ in 0..<8 { launch() }
            while let (id, live) = try await group.next() {
                if let live { out[id] = live }
                launch()
            }
            return out
        }
    }

    /// Levels of inventory entries from the references they recorded.
    static func levelsOf(_ inventory: [ResourceID: InventoryEntry]) -> [ResourceID: Int] {
        var level: [ResourceID: Int] = [:]
        func visit(_ id: ResourceID, _ depth: Int) -> Int {
            if let l = level[id] { return l }
            guard depth < 16, let entry = inventory[id] else { return 0 }
            let l = (entry.referenceDigests.keys.map { visit($0, depth + 1) }.max() ?? -1) + 1
            level[id] = l
            return l
        }
        for id in inventory.keys { _ = visit(id, 0) }
        return level
    }

    static func inventoryOrder(_ ids: [ResourceID], _ inventory: [ResourceID: InventoryEntry]) -> [ResourceID] {
        let levels = levelsOf(inventory)
        return ids.map { (levels[$0] ?? 0, $0) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
    }
}
