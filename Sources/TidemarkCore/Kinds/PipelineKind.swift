/// Pipeline (reference §3, §11.3): everything but the name updates in place. The definition
/// may be a YAML mapping or a JSON string; both are compared as structure.
enum PipelineKind {
    static let knownStepTypes: Set<String> = [
        "Training", "Processing", "Transform", "Tuning", "Model", "RegisterModel", "Fail", "EMR", "AutoML",
        "Endpoint", "EndpointConfig", "Condition", "Lambda", "Callback", "QualityCheck", "ClarifyCheck",
    ]
    static let argumentsRequired: Set<String> = [
        "Training", "Processing", "Transform", "Tuning", "Model", "RegisterModel", "Fail", "EMR", "AutoML",
        "Endpoint", "EndpointConfig", "Condition",
    ]
    static let topLevelKeys = ["Version", "Metadata", "Parameters", "PipelineExperimentConfig", "Steps"]

    static let definition = KindDefinition(
        kind: .pipeline,
        spec: .spec(from: SageMakerOperations.createPipeline.input, nameField: "pipelineName", [
            .shape("pipelineDefinition", .document(acceptsJSONString: true)),
            .summary("pipelineDefinition", "The pipeline definition (Version, Parameters, Steps) as a mapping or a JSON string."),
            .exactlyOneOf("", ["pipelineDefinition", "pipelineDefinitionS3Location"]),
        ] + ["pipelineDisplayName", "pipelineDescription", "roleARN", "pipelineDefinition", "pipelineDefinitionS3Location",
             "parallelismConfiguration"].map { .updatable($0) }),
        nameRule: .hyphenated256,
        nameField: "pipelineName",
        versionedNames: false,
        replacementIsDestructive: false,
        summary: "A SageMaker Pipelines DAG of steps (processing, training, condition, RegisterModel, ...).",
        rules: rules,
        updateOperation: SageMakerOperations.updatePipeline)

    struct Step {
        let name: String
        let node: YAMLNode
    }

