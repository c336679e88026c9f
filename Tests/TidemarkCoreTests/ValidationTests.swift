import Testing
@testable import TidemarkCore

@Suite struct ValidationTests {
    @Test func theExampleStackIsValid() {
        let loaded = Fixtures.load()
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        #expect(loaded.desired.count == 9)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let file: String
        let old: String
        let new: String
        let code: String
        var testDescription: String { name }
    }

    static let failing: [Case] = [
        // Envelope and shapes.
        Case(name: "unknown field suggests the right one", file: Fixtures.serving, old: "instanceType: ml.m5.xlarge", new: "intanceType: ml.m5.xlarge", code: "unknown-field"),
        Case(name: "wrong type names the expected type", file: Fixtures.serving, old: "initialInstanceCount: 4", new: "initialInstanceCount: \"4\"", code: "wrong-type"),
        Case(name: "unknown kind", file: Fixtures.serving, old: "kind: Model\n", new: "kind: Modle\n", code: "unknown-kind"),
        Case(name: "ACK api group", file: Fixtures.serving, old: "apiVersion: tidemark.dev/v1alpha1\nkind: Model", new: "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Model", code: "invalid-api-version"),
        Case(name: "unknown annotation", file: Fixtures.serving, old: "tidemark.dev/deletion-policy: retain", new: "tidemark.dev/deletion-polcy: retain", code: "unknown-annotation"),
        Case(name: "spec name must match metadata", file: Fixtures.serving, old: "  endpointConfigName: fraud-detector\n  deploymentConfig", new: "  endpointName: other\n  endpointConfigName: fraud-detector\n  deploymentConfig", code: "name-mismatch"),
        // Names.
        Case(name: "endpoint name pattern", file: Fixtures.serving, old: "  name: fraud-detector\n  annotations", new: "  name: fraud_detector\n  annotations", code: "invalid-name"),
        Case(name: "versioned names stay within the service's 63", file: Fixtures.serving, old: "  name: fraud-xgb\n", new: "  name: \(String(repeating: "m", count: 64))\n", code: "invalid-name"),
        // FeatureGroup.
        Case(name: "record identifier among definitions", file: Fixtures.featureStore, old: "recordIdentifierFeatureName: transaction_id", new: "recordIdentifierFeatureName: txn_id", code: "unknown-feature"),
        Case(name: "event time type", file: Fixtures.featureStore, old: "{featureName: event_time, featureType: Fractional}", new: "{featureName: event_time, featureType: Integral}", code: "invalid-value"),
        Case(name: "reserved feature names", file: Fixtures.featureStore, old: "{featureName: is_foreign,", new: "{featureName: write_time,", code: "reserved-name"),
        Case(name: "a store is required", file: Fixtures.featureStore, old: "  onlineStoreConfig:\n    enableOnlineStore: true\n    ttlDuration: {unit: Days, value: 30}\n  offlineStoreConfig:\n    s3StorageConfig:\n      s3URI: s3://risk-ml-feature-store/offline\n    tableFormat: Iceberg\n", new: "  onlineStoreConfig:\n    enableOnlineStore: false\n", code: "missing-store"),
        Case(name: "table format enum", file: Fixtures.featureStore, old: "tableFormat: Iceberg", new: "tableFormat: Parquet", code: "invalid-value"),
        Case(name: "iceberg needs glue", file: Fixtures.featureStore, old: "tableFormat: Iceberg", new: "tableFormat: Iceberg\n    disableGlueTableCreation: true", code: "invalid-combination"),
        Case(name: "duplicate features", file: Fixtures.featureStore, old: "{featureName: is_foreign,", new: "{featureName: amount,", code: "duplicate-entry"),
        // Pipeline.
        Case(name: "unique step names", file: Fixtures.pipeline, old: "- Name: Evaluate", new: "- Name: Train", code: "duplicate-entry"),
        Case(name: "DependsOn resolves", file: Fixtures.pipeline, old: "DependsOn: [Train]", new: "DependsOn: [Trian]", code: "dangling-reference"),
        Case(name: "steps are acyclic", file: Fixtures.pipeline, old: "DependsOn: [Preprocess]", new: "DependsOn: [Preprocess, CheckAuc]", code: "pipeline-cycle"),
        Case(name: "parameters are declared", file: Fixtures.pipeline, old: "{Get: Parameters.TrainingInstanceType}", new: "{Get: Parameters.TrainingInstance}", code: "undeclared-parameter"),
        Case(name: "RegisterModel group resolves", file: Fixtures.pipeline, old: "ModelPackageGroupName: fraud-models", new: "ModelPackageGroupName: fraud-modles", code: "dangling-reference"),
        Case(name: "pipeline names allow no underscores", file: Fixtures.pipeline, old: "pipelineDisplayName: fraud-training", new: "pipelineDisplayName: fraud_training", code: "invalid-name"),
        // ModelPackage.
        Case(name: "approval enum", file: Fixtures.registry, old: "modelApprovalStatus: Approved\n  approvalDescription", new: "modelApprovalStatus: Approve\n  approvalDescription", code: "invalid-value"),
        Case(name: "group reference resolves", file: Fixtures.registry, old: "  modelPackageGroupName: fraud-models\n  modelPackageDescription: Baseline", new: "  modelPackageGroupName: fraud\n  modelPackageDescription: Baseline", code: "dangling-reference"),
        Case(name: "at least one container", file: Fixtures.registry, old: "    containers:\n      - image: 354813040037.dkr.ecr.ap-northeast-1.amazonaws.com/sagemaker-xgboost:1.7-1\n        modelDataURL: s3://risk-ml-models/fraud/2026-09/model.tar.gz\n", new: "    containers: []\n", code: "too-few"),
        Case(name: "group or name, not both", file: Fixtures.registry, old: "  modelPackageGroupName: fraud-models\n  modelPackageDescription: Baseline", new: "  modelPackageGroupName: fraud-models\n  modelPackageName: x\n  modelPackageDescription: Baseline", code: "conflicting-fields"),
        // Model.
        Case(name: "package reference resolves", file: Fixtures.serving, old: "modelPackageName: fraud-xgb-v1", new: "modelPackageName: fraud-xgb-v9", code: "dangling-reference"),
        // EndpointConfig.
        Case(name: "model reference resolves", file: Fixtures.serving, old: "modelName: fraud-xgb", new: "modelName: fraud-xgboost", code: "dangling-reference"),
        Case(name: "instance settings or serverless", file: Fixtures.serving, old: "      initialVariantWeight: 1\n", new: "      initialVariantWeight: 1\n      serverlessConfig: {memorySizeInMB: 2048, maxConcurrency: 10}\n", code: "invalid-combination"),
        Case(name: "serverless memory in GB steps", file: Fixtures.serving, old: "      instanceType: ml.m5.xlarge\n      initialInstanceCount: 4\n", new: "      serverlessConfig: {memorySizeInMB: 1500, maxConcurrency: 10}\n", code: "invalid-value"),
        Case(name: "serverless concurrency 1-200", file: Fixtures.serving, old: "      instanceType: ml.m5.xlarge\n      initialInstanceCount: 4\n", new: "      serverlessConfig: {memorySizeInMB: 2048, maxConcurrency: 500}\n", code: "out-of-range"),
        Case(name: "sampling 0-100", file: Fixtures.serving, old: "initialSamplingPercentage: 20", new: "initialSamplingPercentage: 120", code: "out-of-range"),
        Case(name: "at most 10 variants", file: Fixtures.serving, old: "  productionVariants:\n", new: "  productionVariants:\n" + (1...10).map { "    - {variantName: v\($0), modelName: fraud-xgb, instanceType: ml.m5.large, initialInstanceCount: 1}\n" }.joined(), code: "too-many"),
        Case(name: "unique variant names", file: Fixtures.serving, old: "  productionVariants:\n", new: "  productionVariants:\n    - {variantName: primary, modelName: fraud-xgb, instanceType: ml.m5.large, initialInstanceCount: 1}\n", code: "duplicate-entry"),
        Case(name: "shadow rule", file: Fixtures.serving, old: "  dataCaptureConfig:\n", new: "  shadowProductionVariants:\n    - {variantName: s1, modelName: fraud-xgb, instanceType: ml.m5.large, initialInstanceCount: 1}\n    - {variantName: s2, modelName: fraud-xgb, instanceType: ml.m5.large, initialInstanceCount: 1}\n  dataCaptureConfig:\n", code: "invalid-combination"),
        // Endpoint.
        Case(name: "config reference resolves", file: Fixtures.serving, old: "  endpointConfigName: fraud-detector", new: "  endpointConfigName: fraud-detecter", code: "dangling-reference"),
        Case(name: "canary at most 50%", file: Fixtures.serving, old: "value: 25}", new: "value: 60}", code: "out-of-range"),
        Case(name: "canary instance count at most half", file: Fixtures.serving, old: "canarySize: {type: CAPACITY_PERCENT, value: 25}", new: "canarySize: {type: INSTANCE_COUNT, value: 3}", code: "deployment-policy"),
        Case(name: "linear 10-50%", file: Fixtures.serving, old: "type: CANARY\n        canarySize: {type: CAPACITY_PERCENT, value: 25}", new: "type: LINEAR\n        linearStepSize: {type: CAPACITY_PERCENT, value: 5}", code: "out-of-range"),
        Case(name: "wait interval range", file: Fixtures.serving, old: "waitIntervalInSeconds: 600", new: "waitIntervalInSeconds: 4000", code: "out-of-range"),
        Case(name: "timeout range", file: Fixtures.serving, old: "maximumExecutionTimeoutInSeconds: 3600", new: "maximumExecutionTimeoutInSeconds: 300", code: "out-of-range"),
        Case(name: "timeout covers the waits", file: Fixtures.serving, old: "maximumExecutionTimeoutInSeconds: 3600", new: "maximumExecutionTimeoutInSeconds: 1200", code: "invalid-value"),
        Case(name: "1-10 alarms", file: Fixtures.serving, old: "      alarms:\n        - alarmName: fraud-detector-5xx\n        - alarmName: fraud-detector-p99-latency\n", new: "      alarms: []\n", code: "too-few"),
        Case(name: "one update policy", file: Fixtures.serving, old: "    autoRollbackConfiguration:", new: "    rollingUpdatePolicy:\n      maximumBatchSize: {type: CAPACITY_PERCENT, value: 25}\n      waitIntervalInSeconds: 60\n    autoRollbackConfiguration:", code: "invalid-combination"),
        Case(name: "approval gate", file: Fixtures.serving, old: "modelPackageName: fraud-xgb-v1", new: "modelPackageName: fraud-xgb-v2", code: "approval-gate"),
        // MonitoringSchedule.
        Case(name: "only hourly-or-slower cron", file: Fixtures.monitoring, old: "cron(0 * ? * * *)", new: "cron(*/5 * ? * * *)", code: "invalid-schedule"),
        Case(name: "cron days are not restricted", file: Fixtures.monitoring, old: "cron(0 * ? * * *)", new: "cron(0 12 ? * MON *)", code: "invalid-schedule"),
        Case(name: "NOW needs offsets", file: Fixtures.monitoring, old: "scheduleExpression: cron(0 * ? * * *)", new: "scheduleExpression: NOW", code: "missing-field"),
        Case(name: "four monitoring types", file: Fixtures.monitoring, old: "monitoringType: DataQuality", new: "monitoringType: DataDrift", code: "invalid-value"),
        Case(name: "hourly runtime limit", file: Fixtures.monitoring, old: "maxRuntimeInSeconds: 1800", new: "maxRuntimeInSeconds: 7200", code: "out-of-range"),
        Case(name: "monitored endpoint resolves", file: Fixtures.monitoring, old: "endpointName: fraud-detector", new: "endpointName: fraud", code: "dangling-reference"),
        Case(name: "monitored endpoint captures data", file: Fixtures.serving, old: "    enableCapture: true", new: "    enableCapture: false", code: "monitoring-without-capture"),
    ]

