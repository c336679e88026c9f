import Foundation
import GRDB
import TidemarkCore
import TidemarkEngine

/// How long each kind's asynchronous transitions take. Zero makes every status final at once.
public struct Latencies: Sendable, Hashable {
    public var seconds: [ResourceKind: Double]

    public init(_ seconds: [ResourceKind: Double]) { self.seconds = seconds }

    public static let zero = Latencies([:])

    /// A few seconds for endpoints, less for the rest: what a person watching sees.
    public static let standard = Latencies([
        .endpoint: 3, .featureGroup: 1, .monitoringSchedule: 0.5, .modelPackage: 0.3, .modelPackageGroup: 0.2,
    ])

    public func of(_ kind: ResourceKind) -> Double { seconds[kind] ?? 0 }

    /// Parses `0`, `standard`, or `Endpoint=5s,FeatureGroup=2s,*=0` (`*` sets every other kind).
    public static func parse(_ text: String) -> Latencies? {
        if text == "standard" { return .standard }
        if let d = DurationText.seconds(text) ?? Double(text) { return Latencies(Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0, d) })) }
        var out = Latencies.standard.seconds
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let d = DurationText.seconds(kv[1]) ?? Double(kv[1]) else { return nil }
            if kv[0] == "*" {
                for k in ResourceKind.allCases where out[k] == nil || !text.contains("\(k.rawValue)=") { out[k] = d }
            } else if let k = ResourceKind(rawValue: kv[0]) {
                out[k] = d
            } else {
                return nil
            }
        }
        return Latencies(out)
    }
}

/// What a module sees while it handles one call: the database (inside the call's
/// transaction), the time, and the latencies.
struct ModuleContext {
    let db: Database
    let now: Date
    let latencies: Latencies

    func object(_ kind: ResourceKind, _ name: String) throws -> StoredObject? { try ObjectTable.load(db, kind, name) }
    func all(_ kind: ResourceKind) throws -> [StoredObject] { try ObjectTable.all(db, kind) }

    func arn(_ kind: ResourceKind, _ name: String) -> String {
        let type: String
        switch kind {
        case .featureGroup: type = "feature-group"
        case .pipeline: type = "pipeline"
        case .modelPackageGroup: type = "model-package-group"
        case .modelPackage: type = "model-package"
        case .model: type = "model"
        case .endpointConfig: type = "endpoint-config"
        case .endpoint: type = "endpoint"
        case .monitoringSchedule: type = "monitoring-schedule"
        }
        return "arn:aws:sagemaker:local:000000000000:\(type)/\(name.lowercased())"
    }

    func new(_ kind: ResourceKind, _ name: String, spec: Value, status: String?, token: String?) -> StoredObject {
        StoredObject(kind: kind, name: name, arn: arn(kind, name), spec: spec, status: status, failureReason: nil,
                     observed: .object([]), clientToken: token, createdAt: now, modifiedAt: now, transitionAt: nil, nextStatus: nil)
    }

    /// Starts an asynchronous transition: `transitional` now, `final` after the kind's latency
    /// (or at once when it is zero). A pending `fail` fault makes it end in `failed`; a `stall`
    /// fault makes it never end.
    func transition(_ o: inout StoredObject, through transitional: String?, to final: String, failed: String?, reason: String = "") throws {
        o.modifiedAt = now
        let stall = try ObjectTable.take(db, o.kind, o.name, .stall) != nil
        var target = final
        if let failed, let detail = try ObjectTable.take(db, o.kind, o.name, .fail) {
            target = failed
            o.setObserved("pendingFailure", .string(detail.isEmpty ? "Injected failure\(reason)" : detail))
        }
        let latency = latencies.of(o.kind)
        if stall {
            o.status = transitional ?? o.status
            o.transitionAt = Date.distantFuture
            o.nextStatus = target
        } else if latency > 0, let transitional {
            o.status = transitional
            o.transitionAt = now.addingTimeInterval(latency)
            o.nextStatus = target
        } else {
            o.status = transitional
            o.transitionAt = now
            o.nextStatus = target
        }
    }
}

/// One local service: the kinds it owns, the rules it enforces, and what its transitions do.
protocol LocalServiceModule: Sendable {
    var kinds: Set<ResourceKind> { get }
    /// Statuses from which the object counts as failed.
    var failedStatuses: Set<String> { get }
    func create(_ kind: ResourceKind, name: String, spec: Value, token: String, _ c: ModuleContext) throws -> StoredObject
    func update(_ object: StoredObject, spec: Value, _ c: ModuleContext) throws -> StoredObject
    /// The object in its deleting state (removed when its transition ends), or nil to remove now.
    func delete(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject?
    /// What happens when a transition comes due (the status is already `nextStatus`).
    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject
}

extension LocalServiceModule {
    func completed(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject { object }

    func notFound(_ kind: ResourceKind, _ name: String) -> ServiceError { ServiceError.notFound(kind, name) }

    func alreadyExists(_ kind: ResourceKind, _ arn: String) -> ServiceError {
        switch kind {
        case .featureGroup, .monitoringSchedule: return ServiceError(.inUse, "Resource Already Exists: \(kind.rawValue) with ARN \(arn) already exists.")
        case .endpointConfig: return ServiceError(.validation, "Cannot create already existing endpoint configuration \"\(arn)\".")
        case .endpoint: return ServiceError(.validation, "Cannot create already existing endpoint \"\(arn)\".")
        case .model: return ServiceError(.validation, "Cannot create already existing model \"\(arn)\".")
        default: return ServiceError(.validation, "\(kind.rawValue) \(arn) already exists.")
        }
    }

    func noUpdate(_ kind: ResourceKind) -> ServiceError {
        ServiceError(.validation, "\(kind.rawValue) cannot be updated; the service has no Update\(kind.rawValue) operation. Create a new one.")
    }

    /// Rejects a name that breaks the kind's pattern (reference §9.1).
    func checkName(_ kind: ResourceKind, _ name: String) throws {
        let rule = KindDefinition.of(kind).nameRule
        guard rule.accepts(name) else {
            throw ServiceError(.validation, "1 validation error detected: Value '\(name)' at '\(kind.rawValue.prefix(1).lowercased() + kind.rawValue.dropFirst())Name' failed to satisfy constraint: Member must satisfy regular expression pattern: \(rule.pattern)")
        }
    }

    /// An immediate failure for statusless kinds when a `fail` fault is armed.
    func failIfInjected(_ kind: ResourceKind, _ name: String, _ c: ModuleContext) throws {
        if let detail = try ObjectTable.take(c.db, kind, name, .fail) {
            // `services fail --code X` stores "X: message"; without a code the call fails as
            // InternalFailure (which an API client retries).
            var code = ServiceError.Code.internalFailure
            var message = detail
            if let colon = detail.range(of: ": "), let given = ServiceError.Code(rawValue: String(detail[..<colon.lowerBound])) {
                code = given
                message = String(detail[colon.upperBound...])
            }
            throw InjectedFault(error: ServiceError(code, message.isEmpty ? "Injected failure for \(kind.rawValue) \(name)." : message))
        }
    }
}

/// A fault armed with `services fail` firing: the call fails, but the fault is used up (the
/// transaction that took it commits), so "the next operation fails" means exactly one.
struct InjectedFault: Error {
    let error: ServiceError
}
