/// Rules across resources: unique identities, references that resolve, the approval gate,
/// deployment policies against the configs they deploy, monitoring of capturing endpoints.
public enum Validator {
    public struct Result: Sendable {
        public var desired: DesiredState
        public var diagnostics: [Diagnostic]
    }

    public static func validate(_ manifests: [Manifest]) -> Result {
        var diagnostics: [Diagnostic] = []
        var byID = ResourceMap<Manifest>()
        for m in manifests.sorted(by: { $0.location < $1.location }) {
            if let first = byID[m.id] {
                diagnostics.append(duplicate(m, first: first))
                continue
            }
            byID[m.id] = m
        }
        let state = DesiredState(byID)
        var dangling: [Reference] = []
        for m in byID.values {
            dangling += danglingReferences(of: m, in: state)
            diagnostics += check(m, in: state)
        }
        diagnostics += danglingDiagnostics(dangling, in: state)
        return Result(desired: state, diagnostics: diagnostics)
    }

    /// Which of several definitions of one identity counts (the first in the files' order),
    /// and a diagnostic at each of the others.
    public static func pick(_ definitions: [Manifest]) -> (Manifest?, [Diagnostic]) {
        guard definitions.count > 1 else { return (definitions.first, []) }
        let sorted = definitions.sorted { $0.location < $1.location }
        return (sorted[0], sorted.dropFirst().map { duplicate($0, first: sorted[0]) })
    }

    static func duplicate(_ m: Manifest, first: Manifest) -> Diagnostic {
        .error("duplicate-resource", "\(m.id) is defined twice: here and at \(first.nameLocation)", at: m.nameLocation)
    }

    /// The references of `m` that no manifest defines.
    public static func danglingReferences(of m: Manifest, in state: DesiredState) -> [Reference] {
        m.references.filter { !state.contains(ResourceID($0.kind, $0.name)) }
    }

    /// A diagnostic for each dangling reference, with a did-you-mean among every name of its
    /// kind (so it is made over the whole state, and only when there are some).
    public static func danglingDiagnostics(_ references: [Reference], in state: DesiredState) -> [Diagnostic] {
        guard !references.isEmpty else { return [] }
        let names = Dictionary(grouping: state.manifests.keys, by: \.kind).mapValues { $0.map(\.name).sorted() }
        return references.map { ref in
            var message = "\(ref.path) refers to \(ref.kind.rawValue) '\(ref.name)', which no manifest defines"
            if let guess = Suggestion.closest(to: ref.name, in: names[ref.kind] ?? []) {
                message += "; did you mean '\(guess)'?"
            }
            return .error("dangling-reference", message, at: ref.location)
        }
    }

    /// The rules of one resource over what it (transitively) references: the approval gate,
    /// deployment policies against the config, monitoring of a capturing endpoint. A result
    /// depends only on the resource and what it references, so after a change only the
    /// changed resources and those referencing them need checking again.
    public static func check(_ m: Manifest, in state: DesiredState) -> [Diagnostic] {
        switch m.id.kind {
        case .endpoint:
            return approvalGate(m, state) + deploymentFitsConfig(m, state)
        case .monitoringSchedule:
            return monitoredEndpointCaptures(m, state)
        default:
            return []
        }
    }

    static func reference(_ m: Manifest, _ kind: ResourceKind) -> [Reference] {
        m.references.filter { $0.kind == kind }
    }

    /// The models an EndpointConfig serves, and the packages they deploy.
    static func servedPackages(of configID: ResourceID, _ state: DesiredState) -> [(model: ResourceID, package: Manifest)] {
        guard let config = state[configID] else { return [] }
        var out: [(ResourceID, Manifest)] = []
        for modelRef in reference(config, .model) {
            let modelID = ResourceID(.model, modelRef.name)
            guard let model = state[modelID] else { continue }
            for pkgRef in reference(model, .modelPackage) {
                if let pkg = state[ResourceID(.modelPackage, pkgRef.name)] { out.append((modelID, pkg)) }
            }
        }
        return out
    }

