import TidemarkCore
import TidemarkEngine

/// An in-place change as the API makes it: the kind's Update* request (only the members that
/// carry a change, additions only for append-only lists) and tag calls, built from the live
/// spec and the wanted one; and the reverse, a received Update* request applied to a spec.
public struct WireUpdate: Sendable {
    /// The Update* input, or nil when only tags change.
    public var request: Value?
    /// Tags to add or overwrite (`{Key, Value}`), and keys to delete.
    public var addTags: [Value]
    public var removeTagKeys: [String]

    /// What to send to turn `current` into `desired`. `identity` is the Update* input's
    /// name member and value (`EndpointName`, or `ModelPackageArn` for a package).
    /// `retainExcept` lists the endpoint variant properties the new config changes (the rest
    /// of the variants' properties, autoscaled instance counts among them, are retained).
    public static func make(_ kind: ResourceKind, identity: Value.Member, current: Value, desired: Value,
                            retainExcept: [String] = []) throws -> WireUpdate {
        let r = WireResource.of(kind)
        let (add, remove) = tagChanges(current["tags"]?.elements ?? [], desired["tags"]?.elements ?? [])
        let strip = { (v: Value) in v.setting("tags", nil) }
        guard strip(current) != strip(desired) else { return WireUpdate(request: nil, addTags: add, removeTagKeys: remove) }
        guard let operation = KindDefinition.of(kind).updateOperation else {
            throw ServiceError(.validation, "\(kind.rawValue) cannot be updated; the service has no Update\(kind.rawValue) operation. Create a new one.")
        }
        var members: [Value.Member] = [identity]
        switch kind {
        case .endpoint:
            members.append(.init("EndpointConfigName", desired["endpointConfigName"] ?? .null))
            if let d = desired["deploymentConfig"], let f = r.spec.field(named: "deploymentConfig") {
                members.append(.init("DeploymentConfig", WireCodec.toWire(d, f.shape)))
            }
            members.append(.init("RetainAllVariantProperties", .bool(true)))
            if !retainExcept.isEmpty {
                members.append(.init("ExcludeRetainedVariantProperties", .list(retainExcept.map { .object([.init("VariantPropertyType", .string($0))]) })))
            }
        case .featureGroup:
            // Features are add-only: a request cannot say "remove" or "change", so it is refused
            // here in the service's words rather than sent as a no-op.
            let wanted = desired["featureDefinitions"]?.elements ?? []
            for feature in current["featureDefinitions"]?.elements ?? [] {
                let name = feature["featureName"]?.stringValue ?? ""
                guard let now = wanted.first(where: { $0["featureName"]?.stringValue == name }) else {
                    throw ServiceError(.validation, "Features cannot be removed from a feature group (\(name)).", field: "featureDefinitions")
                }
                if now != feature { throw ServiceError(.validation, "The definition of feature \(name) cannot be changed.", field: "featureDefinitions") }
            }
            let have = Set((current["featureDefinitions"]?.elements ?? []).compactMap { $0["featureName"]?.stringValue })
            let added = (desired["featureDefinitions"]?.elements ?? []).filter { !have.contains($0["featureName"]?.stringValue ?? "") }
            if !added.isEmpty, case .list(let l)? = r.spec.field(named: "featureDefinitions")?.shape {
                members.append(.init("FeatureAdditions", .list(added.map { WireCodec.toWire($0, l.element) })))
            }
            let ttl = desired["onlineStoreConfig"]?["ttlDuration"]
            if ttl != current["onlineStoreConfig"]?["ttlDuration"], let ttl,
               case .object(let online)? = r.spec.field(named: "onlineStoreConfig")?.shape, let f = online.field(named: "ttlDuration") {
                members.append(.init("OnlineStoreConfig", .object([.init("TtlDuration", WireCodec.toWire(ttl, f.shape))])))
            }
            if let t = desired["throughputConfig"], t != current["throughputConfig"], let f = r.spec.field(named: "throughputConfig") {
                members.append(.init("ThroughputConfig", WireCodec.toWire(t, f.shape)))
            }
        default:
            for f in r.spec.fields where f.mutability != .immutable && f.name != "tags" {
                let was = current[f.name], now = desired[f.name]
                guard was != now, let now else { continue }
                let member = f.updateMember ?? f.wireName
                guard operation.input.fields.contains(where: { $0.wireName == member }) else { continue }
                if f.mutability == .appendOnly, case .list(let l) = f.shape {
                    let before = Set((was?.elements ?? []).map(\.canonicalJSON))
                    guard before.isSubset(of: Set((now.elements ?? []).map(\.canonicalJSON))) else {
                        throw ServiceError(.validation, "\(f.wireName) can only be added to.", field: f.name)
                    }
                    let added = (now.elements ?? []).filter { !before.contains($0.canonicalJSON) }
                    if !added.isEmpty { members.append(.init(member, .list(added.map { WireCodec.toWire($0, l.element) }))) }
                } else {
                    members.append(.init(member, WireCodec.toWire(now, f.shape)))
                }
                if case .map = f.shape, let wasKeys = was?.members?.map(\.key) {
                    let gone = wasKeys.filter { now[$0] == nil }
                    let removeMember = "\(member)ToRemove"
                    if !gone.isEmpty, operation.input.fields.contains(where: { $0.wireName == removeMember }) {
                        members.append(.init(removeMember, .list(gone.map(Value.string))))
                    }
                }
            }
            if kind == .monitoringSchedule, !members.contains(where: { $0.key == "MonitoringScheduleConfig" }),
               let c = desired["monitoringScheduleConfig"], let f = r.spec.field(named: "monitoringScheduleConfig") {
                members.append(.init("MonitoringScheduleConfig", WireCodec.toWire(c, f.shape)))
            }
        }
        return WireUpdate(request: .object(sorting: members), addTags: add, removeTagKeys: remove)
    }

