import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import TidemarkController
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServer
import TidemarkAWS

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the controller: watch a repository, reconcile each commit, heal drift, serve the API.",
        discussion: """
            Fetches --branch of --repo into a mirror under the state folder every --interval (or at \
            once on a GitHub webhook), validates the manifests at --path, and applies them with \
            rollback on failure. A bad commit is rejected and the last good revision stays live. \
            Secrets come from TIDEMARK_API_TOKEN, TIDEMARK_WEBHOOK_SECRET and TIDEMARK_GIT_TOKEN, or \
            from files named in the config; they are never printed. SIGTERM or SIGINT stops safely.
            """)

    @Option(help: "A YAML config file (flags override it).") var config: String?
    @Option(help: "The repository: a local path, file://, https:// or ssh URL (default: .).") var repo: String?
    @Option(help: "The branch to follow (default: main, else master, else the only branch).") var branch: String?
    @Option(help: "The manifests folder in the repository (default: manifests).") var path: String?
    @Option(help: "How often to fetch, e.g. 30s or 5m (default: 60s).") var interval: String?
    @Option(help: "Seconds between drift checks of an unchanged commit, e.g. 5m (default: 5m).") var resync: String?
    @Flag(help: "Do not apply new commits automatically; report OutOfSync and wait for POST /api/v1/sync.") var manualSync = false
    @Flag(help: "Delete managed resources whose manifests are gone.") var prune = false
    @Flag(help: "Undo out-of-band changes (drift) automatically.") var selfHeal = false
    @Option(help: "Where the API listens, host:port (default: 127.0.0.1:8080; port 0 picks one).") var listen: String?
    @Option(help: "The state folder (default: $TIDEMARK_DATA, else ~/.local/state/tidemark).") var data: String?
    @Option(help: "Local service latencies (default: standard).") var serviceLatency: String?
    @Option(help: "trace, debug, info, notice, warning, error, critical") var logLevel: String?
    @Option(help: "logfmt or json") var logFormat: String?
    @Flag(help: "Allow destructive replacements and deletes.") var allowDestroy = false
    @OptionGroup var backend: BackendOptions
    @Option(help: .hidden) var leaseRenewal: String?
    @Option(help: .hidden) var idleTimeout: String?

    func secret(env: String, file: String?) throws -> String? {
        if let v = ProcessInfo.processInfo.environment[env], !v.isEmpty { return v }
        guard let file else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CommandFailure("error: cannot read the secret file '\(file)'")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run() async throws {
        // Everything this process writes under the state folder (the mirror included) is
        // private to its owner.
        umask(0o077)
        var file = ServeConfig()
        if let config {
            let (loaded, diagnostics) = ServeConfig.load(config)
            guard let loaded else {
                throw CommandFailure(DiagnosticRenderer.text(diagnostics) + "error: the config file is invalid")
            }
            file = loaded
        }
        let stateOptions = try StateOptions.parse((data ?? file.data).map { ["--data", $0] } ?? [])
        let repoText = repo ?? file.repo ?? "."
        let fetchURL = repoText.contains("://") || repoText.hasPrefix("git@") ? repoText : URL(fileURLWithPath: repoText).standardizedFileURL.path
        // Credentials in the URL reach libgit2 only; everything shown, logged or stored has them removed.
        let repoURL = RepositoryURL(fetchURL)
        var settings = ControllerSettings(repo: repoURL.url, data: stateOptions.folder)
        settings.branch = branch ?? file.branch
        settings.path = path ?? file.path ?? "manifests"
        if let i = interval {
            guard let s = DurationText.seconds(i), s > 0 else { throw CommandFailure("error: --interval '\(i)' is not a duration like 30s") }
            settings.interval = s
        } else if let i = file.interval { settings.interval = i }
        if let r = resync {
            guard let s = DurationText.seconds(r), s > 0 else { throw CommandFailure("error: --resync '\(r)' is not a duration like 5m") }
            settings.policy.resync = s
        } else if let r = file.resync { settings.policy.resync = r }
        if let r = leaseRenewal {
            guard let s = DurationText.seconds(r), s > 0 else { throw CommandFailure("error: --lease-renewal '\(r)' is not a duration") }
            settings.leaseRenewal = s
        } else {
            settings.leaseRenewal = min(5, Environment.leaseTTL / 3)
        }
        settings.policy.automated = manualSync ? false : (file.automated ?? true)
        settings.policy.prune = prune || (file.prune ?? false)
        settings.policy.selfHeal = selfHeal || (file.selfHeal ?? false)
        let latency = serviceLatency ?? file.serviceLatency
        settings.apply.allowDestroy = allowDestroy
        let token = try secret(env: "TIDEMARK_GIT_TOKEN", file: file.gitTokenFile)

        var server = ServerSettings()
        let listenText = listen ?? file.listen ?? "127.0.0.1:8080"
        guard let (host, port) = ServerSettings.parseListen(listenText) else {
            throw CommandFailure("error: --listen '\(listenText)' is not host:port")
        }
        server.host = host
        server.port = port
        if let t = idleTimeout {
            guard let s = DurationText.seconds(t), s > 0 else { throw CommandFailure("error: --idle-timeout '\(t)' is not a duration") }
            server.idleTimeout = s
        }
        server.apiToken = try secret(env: "TIDEMARK_API_TOKEN", file: file.apiTokenFile)
        server.webhookSecret = try secret(env: "TIDEMARK_WEBHOOK_SECRET", file: file.webhookSecretFile)
        if !server.isLoopback && server.apiToken == nil {
            throw CommandFailure("error: refusing to listen on \(host) without an API token; set TIDEMARK_API_TOKEN or apiTokenFile, or listen on 127.0.0.1")
        }

        let level = Logger.Level(rawValue: logLevel ?? file.logLevel ?? "info") ?? .info
        let format = LineLogHandler.Format(rawValue: logFormat ?? file.logFormat ?? "logfmt") ?? .logfmt
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, logLevel: level) }
        let metrics = PrometheusControllerMetrics(registry: PrometheusCollectorRegistry())
        let logger = Logger(label: "tidemark")

        // The composition: libgit2 mirror, SQLite store, the chosen backend, the system clock.
        let environment: Environment
        do {
            var state = stateOptions
            state.serviceLatency = latency
            try FileManager.default.createDirectory(atPath: state.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let source = try GitSource(mirroring: fetchURL, at: (state.folder as NSString).appendingPathComponent("mirror.git"), token: token)
            environment = try Environment.open(state: state, backend: backend, source: source, role: "serve", file: file.backend)
        } catch let e as CommandFailure {
            throw e
        } catch {
            throw CommandFailure("error: cannot open the state in \(settings.data): \(error)")
        }
        let controller = Controller(settings: settings, reconciler: environment.reconciler, logger: logger, metrics: metrics)
        let final = settings
        let backendLabel = (environment.services as? SageMakerAPIBackend).map { "the SageMaker API at \($0.endpoint)" } ?? "the local services"
        let app = APIServer.application(controller: controller, metrics: metrics, settings: server, logger: logger) { port in
            let settings = final
            let policy = settings.policy
            Terminal.error("tidemark serve: API on http://\(host):\(port) — following \(settings.repo) \(settings.branch ?? "(default branch)") \(settings.path) every \(Int(settings.interval)) s; automated \(policy.automated), prune \(policy.prune), self-heal \(policy.selfHeal); reconciling \(backendLabel); state in \(settings.data)")
        }
        var groupConfig = ServiceGroupConfiguration(services: [.init(service: controller), .init(service: app)],
                                                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: groupConfig).run()
    }
}
