/// EndpointConfig (reference §5.2, §11.5): immutable; 1–10 variants with instance or
/// serverless settings; data capture; async inference; one shadow variant at most.
enum EndpointConfigKind {
    static let definition = KindDefinition(
        kind: .endpointConfig,
        spec: .spec(from: SageMakerOperations.createEndpointConfig.input, nameField: "endpointConfigName", [
            .defaultValue("dataCaptureConfig.enableCapture", .bool(true)),
            .keyed("dataCaptureConfig.captureOptions", by: "captureMode"),
            .defaultValue("enableNetworkIsolation", .bool(false)),
        ] + ["productionVariants", "shadowProductionVariants"].flatMap { v in [
            .keyed(v, by: "variantName"),
            .references("\(v).modelName", .model, "A Model's metadata.name."),
            .defaultValue("\(v).initialVariantWeight", .double(1)),
        ] }),
        nameRule: .hyphenated63,
        nameField: "endpointConfigName",
        versionedNames: true,
        replacementIsDestructive: false,
        summary: "How an endpoint serves: variants with models, instances or serverless capacity, data capture.",
        rules: rules)

    @Sendable static func rules(_ c: inout RuleContext) {
        let production = c.node["productionVariants"]?.items ?? []
        let shadow = c.node["shadowProductionVariants"]?.items ?? []
        for v in production + shadow {
            let name = v["variantName"]?.string ?? "?"
            let serverless = v["serverlessConfig"]
            let hasInstances = v["instanceType"] != nil || v["initialInstanceCount"] != nil
            if let serverless {
                if hasInstances {
                    c.error("invalid-combination", "variant '\(name)' sets both serverlessConfig and instance settings; use one", at: serverless)
                }
                if let memory = serverless["memorySizeInMB"], let mb = memory.int, mb % 1024 != 0 {
                    c.error("invalid-value", "variant '\(name)': serverless memorySizeInMB must be 1024, 2048, 3072, 4096, 5120 or 6144, found \(mb)", at: memory)
                }
                if let p = serverless["provisionedConcurrency"]?.int, let m = serverless["maxConcurrency"]?.int, p > m {
                    c.error("invalid-value", "variant '\(name)': provisionedConcurrency (\(p)) must not exceed maxConcurrency (\(m))", at: serverless["provisionedConcurrency"])
                }
            } else {
                if v["instanceType"] == nil {
                    c.error("missing-field", "variant '\(name)' needs instanceType and initialInstanceCount, or serverlessConfig", at: v)
                } else if v["initialInstanceCount"] == nil {
                    c.error("missing-field", "variant '\(name)' needs initialInstanceCount with instanceType", at: v)
                }
            }
            if let m = v["managedInstanceScaling"], let lo = m["minInstanceCount"]?.int, let hi = m["maxInstanceCount"]?.int, lo > hi {
                c.error("invalid-value", "variant '\(name)': managedInstanceScaling.minInstanceCount exceeds maxInstanceCount", at: m)
            }
        }
        if let shadowNode = c.node["shadowProductionVariants"] {
            if production.count != 1 || shadow.count != 1 {
                c.error("invalid-combination", "with shadowProductionVariants, use exactly one production variant and one shadow variant", at: shadowNode)
            }
            let names = Set(production.compactMap { $0["variantName"]?.string })
            for v in shadow where names.contains(v["variantName"]?.string ?? "") {
                c.error("duplicate-entry", "shadow variant '\(v["variantName"]?.string ?? "")' has the same name as a production variant", at: v)
            }
        }
        let weights = production.compactMap { $0["initialVariantWeight"]?.number }
        if weights.count == production.count, !weights.isEmpty, weights.allSatisfy({ $0 == 0 }) {
            c.error("invalid-value", "every production variant has weight 0, so no traffic can be served", at: c.node["productionVariants"])
        }
        if let capture = c.node["dataCaptureConfig"], capture["enableCapture"]?.bool != false,
           capture["initialSamplingPercentage"]?.int == 0 {
            c.warning("ineffective-field", "data capture is enabled with a 0% sampling rate, so nothing is captured", at: capture["initialSamplingPercentage"])
        }
    }
}
