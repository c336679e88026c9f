import TidemarkCore
import TidemarkEngine

/// Inference (reference §5, §6, §11.5–6): models and endpoint configs are immutable; an
/// endpoint deploys a config through its deployment policy, and a tripped alarm or a failed
/// deployment rolls the endpoint back to the config it had.
struct InferenceModule: LocalServiceModule {
    let kinds: Set<ResourceKind> = [.model, .endpointConfig, .endpoint]
    let failedStatuses: Set<String> = ["Failed", "UpdateRollbackFailed"]

    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject {
        try checkName(kind, name)
        if let existing = try c.object(kind, name) { throw alreadyExists(kind, existing.arn) }
        switch kind {
        case .model:
            try failIfInjected(kind, name, c)
            var containers = spec["containers"]?.elements ?? []
            if let p = spec["primaryContainer"] { containers.append(p) }
            for container in containers {
                guard let package = container["modelPackageName"]?.stringValue else { continue }
                let key = package.hasPrefix("arn:") ? String(package.split(separator: "/", maxSplits: 1).last ?? "") : package
                guard let found = try c.object(.modelPackage, key) else {
                    throw ServiceError(.validation, "Could not find model package \(package).")
                }
                if found.spec["modelPackageGroupName"] != nil, found.spec["modelApprovalStatus"]?.stringValue != "Approved" {
                    throw ServiceError(.validation, "Model package \(package) is not Approved (\(found.spec["modelApprovalStatus"]?.stringValue ?? "PendingManualApproval")); only approved versions can be deployed.")
                }
            }
            return c.new(kind, name, spec: spec, status: nil, token: token)
        case .endpointConfig:
            try failIfInjected(kind, name, c)
            let variants = spec["productionVariants"]?.elements ?? []
            guard (1...10).contains(variants.count) else {
                throw ServiceError(.validation, "ProductionVariants must have between 1 and 10 members.")
            }
            for v in variants + (spec["shadowProductionVariants"]?.elements ?? []) {
                if let model = v["modelName"]?.stringValue, try c.object(.model, model) == nil {
                    throw ServiceError(.validation, "Could not find model \"\(model)\".")
                }
                if let memory = v["serverlessConfig"]?["memorySizeInMB"]?.intValue, ![1024, 2048, 3072, 4096, 5120, 6144].contains(memory) {
                    throw ServiceError(.validation, "MemorySizeInMB must be one of 1024, 2048, 3072, 4096, 5120, 6144.")
                }
                if v["serverlessConfig"] == nil, v["instanceType"] == nil {
                    throw ServiceError(.validation, "Variant \(v["variantName"]?.stringValue ?? "") needs InstanceType or ServerlessConfig.")
                }
            }
            return c.new(kind, name, spec: spec, status: nil, token: token)
        default:
            guard let configName = spec["endpointConfigName"]?.stringValue, let config = try c.object(.endpointConfig, configName) else {
                throw ServiceError(.validation, "Could not find endpoint configuration \"\(spec["endpointConfigName"]?.stringValue ?? "")\".")
            }
            var o = c.new(kind, name, spec: spec, status: nil, token: token)
            o.setObserved("productionVariants", Self.summaries(config))
            try c.transition(&o, through: "Creating", to: "InService", failed: "Failed")
            return o
        }
    }

