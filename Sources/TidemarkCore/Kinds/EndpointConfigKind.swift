/// EndpointConfig (reference §5.2, §11.5): immutable; 1–10 variants with instance or
/// serverless settings; data capture; async inference; one shadow variant at most.
enum EndpointConfigKind {
    static let variant = Shape.object([
        Field("variantName", .name(.hyphenated63), required: true),
        Field("modelName", .name(.model), references: .model, "A Model's metadata.name."),
        Field("instanceType", .text(max: 64, min: 1)),
        Field("initialInstanceCount", .int(min: 1)),
        Field("initialVariantWeight", .number(min: 0, max: nil), default: .double(1)),
        Field("acceleratorType", .text(max: 64)),
        Field("serverlessConfig", .object([
            Field("memorySizeInMB", .int(1024...6144), required: true),
            Field("maxConcurrency", .int(1...200), required: true),
            Field("provisionedConcurrency", .int(1...200)),
        ])),
        Field("volumeSizeInGB", .int(1...512)),
        Field("modelDataDownloadTimeoutInSeconds", .int(60...3600)),
        Field("containerStartupHealthCheckTimeoutInSeconds", .int(60...3600)),
        Field("enableSSMAccess", .boolean),
        Field("managedInstanceScaling", .object([
            Field("status", .oneOf(["ENABLED", "DISABLED"])),
            Field("minInstanceCount", .int(min: 0)),
            Field("maxInstanceCount", .int(min: 1)),
        ])),
        Field("routingConfig", .object([
            Field("routingStrategy", .oneOf(["LEAST_OUTSTANDING_REQUESTS", "RANDOM"]), required: true),
        ])),
        Field("inferenceAmiVersion", .text(max: 64)),
        Field("coreDumpConfig", .object([
            Field("destinationS3URI", CommonShapes.s3URI, required: true),
            Field("kmsKeyID", CommonShapes.kmsKeyID),
        ])),
    ])

    static let definition = KindDefinition(
        kind: .endpointConfig,
        spec: ObjectShape([
            Field("endpointConfigName", .name(.hyphenated63)),
            Field("productionVariants", .list(variant, count: 1...10, key: "variantName"), required: true),
            Field("shadowProductionVariants", .list(variant, count: 1...10, key: "variantName")),
            Field("dataCaptureConfig", .object([
                Field("enableCapture", .boolean, default: .bool(true)),
                Field("initialSamplingPercentage", .int(0...100), required: true),
                Field("destinationS3URI", CommonShapes.s3URI, required: true),
                Field("kmsKeyID", CommonShapes.kmsKeyID),
                Field("captureOptions", .list(.object([
                    Field("captureMode", .oneOf(["Input", "Output", "InputAndOutput"]), required: true),
                ]), count: 1...32, key: "captureMode"), required: true),
                Field("captureContentTypeHeader", .object([
                    Field("csvContentTypes", .list(.text(max: 256, min: 1), count: 1...10)),
                    Field("jsonContentTypes", .list(.text(max: 256, min: 1), count: 1...10)),
                ])),
            ])),
            Field("asyncInferenceConfig", .object([
                Field("clientConfig", .object([Field("maxConcurrentInvocationsPerInstance", .int(1...1000))])),
                Field("outputConfig", .object([
                    Field("kmsKeyID", CommonShapes.kmsKeyID),
                    Field("s3OutputPath", CommonShapes.s3URI),
                    Field("s3FailurePath", CommonShapes.s3URI),
                    Field("notificationConfig", .object([
                        Field("successTopic", CommonShapes.arn),
                        Field("errorTopic", CommonShapes.arn),
                        Field("includeInferenceResponseIn", .list(.oneOf(["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"]))),
                    ])),
                ]), required: true),
            ])),
            Field("kmsKeyID", CommonShapes.kmsKeyID),
            Field("executionRoleARN", CommonShapes.arn),
            Field("vpcConfig", CommonShapes.vpcConfig),
            Field("enableNetworkIsolation", .boolean, default: .bool(false)),
            CommonShapes.tags,
        ]),
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
            if let type = v["instanceType"], let t = type.string, !t.hasPrefix("ml.") {
                c.error("invalid-value", "variant '\(name)': instanceType '\(t)' is not a SageMaker instance type (ml.*)", at: type)
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
