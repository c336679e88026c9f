import TidemarkCore
import TidemarkEngine

/// SageMaker's JSON error protocol: `{"__type": "...", "message": "..."}` with an HTTP status.
public enum WireError {
    /// The body and HTTP status `services serve` answers an error with.
    public static func render(_ e: ServiceError) -> (status: Int, body: Value) {
        let status: Int
        switch e.code {
        case .internalFailure, .other, .unreachable: status = 500
        case .serviceUnavailable: status = 503
        case .accessDenied, .unrecognizedClient, .invalidSignature: status = 403
        default: status = 400
        }
        return (status, .object(sorting: [.init("__type", .string(e.code.rawValue)), .init("message", .string(e.message))]))
    }

    /// The error a response carries. `__type` may be qualified (`com.amazonaws.sagemaker#ResourceNotFound`)
    /// or suffixed (`...:http://internal.amazon.com/...`); the `x-amzn-ErrorType` header wins when present.
    public static func parse(status: Int, body: String, typeHeader: String?, kind: ResourceKind? = nil) -> ServiceError {
        let json = Value(jsonText: body)
        var type = typeHeader ?? json?["__type"]?.stringValue ?? json?["code"]?.stringValue ?? ""
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        if let colon = type.firstIndex(of: ":") { type = String(type[..<colon]) }
        let message = json?["message"]?.stringValue ?? json?["Message"]?.stringValue ?? (body.isEmpty ? "HTTP \(status)" : String(body.prefix(500)))
        let code: ServiceError.Code
        switch type {
        case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded": code = .throttling
        case "ServiceUnavailable", "ServiceUnavailableException": code = .serviceUnavailable
        case "":
            code = status == 429 ? .throttling : status >= 500 ? .internalFailure : .other
        default:
            code = ServiceError.Code(rawValue: type) ?? .other
        }
        let field = kind.flatMap { ServiceError.field(namedIn: message, kind: $0) }
        return ServiceError(code, code == .other && !type.isEmpty ? "\(type): \(message)" : message, field: field)
    }

    /// Whether an error says the object does not exist. SageMaker answers a missing model,
    /// endpoint config or endpoint with a ValidationException ("Could not find model ...")
    /// and the others with ResourceNotFound; both are read here and nowhere else.
    public static func isNotFound(_ e: ServiceError) -> Bool {
        if e.code == .notFound { return true }
        guard e.code == .validation else { return false }
        return e.message.hasPrefix("Could not find") || e.message.contains("does not exist")
    }

    /// Whether a retry may succeed: throttling and the service's own failures.
    public static func isRetryable(_ e: ServiceError) -> Bool {
        [.throttling, .serviceUnavailable, .internalFailure, .unreachable].contains(e.code)
    }
}