    static func tagChanges(_ current: [Value], _ desired: [Value]) -> ([Value], [String]) {
        var have: [String: Value] = [:]
        for t in current { if let k = t["key"]?.stringValue { have[k] = t["value"] ?? .null } }
        var want: [String: Value] = [:]
        var add: [Value] = []
        for t in desired {
            guard let k = t["key"]?.stringValue else { continue }
            want[k] = t["value"] ?? .null
            if have[k] != want[k] { add.append(.object(sorting: [.init("Key", .string(k)), .init("Value", t["value"] ?? .string(""))])) }
        }
        let remove = current.compactMap { $0["key"]?.stringValue }.filter { want[$0] == nil }
        return (add, remove)
    }

    /// The spec an Update* request makes of `current` (what `services serve` hands the local modules).
    public static func apply(_ kind: ResourceKind, request: Value, to current: Value) -> Value {
        let r = WireResource.of(kind)
        var spec = current
        switch kind {
        case .endpoint:
            if let name = request["EndpointConfigName"] { spec = spec.setting("endpointConfigName", name) }
            if let d = request["DeploymentConfig"], let f = r.spec.field(named: "deploymentConfig") {
                spec = spec.setting("deploymentConfig", WireCodec.fromWire(d, f.shape))
            } else if request["RetainDeploymentConfig"] != .bool(true) {
                spec = spec.setting("deploymentConfig", nil)
            }
        case .featureGroup:
            if let added = request["FeatureAdditions"]?.elements, case .list(let l)? = r.spec.field(named: "featureDefinitions")?.shape {
                spec = spec.setting("featureDefinitions", .list((current["featureDefinitions"]?.elements ?? []) + added.map { WireCodec.fromWire($0, l.element) }))
            }
            if let ttl = request["OnlineStoreConfig"]?["TtlDuration"], case .object(let online)? = r.spec.field(named: "onlineStoreConfig")?.shape,
               let f = online.field(named: "ttlDuration") {
                spec = spec.setting("onlineStoreConfig", (current["onlineStoreConfig"] ?? .object([])).setting("ttlDuration", WireCodec.fromWire(ttl, f.shape)))
            }
            if let t = request["ThroughputConfig"], let f = r.spec.field(named: "throughputConfig") {
                spec = spec.setting("throughputConfig", WireCodec.fromWire(t, f.shape))
            }
        default:
            for m in request.members ?? [] {
                if m.key.hasSuffix("ToRemove"), let f = r.spec.fields.first(where: { ($0.updateMember ?? $0.wireName) + "ToRemove" == m.key }) {
                    var map = spec[f.name] ?? .object([])
                    for key in m.value.elements ?? [] { if let k = key.stringValue { map = map.setting(k, nil) } }
                    spec = spec.setting(f.name, map)
                    continue
                }
                guard let f = r.spec.fields.first(where: { $0.mutability != .immutable && ($0.updateMember ?? $0.wireName) == m.key }) else { continue }
                let value = WireCodec.fromWire(m.value, f.shape)
                if f.mutability == .appendOnly {
                    spec = spec.setting(f.name, .list((spec[f.name]?.elements ?? []) + (value.elements ?? [])))
                } else {
                    spec = spec.setting(f.name, value)
                }
            }
        }
        return spec
    }

    /// The spec with AddTags applied (existing keys overwritten in place, new ones appended).
    public static func addingTags(_ tags: [Value], to spec: Value) -> Value {
        var list = spec["tags"]?.elements ?? []
        for t in tags {
            guard let k = t["Key"]?.stringValue else { continue }
            let tag = Value.object(sorting: [.init("key", .string(k)), .init("value", t["Value"] ?? .string(""))])
            if let i = list.firstIndex(where: { $0["key"]?.stringValue == k }) { list[i] = tag } else { list.append(tag) }
        }
        return spec.setting("tags", list.isEmpty ? nil : .list(list))
    }

    public static func removingTags(_ keys: [String], from spec: Value) -> Value {
        let list = (spec["tags"]?.elements ?? []).filter { !keys.contains($0["key"]?.stringValue ?? "") }
        return spec.setting("tags", list.isEmpty ? nil : .list(list))
    }
}
