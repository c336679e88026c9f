import TidemarkCore
import TidemarkEngine

/// Model registry (reference §4, §11.4): groups (no update API; cannot be deleted while they
/// hold versions) and packages (versions numbered per group from 1; only approval, metadata
/// and inference specifications change in place).
struct ModelRegistryModule: LocalServiceModule {
    let kinds: Set<ResourceKind> = [.modelPackageGroup, .modelPackage]
    let failedStatuses: Set<String> = ["Failed", "DeleteFailed"]
    static let updatable: Set<String> = ["modelApprovalStatus", "approvalDescription", "customerMetadataProperties",
                                         "additionalInferenceSpecifications", "inferenceSpecification", "sourceURI", "tags"]

    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject {
        if kind == .modelPackageGroup {
            try checkName(kind, name)
            if let existing = try c.object(kind, name) { throw alreadyExists(kind, existing.arn) }
            var o = c.new(kind, name, spec: spec, status: nil, token: token)
            o.setObserved("latestVersion", .int(0))
            try c.transition(&o, through: "Pending", to: "Completed", failed: "Failed")
            return o
        }
        let physical: String
        var observedVersion: Int64?
        if let groupName = spec["modelPackageGroupName"]?.stringValue {
            guard var group = try c.object(.modelPackageGroup, groupName), group.status == "Completed" else {
                throw ServiceError(.validation, "Model Package Group \(groupName) does not exist.")
            }
            let version = (group.observed["latestVersion"]?.intValue ?? 0) + 1
            group.setObserved("latestVersion", .int(version))
            try ObjectTable.save(c.db, group)
            physical = "\(groupName)/\(version)"
            observedVersion = version
        } else {
            physical = spec["modelPackageName"]?.stringValue ?? name
            try checkName(kind, physical)
            if let existing = try c.object(kind, physical) { throw alreadyExists(kind, existing.arn) }
        }
        var o = c.new(kind, physical, spec: spec, status: nil, token: token)
        if let v = observedVersion { o.setObserved("version", .int(v)) }
        try c.transition(&o, through: "Pending", to: "Completed", failed: "Failed")
        return o
    }

    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject {
        guard object.kind == .modelPackage else { throw noUpdate(object.kind) }
        let changed = Set((object.spec.members ?? []).map(\.key)).union((spec.members ?? []).map(\.key))
            .filter { object.spec[$0] != spec[$0] }
        if let frozen = changed.subtracting(Self.updatable).sorted().first {
            throw ServiceError(.validation, "UpdateModelPackage cannot change \(frozen); register a new version instead.")
        }
        let before = Set((object.spec["additionalInferenceSpecifications"]?.elements ?? []).map(\.canonicalJSON))
        let after = Set((spec["additionalInferenceSpecifications"]?.elements ?? []).map(\.canonicalJSON))
        if !before.isSubset(of: after) {
            throw ServiceError(.validation, "AdditionalInferenceSpecifications can only be added to.")
        }
        try failIfInjected(object.kind, object.name, c)
        var o = object
        o.spec = spec
        o.modifiedAt = c.now
        return o
    }

    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? {
        if object.kind == .modelPackageGroup {
            let versions = try c.all(.modelPackage).filter { $0.spec["modelPackageGroupName"]?.stringValue == object.name }
            if !versions.isEmpty {
                throw ServiceError(.conflict, "Model package group \(object.name) still has \(versions.count) version(s); delete them first.")
            }
        }
        var o = object
        try c.transition(&o, through: "Deleting", to: "gone", failed: "DeleteFailed")
        return o
    }

    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject {
        var o = object
        if o.status == "Failed" { o.failureReason = o.observed["pendingFailure"]?.stringValue }
        o.setObserved("pendingFailure", nil)
        return o
    }
}
