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
    public var desired: ResourceMap<ResolvedResource>
    public var inventory: [ResourceID: InventoryEntry]
    /// The live objects observed while planning.
    public var observed: [ResourceID: LiveObject]
}

/// Plans desired state against what the services report: observes every managed and desired
/// resource, pairs them with the inventory, and reports drift, missing objects, adoption and
/// pruning. The diffing itself is the core `Planner`; the revision arrives resolved.
public enum LivePlanner {
    public static func plan(_ revision: RevisionIndex, head: PlanSide, path: String,
                            inventory: [ResourceID: InventoryEntry], backend: any ServiceBackend,
                            prune: Bool, owners: [ObjectName: String] = [:],
                            listed: [ResourceKind: [LiveObject]] = [:]) async throws -> LivePlan {
        // Beside the observing and pairing, on the other core: the live side's order (by the
        // levels the inventory recorded), and the names the service receives.
        async let inventoryOrdered = inventoryOrder(revision.resolved, inventory)
        async let serviceResolved = serviceNames(revision.resolved, inventory: inventory)
        let observed = try await observe(revision.resolved, inventory: inventory, backend: backend, listed: listed)
        let pairing = pair(revision.resolved, inventory: inventory, observed: observed, owners: owners)
        let resolved = await serviceResolved
        let after = pairing.blockedIDs.isEmpty
            ? Planner.Side(resources: resolved, order: revision.graph.order)
            : Planner.Side(resources: resolved.filter { !pairing.blockedIDs.contains($0.key) },
                           order: revision.graph.order.filter { !pairing.blockedIDs.contains($0) })
        let beforeOrder = await inventoryOrdered.filter { pairing.before.index(forKey: $0) != nil }
        var (changes, unchanged) = Planner.changes(from: Planner.Side(resources: pairing.before, order: beforeOrder), to: after)
        unchanged -= recreateFailed(&changes, after: after, before: pairing.before, observed: observed, levels: revision.graph.level)
        let scheduled = schedule(changes, resolved: resolved, inventory: inventory, observed: observed, adopting: pairing.adopting,
                                 levels: revision.graph.level, prune: prune)
        unchanged -= scheduled.adoptedUnchanged
        var warnings = revision.loaded.diagnostics.filter { $0.severity == .warning }
        if !scheduled.unpruned.isEmpty {
            warnings.append(.warning("not-pruned",
                "\(scheduled.unpruned.count) managed resource\(scheduled.unpruned.count == 1 ? " is" : "s are") no longer in Git and will not be deleted without --prune: \(scheduled.unpruned.map(\.description).joined(separator: ", "))",
                at: nil))
        }
        let plan = Planner.plan(base: PlanSide(revision: "live", commit: nil), head: head, path: path,
                                changes: scheduled.steps.map(\.change), unchanged: max(0, unchanged), warnings: warnings,
                                errors: pairing.blocked)
        return LivePlan(plan: plan, steps: scheduled.steps, blocked: pairing.blocked, unpruned: scheduled.unpruned, desired: resolved,
                        inventory: inventory, observed: observed)
    }

    /// Kinds whose specs name a registry version: only these are rewritten (the rest keep
    /// sharing the index's storage).
    static let namesPackages = Set(ResourceKind.allCases.filter { Shape.object(KindDefinition.of($0).spec).references(.modelPackage) })

    /// What the service receives: registry versions by their live names once they exist.
    /// The map keeps its shape (no key is hashed again); only the kinds that name a registry
    /// version get a new spec.
    static func serviceNames(_ resolved: ResourceMap<ResolvedResource>, inventory: [ResourceID: InventoryEntry]) -> ResourceMap<ResolvedResource> {
        resolved.mapValues { r in
            guard namesPackages.contains(r.id.kind) else { return r }
            return r.with(spec: Resolution.substitute(r.spec, .object(KindDefinition.of(r.id.kind).spec)) { kind, name in
                kind == .modelPackage ? inventory[ResourceID(kind, name)]?.physicalName : nil
            })
        }
    }

