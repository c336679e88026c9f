import Foundation
import TidemarkTesting

/// A deterministic generator of synthetic manifest repositories: N resources of all eight
/// kinds in the proportions of a real stack (per application: a feature group, a pipeline, a
/// registry group with two versions, a model, an endpoint config, an endpoint, a monitor),
/// spread over five files per application in team folders.
struct Generator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }

    /// Files (path → text) for `count` resources.
    /// Units are numbered from `firstUnit`, so repositories made with disjoint ranges name
    /// disjoint objects (one per application of a fleet).
    mutating func files(resources count: Int, firstUnit: Int = 0) -> [String: String] {
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
    mutating func unit(_ u: Int) -> [(String, String, Int)] {
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

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A generated repository with its three commits: everything, one file changed, 1 % changed.
struct BenchRepository {
    let path: String
    let resources: Int
    let files: Int
    let base: String, oneFile: String, onePercent: String

    static func create(at path: String, resources: Int, seed: UInt64) throws -> BenchRepository {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var g = Generator(seed: seed)
        let files = g.files(resources: resources)
        for (p, text) in files { try write(path, p, text) }
        try git(path, "init", "-q", "-b", "main")
        let base = try commit(path, "generated: \(resources) resources")
        // One file: a model's environment changes (a replacement that cascades).
        let servings = files.keys.filter { $0.hasSuffix("serving.yaml") }.sorted()
        let target = servings[servings.count / 2]
        try write(path, target, files[target]!.replacingOccurrences(of: "environment: {LOG_LEVEL: \"", with: "environment: {LOG_LEVEL: \"9"))
        let oneFile = try commit(path, "one file")
        // 1 %: features added to feature groups (in place).
        let groups = files.keys.filter { $0.hasSuffix("features.yaml") }.sorted()
        for p in groups.prefix(max(1, resources / 100)) {
            let text = try String(contentsOfFile: (path as NSString).appendingPathComponent(p), encoding: .utf8)
            try write(path, p, text.replacingOccurrences(of: "  onlineStoreConfig:", with: "    - {featureName: added_feature, featureType: Fractional}\n  onlineStoreConfig:"))
        }
        let onePercent = try commit(path, "one percent")
        try git(path, "gc", "-q")
        return BenchRepository(path: path, resources: resources, files: files.count, base: base, oneFile: oneFile, onePercent: onePercent)
    }

    static func write(_ root: String, _ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    static func commit(_ path: String, _ message: String) throws -> String {
        try git(path, "add", "-A")
        try git(path, "-c", "user.email=bench@tidemark.dev", "-c", "user.name=bench", "commit", "-q", "-m", message)
        return try git(path, "rev-parse", "HEAD")
    }

    @discardableResult
    static func git(_ path: String, _ args: String...) throws -> String {
        do {
            return try ChildProcess.run("/usr/bin/env", ["git", "-C", path] + args).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let failed as ChildProcess.Failed {
            throw BenchError("git \(args.joined(separator: " ")) failed: \(failed.description)")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
