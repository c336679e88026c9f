import AsyncHTTPClient
import Foundation
import NIOCore
import TidemarkCore
import TidemarkEngine
import TidemarkWire

/// Calls one AWS JSON 1.1 service (`X-Amz-Target: <prefix>.<Operation>`), signed with
/// Signature Version 4, retrying throttling, 429 and 5xx answers with full-jitter backoff.
public struct AWSJSONClient: Sendable {
    public let endpoint: URL
    public let region: String
    let service: String
    let targetPrefix: String
    let credentials: AWSCredentials
    let retry: RetryPolicy
    let time: any TimeSource
    let requestTimeout: Int64

    /// One HTTP client for the process. A refused or silent endpoint fails after 5 s of
    /// connection attempts (the shared client would keep trying until the request's own
    /// 60 s deadline, on every retry).
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(120))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(endpoint: URL, region: String, credentials: AWSCredentials, service: String = "sagemaker", targetPrefix: String = "SageMaker",
                retry: RetryPolicy = RetryPolicy(), time: any TimeSource = SystemTime(), requestTimeout: Int64 = 60) {
        self.endpoint = endpoint
        self.region = region
        self.service = service
        self.targetPrefix = targetPrefix
        self.credentials = credentials
        self.retry = retry
        self.time = time
        self.requestTimeout = requestTimeout
    }

    /// The `Host` header: the host, with the port when it is not the scheme's own.
    var host: String {
        let h = endpoint.host ?? ""
        let bracketed = h.contains(":") ? "[\(h)]" : h
        guard let port = endpoint.port else { return bracketed }
        let standard = endpoint.scheme == "https" ? 443 : 80
        return port == standard ? bracketed : "\(bracketed):\(port)"
    }

    /// Calls `operation` with `input`; returns the output. `kind` locates validation errors.
    public func call(_ operation: String, _ input: Value, kind: ResourceKind? = nil) async throws -> Value {
        let body = Array(input.canonicalJSON.utf8)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await send(operation, body, kind: kind)
            } catch let e as ServiceError where WireError.isRetryable(e) && attempt < retry.maxAttempts {
                try await time.sleep(seconds: retry.delay(attempt: attempt, random: Double.random(in: 0..<1)))
            }
        }
    }

    func send(_ operation: String, _ body: [UInt8], kind: ResourceKind?) async throws -> Value {
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        let unsigned = SignableRequest(method: "POST", path: path, headers: [
            ("Host", host),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "\(targetPrefix).\(operation)"),
        ], body: body)
        let signed = SigV4.sign(unsigned, credentials: credentials, region: region, service: service, date: time.now())
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        for (name, value) in signed.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(body)
        let status: Int
        let text: String
        let errorType: String?
        do {
            let response = try await Self.http.execute(request, timeout: .seconds(requestTimeout))
            status = Int(response.status.code)
            errorType = response.headers.first(name: "x-amzn-ErrorType")
            let buffer = try await response.body.collect(upTo: 64 << 20)
            text = String(buffer: buffer)
        } catch {
            throw ServiceError(.unreachable, "cannot reach \(endpoint.absoluteString) (\(operation)): \(error)")
        }
        guard (200..<300).contains(status) else {
            var e = WireError.parse(status: status, body: text, typeHeader: errorType, kind: kind)
            if Value(jsonText: text) == nil {
                // Not the JSON error protocol (a proxy's or a broken server's page): say which call and status.
                e.message = "\(operation) answered HTTP \(status): \(text.prefix(200))"
            }
            throw e
        }
        if text.isEmpty { return .object([]) }
        guard let output = Value(jsonText: text) else {
            throw ServiceError(.unreachable, "\(endpoint.absoluteString) answered \(operation) with a body that is not JSON: \(text.prefix(200))")
        }
        return output
    }

    /// Every item of a paginated List* call: follows NextToken until the service stops giving one.
    public func paginate(_ operation: String, _ input: Value, items member: String) async throws -> [Value] {
        var out: [Value] = []
        var next: Value?
        var seen: Set<String> = []
        repeat {
            let page = try await call(operation, input.setting("NextToken", next))
            out.append(contentsOf: page[member]?.elements ?? [])
            next = page["NextToken"].flatMap { $0.stringValue?.isEmpty == false ? $0 : nil }
            // A service that repeats a token would loop forever.
            if let token = next?.stringValue, !seen.insert(token).inserted {
                throw ServiceError(.unreachable, "\(operation) returned the same NextToken twice")
            }
        } while next != nil
        return out
    }
}
