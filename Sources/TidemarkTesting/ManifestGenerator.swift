import Foundation

/// A deterministic generator of synthetic manifest repositories: N resources of all eight
/// kinds in the proportions of a real stack (per application: a feature group, a pipeline, a
/// registry group with two versions, a model, an endpoint config, an endpoint, a monitor),
/// spread over five files per application in team folders.
public struct ManifestGenerator {
    public var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }

    /// Files (path → text) for `count` resources.
    /// Units are numbered from `firstUnit`, so repositories made with disjoint ranges name
    /// disjoint objects (one per application of a fleet).
    public mutating func files(resources count: Int, firstUnit: Int = 0) -> [String: String] {
        var out: [String: String] = [:]
        let units = (count + 8) / 9
        var remaining = count
        for u in firstUnit..<(firstUnit + units) {
            let dir = "manifests/team-\(String(format: "%02d", u % 20))/app-\(String(format: "%05d", u))"
            for (name, text, n) in unit(u) where remaining > 0 {
                let docs = text.components(separatedBy: "---\n")
                let kept = Array(docs.prefix(min(n, remaining)))
                remaining -= kept.count
                out["\(dir)/\(name)"] = kept.joined(separator: "---\n")
            }
        }
        return out
    }

    /// The five files of application `u`, each with its document count.
    public mutating func unit(_ u: Int) -> [(String, String, Int)] {
        let app = "app\(u)"
        let features = (0..<int(4...36)).map { i in
            "    - {featureName: f\(i)_\(pick(["amount", "count", "ratio", "flag", "score"])), featureType: \(pick(["Integral", "Fractional", "String"]))}"
        }.joined(separator: "\n")
        let fg = """
            apiVersion: tidemark.dev/v1alpha1
            kind: FeatureGroup
            metadata:
              name: \(app)-features
              labels: {team: t\(u % 20)}
            spec:
              description: Features of \(app)
              recordIdentifierFeatureName: record_id
              eventTimeFeatureName: event_time
              featureDefinitions:
                - {featureName: record_id, featureType: String}
                - {featureName: event_time, featureType: Fractional}
            \(features)
              onlineStoreConfig:
                enableOnlineStore: true
              offlineStoreConfig:
                s3StorageConfig: {s3URI: "s3://ml-features-\(u % 20)/\(app)"}
              roleARN: arn:aws:iam::123456789012:role/featurestore

            """
        let pipeline = """
            apiVersion: tidemark.dev/v1alpha1
            kind: Pipeline
            metadata: {name: \(app)-training}
            spec:
              roleARN: arn:aws:iam::123456789012:role/pipelines
              pipelineDefinition:
                Version: "2020-12-01"
                Parameters:
                  - {Name: InstanceType, Type: String, DefaultValue: \(pick(["ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.2xlarge"]))}
                Steps:
                  - Name: Prepare
                    Type: Processing
                    Arguments: {ProcessingResources: {ClusterConfig: {InstanceType: ml.m5.xlarge, InstanceCount: 1, VolumeSizeInGB: 30}}}
                  - Name: Train
                    Type: Training
                    DependsOn: [Prepare]
                    Arguments:
                      HyperParameters: {max_depth: "\(int(3...10))", eta: "0.\(int(1...3))"}
                      ResourceConfig: {InstanceType: {Get: Parameters.InstanceType}, InstanceCount: 1, VolumeSizeInGB: 30}
                  - Name: Register
                    Type: RegisterModel
                    DependsOn: [Train]
                    Arguments: {ModelPackageGroupName: \(app)-models, ModelApprovalStatus: PendingManualApproval}

            """
        let container = "      - {image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/\(app):\(int(1...9)).\(int(0...20)), modelDataURL: \"s3://ml-models/\(app)/v%d/model.tar.gz\"}"
        let registry = """
            apiVersion: tidemark.dev/v1alpha1
            kind: ModelPackageGroup
            metadata: {name: \(app)-models}
            spec:
              modelPackageGroupDescription: Versions of \(app)
            ---
            apiVersion: tidemark.dev/v1alpha1
            kind: ModelPackage
            metadata: {name: \(app)-v1}
            spec:
              modelPackageGroupName: \(app)-models
              modelApprovalStatus: Approved
              inferenceSpecification:
                containers:
            \(String(format: container, 1))
                supportedContentTypes: [text/csv]
                supportedResponseMIMETypes: [text/csv]
            ---
            apiVersion: tidemark.dev/v1alpha1
            kind: ModelPackage
            metadata: {name: \(app)-v2}
            spec:
              modelPackageGroupName: \(app)-models
              modelApprovalStatus: PendingManualApproval
              inferenceSpecification:
                containers:
            \(String(format: container, 2))

            """
        let count = int(1...8)
        let policy = pick([
            "      trafficRoutingConfiguration: {type: ALL_AT_ONCE, waitIntervalInSeconds: 60}",
            "      trafficRoutingConfiguration: {type: CANARY, canarySize: {type: CAPACITY_PERCENT, value: \(int(5...50))}, waitIntervalInSeconds: 300}",
            "      trafficRoutingConfiguration: {type: LINEAR, linearStepSize: {type: CAPACITY_PERCENT, value: \(int(10...50))}, waitIntervalInSeconds: 120}",
        ])
        let serving = """
            apiVersion: tidemark.dev/v1alpha1
            kind: Model
            metadata: {name: \(app)}
            spec:
              executionRoleARN: arn:aws:iam::123456789012:role/inference
              primaryContainer:
                modelPackageName: \(app)-v1
                environment: {LOG_LEVEL: "\(pick(["10", "20", "30"]))"}
            ---
            apiVersion: tidemark.dev/v1alpha1
            kind: EndpointConfig
            metadata: {name: \(app)}
            spec:
              productionVariants:
                - {variantName: primary, modelName: \(app), instanceType: \(pick(["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"])), initialInstanceCount: \(count)}
              dataCaptureConfig:
                initialSamplingPercentage: \(int(5...100))
                destinationS3URI: s3://ml-capture/\(app)
                captureOptions: [{captureMode: Input}, {captureMode: Output}]
            ---
            apiVersion: tidemark.dev/v1alpha1
            kind: Endpoint
            metadata: {name: \(app)}
            spec:
              endpointConfigName: \(app)
              deploymentConfig:
                blueGreenUpdatePolicy:
            \(policy)
                autoRollbackConfiguration:
                  alarms: [{alarmName: \(app)-5xx}]

            """
        let monitor = """
            apiVersion: tidemark.dev/v1alpha1
            kind: MonitoringSchedule
            metadata: {name: \(app)-quality}
            spec:
              monitoringScheduleConfig:
                monitoringType: DataQuality
                scheduleConfig: {scheduleExpression: "cron(0 \(int(0...23)) ? * * *)"}
                monitoringJobDefinition:
                  monitoringInputs:
                    - endpointInput: {endpointName: \(app), localPath: /opt/ml/processing/input}
                  monitoringOutputConfig:
                    monitoringOutputs:
                      - s3Output: {s3URI: "s3://ml-monitoring/\(app)", localPath: /opt/ml/processing/output}
                  monitoringResources:
                    clusterConfig: {instanceCount: 1, instanceType: ml.m5.large, volumeSizeInGB: 20}
                  monitoringAppSpecification:
                    imageURI: 123456789012.dkr.ecr.us-east-1.amazonaws.com/model-monitor-analyzer
                  roleARN: arn:aws:iam::123456789012:role/monitoring

            """
        return [("features.yaml", fg, 1), ("pipeline.yaml", pipeline, 1), ("registry.yaml", registry, 3),
                ("serving.yaml", serving, 3), ("monitoring.yaml", monitor, 1)]
    }
}

/// A small deterministic random number generator, for generated data and property tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
