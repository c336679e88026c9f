import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TidemarkCore
import TidemarkEngine
import TidemarkWire

/// `tidemark services serve`: SageMaker's AWS JSON 1.1 protocol over HTTP in front of a
/// service backend, so boto3, the AWS CLI and Tidemark's own API backend reach the local
/// modules as they would reach SageMaker. On loopback any signature is accepted; beyond
/// loopback each request must be signed (Signature Version 4) with the configured key.
public enum SageMakerWireServer {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// The access key id and secret a request must be signed with; nil accepts any
        /// signature (only allowed on loopback, which the command checks).
        public var signingKey: (id: String, secret: String)?
        public var maxBody = 16 << 20

        public init(host: String, port: Int, signingKey: (id: String, secret: String)?) {
            self.host = host
            self.port = port
            self.signingKey = signingKey
        }
    }

    public static func application(dispatcher: WireDispatcher, settings: Settings, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let handler = { @Sendable (request: Request, context: BasicRequestContext) async throws -> Response in
            try await handle(request, dispatcher: dispatcher, settings: settings, logger: logger)
        }
        router.post("/", use: handler)
        router.get("/") { _, _ in
            reply(200, .object([.init("service", .string("tidemark services serve")), .init("protocol", .string("awsJson1_1 SageMaker"))]))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tidemark-services"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }

    static func handle(_ request: Request, dispatcher: WireDispatcher, settings: Settings, logger: Logger) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: settings.maxBody)
        } catch {
            return reply(413, WireError.render(ServiceError(.validation, "the request body is larger than \(settings.maxBody) bytes")).body)
        }
        let body = Array(buffer.readableBytesView)
        let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
        if let key = settings.signingKey {
            var headers: [(String, String)] = request.headers.map { ($0.name.rawName, $0.value) }
            if let authority = request.head.authority { headers.append(("host", authority)) }
            let path = request.uri.path
            let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let signable = SignableRequest(method: request.method.rawValue, path: path, query: query, headers: headers, body: body)
            guard SigV4.verify(signable, accessKeyID: key.id, secret: key.secret, now: Date()) else {
                logger.notice("refused an unsigned or wrongly signed request", metadata: ["target": .string(target)])
                let e = ServiceError(.invalidSignature, "The request signature we calculated does not match the signature you provided (tidemark services serve checks Signature Version 4 with its configured key beyond loopback).")
                return reply(WireError.render(e).status, WireError.render(e).body)
            }
        }
        let (status, output) = await dispatcher.handle(target: target, body: body)
        if status >= 500 { logger.error("operation failed", metadata: ["target": .string(target), "status": .stringConvertible(status)]) }
        return reply(status, output)
    }

    static func reply(_ status: Int, _ body: Value) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        if let id = HTTPField.Name("x-amzn-RequestId") { headers[id] = UUID().uuidString.lowercased() }
        if status >= 400, let type = body["__type"]?.stringValue, let name = HTTPField.Name("x-amzn-ErrorType") { headers[name] = type }
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: body.canonicalJSON)))
    }
}