    struct Pairing {
        var before = ResourceMap<ResolvedResource>()
        var blocked: [Diagnostic] = []
        var blockedIDs: Set<ResourceID> = []
        var adopting: Set<ResourceID> = []
    }

    /// The live side of the diff: each observed object with its inventory record. An object
    /// that exists but is not managed blocks the plan unless its manifest asks to adopt it;
    /// an object another application manages blocks it whatever the manifest says. The live
    /// side is mapped from `resolved`'s own map (its shape kept, no key hashed again); the
    /// managed objects no longer in Git are added to it.
    static func pair(_ resolved: ResourceMap<ResolvedResource>, inventory: [ResourceID: InventoryEntry],
                     observed: [ResourceID: LiveObject], owners: [ObjectName: String] = [:]) -> Pairing {
        var blocked: [(id: ResourceID, diagnostic: Diagnostic)] = []
        var blockedIDs: Set<ResourceID> = []
        var adopting: Set<ResourceID> = []
        var managedInGit = 0
        var before = resolved.compactMapValues { want -> ResolvedResource? in
            let id = want.id
            let entry = inventory[id]
            if entry != nil { managedInGit += 1 }
            if entry == nil, let owner = owners[ObjectName(id.kind, want.physicalName)] {
                blocked.append((id, .error("owned-by-another-application",
                    "\(id) is the object '\(want.physicalName)', which application '\(owner)' manages; a live object belongs to one application. Remove it from one of the two, or move it with `tidemark adopt \(id) --from \(owner)` and this application's --app",
                    at: want.location)))
                blockedIDs.insert(id)
                return nil
            }
            guard let live = observed[id] else { return nil }
            if entry == nil {
                guard want.policy.adopt else {
                    blocked.append((id, .error("unmanaged-object",
                        "\(id) already exists in the service as '\(live.name)' and Tidemark does not manage it; add the annotation tidemark.dev/adopt: \"true\" to take it over, or rename the manifest",
                        at: want.location)))
                    blockedIDs.insert(id)
                    return nil
                }
                adopting.insert(id)
            }
            return liveSide(id, live, entry: entry, want: want)
        }
        if managedInGit < inventory.count {
            for (id, entry) in inventory where resolved[id] == nil {
                guard let live = observed[id] else { continue }
                before[id] = liveSide(id, live, entry: entry, want: nil)
            }
        }
        blocked.sort { $0.id < $1.id }
        return Pairing(before: before, blocked: blocked.map(\.diagnostic), blockedIDs: blockedIDs, adopting: adopting)
    }

    /// An observed object as the diff's live side: its spec, with the inventory's record (or
    /// the manifest's, for an object not yet managed) of where it came from.
    static func liveSide(_ id: ResourceID, _ live: LiveObject, entry: InventoryEntry?, want: ResolvedResource?) -> ResolvedResource {
        var policy = ManifestPolicy()
        policy.retainOnDelete = entry?.retain ?? false
        return ResolvedResource(
            id: id, physicalName: live.name,
            digest: entry?.digest ?? want?.digest ?? "",
            spec: live.spec, referenceDigests: entry?.referenceDigests ?? want?.referenceDigests ?? [:],
            location: entry.map { SourceLocation(file: $0.file, line: $0.line, column: 1) } ?? want?.location,
            policy: policy)
    }

    /// A failed object (an endpoint whose creation failed) accepts only a delete: it is
    /// recreated even when its spec matches. Returns how many unchanged resources that adds.
    static func recreateFailed(_ changes: inout [Change], after: Planner.Side, before: ResourceMap<ResolvedResource>,
                               observed: [ResourceID: LiveObject], levels: ResourceMap<Int>) -> Int {
        let changedIDs = Set(changes.map(\.id))
        var added = 0
        for id in after.order where !changedIDs.contains(id) && observed[id]?.phase == .failed && before[id] != nil {
            guard let want = after.resources[id] else { continue }
            added += 1
            changes.append(Change(id: id, action: .replace, cause: .failed, destructive: false, retain: false, reason: "", diff: [],
                                  physicalName: want.physicalName, previousPhysicalName: nil, location: want.location))
        }
        guard added > 0 else { return 0 }
        // Put them back in dependency order, deletes last.
        let deletes = changes.filter { $0.action == .delete }
        let keyed: [(Int, Change)] = changes.filter { $0.action != .delete }.map { (levels[$0.id] ?? 0, $0) }
        changes = keyed.sorted { a, b in a.0 != b.0 ? a.0 < b.0 : a.1.id < b.1.id }.map(\.1) + deletes
        return added
    }

