import Foundation
import TidemarkCore
import TidemarkEngine

/// A live object as a Describe* output (botocore member names, timestamps as epoch
/// seconds), both ways: `services serve` renders one, the API backend reads one.
public enum WireDescription {
    /// The Describe* output for an object.
    public static func render(_ o: LiveObject) -> Value {
        let r = WireResource.of(o.kind)
        var spec = o.spec
        if o.kind == .endpoint { spec = spec.setting("deploymentConfig", nil) }
        var members = (WireCodec.toWire(spec.setting("tags", nil), .object(r.spec)).members ?? [])
        members.append(.init(r.arnMember, .string(o.arn)))
        if o.kind == .modelPackage, let version = o.observed["version"]?.intValue, let slash = o.name.lastIndex(of: "/") {
            members.append(.init("ModelPackageName", .string(String(o.name[..<slash]))))
            members.append(.init("ModelPackageVersion", .int(version)))
        } else {
            members.append(.init(r.nameMember, .string(o.name)))
        }
        if let member = r.statusMember, let status = o.status { members.append(.init(member, .string(status))) }
        if let reason = o.failureReason { members.append(.init("FailureReason", .string(reason))) }
        members.append(.init("CreationTime", epoch(o.createdAt)))
        if o.kind != .model, o.kind != .endpointConfig, o.kind != .modelPackageGroup {
            members.append(.init("LastModifiedTime", epoch(o.modifiedAt)))
        }
        switch o.kind {
        case .endpoint:
            if let deployment = o.spec["deploymentConfig"], let wire = r.spec.field(named: "deploymentConfig") {
                members.append(.init("LastDeploymentConfig", WireCodec.toWire(deployment, wire.shape)))
            }
            let variants: [Value] = (o.observed["productionVariants"]?.elements ?? []).map(renderVariant)
            members.append(.init("ProductionVariants", .list(variants)))
        case .featureGroup:
            if let last = o.observed["lastUpdateStatus"]?.stringValue {
                let status = last == "Failed" ? "Failed" : last == "InProgress" ? "InProgress" : "Successful"
                var update: [Value.Member] = [.init("Status", .string(status))]
                if status == "Failed", let reason = o.failureReason { update.append(.init("FailureReason", .string(reason))) }
                members.append(.init("LastUpdateStatus", .object(sorting: update)))
            }
        default:
            break
        }
        return .object(sorting: members)
    }

    /// A variant summary: the live instance count and weight (desired = current here).
    static func renderVariant(_ v: Value) -> Value {
        var members: [Value.Member] = []
        if let name = v["variantName"] { members.append(.init("VariantName", name)) }
        if let count = v["currentInstanceCount"] {
            members.append(.init("CurrentInstanceCount", count))
            members.append(.init("DesiredInstanceCount", count))
        }
        let weight = v["currentWeight"] ?? .double(1)
        members.append(.init("CurrentWeight", weight))
        members.append(.init("DesiredWeight", weight))
        return .object(sorting: members)
    }

    static func parseVariant(_ v: Value) -> Value {
        var members: [Value.Member] = []
        if let name = v["VariantName"] { members.append(.init("variantName", name)) }
        if let count = v["CurrentInstanceCount"] { members.append(.init("currentInstanceCount", count)) }
        if let weight = v["CurrentWeight"]?.doubleValue { members.append(.init("currentWeight", .double(weight))) }
        return .object(sorting: members)
    }

    /// The list summary for an object (`ListEndpoints`' `Endpoints` items).
    public static func summary(_ o: LiveObject) -> Value {
        let r = WireResource.of(o.kind)
        let full = render(o)
        var keep: Set<String> = [r.nameMember, r.arnMember, "CreationTime", "LastModifiedTime"]
        if let s = r.statusMember { keep.insert(s) }
        if o.kind == .modelPackage { keep.formUnion(["ModelPackageGroupName", "ModelPackageVersion", "ModelApprovalStatus"]) }
        if o.kind == .monitoringSchedule { keep.insert("EndpointName") }
        return .object((full.members ?? []).filter { keep.contains($0.key) })
    }

    /// An object from its Describe* output and its tags (ListTags), in manifest spelling.
    public static func parse(_ kind: ResourceKind, _ output: Value, tags: [Value]) -> LiveObject {
        let r = WireResource.of(kind)
        var wire = output.members ?? []
        let version = output["ModelPackageVersion"]?.intValue
        var name = output[r.nameMember]?.stringValue ?? ""
        if kind == .modelPackage, let version, let group = output["ModelPackageGroupName"]?.stringValue {
            name = "\(group)/\(version)"
            wire.removeAll { $0.key == "ModelPackageName" }
        } else if kind != .modelPackage {
            wire.removeAll { $0.key == r.nameMember }
        }
        var spec = WireCodec.fromWire(.object(wire), .object(r.spec))
        if kind == .endpoint, let last = output["LastDeploymentConfig"], let field = r.spec.field(named: "deploymentConfig") {
            spec = spec.setting("deploymentConfig", WireCodec.fromWire(last, field.shape))
        }
        if !tags.isEmpty, let field = r.spec.field(named: "tags") {
            spec = spec.setting("tags", WireCodec.fromWire(.list(tags), field.shape))
        }
        let status = r.statusMember.flatMap { output[$0]?.stringValue }
        var phase: Phase = .ready
        if let status, r.failed.contains(status) { phase = .failed } else if let status, r.progressing.contains(status) { phase = .progressing }
        var observed: [Value.Member] = []
        var failure = output["FailureReason"]?.stringValue
        switch kind {
        case .endpoint:
            let variants: [Value] = (output["ProductionVariants"]?.elements ?? []).map(parseVariant)
            observed.append(.init("productionVariants", .list(variants)))
        case .featureGroup:
            if let last = output["LastUpdateStatus"]?["Status"]?.stringValue {
                observed.append(.init("lastUpdateStatus", .string(last)))
                if last == "InProgress", phase == .ready { phase = .progressing }
                if last == "Failed", phase == .ready {
                    phase = .updateFailed
                    failure = output["LastUpdateStatus"]?["FailureReason"]?.stringValue ?? failure
                }
            }
        case .modelPackage:
            if let version { observed.append(.init("version", .int(version))) }
        default:
            break
        }
        let created = date(output["CreationTime"]) ?? Date(timeIntervalSince1970: 0)
        return LiveObject(kind: kind, name: name, arn: output[r.arnMember]?.stringValue ?? "", spec: spec, status: status, phase: phase,
                          failureReason: failure, observed: .object(sorting: observed), clientToken: nil,
                          createdAt: created, modifiedAt: date(output["LastModifiedTime"]) ?? created)
    }

    /// A timestamp as the JSON protocol writes it: seconds since 1970, fractions allowed.
    public static func epoch(_ d: Date) -> Value {
        let seconds = d.timeIntervalSince1970
        return seconds == seconds.rounded() && abs(seconds) < 9e15 ? .int(Int64(seconds)) : .double((seconds * 1000).rounded() / 1000)
    }

    public static func date(_ v: Value?) -> Date? {
        switch v {
        case .int(let i)?: return Date(timeIntervalSince1970: Double(i))
        case .double(let d)?: return Date(timeIntervalSince1970: d)
        case .string(let s)?: return ISO8601DateFormatter().date(from: s) ?? Double(s).map { Date(timeIntervalSince1970: $0) }
        default: return nil
        }
    }
}
