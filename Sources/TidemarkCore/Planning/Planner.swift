/// Pairs each resource's before and after (two revisions, or live state and a revision) and
/// decides the action, its reason and its field-level diff. Pure: no I/O, no clock.
public enum Planner {
    public struct Side: Sendable {
        public var resources: ResourceMap<ResolvedResource>
        /// Parents first.
        public var order: [ResourceID]
        /// Each resource's place in `order` is by (level, id): with it, a plan over a few
        /// candidates orders them without walking `order`.
        public var level: ResourceMap<Int>?

        public init(resources: ResourceMap<ResolvedResource>, order: [ResourceID], level: ResourceMap<Int>? = nil) {
            self.resources = resources
            self.order = order
            self.level = level
        }

        public static let empty = Side(resources: ResourceMap(), order: [])

        /// Validated desired state, resolved and ordered.
        public init(_ state: DesiredState) {
            let graph = DependencyGraph(state)
            self.init(resources: Resolution.resolve(state, graph: graph), order: graph.order, level: graph.level)
        }

        /// `ids` in this side's order; nil without levels.
        func ordered(_ ids: some Sequence<ResourceID>) -> [ResourceID]? {
            guard let level else { return nil }
            var keyed: [(Int, ResourceID)] = []
            for id in ids {
                guard let l = level[id] else { return nil }
                keyed.append((l, id))
            }
            return keyed.sorted(by: DependencyGraph.before).map(\.1)
        }
    }

    /// The only place a `Plan` is assembled: `plan --base`, the live planner and the tests
    /// all go through it.
    public static func plan(base: PlanSide?, head: PlanSide, path: String, changes: [Change], unchanged: Int,
                            warnings: [Diagnostic], errors: [Diagnostic] = []) -> Plan {
        Plan(base: base, head: head, path: path, changes: changes, unchanged: unchanged,
             warnings: warnings.filter { $0.severity == .warning }, errors: errors)
    }

    /// - Parameter candidates: when given, only these resources can have changed (the rest
    ///   are known to be identical on both sides and are counted as unchanged).
    public static func changes(from before: Side, to after: Side, candidates: Set<ResourceID>? = nil) -> (changes: [Change], unchanged: Int) {
        // A few candidates on sides that know their levels: visit only them, in the same order.
        if let candidates, candidates.count * 4 < after.order.count,
           let present = after.ordered(candidates.filter { after.resources[$0] != nil }),
           let gone = before.ordered(candidates.filter { after.resources[$0] == nil && before.resources[$0] != nil }) {
            var (changes, unchanged) = visit(present, before, after, candidates: nil)
            unchanged += after.resources.count - present.count
            for id in gone.reversed() { if let old = before.resources[id] { changes.append(delete(old)) } }
            return (changes, unchanged)
        }
        var (changes, unchanged) = visit(after.order, before, after, candidates: candidates)
        for id in before.order.reversed() where after.resources[id] == nil {
            guard let old = before.resources[id] else { continue }
            changes.append(delete(old))
        }
        return (changes, unchanged)
    }

    /// Visits `ids` in order; a long list in two contiguous halves, one per core (each
    /// comparison reads both sides and nothing else), joined in order.
    static func visit(_ ids: [ResourceID], _ before: Side, _ after: Side, candidates: Set<ResourceID>?) -> (changes: [Change], unchanged: Int) {
        guard ids.count >= 512 else { return visit(ids[...], before, after, candidates: candidates) }
        let middle = ids.count / 2
        let halves = [ids[..<middle], ids[middle...]]
        let done = Striped.map(2, minimum: 2) { i in visit(halves[i], before, after, candidates: candidates) }
        return (done[0].changes + done[1].changes, done[0].unchanged + done[1].unchanged)
    }

    static func visit(_ ids: ArraySlice<ResourceID>, _ before: Side, _ after: Side, candidates: Set<ResourceID>?) -> (changes: [Change], unchanged: Int) {
        var changes: [Change] = []
        var unchanged = 0
        for id in ids {
            guard let new = after.resources[id] else { continue }
            guard let old = before.resources[id] else {
                changes.append(create(new))
                continue
            }
            if let candidates, !candidates.contains(id) {
                unchanged += 1
                continue
            }
            if let change = compare(old, new) { changes.append(change) } else { unchanged += 1 }
        }
        return (changes, unchanged)
    }