    struct Schedule {
        var steps: [Step] = []
        var unpruned: [ResourceID] = []
        var adoptedUnchanged = 0
    }

    /// Causes only live state can give (drift, missing, failed, adopt), and the steps with
    /// their dependency levels. Deletes wait for `prune`.
    static func schedule(_ changes: [Change], resolved: ResourceMap<ResolvedResource>, inventory: [ResourceID: InventoryEntry],
                         observed: [ResourceID: LiveObject], adopting: Set<ResourceID>, levels: ResourceMap<Int>,
                         prune: Bool) -> Schedule {
        var out = Schedule()
        // Only deletes take their level from the inventory.
        let inventoryLevels = changes.contains { $0.action == .delete } ? levelsOf(inventory) : [:]
        for var change in changes {
            let id = change.id
            let entry = inventory[id]
            let live = observed[id]
            if change.action == .delete {
                guard prune else {
                    out.unpruned.append(id)
                    continue
                }
            } else if let entry, live == nil {
                change.cause = .missing
                change.reason = "missing: \(entry.physicalName) was deleted outside Tidemark; \(change.reason)"
            } else if let live, live.phase == .failed {
                change.action = .replace
                change.cause = .failed
                change.destructive = KindDefinition.of(id.kind).replacementIsDestructive
                change.reason = "the live object is \(live.status ?? "failed")\(live.failureReason.map { ": \($0)" } ?? ""); it is deleted and created again"
            } else if let entry, let want = resolved[id], entry.specHash == Digest.sha256(want.spec.canonicalJSON), change.action != .create {
                change.cause = .drift
                change.reason = "drift: the live object was changed outside Tidemark; \(change.reason)"
            }
            if adopting.contains(id) {
                change.cause = .adopt
                change.reason = "adopt: \(change.reason)"
            }
            out.steps.append(Step(change: change, desired: resolved[id], live: live, entry: entry, adopt: adopting.contains(id),
                                  level: change.action == .delete ? (inventoryLevels[id] ?? 0) : (levels[id] ?? 0)))
        }
        // Adopted objects that already match still need recording.
        for id in adopting.sorted() where !out.steps.contains(where: { $0.change.id == id }) {
            guard let want = resolved[id] else { continue }
            out.adoptedUnchanged += 1
            let change = Change(id: id, action: .update, cause: .adopt, destructive: false, retain: false,
                                reason: "adopt: the live object already matches; Tidemark starts managing it",
                                diff: [], physicalName: want.physicalName, previousPhysicalName: nil, location: want.location)
            out.steps.append(Step(change: change, desired: want, live: observed[id], entry: nil, adopt: true, level: levels[id] ?? 0))
        }
        return out
    }

    /// Above this many objects of one kind, the kind is read with one `list` call instead of
    /// one `describe` per object.
    static let listThreshold = 32

    /// The kinds `ids` (a revision's, or an inventory's) hold more than `listThreshold` of:
    /// those `observe` lists whatever else it is given, so they can be listed ahead.
    public static func kindsToList<IDs: Sequence<ResourceID>>(_ ids: IDs) -> [ResourceKind] {
        var counts: [ResourceKind: Int] = [:]
        for id in ids { counts[id.kind, default: 0] += 1 }
        return counts.filter { $0.value > listThreshold }.keys.sorted()
    }

    /// Lists `kinds`, all at once.
    public static func list(_ kinds: [ResourceKind], backend: any ServiceBackend) async throws -> [ResourceKind: [LiveObject]] {
        try await withThrowingTaskGroup(of: (ResourceKind, [LiveObject]).self) { group in
            for kind in kinds { group.addTask { (kind, try await backend.list(kind)) } }
            var out: [ResourceKind: [LiveObject]] = [:]
            while let (kind, objects) = try await group.next() { out[kind] = objects }
            return out
        }
    }