    @Sendable static func rules(_ c: inout RuleContext) {
        guard let def = c.embedded["spec.pipelineDefinition"] ?? c.node["pipelineDefinition"] else { return }
        guard let entries = def.entries else {
            c.error("wrong-type", "pipelineDefinition must be a mapping (or a JSON object)", at: def)
            return
        }
        for e in entries where !topLevelKeys.contains(e.key) {
            var message = "unknown key '\(e.key)' in pipelineDefinition"
            if let guess = Suggestion.closest(to: e.key, in: topLevelKeys) { message += ", did you mean '\(guess)'?" }
            c.warning("unknown-field", message, at: YAMLNode(e.value.content, at: e.keyMark))
        }
        if let version = def["Version"], version.string != "2020-12-01" {
            c.error("invalid-value", "pipelineDefinition Version must be \"2020-12-01\"", at: version)
        }
        // Parameters.
        var parameters: Set<String> = []
        if let params = def["Parameters"] {
            guard let items = params.items else {
                c.error("wrong-type", "Parameters must be a list", at: params)
                return
            }
            for p in items {
                guard let nameNode = p["Name"], let name = nameNode.string else {
                    c.error("missing-field", "a pipeline parameter needs a Name", at: p)
                    continue
                }
                if !NameRule.pipelineStep.accepts(name) {
                    c.error("invalid-name", "parameter name '\(name)' is not valid: \(NameRule.pipelineStep.explanation)", at: nameNode)
                }
                if !parameters.insert(name).inserted {
                    c.error("duplicate-entry", "parameter '\(name)' is declared twice", at: nameNode)
                }
                let type = p["Type"]?.string ?? "String"
                if !["String", "Integer", "Float", "Boolean"].contains(type) {
                    c.error("invalid-value", "parameter '\(name)' has Type '\(type)'; use String, Integer, Float or Boolean", at: p["Type"])
                } else if let d = p["DefaultValue"], !defaultMatches(d, type) {
                    c.error("wrong-type", "parameter '\(name)' is \(type) but its DefaultValue is \(d.typeName)", at: d)
                }
            }
        }
        // Steps, including those nested in Condition branches.
        guard let stepsNode = def["Steps"] else {
            c.error("missing-field", "pipelineDefinition needs Steps", at: def)
            return
        }
        guard let topSteps = stepsNode.items, !topSteps.isEmpty else {
            c.error("too-few", "pipelineDefinition Steps must be a non-empty list", at: stepsNode)
            return
        }
        var steps: [Step] = []
        var pending = topSteps
        var seen: [String: YAMLNode] = [:]
        while let node = pending.popLast() {
            guard node.entries != nil else {
                c.error("wrong-type", "a step must be a mapping", at: node)
                continue
            }
            guard let nameNode = node["Name"], let name = nameNode.string else {
                c.error("missing-field", "a step needs a Name", at: node)
                continue
            }
            if !NameRule.pipelineStep.accepts(name) {
                c.error("invalid-name", "step name '\(name)' is not valid: \(NameRule.pipelineStep.explanation)", at: nameNode)
            }
            if let other = seen[name] {
                // Steps are visited in no particular order: name the earlier by position.
                let (first, second) = (other.mark.line, other.mark.column) <= (nameNode.mark.line, nameNode.mark.column) ? (other, nameNode) : (nameNode, other)
                c.error("duplicate-entry", "step name '\(name)' is used twice (first at line \(first.mark.line))", at: second)
                continue
            }
            seen[name] = nameNode
            steps.append(Step(name: name, node: node))
            checkStep(&c, name: name, node: node)
            if node["Type"]?.string == "Condition" {
                for branch in ["IfSteps", "ElseSteps"] {
                    pending += node["Arguments"]?[branch]?.items ?? []
                }
            }
        }
        steps.sort { $0.node.mark < $1.node.mark }
        let names = Set(steps.map(\.name))
        // Edges: DependsOn and data dependencies through {"Get": "Steps.X..."}.
        var edges: [String: [String]] = [:]
        for step in steps {
            var deps: [String] = []
            if let dependsOn = step.node["DependsOn"] {
                for d in dependsOn.items ?? [] {
                    guard let target = d.string else {
                        c.error("wrong-type", "DependsOn entries must be step names", at: d)
                        continue
                    }
                    if target == step.name {
                        c.error("pipeline-cycle", "step '\(target)' depends on itself", at: d)
                    } else if names.contains(target) {
                        deps.append(target)
                    } else {
                        var message = "step '\(step.name)' depends on '\(target)', which is not a step"
                        if let guess = Suggestion.closest(to: target, in: Array(names)) { message += "; did you mean '\(guess)'?" }
                        c.error("dangling-reference", message, at: d)
                    }
                }
                if dependsOn.items == nil { c.error("wrong-type", "DependsOn must be a list of step names", at: dependsOn) }
            }
            forEachGet(in: step.node) { expr, node in
                let parts = expr.split(separator: ".", maxSplits: 2).map(String.init)
                guard parts.count >= 2 else { return }
                switch parts[0] {
                case "Parameters" where !parameters.contains(parts[1]):
                    var message = "step '\(step.name)' uses Parameters.\(parts[1]), which is not declared in Parameters"
                    if let guess = Suggestion.closest(to: parts[1], in: Array(parameters)) { message += "; did you mean '\(guess)'?" }
                    c.error("undeclared-parameter", message, at: node)
                case "Steps":
                    if names.contains(parts[1]) {
                        if parts[1] != step.name { deps.append(parts[1]) }
                    } else {
                        c.error("dangling-reference", "step '\(step.name)' reads Steps.\(parts[1]), which is not a step", at: node)
                    }
                default: break
                }
            }
            edges[step.name] = deps
        }
        if let cycle = findCycle(steps.map(\.name), edges) {
            let at = steps.first { $0.name == cycle[0] }?.node
            c.error("pipeline-cycle", "pipeline steps form a cycle: \(cycle.joined(separator: " → "))", at: at)
        }
        // RegisterModel steps name a model package group: a reference when it is a plain name.
        for step in steps where step.node["Type"]?.string == "RegisterModel" {
            if let group = step.node["Arguments"]?["ModelPackageGroupName"], let name = group.string, !name.hasPrefix("arn:") {
                c.reference(.modelPackageGroup, name, at: group, path: "spec.pipelineDefinition.Steps[\(step.name)].Arguments.ModelPackageGroupName")
            }
        }
    }

