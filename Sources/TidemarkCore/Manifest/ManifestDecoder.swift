/// Turns YAML documents into `Manifest`s: checks the envelope (`apiVersion`, `kind`,
/// `metadata`), the spec against its kind's shape, then the kind's own rules.
public enum ManifestDecoder {
    public static let apiVersion = "tidemark.dev/v1alpha1"
    static let ackAPIVersion = "sagemaker.services.k8s.aws/v1alpha1"
    static let envelopeKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataKeys = ["name", "labels", "annotations"]

    public static let deletionPolicyAnnotation = "tidemark.dev/deletion-policy"
    public static let adoptAnnotation = "tidemark.dev/adopt"
    public static let allowDestroyAnnotation = "tidemark.dev/allow-destroy"
    static let knownAnnotations = [deletionPolicyAnnotation, adoptAnnotation, allowDestroyAnnotation]

    public struct Result: Sendable {
        public var manifests: [Manifest] = []
        public var diagnostics: [Diagnostic] = []
    }

    /// Parses and decodes every document of one file.
    public static func decode(_ file: SourceFile, limits: YAMLLimits = YAMLLimits(), memo: PatternMemo? = nil) -> Result {
        let yaml = file.bytes.withUnsafeBytes { YAMLLoader.load($0, file: file.path, limits: limits) }
        var result = Result()
        result.diagnostics = yaml.diagnostics
        for document in yaml.documents {
            if document.isNull { continue }  // an empty document between `---` lines
            decode(document, file: file.path, source: file.bytes, memo: memo, limits: limits, into: &result)
        }
        return result
    }

    static func decode(_ doc: YAMLNode, file: String, source: [UInt8]? = nil, memo: PatternMemo? = nil, limits: YAMLLimits, into result: inout Result) {
        func error(_ code: String, _ message: String, _ mark: Mark) {
            result.diagnostics.append(.error(code, message, at: SourceLocation(file: file, mark)))
        }
        guard let entries = doc.entries else {
            error("not-a-manifest", "a manifest must be a mapping with apiVersion, kind, metadata and spec, found \(doc.typeName)", doc.mark)
            return
        }
        var ok = true
        for e in entries where !envelopeKeys.contains(e.key) {
            var message = "unknown top-level field '\(e.key)'"
            if e.key == "status" {
                message += "; status is observed by Tidemark, not declared"
            } else if let guess = Suggestion.closest(to: e.key, in: envelopeKeys) {
                message += ", did you mean '\(guess)'?"
            }
            error("unknown-field", message, e.keyMark)
            ok = false
        }
        // apiVersion
        if let v = doc["apiVersion"] {
            if v.string != apiVersion {
                var message = "apiVersion must be '\(apiVersion)', found \(v.string.map { "'\($0)'" } ?? v.typeName)"
                if v.string == ackAPIVersion { message += "; Tidemark reads ACK's spec fields but owns its API group" }
                error("invalid-api-version", message, v.mark)
                ok = false
            }
        } else {
            error("missing-field", "manifest is missing 'apiVersion: \(apiVersion)'", doc.mark)
            ok = false
        }
        // kind
        var kind: ResourceKind?
        if let k = doc["kind"] {
            if let text = k.string, let known = ResourceKind(rawValue: text) {
                kind = known
            } else {
                var message = "unknown kind \(k.string.map { "'\($0)'" } ?? k.typeName)"
                let names = ResourceKind.allCases.map(\.rawValue)
                if let text = k.string, let guess = Suggestion.closest(to: text, in: names) {
                    message += ", did you mean '\(guess)'?"
                } else {
                    message += "; kinds are \(names.joined(separator: ", "))"
                }
                error("unknown-kind", message, k.mark)
            }
        } else {
            error("missing-field", "manifest is missing 'kind'", doc.mark)
        }
        // metadata
        var name: String?
        var nameMark = doc.mark
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        var policy = ManifestPolicy()
        if let meta = doc["metadata"] {
            if let metaEntries = meta.entries {
                for e in metaEntries where !metadataKeys.contains(e.key) {
                    var message = "unknown field '\(e.key)' in metadata"
                    if e.key == "namespace" {
                        message += "; Tidemark has no namespaces, use folders or labels"
                    } else if let guess = Suggestion.closest(to: e.key, in: metadataKeys) {
                        message += ", did you mean '\(guess)'?"
                    }
                    error("unknown-field", message, e.keyMark)
                }
                if let n = meta["name"] {
                    nameMark = n.mark
                    if let text = n.string, !text.isEmpty { name = text } else {
                        error("wrong-type", "metadata.name must be a non-empty string, found \(n.typeName)", n.mark)
                    }
                } else {
                    error("missing-field", "metadata is missing 'name'", meta.mark)
                }
                labels = stringMap(meta["labels"], "metadata.labels", file: file, into: &result)
                annotations = stringMap(meta["annotations"], "metadata.annotations", file: file, into: &result)
                policy = readPolicy(meta["annotations"], file: file, into: &result)
            } else {
                error("wrong-type", "metadata must be a mapping, found \(meta.typeName)", meta.mark)
            }
        } else {
            error("missing-field", "manifest is missing 'metadata' with a name", doc.mark)
        }
        guard let kind, let name else { return }
        let definition = KindDefinition.of(kind)
        if !definition.nameRule.accepts(name) {
            error("invalid-name", "\(kind.rawValue) name '\(name)' is not valid: \(definition.nameRule.explanation)", nameMark)
            ok = false
        }
        // spec
        guard let specNode = doc["spec"] else {
            error("missing-field", "manifest is missing 'spec'", doc.mark)
            return
        }
        var checker = ShapeChecker(file: file, limits: limits, source: source, memo: memo)
        guard var spec = checker.check(specNode, .object(definition.spec), path: "spec") else {
            result.diagnostics += checker.diagnostics
            return
        }
        result.diagnostics += checker.diagnostics
        if let nameField = definition.nameField, let given = specNode[nameField], let text = given.string, text != name {
            error("name-mismatch", "spec.\(nameField) '\(text)' differs from metadata.name '\(name)'; remove it or make them equal", given.mark)
            ok = false
        }
        if let nameField = definition.nameField { spec = spec.setting(nameField, nil) }
        // The kind's rules read fields the shape has vouched for; on a spec with shape errors
        // they would only echo them ("missing instanceType" after "unknown field intanceType").
        var context = RuleContext(file: file, name: name, node: specNode, spec: spec, embedded: checker.embedded)
        if !checker.diagnostics.hasErrors {
            definition.rules(&context)
            result.diagnostics += context.diagnostics
        }
        guard ok else { return }
        result.manifests.append(Manifest(
            id: ResourceID(kind, name),
            location: SourceLocation(file: file, doc.mark),
            nameLocation: SourceLocation(file: file, nameMark),
            labels: labels, annotations: annotations, policy: policy, spec: spec,
            references: checker.references + context.references))
    }

