import Foundation
import TidemarkCore
import TidemarkEngine

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

    /// `backend:` — which services the controller reconciles against.
    struct Backend {
        var type: String?
        var region: String?
        var endpointURL: String?
        var profile: String?
    }

    static let shape = ObjectShape([
        Field("repo", .text(max: 4096, min: 1), .immutable, "A local path, file://, https:// or ssh URL."),
        Field("branch", .text(max: 255, min: 1)),
        Field("path", .text(max: 4096, min: 1)),
        Field("interval", .text(max: 32, min: 1), .immutable, "How often to fetch: 30s, 5m."),
        Field("sync", .object([
            Field("automated", .boolean),
            Field("prune", .boolean),
            Field("selfHeal", .boolean),
            Field("resync", .text(max: 32, min: 1)),
        ])),
        Field("listen", .text(max: 255, min: 1)),
        Field("data", .text(max: 4096, min: 1)),
        Field("serviceLatency", .text(max: 1024, min: 1)),
        Field("apiTokenFile", .text(max: 4096, min: 1)),
        Field("webhookSecretFile", .text(max: 4096, min: 1)),
        Field("gitTokenFile", .text(max: 4096, min: 1)),
        Field("backend", .object([
            Field("type", .oneOf(["local", "sagemaker"]), .immutable, "local (the modules in the state folder) or sagemaker (the SageMaker API)."),
            Field("region", .text(max: 64, min: 1)),
            Field("endpointURL", .text(max: 4096, min: 1), .immutable, "Another endpoint that speaks the SageMaker API (tidemark services serve)."),
            Field("profile", .text(max: 255, min: 1), .immutable, "An AWS profile in ~/.aws/credentials or ~/.aws/config."),
        ])),
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
        if let b = v["backend"] {
            c.backend = Backend(type: b["type"]?.stringValue, region: b["region"]?.stringValue,
                                endpointURL: b["endpointURL"]?.stringValue, profile: b["profile"]?.stringValue)
        }
        return diagnostics.isEmpty ? (c, checker.diagnostics) : (nil, diagnostics)
    }
}
