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
    @Option(help: "The shared store, postgres://user@host[:port]/database (password from PGPASSWORD); replicas on the same store share the applications (default: $TIDEMARK_STORE, else SQLite in the state folder).") var store: String?
    @Option(help: "How many reconciles run at once across applications (default: 4).") var workers: Int?
    @Option(help: "Local service latencies (default: standard).") var serviceLatency: String?
    @Option(help: "trace, debug, info, notice, warning, error, critical") var logLevel: String?
    @Option(help: "logfmt or json") var logFormat: String?
    @Flag(help: "Allow destructive replacements and deletes.") var allowDestroy = false
    @Option(help: "POST a JSON event to this URL on a failed sync, the first success after one, drift and a rollback (repeatable; the config's notifications: also sets format, events and signing).")
    var notify: [String] = []
    @OptionGroup var backend: BackendOptions
    @Option(help: .hidden) var leaseRenewal: String?
    @Option(help: .hidden) var idleTimeout: String?

    func secret(env: String, file: String?) throws -> String? {
        if let v = ProcessInfo.processInfo.environment[env], !v.isEmpty { return v }
        guard let file else { return nil }
        return try secret(file: file)
    }

    func secret(file: String) throws -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CommandFailure("error: cannot read the secret file '\(file)'")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run() async throws {
        HeapTrim.returnFreedPagesPromptly()
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
        if !file.applications.isEmpty, repo != nil || branch != nil || path != nil {
            throw CommandFailure("error: --repo, --branch and --path describe one application; the config file's applications: lists several, each with its own")
        }
        var stateOptions = try StateOptions.parse((data ?? file.data).map { ["--data", $0] } ?? [])
        stateOptions.store = store ?? file.store
        stateOptions.serviceLatency = serviceLatency ?? file.serviceLatency
        var template = ControllerSettings(repo: "", data: stateOptions.folder)
        if let i = interval {
            guard let s = DurationText.seconds(i), s > 0 else { throw CommandFailure("error: --interval '\(i)' is not a duration like 30s") }
            template.interval = s
        } else if let i = file.interval { template.interval = i }
        if let r = resync {
            guard let s = DurationText.seconds(r), s > 0 else { throw CommandFailure("error: --resync '\(r)' is not a duration like 5m") }
            template.policy.resync = s
        } else if let r = file.resync { template.policy.resync = r }
        if let r = leaseRenewal {
            guard let s = DurationText.seconds(r), s > 0 else { throw CommandFailure("error: --lease-renewal '\(r)' is not a duration") }
            template.leaseRenewal = s
        } else {
            template.leaseRenewal = min(5, Environment.leaseTTL / 3)
        }
        template.apply.allowDestroy = allowDestroy
        let token = try secret(env: "TIDEMARK_GIT_TOKEN", file: file.gitTokenFile)
        let storePassword = try secret(env: "PGPASSWORD", file: file.storePasswordFile)
        let workerCount = workers ?? file.workers ?? 4
        guard (1...256).contains(workerCount) else { throw CommandFailure("error: --workers \(workerCount) is not between 1 and 256") }

        // Each application: its source and policy (its own entries over the top level over flags).
        var applications: [(settings: ControllerSettings, fetchURL: String, backend: ServeConfig.Backend?)] = []
        let entries = file.applications.isEmpty
            ? [ServeConfig.Application(name: stateOptions.app ?? Stores.implicitApplication, repo: repo ?? file.repo ?? ".", branch: branch ?? file.branch,
                                       path: path ?? file.path)]
            : file.applications
        for entry in entries {
            let fetchURL = entry.repo.contains("://") || entry.repo.hasPrefix("git@") ? entry.repo : URL(fileURLWithPath: entry.repo).standardizedFileURL.path
            var settings = template
            settings.application = entry.name
            settings.labels = entry.labels
            // Credentials in the URL reach libgit2 only; everything shown, logged or stored has them removed.
            settings.repo = RepositoryURL(fetchURL).url
            settings.branch = entry.branch ?? file.branch
            settings.path = entry.path ?? file.path ?? "manifests"
            if interval == nil, let i = entry.interval { settings.interval = i }
            if resync == nil, let r = entry.resync { settings.policy.resync = r }
            settings.policy.automated = manualSync ? false : (entry.automated ?? file.automated ?? true)
            settings.policy.prune = prune || (entry.prune ?? file.prune ?? false)
            settings.policy.selfHeal = selfHeal || (entry.selfHeal ?? file.selfHeal ?? false)
            let top = file.backend
            let own = entry.backend
            let merged = own == nil && top == nil ? nil
                : ServeConfig.Backend(type: own?.type ?? top?.type, region: own?.region ?? top?.region,
                                      endpointURL: own?.endpointURL ?? top?.endpointURL, profile: own?.profile ?? top?.profile)
            applications.append((settings, fetchURL, merged))
        }

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

        var targets = try notify.map { url in
            guard NotificationTarget.isValid(url) else { throw CommandFailure("error: --notify needs an http:// or https:// URL with a host") }
            return NotificationTarget(url: url)
        }
        for (i, n) in file.notifications.enumerated() {
            guard let url = try n.url ?? n.urlFile.map({ try secret(file: $0) }), NotificationTarget.isValid(url) else {
                throw CommandFailure("error: notifications[\(i)]: the file urlFile does not hold an http:// or https:// URL with a host")
            }
            targets.append(NotificationTarget(url: url, format: n.format.flatMap(NotificationTarget.Format.init) ?? .json,
                                              events: Set(n.events.compactMap(Notice.Event.init)),
                                              secret: try n.secretFile.map { try secret(file: $0) }))
        }

        let level = Logger.Level(rawValue: logLevel ?? file.logLevel ?? "info") ?? .info
        let format = LineLogHandler.Format(rawValue: logFormat ?? file.logFormat ?? "logfmt") ?? .logfmt
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, logLevel: level) }
        let metrics = PrometheusControllerMetrics(registry: PrometheusCollectorRegistry())
        let logger = Logger(label: "tidemark")

        // The composition: the store (SQLite or PostgreSQL), a libgit2 mirror per
        // application, the chosen backends (one per distinct choice, shared), the system clock.
        let folder = stateOptions.folder
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("error: cannot create the state folder \(folder): \(error)")
        }
        let stores = try await Stores.open(location: stateOptions.storeLocation, folder: folder, password: storePassword)
        let holder = LeaseHolder.current(role: "serve")
        var placement: Placement?
        if let registry = stores.replicas {
            let p = Placement(replica: holder.name, registry: registry, ttl: Environment.leaseTTL, every: template.leaseRenewal, time: SystemTime(), logger: logger)
            await p.beat()
            placement = p
        }
        let slots = ReconcileSlots(capacity: workerCount)
        let notifier = targets.isEmpty ? nil : WebhookNotifier(targets: targets, logger: logger)
        var backends: [String: any ServiceBackend] = [:]
        var controllers: [Controller] = []
        var labels: [String] = []
        for (var settings, fetchURL, backendFile) in applications {
            let name = settings.application
            settings.data = stores.description
            let environment: Environment
            do {
                let resolved = try backend.resolved(file: backendFile)
                let key = "\(resolved.choice)|\(resolved.region ?? "")|\(resolved.endpointURL ?? "")|\(resolved.profile ?? "")"
                let services = try backends[key] ?? backend.open(state: stateOptions, file: backendFile)
                backends[key] = services
                let mirror = name == Stores.implicitApplication && file.applications.isEmpty ? "mirror.git" : "mirrors/\(name).git"
                let source = try GitSource(mirroring: fetchURL, at: (folder as NSString).appendingPathComponent(mirror), token: token)
                let store = try stores.application(name, holder: holder, time: SystemTime(), leaseTTL: Environment.leaseTTL)
                environment = Environment.compose(store: store, application: name, services: services, source: source, time: SystemTime())
                let reconciling = (services as? SageMakerAPIBackend).map { "the SageMaker API at \($0.endpoint)" } ?? "the local services"
                labels.append(applications.count == 1 ? reconciling : "\(name) → \(reconciling)")
            } catch let e as CommandFailure {
                throw e
            } catch {
                throw CommandFailure("error: cannot open the application \(name) in \(stores.description): \(error)")
            }
            var appLogger = logger
            appLogger[metadataKey: "app"] = "\(name)"
            controllers.append(Controller(settings: settings, reconciler: environment.reconciler, logger: appLogger, metrics: metrics,
                                          slots: slots, placement: placement, notices: notifier))
        }
        let summary = controllers.count == 1
            ? controllers.map { c in
                let s = c.settings
                return "following \(s.repo) \(s.branch ?? "(default branch)") \(s.path) every \(Int(s.interval)) s; automated \(s.policy.automated), prune \(s.policy.prune), self-heal \(s.policy.selfHeal); reconciling \(labels.joined())"
            }.joined()
            : "\(controllers.count) applications (\(labels.joined(separator: ", "))), \(workerCount) workers"
        let where_ = "state in \(stores.description)" + (placement.map { "; replica \($0.replica)" } ?? "")
        let app = try APIServer.application(controllers: controllers, metrics: metrics, settings: server, logger: logger) { port in
            Terminal.error("tidemark serve: API on http://\(host):\(port) — \(summary); \(where_)")
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = controllers.map { .init(service: $0) }
        if let placement { services.insert(.init(service: placement), at: 0) }
        services.append(.init(service: app))
        if let notifier { services.append(.init(service: notifier)) }
        services.append(.init(service: HeapTrim(interval: 5)))
        let grace = 30.0
        services.append(.init(service: ShutdownDeadline(limit: grace + 15, controllers: controllers, logger: logger)))
        var groupConfig = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(grace)
        try await ServiceGroup(configuration: groupConfig).run()
        stores.close()
    }
}
