import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TidemarkServer
import TidemarkWire

/// `tidemark services serve`: the local service modules behind SageMaker's own wire
/// protocol, for boto3, the AWS CLI, and `--backend sagemaker --endpoint-url`.
struct ServicesServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local service modules over SageMaker's API (AWS JSON 1.1) on host:port.",
        discussion: """
            aws --endpoint-url http://127.0.0.1:4566 sagemaker list-endpoints, boto3 and \
            tidemark --backend sagemaker --endpoint-url http://127.0.0.1:4566 all work against it. \
            On loopback any signature is accepted. Listening anywhere else needs a secret (from \
            $TIDEMARK_SERVICES_SECRET or --secret-file): clients then sign with access key id \
            --access-key-id and that secret as their secret access key. SIGTERM or SIGINT stops it.
            """)

    @Option(help: "host:port to listen on (port 0 picks one).") var listen = "127.0.0.1:4566"
    @OptionGroup var state: StateOptions
    @Option(help: "The access key id clients sign with beyond loopback.") var accessKeyId = "tidemark"
    @Option(help: "A file holding the secret clients sign with beyond loopback (or $TIDEMARK_SERVICES_SECRET).") var secretFile: String?
    @Option(help: "trace, debug, info, notice, warning, error, critical") var logLevel = "notice"

    func run() async throws {
        guard let (host, port) = ServerSettings.parseListen(listen) else { throw CommandFailure("error: --listen '\(listen)' is not host:port") }
        var secret = ProcessInfo.processInfo.environment["TIDEMARK_SERVICES_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if secret == nil, let secretFile {
            guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else {
                throw CommandFailure("error: cannot read the secret file '\(secretFile)'")
            }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let loopback = ServerSettings.isLoopback(host)
        if !loopback && (secret ?? "").isEmpty {
            throw CommandFailure("error: refusing to listen on \(host) without a secret; set TIDEMARK_SERVICES_SECRET or --secret-file, or listen on 127.0.0.1")
        }
        let services = try state.openServices()
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: .logfmt, logLevel: level) }
        let logger = Logger(label: "tidemark-services")
        let settings = SageMakerWireServer.Settings(host: host, port: port, signingKey: secret.map { (accessKeyId, $0) })
        let folder = state.folder
        let app = SageMakerWireServer.application(dispatcher: WireDispatcher(backend: services), settings: settings, logger: logger) { bound in
            Terminal.error("tidemark services serve: SageMaker API on http://\(host):\(bound) — local services in \(folder); \(settings.signingKey == nil ? "any signature accepted (loopback)" : "requests must be signed with access key id \(settings.signingKey?.id ?? "")")")
        }
        var group = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }
}