    static func topLevel(_ spec: Value) -> [FieldDiff] {
        (spec.members ?? []).map { FieldDiff(path: $0.key, before: nil, after: $0.value, forcesReplacement: false) }
    }

    static func create(_ r: ResolvedResource) -> Change {
        Change(id: r.id, action: .create, cause: .new, destructive: false, retain: false, reason: "new resource",
               diff: topLevel(r.spec), physicalName: r.physicalName, previousPhysicalName: nil, location: r.location)
    }

    static func delete(_ r: ResolvedResource) -> Change {
        let definition = KindDefinition.of(r.id.kind)
        let retain = r.policy.retainOnDelete
        let diff = topLevel(r.spec).map { FieldDiff(path: $0.path, before: $0.after, after: nil, forcesReplacement: false) }
        let reason = retain
            ? "manifest removed; deletion-policy retain keeps the live object and Tidemark stops managing it"
            : "manifest removed"
        return Change(id: r.id, action: .delete, cause: .removed, destructive: !retain && definition.replacementIsDestructive, retain: retain,
                      reason: reason, diff: diff, physicalName: nil, previousPhysicalName: r.physicalName, location: r.location)
    }

    /// The change from `old` to `new`, or nil when they are the same.
    static func compare(_ old: ResolvedResource, _ new: ResolvedResource) -> Change? {
        let definition = KindDefinition.of(new.id.kind)
        let diff = StructuralDiff.compare(old.spec, new.spec, spec: definition.spec)
        let renamed = old.physicalName != new.physicalName
        if diff.isEmpty && !renamed && old.digest == new.digest { return nil }
        // References kept across both sides whose target must be replaced (a cascade).
        let changedRefs = new.referenceDigests.keys.filter { id in
            old.referenceDigests[id].map { $0 != new.referenceDigests[id] } ?? false
        }.sorted()
        let blocking = diff.filter(\.forcesReplacement)
        // A package in a group that is recreated must be registered again.
        let parentRecreated = new.id.kind == .modelPackage && changedRefs.contains { $0.kind == .modelPackageGroup }
        let replace = definition.versionedNames ? (renamed || !blocking.isEmpty) : (!blocking.isEmpty || parentRecreated)
        let cause: Change.Cause = diff.isEmpty && !changedRefs.isEmpty ? .cascade : .specChanged
        var change = Change(id: new.id, action: replace ? .replace : .update, cause: cause, destructive: false, retain: false,
                            reason: "", diff: diff, physicalName: new.physicalName,
                            previousPhysicalName: renamed ? old.physicalName : nil, location: new.location)
        if replace {
            change.destructive = definition.replacementIsDestructive
            change.reason = replacementReason(new.id.kind, blocking: blocking, changedRefs: changedRefs, versioned: definition.versionedNames)
        } else if diff.isEmpty {
            // Only a referenced resource changed; nothing is sent for this one.
            return nil
        } else {
            change.reason = updateReason(new, diff: diff)
        }
        return change
    }

    static func fieldList(_ paths: [String]) -> String {
        var unique: [String] = []
        for p in paths where !unique.contains(p) { unique.append(p) }
        let shown = unique.prefix(3).joined(separator: ", ")
        return unique.count > 3 ? "\(shown) and \(unique.count - 3) more" : shown
    }

    /// `featureDefinitions[Amount].featureType` → `featureDefinitions[Amount]`.
    static func entry(_ path: String) -> String {
        guard let close = path.firstIndex(of: "]") else { return path }
        return String(path[...close])
    }