    /// An Endpoint never serves a ModelPackage that is not Approved.
    static func approvalGate(_ endpoint: Manifest, _ state: DesiredState) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for configRef in reference(endpoint, .endpointConfig) {
            let configID = ResourceID(.endpointConfig, configRef.name)
            // Approval belongs to versioned packages (in a group); an unversioned one has none.
            for (modelID, pkg) in servedPackages(of: configID, state) where pkg.definition.serviceAssignsName(pkg.spec) {
                let status = pkg.spec["modelApprovalStatus"]?.stringValue
                guard status != "Approved" else { continue }
                out.append(.error("approval-gate",
                    "\(endpoint.id) would serve \(pkg.id) (through \(configID) → \(modelID)), whose modelApprovalStatus is \(status ?? "not set"); only Approved packages may be served",
                    at: configRef.location))
            }
        }
        return out
    }

    /// Canary, linear and rolling sizes against the variants' instance counts; rolling
    /// deployments exclude serverless and multi-variant endpoints.
    static func deploymentFitsConfig(_ endpoint: Manifest, _ state: DesiredState) -> [Diagnostic] {
        guard let deployment = endpoint.spec["deploymentConfig"],
              let configRef = reference(endpoint, .endpointConfig).first,
              let config = state[ResourceID(.endpointConfig, configRef.name)] else { return [] }
        let variants = config.spec["productionVariants"]?.elements ?? []
        let counts = variants.compactMap { $0["initialInstanceCount"]?.intValue }
        let serverless = variants.contains { $0["serverlessConfig"] != nil }
        var out: [Diagnostic] = []
        let at = configRef.location
        if deployment["rollingUpdatePolicy"] != nil {
            if serverless {
                out.append(.error("deployment-policy", "a rolling deployment cannot update a serverless endpoint (\(config.id) is serverless)", at: at))
            }
            if variants.count > 1 {
                out.append(.error("deployment-policy", "a rolling deployment cannot update a multi-variant endpoint (\(config.id) has \(variants.count) variants)", at: at))
            }
        } else if serverless, let routing = deployment["blueGreenUpdatePolicy"]?["trafficRoutingConfiguration"],
                  routing["type"]?.stringValue != "ALL_AT_ONCE" {
            out.append(.warning("deployment-policy", "deployment guardrails apply to real-time and asynchronous endpoints; \(config.id) is serverless", at: at))
        }
        guard let smallest = counts.min(), counts.count == variants.count else { return out }
        // Integer arithmetic, checked: any count the shapes let through (0, Int64.max) gives a
        // diagnostic, never a trap.
        func check(_ size: Value?, _ what: String, _ range: ClosedRange<Int64>, _ rule: String) {
            guard let size, size["type"]?.stringValue == "INSTANCE_COUNT", let v = size["value"]?.intValue else { return }
            guard smallest > 0 else {
                out.append(.error("deployment-policy",
                    "\(what) counts instances, but \(config.id) has a variant with \(smallest) instances; give every variant at least one instance or use CAPACITY_PERCENT", at: at))
                return
            }
            let (hundredfold, overflow) = v.multipliedReportingOverflow(by: 100)
            let share = overflow ? nil : Optional(hundredfold / smallest)
            if let share, range.contains(share), hundredfold % smallest == 0 || share < range.upperBound { return }
            let shown = share.map { "\($0)%" } ?? "far more than 100%"
            out.append(.error("deployment-policy",
                "\(what) of \(v) instance(s) is \(shown) of \(config.id)'s \(smallest) instance(s); it must be \(rule)", at: at))
        }
        let routing = deployment["blueGreenUpdatePolicy"]?["trafficRoutingConfiguration"]
        check(routing?["canarySize"], "canarySize", 0...50, "at most 50%")
        check(routing?["linearStepSize"], "linearStepSize", 10...50, "10–50%")
        check(deployment["rollingUpdatePolicy"]?["maximumBatchSize"], "maximumBatchSize", 5...50, "5–50%")
        return out
    }

    /// A monitored endpoint must capture data.
    static func monitoredEndpointCaptures(_ schedule: Manifest, _ state: DesiredState) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for ref in reference(schedule, .endpoint) {
            guard let endpoint = state[ResourceID(.endpoint, ref.name)],
                  let configRef = reference(endpoint, .endpointConfig).first,
                  let config = state[ResourceID(.endpointConfig, configRef.name)] else { continue }
            let capture = config.spec["dataCaptureConfig"]
            if capture == nil || capture?["enableCapture"] == .bool(false) {
                out.append(.error("monitoring-without-capture",
                    "\(schedule.id) monitors \(endpoint.id), but its \(config.id) does not capture data; add dataCaptureConfig with enableCapture: true",
                    at: ref.location))
            }
        }
        return out
    }
}