    /// Variant summaries as DescribeEndpoint reports them: service-managed, never drift.
    static func summaries(_ config: StoredObject) -> Value {
        .list((config.spec["productionVariants"]?.elements ?? []).map { v in
            .object(sorting: [
                .init("variantName", v["variantName"] ?? .null),
                .init("currentInstanceCount", v["initialInstanceCount"] ?? .null),
                .init("currentWeight", v["initialVariantWeight"] ?? .double(1)),
            ])
        })
    }

    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject {
        guard object.kind == .endpoint else { throw noUpdate(object.kind) }
        if object.status == "Failed" {
            throw ServiceError(.validation, "Endpoint \(object.name) is Failed; DeleteEndpoint is the only operation allowed on a failed endpoint.")
        }
        guard object.status == "InService", object.transitionAt == nil else {
            throw ServiceError(.validation, "Cannot update in-progress endpoint \"\(object.arn)\" (status \(object.status ?? "?")).")
        }
        guard let configName = spec["endpointConfigName"]?.stringValue, let newConfig = try c.object(.endpointConfig, configName) else {
            throw ServiceError(.validation, "Could not find endpoint configuration \"\(spec["endpointConfigName"]?.stringValue ?? "")\".")
        }
        let deployment = spec["deploymentConfig"]
        if deployment?["blueGreenUpdatePolicy"] != nil || deployment?["rollingUpdatePolicy"] != nil,
           let oldName = object.spec["endpointConfigName"]?.stringValue, oldName != configName,
           let oldConfig = try c.object(.endpointConfig, oldName) {
            func names(_ o: StoredObject) -> Set<String> { Set((o.spec["productionVariants"]?.elements ?? []).compactMap { $0["variantName"]?.stringValue }) }
            if names(oldConfig) != names(newConfig) {
                throw ServiceError(.validation, "For a blue/green or rolling deployment, the new endpoint configuration must have the same variant names as the old one.")
            }
        }
        var o = object
        o.setObserved("pendingSpec", spec)
        o.setObserved("pendingVariants", Self.summaries(newConfig))
        if let alarm = try ObjectTable.take(c.db, .endpoint, object.name, .alarm) {
            let alarms = deployment?["autoRollbackConfiguration"]?["alarms"]?.elements?.compactMap { $0["alarmName"]?.stringValue } ?? []
            o.setObserved("alarmTripped", .string(alarm.isEmpty ? (alarms.first ?? "an alarm") : alarm))
        }
        try c.transition(&o, through: "Updating", to: "InService", failed: "InService", reason: " during the deployment")
        return o
    }

    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? {
        if object.kind == .endpointConfig {
            for e in try c.all(.endpoint) where e.status == "Creating" || e.status == "Updating" {
                if e.spec["endpointConfigName"]?.stringValue == object.name || e.observed["pendingSpec"]?["endpointConfigName"]?.stringValue == object.name {
                    throw ServiceError(.inUse, "Endpoint configuration \(object.name) is in use by endpoint \(e.name), which is \(e.status ?? "")")
                }
            }
        }
        guard object.kind == .endpoint else { return nil }
        var o = object
        try c.transition(&o, through: "Deleting", to: "gone", failed: nil)
        return o
    }

    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject {
        var o = object
        guard o.kind == .endpoint else { return o }
        let failure = o.observed["pendingFailure"]?.stringValue
        if let pending = o.observed["pendingSpec"] {
            if let alarm = o.observed["alarmTripped"]?.stringValue {
                o.failureReason = "Deployment rolled back: alarm \(alarm) went into ALARM during the deployment."
                o.setObserved("lastDeployment", .string("RolledBack"))
            } else if let failure {
                o.failureReason = "Deployment failed and was rolled back: \(failure)."
                o.setObserved("lastDeployment", .string("RolledBack"))
            } else {
                o.spec = pending
                o.failureReason = nil
                o.setObserved("lastDeployment", .string("Succeeded"))
                o.setObserved("productionVariants", o.observed["pendingVariants"])
            }
            for key in ["pendingSpec", "pendingVariants", "alarmTripped"] { o.setObserved(key, nil) }
        } else if o.status == "Failed" {
            o.failureReason = failure ?? "Endpoint creation failed."
        }
        o.setObserved("pendingFailure", nil)
        return o
    }
}

/// Model Monitor (reference §7, §11.7): schedules on endpoints that capture data; an update
/// replaces the whole configuration and passes through Pending.
struct ModelMonitorModule: LocalServiceModule {
    let kinds: Set<ResourceKind> = [.monitoringSchedule]
    let failedStatuses: Set<String> = ["Failed"]

    func checkEndpoint(_ spec: Value, _ c: ModuleContext) throws {
        let inputs = spec["monitoringScheduleConfig"]?["monitoringJobDefinition"]?["monitoringInputs"]?.elements ?? []
        for input in inputs {
            guard let name = input["endpointInput"]?["endpointName"]?.stringValue else { continue }
            guard let endpoint = try c.object(.endpoint, name) else {
                throw ServiceError(.validation, "Could not find endpoint \"\(name)\".")
            }
            let configName = endpoint.spec["endpointConfigName"]?.stringValue ?? ""
            let capture = try c.object(.endpointConfig, configName)?.spec["dataCaptureConfig"]
            if capture == nil || capture?["enableCapture"] == .bool(false) {
                throw ServiceError(.validation, "Endpoint \(name) does not have data capture enabled; a monitoring schedule needs captured data.")
            }
        }
    }

    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject {
        try checkName(kind, name)
        if let existing = try c.object(kind, name) { throw alreadyExists(kind, existing.arn) }
        try checkEndpoint(spec, c)
        var o = c.new(kind, name, spec: spec, status: nil, token: token)
        try c.transition(&o, through: "Pending", to: "Scheduled", failed: "Failed")
        return o
    }

    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject {
        try checkEndpoint(spec, c)
        var o = object
        o.spec = spec
        try c.transition(&o, through: "Pending", to: "Scheduled", failed: "Failed")
        return o
    }

    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? { nil }

    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject {
        var o = object
        if o.status == "Failed" { o.failureReason = o.observed["pendingFailure"]?.stringValue }
        o.setObserved("pendingFailure", nil)
        return o
    }
}