    static func keyName(_ path: String) -> String? {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]"), open < close else { return nil }
        return String(path[path.index(after: open)..<close])
    }

    static func replacementReason(_ kind: ResourceKind, blocking: [FieldDiff], changedRefs: [ResourceID], versioned: Bool) -> String {
        if kind == .featureGroup {
            let features = blocking.filter { $0.path.hasPrefix("featureDefinitions[") }
            let removed = features.filter { $0.after == nil && !$0.path.contains("].") }.compactMap { keyName($0.path) }
            let retyped = Set(features.filter { $0.path.contains("].") }.compactMap { keyName($0.path) }).sorted()
            var parts: [String] = []
            if !removed.isEmpty { parts.append("removes feature\(removed.count > 1 ? "s" : "") \(removed.joined(separator: ", "))") }
            if !retyped.isEmpty { parts.append("changes feature\(retyped.count > 1 ? "s" : "") \(retyped.joined(separator: ", "))") }
            let other = blocking.filter { !$0.path.hasPrefix("featureDefinitions[") }.map { entry($0.path) }
            if !other.isEmpty { parts.append("changes \(fieldList(other))") }
            return parts.joined(separator: "; ") + ", which Feature Store cannot do in place: the group is deleted and recreated, dropping its records"
        }
        var parts: [String] = []
        if !blocking.isEmpty {
            parts.append("\(fieldList(blocking.map { entry($0.path) })) cannot change in place")
        }
        if !changedRefs.isEmpty {
            parts.append("\(changedRefs.map(\.description).joined(separator: ", ")) \(changedRefs.count > 1 ? "are" : "is") replaced")
        }
        var text = parts.joined(separator: "; ")
        if kind == .modelPackageGroup { text += " (no update API: the group and its versions are recreated)" }
        else if versioned { text += " (a new \(kind.rawValue) is created beside the old one)" }
        else if kind == .modelPackage { text += " (a new version is registered)" }
        return text
    }

    static func updateReason(_ r: ResolvedResource, diff: [FieldDiff]) -> String {
        if r.id.kind == .featureGroup {
            let added = diff.filter { $0.path.hasPrefix("featureDefinitions[") && $0.before == nil }.compactMap { keyName($0.path) }
            let rest = diff.filter { !$0.path.hasPrefix("featureDefinitions[") }.map { entry($0.path) }
            var parts: [String] = []
            if !added.isEmpty { parts.append("adds feature\(added.count > 1 ? "s" : "") \(added.joined(separator: ", "))") }
            if !rest.isEmpty { parts.append("updates \(fieldList(rest))") }
            return parts.joined(separator: "; ") + " in place"
        }
        if r.id.kind == .endpoint, diff.contains(where: { $0.path == "endpointConfigName" }) {
            let target = r.spec["endpointConfigName"]?.stringValue ?? "?"
            return "deploys \(target) \(deploymentDescription(r.spec["deploymentConfig"]))"
        }
        if r.id.kind == .modelPackage, let approval = diff.first(where: { $0.path == "modelApprovalStatus" }) {
            let others = diff.filter { $0.path != "modelApprovalStatus" }.map { entry($0.path) }
            var text = "approval \(approval.before?.stringValue ?? "unset") → \(approval.after?.stringValue ?? "unset")"
            if !others.isEmpty { text += "; updates \(fieldList(others))" }
            return text + " in place"
        }
        return "updates \(fieldList(diff.map { entry($0.path) })) in place"
    }

    /// "all at once", "canary 10%, then the rest after 300 s", ...
    public static func deploymentDescription(_ config: Value?) -> String {
        func size(_ v: Value?) -> String {
            guard let v, let n = v["value"]?.intValue else { return "?" }
            return v["type"]?.stringValue == "CAPACITY_PERCENT" ? "\(n)%" : "\(n) instance\(n == 1 ? "" : "s")"
        }
        let alarms = config?["autoRollbackConfiguration"]?["alarms"]?.elements?.count ?? 0
        let guard_ = alarms > 0 ? ", rolling back on \(alarms) alarm\(alarms == 1 ? "" : "s")" : ""
        if let rolling = config?["rollingUpdatePolicy"] {
            return "by rolling batches of \(size(rolling["maximumBatchSize"]))\(guard_)"
        }
        guard let routing = config?["blueGreenUpdatePolicy"]?["trafficRoutingConfiguration"] else {
            return "blue/green, all at once\(guard_)"
        }
        let wait = routing["waitIntervalInSeconds"]?.intValue ?? 0
        switch routing["type"]?.stringValue {
        case "CANARY": return "blue/green: canary \(size(routing["canarySize"])), the rest after \(wait) s\(guard_)"
        case "LINEAR": return "blue/green: linear steps of \(size(routing["linearStepSize"])) every \(wait) s\(guard_)"
        default: return "blue/green, all at once\(guard_)"
        }
    }
}