    /// The live object of every desired and managed resource (by its inventory name, else its
    /// desired physical name; none when the service assigns the name and it is not managed).
    /// A kind with many wanted objects is read in one `list` call (or taken from `listed`,
    /// listed already); the rest a few `describe` calls at a time.
    static func observe(_ resolved: ResourceMap<ResolvedResource>, inventory: [ResourceID: InventoryEntry],
                        backend: any ServiceBackend, listAbove threshold: Int = listThreshold,
                        listed: [ResourceKind: [LiveObject]] = [:]) async throws -> [ResourceID: LiveObject] {
        var wanted: [ResourceKind: [(id: ResourceID, name: String)]] = [:]
        var managedInGit = 0
        for (id, want) in resolved {
            if let entry = inventory[id] {
                managedInGit += 1
                wanted[id.kind, default: []].append((id, entry.physicalName))
            } else if !KindDefinition.of(id.kind).serviceAssignsName(want.spec) {
                wanted[id.kind, default: []].append((id, want.physicalName))
            }
        }
        if managedInGit < inventory.count {
            for (id, entry) in inventory where resolved[id] == nil { wanted[id.kind, default: []].append((id, entry.physicalName)) }
        }
        var out: [ResourceID: LiveObject] = [:]
        out.reserveCapacity(resolved.count + inventory.count - managedInGit)
        var single: [(ResourceID, String)] = []
        for (kind, names) in wanted {
            guard names.count > threshold || listed[kind] != nil else {
                single += names.map { ($0.id, $0.name) }
                continue
            }
            let objects: [LiveObject]
            if let prelisted = listed[kind] { objects = prelisted } else { objects = try await backend.list(kind) }
            // Each name's place in the list (the first object of a name wins); an object is
            // copied once, into `out`.
            var position: [String: Int] = [:]
            position.reserveCapacity(objects.count)
            for i in objects.indices.reversed() { position[objects[i].name] = i }
            for (id, name) in names { if let i = position[name] { out[id] = objects[i] } }
        }
        let described = try await withThrowingTaskGroup(of: (ResourceID, LiveObject?).self) { group in
            var found: [ResourceID: LiveObject] = [:]
            var next = 0
            func launch() {
                guard next < single.count else { return }
                let (id, name) = single[next]
                next += 1
                group.addTask { (id, try await backend.describe(id.kind, name)) }
            }
            for _ in 0..<8 { launch() }
            while let (id, live) = try await group.next() {
                if let live { found[id] = live }
                launch()
            }
            return found
        }
        out.merge(described) { a, _ in a }
        return out
    }

    /// Levels of inventory entries from the references they recorded.
    static func levelsOf(_ inventory: [ResourceID: InventoryEntry]) -> [ResourceID: Int] {
        var level: [ResourceID: Int] = [:]
        level.reserveCapacity(inventory.count)
        func visit(_ id: ResourceID, _ depth: Int) -> Int {
            if let l = level[id] { return l }
            guard depth < 16, let entry = inventory[id] else { return 0 }
            var deepest = -1
            for reference in entry.referenceDigests.keys { deepest = max(deepest, visit(reference, depth + 1)) }
            level[id] = deepest + 1
            return deepest + 1
        }
        for id in inventory.keys { _ = visit(id, 0) }
        return level
    }

    /// Every desired and managed resource, by the levels the inventory recorded, then by id.
    static func inventoryOrder(_ resolved: ResourceMap<ResolvedResource>, _ inventory: [ResourceID: InventoryEntry]) -> [ResourceID] {
        var ids = Array(resolved.keys)
        ids.reserveCapacity(resolved.count + inventory.count)
        for id in inventory.keys where resolved[id] == nil { ids.append(id) }
        let levels = levelsOf(inventory)
        return ResourceID.ordered(ids) { levels[$0] ?? 0 }
    }
}