    static func checkStep(_ c: inout RuleContext, name: String, node: YAMLNode) {
        guard let typeNode = node["Type"], let type = typeNode.string else {
            c.error("missing-field", "step '\(name)' needs a Type", at: node)
            return
        }
        guard knownStepTypes.contains(type) else {
            var message = "step '\(name)' has a step type '\(type)' that Tidemark does not know; the service may still accept it"
            if let guess = Suggestion.closest(to: type, in: Array(knownStepTypes)) { message += " (did you mean '\(guess)'?)" }
            c.warning("unknown-step-type", message, at: typeNode)
            return
        }
        if argumentsRequired.contains(type), node["Arguments"] == nil {
            c.error("missing-field", "a \(type) step needs Arguments", at: node)
        }
        switch type {
        case "Condition":
            if node["Arguments"] != nil, node["Arguments"]?["Conditions"] == nil {
                c.error("missing-field", "Condition step '\(name)' needs Arguments.Conditions", at: node["Arguments"])
            }
        case "Lambda" where node["FunctionArn"] == nil:
            c.error("missing-field", "Lambda step '\(name)' needs FunctionArn", at: node)
        case "Callback" where node["SqsQueueUrl"] == nil:
            c.error("missing-field", "Callback step '\(name)' needs SqsQueueUrl", at: node)
        case "QualityCheck", "ClarifyCheck":
            let allowed = type == "QualityCheck" ? ["DATA_QUALITY", "MODEL_QUALITY"] : ["DATA_BIAS", "MODEL_BIAS", "MODEL_EXPLAINABILITY"]
            if let check = node["CheckType"]?.string, !allowed.contains(check) {
                c.error("invalid-value", "\(type) step '\(name)' CheckType must be one of \(allowed.joined(separator: ", "))", at: node["CheckType"])
            } else if node["CheckType"] == nil {
                c.error("missing-field", "\(type) step '\(name)' needs CheckType", at: node)
            }
        default: break
        }
    }

    static func defaultMatches(_ node: YAMLNode, _ type: String) -> Bool {
        switch type {
        case "Integer": return node.int != nil
        case "Float": return node.number != nil
        case "Boolean": return node.bool != nil
        default: return node.string != nil
        }
    }

    /// Calls `body` for every `{"Get": "..."}` expression below `node` (iteratively).
    static func forEachGet(in node: YAMLNode, _ body: (String, YAMLNode) -> Void) {
        var stack = [node]
        while let n = stack.popLast() {
            switch n.content {
            case .scalar: break
            case .sequence(let items): stack += items
            case .mapping(let entries):
                for e in entries {
                    if e.key == "Get", let expr = e.value.string { body(expr, e.value) } else { stack.append(e.value) }
                }
            }
        }
    }

    /// The first cycle found by depth-first search, as `[a, b, ..., a]`, or nil.
    static func findCycle(_ nodes: [String], _ edges: [String: [String]]) -> [String]? {
        var state: [String: Int] = [:]  // 1 = on the stack, 2 = done
        for root in nodes where state[root] == nil {
            var path: [String] = [root]
            var iterators: [IndexingIterator<[String]>] = [(edges[root] ?? []).makeIterator()]
            state[root] = 1
            while !path.isEmpty {
                if let next = iterators[iterators.count - 1].next() {
                    switch state[next] {
                    case 1?:
                        let start = path.firstIndex(of: next) ?? 0
                        return Array(path[start...]) + [next]
                    case 2?: continue
                    default:
                        state[next] = 1
                        path.append(next)
                        iterators.append((edges[next] ?? []).makeIterator())
                    }
                } else {
                    state[path.removeLast()] = 2
                    iterators.removeLast()
                }
            }
        }
        return nil
    }
}
