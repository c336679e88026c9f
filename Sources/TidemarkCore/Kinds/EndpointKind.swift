/// Endpoint (reference §6, §11.6): serves an EndpointConfig; changing the config or the
/// deployment policy updates it in place through that policy (all at once, canary, linear,
/// rolling) with alarm-based rollback.
enum EndpointKind {
    static let definition = KindDefinition(
        kind: .endpoint,
        spec: .spec(from: SageMakerOperations.createEndpoint.input, nameField: "endpointName", [
            .references("endpointConfigName", .endpointConfig, "An EndpointConfig's metadata.name; changing it deploys through deploymentConfig."),
            .updatable("endpointConfigName"),
            .updatable("deploymentConfig"),
            .defaultValue("deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", .int(0)),
            .keyed("deploymentConfig.autoRollbackConfiguration.alarms", by: "alarmName"),
        ]),
        nameRule: .hyphenated63,
        nameField: "endpointName",
        versionedNames: false,
        replacementIsDestructive: false,
        summary: "A real-time inference endpoint and the policy by which new configs are deployed.",
        rules: rules,
        updateOperation: SageMakerOperations.updateEndpoint,
        deployedFields: ["endpointConfigName"])

    @Sendable static func rules(_ c: inout RuleContext) {
        guard let deployment = c.node["deploymentConfig"] else { return }
        let blueGreen = deployment["blueGreenUpdatePolicy"]
        let rolling = deployment["rollingUpdatePolicy"]
        if blueGreen != nil, let rolling {
            c.error("invalid-combination", "deploymentConfig sets both blueGreenUpdatePolicy and rollingUpdatePolicy; use one", at: rolling)
        }
        if let blueGreen, let routing = blueGreen["trafficRoutingConfiguration"] {
            let type = routing["type"]?.string ?? routing["type_"]?.string ?? ""
            let wait = routing["waitIntervalInSeconds"]?.int ?? 0
            switch type {
            case "CANARY":
                if let size = routing["canarySize"] {
                    checkPercent(&c, size, range: 1...50, what: "canarySize", rule: "at most 50% of the variant's instances")
                } else {
                    c.error("missing-field", "a CANARY traffic routing needs canarySize", at: routing)
                }
                if let extra = routing["linearStepSize"] { c.error("invalid-combination", "linearStepSize applies to LINEAR, not CANARY", at: extra) }
            case "LINEAR":
                if let size = routing["linearStepSize"] {
                    checkPercent(&c, size, range: 10...50, what: "linearStepSize", rule: "10–50% of the variant's instances")
                } else {
                    c.error("missing-field", "a LINEAR traffic routing needs linearStepSize", at: routing)
                }
                if let extra = routing["canarySize"] { c.error("invalid-combination", "canarySize applies to CANARY, not LINEAR", at: extra) }
            case "ALL_AT_ONCE":
                for field in ["canarySize", "linearStepSize"] {
                    if let extra = routing[field] { c.error("invalid-combination", "\(field) has no meaning with ALL_AT_ONCE", at: extra) }
                }
            default: break
            }
            let termination = blueGreen["terminationWaitInSeconds"]?.int ?? 0
            if let timeout = blueGreen["maximumExecutionTimeoutInSeconds"], let t = timeout.int {
                let steps: Int64 = type == "CANARY" ? 2 : 1
                let needed = wait * steps + termination
                if t <= needed {
                    c.error("invalid-value", "maximumExecutionTimeoutInSeconds (\(t)) must exceed the waits it covers (\(needed) s of wait intervals and termination wait)", at: timeout)
                }
            }
        }
        if let rolling {
            if let size = rolling["maximumBatchSize"] {
                checkPercent(&c, size, range: 5...50, what: "maximumBatchSize", rule: "5–50% of the variant's instances")
            }
            if let timeout = rolling["maximumExecutionTimeoutInSeconds"], let t = timeout.int,
               let wait = rolling["waitIntervalInSeconds"]?.int, t <= wait {
                c.error("invalid-value", "maximumExecutionTimeoutInSeconds (\(t)) must exceed waitIntervalInSeconds (\(wait))", at: timeout)
            }
        }
        if let rollback = deployment["autoRollbackConfiguration"], blueGreen == nil, rolling == nil {
            c.warning("implicit-policy", "autoRollbackConfiguration without an update policy uses blue/green all-at-once", at: rollback)
        }
    }

    /// Capacity given as a percentage is checked here; as an instance count it is checked
    /// against the EndpointConfig's instance counts by the cross-resource rules.
    static func checkPercent(_ c: inout RuleContext, _ size: YAMLNode, range: ClosedRange<Int64>, what: String, rule: String) {
        let type = size["type"]?.string ?? size["type_"]?.string
        guard type == "CAPACITY_PERCENT", let valueNode = size["value"], let v = valueNode.int else { return }
        if !range.contains(v) {
            c.error("out-of-range", "\(what) must be \(rule) (\(range.lowerBound)–\(range.upperBound)%), found \(v)%", at: valueNode)
        }
    }
}
