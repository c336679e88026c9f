import TidemarkCore
import TidemarkEngine

/// Feature Store: feature groups (reference §2, §11.2). Features can only be added; the
/// online TTL and throughput change in place; anything else needs a new group.
struct FeatureStoreModule: LocalServiceModule {
    let kinds: Set<ResourceKind> = [.featureGroup]
    let failedStatuses: Set<String> = ["CreateFailed", "DeleteFailed"]

    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject {
        try checkName(kind, name)
        if let existing = try c.object(kind, name) { throw alreadyExists(kind, existing.arn) }
        let features = spec["featureDefinitions"]?.elements ?? []
        guard (1...2500).contains(features.count) else {
            throw ServiceError(.validation, "FeatureDefinitions must have between 1 and 2500 members.")
        }
        let names = Set(features.compactMap { $0["featureName"]?.stringValue })
        for field in ["recordIdentifierFeatureName", "eventTimeFeatureName"] {
            if let n = spec[field]?.stringValue, !names.contains(n) {
                throw ServiceError(.validation, "\(field) \(n) must be one of feature definitions' names.")
            }
        }
        if spec["offlineStoreConfig"] == nil, spec["onlineStoreConfig"]?["enableOnlineStore"] != .bool(true) {
            throw ServiceError(.validation, "You must include at least one of OnlineStoreConfig and OfflineStoreConfig to create a FeatureGroup.")
        }
        var o = c.new(kind, name, spec: spec, status: nil, token: token)
        try c.transition(&o, through: "Creating", to: "Created", failed: "CreateFailed")
        return o
    }

    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject {
        guard object.status == "Created", object.transitionAt == nil else {
            throw ServiceError(.inUse, "Feature group \(object.name) is \(object.status ?? "busy") and cannot be updated now; you cannot update a feature group while another update is in progress.")
        }
        let old = Dictionary((object.spec["featureDefinitions"]?.elements ?? []).map { ($0["featureName"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary((spec["featureDefinitions"]?.elements ?? []).map { ($0["featureName"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        for (name, def) in old {
            guard let now = new[name] else { throw ServiceError(.validation, "Features cannot be removed from a feature group (\(name)).") }
            if now != def { throw ServiceError(.validation, "The definition of feature \(name) cannot be changed.") }
        }
        let added = new.count - old.count
        if added > 100 { throw ServiceError(.validation, "FeatureAdditions must have at most 100 members.") }
        func frozen(_ v: Value) -> Value {
            var v = v.setting("featureDefinitions", nil).setting("throughputConfig", nil).setting("tags", nil)
            if let online = v["onlineStoreConfig"] { v = v.setting("onlineStoreConfig", online.setting("ttlDuration", nil)) }
            return v
        }
        if frozen(object.spec) != frozen(spec) {
            throw ServiceError(.validation, "UpdateFeatureGroup can add features and change the online store TTL or the throughput; other fields cannot change.")
        }
        var o = object
        o.setObserved("previousSpec", object.spec)
        o.spec = spec
        o.setObserved("lastUpdateStatus", .string("InProgress"))
        try c.transition(&o, through: "Created", to: "Created", failed: "Created", reason: " while updating")
        return o
    }

    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? {
        var o = object
        try c.transition(&o, through: "Deleting", to: "gone", failed: "DeleteFailed")
        return o
    }

    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject {
        var o = object
        if o.observed["lastUpdateStatus"] == .string("InProgress") {
            if let failure = o.observed["pendingFailure"]?.stringValue {
                o.spec = o.observed["previousSpec"] ?? o.spec
                o.setObserved("lastUpdateStatus", .string("Failed"))
                o.failureReason = failure
            } else {
                o.setObserved("lastUpdateStatus", .string("Successful"))
                o.failureReason = nil
            }
            o.setObserved("previousSpec", nil)
        } else if o.status == "CreateFailed" {
            o.failureReason = o.observed["pendingFailure"]?.stringValue
        }
        o.setObserved("pendingFailure", nil)
        return o
    }
}

/// Pipelines (reference §3): everything but the name updates in place; status is Active.
struct PipelinesModule: LocalServiceModule {
    let kinds: Set<ResourceKind> = [.pipeline]
    let failedStatuses: Set<String> = []

    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject {
        try checkName(kind, name)
        if try c.object(kind, name) != nil {
            throw ServiceError(.validation, "Pipeline names must be unique within an (account, region) pair: \(name) exists.")
        }
        try failIfInjected(kind, name, c)
        guard spec["pipelineDefinition"]?["Steps"] != nil else {
            throw ServiceError(.validation, "PipelineDefinition must contain Steps.")
        }
        return c.new(kind, name, spec: spec, status: "Active", token: token)
    }

    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject {
        try failIfInjected(object.kind, object.name, c)
        var o = object
        o.spec = spec
        o.modifiedAt = c.now
        return o
    }

    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? {
        var o = object
        try c.transition(&o, through: "Deleting", to: "gone", failed: nil)
        return o
    }
}