    static func stringMap(_ node: YAMLNode?, _ path: String, file: String, into result: inout Result) -> [String: String] {
        guard let node else { return [:] }
        guard let entries = node.entries else {
            result.diagnostics.append(.error("wrong-type", "\(path) must be a mapping of strings, found \(node.typeName)", at: SourceLocation(file: file, node.mark)))
            return [:]
        }
        var map: [String: String] = [:]
        for e in entries {
            if let s = e.value.string {
                map[e.key] = s
            } else {
                let hint = e.value.scalar.map { "; quote it: \"\($0.text)\"" } ?? ""
                result.diagnostics.append(.error("wrong-type", "\(path).\(e.key) must be a string, found \(e.value.typeName)\(hint)", at: SourceLocation(file: file, e.value.mark)))
            }
        }
        return map
    }

    static func readPolicy(_ node: YAMLNode?, file: String, into result: inout Result) -> ManifestPolicy {
        var policy = ManifestPolicy()
        for e in node?.entries ?? [] where e.key.hasPrefix("tidemark.dev/") {
            let at = SourceLocation(file: file, e.value.mark)
            guard knownAnnotations.contains(e.key) else {
                var message = "unknown annotation '\(e.key)'"
                if let guess = Suggestion.closest(to: e.key, in: knownAnnotations) { message += ", did you mean '\(guess)'?" }
                result.diagnostics.append(.error("unknown-annotation", message, at: SourceLocation(file: file, e.keyMark)))
                continue
            }
            guard let value = e.value.string else { continue }  // reported by stringMap
            switch e.key {
            case deletionPolicyAnnotation:
                if value == "retain" { policy.retainOnDelete = true } else if value != "delete" {
                    result.diagnostics.append(.error("invalid-value", "\(e.key) must be 'retain' or 'delete', found '\(value)'", at: at))
                }
            default:
                guard value == "true" || value == "false" else {
                    result.diagnostics.append(.error("invalid-value", "\(e.key) must be \"true\" or \"false\", found '\(value)'", at: at))
                    continue
                }
                if e.key == adoptAnnotation { policy.adopt = value == "true" } else { policy.allowDestroy = value == "true" }
            }
        }
        return policy
    }
}
