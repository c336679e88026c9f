import Foundation
import TidemarkCore

/// Where a live object is in its life: settled, still moving, or failed.
public enum Phase: String, Sendable, Codable {
    case ready, progressing
    /// The object failed and accepts only a delete (an endpoint whose creation failed).
    case failed
    /// The object works, but its last update failed (a feature group whose added features
    /// were refused): it is updated again, never recreated.
    case updateFailed

    /// Health as people read it (Argo CD's words): Healthy, Progressing, Degraded; Missing for no object.
    public static func health(_ phase: Phase?) -> String {
        switch phase {
        case .ready?: return "Healthy"
        case .progressing?: return "Progressing"
        case .failed?, .updateFailed?: return "Degraded"
        case nil: return "Missing"
        }
    }
}

/// An object as a service reports it.
public struct LiveObject: Sendable, Hashable {
    public var kind: ResourceKind
    /// The name the service knows it by (`fraud-xgb-d4b4d94c`, `fraud-models/3`).
    public var name: String
    public var arn: String
    /// The spec as the service holds it, in manifest spelling.
    public var spec: Value
    /// The service's own status word (`InService`, `Created`, `Scheduled`, …), if it has one.
    public var status: String?
    public var phase: Phase
    public var failureReason: String?
    /// Fields the service manages itself (variant instance counts, version numbers, the last
    /// deployment's outcome). Never drift.
    public var observed: Value
    public var clientToken: String?
    public var createdAt: Date
    public var modifiedAt: Date

    public init(kind: ResourceKind, name: String, arn: String, spec: Value, status: String?, phase: Phase,
                failureReason: String?, observed: Value, clientToken: String?, createdAt: Date, modifiedAt: Date) {
        self.kind = kind
        self.name = name
        self.arn = arn
        self.spec = spec
        self.status = status
        self.phase = phase
        self.failureReason = failureReason
        self.observed = observed
        self.clientToken = clientToken
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }
}

/// An error a service returns, with SageMaker's error code.
public struct ServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case validation = "ValidationException"
        case notFound = "ResourceNotFound"
        case inUse = "ResourceInUse"
        case conflict = "ConflictException"
        case limitExceeded = "ResourceLimitExceeded"
        case internalFailure = "InternalFailure"
        case throttling = "ThrottlingException"
        case accessDenied = "AccessDeniedException"
        case unrecognizedClient = "UnrecognizedClientException"
        case invalidSignature = "InvalidSignatureException"
        case serialization = "SerializationException"
        case unknownOperation = "UnknownOperationException"
        case serviceUnavailable = "ServiceUnavailable"
        /// The service could not be reached, or answered something that is not its protocol.
        case unreachable = "Unreachable"
        /// An error type Tidemark does not know; the message starts with the service's own.
        case other = "UnknownError"
    }

    public var code: Code
    public var message: String
    /// The manifest field the service named (`productionVariants[0].instanceType`), when it named one.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// What SageMaker answers for a missing object: a ValidationException for models,
    /// endpoint configs, endpoints and packages, ResourceNotFound for the rest.
    public static func notFound(_ kind: ResourceKind, _ name: String) -> ServiceError {
        switch kind {
        case .model: return ServiceError(.validation, "Could not find model \"\(name)\".")
        case .endpointConfig: return ServiceError(.validation, "Could not find endpoint configuration \"\(name)\".")
        case .endpoint: return ServiceError(.validation, "Could not find endpoint \"\(name)\".")
        case .modelPackage, .modelPackageGroup: return ServiceError(.validation, "\(kind.rawValue) \(name) does not exist.")
        default: return ServiceError(.notFound, "\(kind.rawValue) \(name) does not exist.")
        }
    }

    /// The manifest path of the member a validation message names: SageMaker writes
    /// `Value '...' at 'productionVariants.1.member.instanceType' failed to satisfy constraint`,
    /// lower-camel botocore names with 1-based list positions; this gives
    /// `productionVariants[0].instanceType` in the manifest's spelling.
    public static func field(namedIn message: String, kind: ResourceKind) -> String? {
        guard let at = message.range(of: " at '") else { return nil }
        let rest = message[at.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let segments = rest[..<end].split(separator: ".").map(String.init)
        var shape = Shape.object(KindDefinition.of(kind).spec)
        var out = ""
        var i = 0
        while i < segments.count {
            let s = segments[i]
            switch shape {
            case .object(let o):
                guard let f = o.fields.first(where: { $0.wireName.lowercased() == s.lowercased() }) else { return nil }
                out += out.isEmpty ? f.name : ".\(f.name)"
                shape = f.shape
            case .list(let l):
                guard let n = Int(s), n >= 1 else { return nil }
                out += "[\(n - 1)]"
                if i + 1 < segments.count, segments[i + 1] == "member" { i += 1 }
                shape = l.element
            case .map(let m):
                out += "[\(s)]"
                shape = m.value
            default:
                return nil
            }
            i += 1
        }
        return out.isEmpty ? nil : out
    }

    public var description: String { "\(code.rawValue): \(message)\(field.map { " (field spec.\($0))" } ?? "")" }
}

/// The services Tidemark reconciles against. The local modules implement it; a backend that
/// speaks the real SageMaker API can implement it too.
public protocol ServiceBackend: Sendable {
    /// The object, or nil when it does not exist.
    func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject?
    func list(_ kind: ResourceKind) async throws -> [LiveObject]
    /// Creates an object. For a versioned ModelPackage the service picks the name
    /// (`group/version`) and returns it. `clientToken` makes a retried create find its object.
    func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject
    func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject
    func delete(_ kind: ResourceKind, _ name: String) async throws
    /// The objects changed since `cursor`, oldest first, at most `limit`; nil when the
    /// backend keeps no change feed (drift is then found by the periodic resync only).
    func changes(since cursor: Int64, limit: Int) async throws -> ChangeBatch?
    /// What the service recorded happening to the objects `names` of `kind` (their status after
    /// each change, and why one failed), oldest first, at most `limit` of the newest; nil when
    /// the backend keeps no such history (the SageMaker API's is in CloudTrail, not here).
    func events(_ kind: ResourceKind, names: [String], limit: Int) async throws -> [ObjectEvent]?
}

extension ServiceBackend {
    public func changes(since cursor: Int64, limit: Int) async throws -> ChangeBatch? { nil }
    public func events(_ kind: ResourceKind, names: [String], limit: Int) async throws -> [ObjectEvent]? { nil }
}

/// One change a service made to an object, as its history shows it.
public struct ObjectEvent: Sendable, Hashable {
    public var time: Date
    public var name: String
    /// The status after the change; `Deleted` when the object went away.
    public var status: String?
    public var failureReason: String?

    public init(time: Date, name: String, status: String?, failureReason: String?) {
        self.time = time
        self.name = name
        self.status = status
        self.failureReason = failureReason
    }
}

/// One change to a live object, numbered in the order the service made it.
public struct ObjectChange: Sendable, Hashable {
    public var sequence: Int64
    public var kind: ResourceKind
    public var name: String

    public init(sequence: Int64, kind: ResourceKind, name: String) {
        self.sequence = sequence
        self.kind = kind
        self.name = name
    }
}

/// Changes read from a feed, and the cursor to read the next ones from.
public struct ChangeBatch: Sendable {
    public var cursor: Int64
    public var changes: [ObjectChange]

    public init(cursor: Int64, changes: [ObjectChange]) {
        self.cursor = cursor
        self.changes = changes
    }
}
