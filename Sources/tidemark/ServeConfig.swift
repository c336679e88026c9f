import Foundation
import TidemarkCore
import TidemarkController
import TidemarkEngine
import TidemarkServer

/// The `serve` config file: YAML, checked like a manifest (positions, did-you-mean, types).
struct ServeConfig {
    var repo: String?
    var branch: String?
    var path: String?
    var interval: Double?
    var automated: Bool?
    var prune: Bool?
    var selfHeal: Bool?
    var resync: Double?
    var listen: String?
    var data: String?
    var serviceLatency: String?
    var apiTokenFile: String?
    var webhookSecretFile: String?
    var gitTokenFile: String?
    var logLevel: String?
    var logFormat: String?
    var backend: Backend?
    /// `store:` — a postgres:// URL shared by applications and replicas.
    var store: String?
    var storePasswordFile: String?
    /// `workers:` — how many reconciles run at once across applications.
    var workers: Int?
    /// `notifications:` — webhooks told of failed syncs, recoveries, drift and rollbacks.
    var notifications: [Notification] = []
    /// `applications:` — many applications in one controller; none means the one the
    /// top-level `repo`, `branch`, `path` and `sync` describe.
    var applications: [Application] = []

    /// One entry of `applications:`; what it leaves out comes from the top level.
    struct Application {
        var name: String
        var repo: String
        var branch: String?
        var path: String?
        var interval: Double?
        var automated: Bool?
        var prune: Bool?
        var selfHeal: Bool?
        var resync: Double?
        var backend: Backend?
        var labels: [String: String] = [:]
    }

    /// One entry of `notifications:`. The URL is a secret: from `url`, else the file `urlFile`.
    struct Notification {
        var url: String?
        var urlFile: String?
        var format: String?
        var events: [String]
        var secretFile: String?
    }

    /// `backend:` — which services the controller reconciles against.
    struct Backend {
        var type: String?
        var region: String?
        var endpointURL: String?
        var profile: String?

        init(type: String? = nil, region: String? = nil, endpointURL: String? = nil, profile: String? = nil) {
            self.type = type
            self.region = region
            self.endpointURL = endpointURL
            self.profile = profile
        }

        init(_ v: Value) {
            self.init(type: v["type"]?.stringValue, region: v["region"]?.stringValue, endpointURL: v["endpointURL"]?.stringValue, profile: v["profile"]?.stringValue)
        }
    }

    static let syncShape = Shape.object(ObjectShape([
        Field("automated", .boolean),
        Field("prune", .boolean),
        Field("selfHeal", .boolean),
        Field("resync", .text(max: 32, min: 1)),
    ]))

    static let backendShape = Shape.object(ObjectShape([
        Field("type", .oneOf(["local", "sagemaker"]), .immutable, "local (the modules in the state folder) or sagemaker (the SageMaker API)."),
        Field("region", .text(max: 64, min: 1)),
        Field("endpointURL", .text(max: 4096, min: 1), .immutable, "Another endpoint that speaks the SageMaker API (tidemark services serve)."),
        Field("profile", .text(max: 255, min: 1), .immutable, "An AWS profile in ~/.aws/credentials or ~/.aws/config."),
    ]))

    static let applicationShape = ObjectShape([
        Field("name", .text(max: 63, min: 1), required: true, .immutable, "Lowercase letters, digits and '-': a folder, a label and a URL part."),
        Field("repo", .text(max: 4096, min: 1), required: true, .immutable, "A local path, file://, https:// or ssh URL."),
        Field("branch", .text(max: 255, min: 1)),
        Field("path", .text(max: 4096, min: 1)),
        Field("interval", .text(max: 32, min: 1)),
        Field("sync", syncShape),
        Field("backend", backendShape),
        Field("labels", .map(MapShape(key: StringRule(minLength: 1, maxLength: 63), value: .text(max: 255), maxEntries: 64))),
    ])

    static let notificationShape = ObjectShape([
        Field("url", .text(max: 4096, min: 1), .immutable, "An http:// or https:// URL; a secret, never printed (urlFile keeps it out of this file)."),
        Field("urlFile", .text(max: 4096, min: 1), .immutable, "A file holding the URL."),
        Field("format", .oneOf(["json", "slack"]), .immutable, "json (Tidemark's event) or slack ({\"text\": …})."),
        Field("events", .list(ListShape(element: .oneOf(Notice.Event.allCases.map(\.rawValue)), minCount: 1, maxCount: 4))),
        Field("secretFile", .text(max: 4096, min: 1), .immutable, "A file with the key that signs each body (X-Tidemark-Signature-256)."),
    ])

    static let shape = ObjectShape([
        Field("repo", .text(max: 4096, min: 1), .immutable, "A local path, file://, https:// or ssh URL."),
        Field("branch", .text(max: 255, min: 1)),
        Field("path", .text(max: 4096, min: 1)),
        Field("interval", .text(max: 32, min: 1), .immutable, "How often to fetch: 30s, 5m."),
        Field("sync", syncShape),
        Field("listen", .text(max: 255, min: 1)),
        Field("data", .text(max: 4096, min: 1)),
        Field("serviceLatency", .text(max: 1024, min: 1)),
        Field("apiTokenFile", .text(max: 4096, min: 1)),
        Field("webhookSecretFile", .text(max: 4096, min: 1)),
        Field("gitTokenFile", .text(max: 4096, min: 1)),
        Field("backend", backendShape),
        Field("store", .text(max: 4096, min: 1), .immutable, "postgres://user@host[:port]/database[?sslmode=…]; the password from storePasswordFile or PGPASSWORD."),
        Field("storePasswordFile", .text(max: 4096, min: 1)),
        Field("workers", .integer(min: 1, max: 256), .immutable, "How many reconciles run at once across applications (default 4)."),
        Field("applications", .list(ListShape(element: .object(applicationShape), minCount: 1, maxCount: 10000, key: "name"))),
        Field("notifications", .list(ListShape(element: .object(notificationShape), minCount: 1, maxCount: 32))),
        Field("log", .object([
            Field("level", .oneOf(["trace", "debug", "info", "notice", "warning", "error", "critical"])),
            Field("format", .oneOf(["logfmt", "json"])),
        ])),
    ])