    @Test(arguments: failing)
    func ruleFailsWithALocatedError(_ c: Case) throws {
        let loaded = Fixtures.load([(c.file, c.old, c.new)])
        let matching = loaded.diagnostics.filter { $0.code == c.code && $0.severity == .error }
        #expect(!matching.isEmpty, "expected \(c.code), got \(loaded.diagnostics)")
        for d in matching {
            let location = try #require(d.location)
            #expect(location.line >= 1 && location.column >= 1)
        }
    }

    static let passing: [Case] = [
        Case(name: "ACK's type_ spelling", file: Fixtures.serving, old: "        type: CANARY", new: "        type_: CANARY", code: ""),
        Case(name: "a JSON string pipeline definition", file: Fixtures.pipeline, old: "", new: "", code: ""),
        Case(name: "daily cron", file: Fixtures.monitoring, old: "cron(0 * ? * * *)", new: "cron(0 12 ? * * *)", code: ""),
        Case(name: "every N hours, ? in day-of-week", file: Fixtures.monitoring, old: "cron(0 * ? * * *)", new: "cron(0 0/6 * * ? *)", code: ""),
        Case(name: "NOW with offsets", file: Fixtures.monitoring, old: "      scheduleExpression: cron(0 * ? * * *)", new: "      scheduleExpression: NOW\n      dataAnalysisStartTime: -PT2H\n      dataAnalysisEndTime: -PT1H", code: ""),
        Case(name: "serverless variant", file: Fixtures.serving, old: "      instanceType: ml.m5.xlarge\n      initialInstanceCount: 4\n", new: "      serverlessConfig: {memorySizeInMB: 6144, maxConcurrency: 200, provisionedConcurrency: 10}\n", code: ""),
        Case(name: "linear 10%", file: Fixtures.serving, old: "type: CANARY\n        canarySize: {type: CAPACITY_PERCENT, value: 25}", new: "type: LINEAR\n        linearStepSize: {type: CAPACITY_PERCENT, value: 10}", code: ""),
    ]