    /// Reads and checks the file; every problem is a located diagnostic.
    static func load(_ path: String) -> (ServeConfig?, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [.error("config-missing", "cannot read the config file '\(path)'", at: nil)])
        }
        let yaml = YAMLLoader.load(Array(data), file: path)
        guard yaml.diagnostics.isEmpty, let doc = yaml.documents.first else {
            return (nil, yaml.diagnostics.isEmpty ? [.error("config-empty", "the config file is empty", at: SourceLocation(file: path, line: 1, column: 1))] : yaml.diagnostics)
        }
        var checker = ShapeChecker(file: path)
        guard let v = checker.check(doc, .object(shape), path: "config"), !checker.diagnostics.hasErrors else {
            return (nil, checker.diagnostics)
        }
        var diagnostics: [Diagnostic] = []
        func duration(_ node: YAMLNode?, _ name: String) -> Double? {
            guard let node, let text = node.string else { return nil }
            if let d = DurationText.seconds(text), d > 0 { return d }
            diagnostics.append(.error("invalid-value", "\(name) '\(text)' is not a duration like 30s, 5m or 1h", at: SourceLocation(file: path, node.mark)))
            return nil
        }
        var c = ServeConfig()
        c.repo = v["repo"]?.stringValue
        c.branch = v["branch"]?.stringValue
        c.path = v["path"]?.stringValue
        c.interval = duration(doc["interval"], "interval")
        c.automated = v["sync"]?["automated"].flatMap { if case .bool(let b) = $0 { return b } else { return nil } }
        c.prune = v["sync"]?["prune"].flatMap { if case .bool(let b) = $0 { return b } else { return nil } }
        c.selfHeal = v["sync"]?["selfHeal"].flatMap { if case .bool(let b) = $0 { return b } else { return nil } }
        c.resync = duration(doc["sync"]?["resync"], "sync.resync")
        c.listen = v["listen"]?.stringValue
        c.data = v["data"]?.stringValue
        c.serviceLatency = v["serviceLatency"]?.stringValue
        c.apiTokenFile = v["apiTokenFile"]?.stringValue
        c.webhookSecretFile = v["webhookSecretFile"]?.stringValue
        c.gitTokenFile = v["gitTokenFile"]?.stringValue
        c.logLevel = v["log"]?["level"]?.stringValue
        c.logFormat = v["log"]?["format"]?.stringValue
        c.backend = v["backend"].map(Backend.init)
        c.store = v["store"]?.stringValue
        c.storePasswordFile = v["storePasswordFile"]?.stringValue
        c.workers = v["workers"]?.intValue.map(Int.init)
        for (i, (n, node)) in zip(v["notifications"]?.elements ?? [], doc["notifications"]?.items ?? []).enumerated() {
            let entry = Notification(url: n["url"]?.stringValue, urlFile: n["urlFile"]?.stringValue, format: n["format"]?.stringValue,
                                     events: (n["events"]?.elements ?? []).compactMap(\.stringValue), secretFile: n["secretFile"]?.stringValue)
            if (entry.url == nil) == (entry.urlFile == nil) {
                diagnostics.append(.error("invalid-value", "notifications[\(i)] needs exactly one of url and urlFile", at: SourceLocation(file: path, node.mark)))
            } else if let url = entry.url, !NotificationTarget.isValid(url) {
                diagnostics.append(.error("invalid-value", "notifications[\(i)].url is not an http:// or https:// URL with a host", at: SourceLocation(file: path, (node["url"] ?? node).mark)))
            }
            c.notifications.append(entry)
        }
        func bool(_ v: Value?) -> Bool? { if case .bool(let b) = v { return b } else { return nil } }
        // In the file's order (the checked list is keyed by name, so sorted).
        let checked = v["applications"]?.elements ?? []
        for node in doc["applications"]?.items ?? [] {
            guard let a = checked.first(where: { $0["name"]?.stringValue == node["name"]?.string }),
                  let name = a["name"]?.stringValue, let repo = a["repo"]?.stringValue else { continue }
            let i = "applications[\(name)]"
            if !Stores.validName(name) {
                diagnostics.append(.error("invalid-value", "\(i).name '\(name)' is not an application name: lowercase letters, digits and '-', starting with a letter or digit, at most 63",
                                          at: SourceLocation(file: path, (node["name"] ?? node).mark)))
            }
            var app = Application(name: name, repo: repo, branch: a["branch"]?.stringValue, path: a["path"]?.stringValue)
            app.interval = duration(node["interval"], "\(i).interval")
            app.automated = bool(a["sync"]?["automated"])
            app.prune = bool(a["sync"]?["prune"])
            app.selfHeal = bool(a["sync"]?["selfHeal"])
            app.resync = duration(node["sync"]?["resync"], "\(i).sync.resync")
            app.backend = a["backend"].map(Backend.init)
            for member in a["labels"]?.members ?? [] { app.labels[member.key] = member.value.stringValue }
            c.applications.append(app)
        }
        return diagnostics.isEmpty ? (c, checker.diagnostics) : (nil, diagnostics)
    }
}