    @Test(arguments: passing)
    func ruleAcceptsValidInput(_ c: Case) {
        let loaded = c.old.isEmpty ? Fixtures.load() : Fixtures.load([(c.file, c.old, c.new)])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
    }

    @Test func aJSONStringDefinitionEqualsTheMappingAndLocatesErrors() throws {
        let json = #"pipelineDefinition: '{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Training", "Arguments": {}}, {"Name": "B", "Type": "Training", "DependsOn": ["C"], "Arguments": {}}]}'"#
        let yaml = """
            apiVersion: tidemark.dev/v1alpha1
            kind: Pipeline
            metadata: {name: p}
            spec:
              roleARN: arn:aws:iam::123456789012:role/r
              \(json)
            """
        let loaded = RevisionLoader.load([SourceFile(path: "p.yaml", text: yaml)])
        let d = try #require(loaded.diagnostics.first { $0.code == "dangling-reference" })
        #expect(d.location?.line == 6)
        #expect(d.message.contains("'C'"))
    }

    @Test func reportsEveryErrorSortedByFileAndLine() {
        let loaded = Fixtures.load([
            (Fixtures.serving, "initialSamplingPercentage: 20", "initialSamplingPercentage: 120"),
            (Fixtures.featureStore, "tableFormat: Iceberg", "tableFormat: Parquet"),
            (Fixtures.serving, "instanceType: ml.m5.xlarge", "intanceType: ml.m5.xlarge"),
        ])
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.count >= 3)
        let locations = errors.compactMap(\.location)
        #expect(locations == locations.sorted())
    }

    @Test func duplicateResourcesNameBothPlaces() throws {
        let extra = SourceFile(path: "manifests/zz-dup.yaml", text: "apiVersion: tidemark.dev/v1alpha1\nkind: ModelPackageGroup\nmetadata:\n  name: fraud-models\nspec: {}\n")
        let loaded = RevisionLoader.load(Fixtures.stack() + [extra])
        let d = try #require(loaded.diagnostics.first { $0.code == "duplicate-resource" })
        #expect(d.location?.file == "manifests/zz-dup.yaml")
        #expect(d.message.contains("fraud-models.yaml"))
    }

    @Test func didYouMeanNamesTheField() throws {
        let loaded = Fixtures.load([(Fixtures.serving, "instanceType: ml.m5.xlarge", "intanceType: ml.m5.xlarge")])
        let d = try #require(loaded.diagnostics.first { $0.code == "unknown-field" })
        #expect(d.message == "unknown field 'intanceType' in spec.productionVariants[primary], did you mean 'instanceType'?")
        #expect(d.description.hasPrefix("manifests/serving/fraud-detector.yaml:22:7: error: "))
    }
}
