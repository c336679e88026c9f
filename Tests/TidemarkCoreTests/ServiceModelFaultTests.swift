import Foundation
import Testing
@testable import TidemarkCore

/// Issue 9's faults against the service model, one regression test each, on small manifests
/// written after ACK's samples and e2e resources and the SageMaker Python SDK's output.
@Suite struct ServiceModelFaultTests {
    /// Decodes one manifest (shape and kind rules; no cross-resource checks).
    static func check(_ yaml: String, file: String = "m.yaml") -> [Diagnostic] {
        ManifestDecoder.decode(SourceFile(path: file, text: yaml)).diagnostics
    }

    static func errors(_ yaml: String) -> [Diagnostic] { check(yaml).filter { $0.severity == .error } }

    static func header(_ kind: String, _ name: String = "m1") -> String {
        "apiVersion: tidemark.dev/v1alpha1\nkind: \(kind)\nmetadata:\n  name: \(name)\nspec:\n"
    }

    // MARK: members a valid input uses

    @Test func endpointConfigMembersAreAccepted() {
        let yaml = Self.header("EndpointConfig") + """
          productionVariants:
            - variantName: primary
              modelName: m1
              instanceType: ml.g5.2xlarge
              initialInstanceCount: 1
              variantInstanceProvisionTimeoutInSeconds: 1800
              instancePools:
                - instanceType: ml.g5.2xlarge
                  priority: 1
              managedInstanceScaling:
                status: ENABLED
                minInstanceCount: 1
                maxInstanceCount: 4
                scaleInPolicy:
                  strategy: IDLE_RELEASE
                  cooldownInMinutes: 30
              capacityReservationConfig:
                capacityReservationPreference: capacity-reservations-only
                mlReservationARN: arn:aws:sagemaker:us-east-1:123456789012:training-plan/plan-1
          explainerConfig:
            clarifyExplainerConfig:
              enableExplanations: "`true`"
              shapConfig:
                shapBaselineConfig:
                  mimeType: text/csv
                  shapBaseline: "1,2,3"
          metricsConfig:
            enableEnhancedMetrics: true
            metricPublishFrequencyInSeconds: 60
        """
        #expect(Self.errors(yaml).isEmpty, "\(Self.errors(yaml).map(\.description))")
    }

    @Test func modelPackageMembersAreAccepted() {
        let yaml = Self.header("ModelPackage", "fraud-v1") + """
          modelPackageGroupName: arn:aws:sagemaker:us-east-1:123456789012:model-package-group/fraud
          modelPackageRegistrationType: Logged
          modelApprovalStatus: Approved
          securityConfig:
            kmsKeyID: alias/registry
          modelCard:
            modelCardStatus: Draft
            modelCardContent: '{"model_overview": {"model_description": "fraud"}}'
          modelLifeCycle:
            stage: Production
            stageStatus: Approved
          managedStorageType: Restricted
          inferenceSpecification:
            containers:
              - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1
                modelDataURL: s3://models/fraud/model.tar.gz
                modelDataETag: etag-1
                isCheckpoint: false
                baseModel:
                  hubContentName: llama-3
                  hubContentVersion: 1.0.0
                additionalModelDataSources:
                  - channelName: draft_model
                    s3DataSource:
                      s3URI: s3://models/draft/
                      s3DataType: S3Prefix
                      compressionType: None
                modelInput:
                  dataInputConfig: '\(String(repeating: "x", count: 16_384))'
            supportedContentTypes: [text/csv]
            supportedResponseMIMETypes: [text/csv]
          sourceAlgorithmSpecification:
            sourceAlgorithms:
              - algorithmName: xgboost
                modelDataURL: s3://models/fraud/model.tar.gz
                modelDataETag: etag-2
        """
        #expect(Self.errors(yaml).isEmpty, "\(Self.errors(yaml).map(\.description))")
    }

    @Test func modelAndGroupAndPipelineMembersAreAccepted() {
        let model = Self.header("Model") + """
          executionRoleARN: arn:aws:iam::123456789012:role/SageMakerRole
          containers:
            - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1
              additionalModelDataSources:
                - channelName: adapter
                  s3DataSource: {s3URI: "s3://models/adapter/", s3DataType: S3Prefix, compressionType: None}
        """
        #expect(Self.errors(model).isEmpty, "\(Self.errors(model).map(\.description))")
        let group = Self.header("ModelPackageGroup") + "  managedConfiguration:\n    managedStorageType: Restricted\n"
        #expect(Self.errors(group).isEmpty, "\(Self.errors(group).map(\.description))")
        // A pipeline whose definition is in S3 has no inline definition.
        let pipeline = Self.header("Pipeline") + """
          roleARN: arn:aws:iam::123456789012:role/SageMakerRole
          pipelineDefinitionS3Location:
            bucket: my-bucket
            objectKey: pipelines/train.json
        """
        #expect(Self.errors(pipeline).isEmpty, "\(Self.errors(pipeline).map(\.description))")
    }

    // MARK: constraints the service enforces

    struct Broken: CustomTestStringConvertible, Sendable {
        let name: String
        let kind: String
        let body: String
        /// The line of the spec body (1-based) the error must be on.
        let line: Int
        let code: String
        var testDescription: String { name }
    }

    static let variant = """
      productionVariants:
        - variantName: primary
          modelName: m1
          instanceType: INSTANCE
          initialInstanceCount: 1

    """

    static let broken: [Broken] = [
        Broken(name: "an instance type the service does not have", kind: "EndpointConfig",
               body: variant.replacingOccurrences(of: "INSTANCE", with: "ml.m5.superlarge"), line: 4, code: "invalid-value"),
        Broken(name: "a user ARN as a role", kind: "Model",
               body: "  executionRoleARN: arn:aws:iam::123456789012:user/alice\n  primaryContainer: {image: img}\n", line: 1, code: "invalid-format"),
        Broken(name: "an SQS ARN as an SNS topic", kind: "EndpointConfig",
               body: variant.replacingOccurrences(of: "INSTANCE", with: "ml.m5.large") + """
                 asyncInferenceConfig:
                   outputConfig:
                     s3OutputPath: s3://out/
                     notificationConfig:
                       successTopic: arn:aws:sqs:us-east-1:123456789012:queue

               """, line: 10, code: "invalid-format"),
        Broken(name: "an S3 URI without s3:// or https://", kind: "Model",
               body: "  primaryContainer:\n    image: img\n    modelDataURL: gs://bucket/model.tar.gz\n", line: 3, code: "invalid-format"),
        Broken(name: "a tag without a value", kind: "ModelPackageGroup",
               body: "  tags:\n    - key: team\n", line: 2, code: "missing-field"),
        Broken(name: "a tag key with characters tags cannot hold", kind: "ModelPackageGroup",
               body: "  tags:\n    - key: \"team!\"\n      value: ml\n", line: 2, code: "invalid-format"),
        Broken(name: "a variant name that is not a name", kind: "EndpointConfig",
               body: variant.replacingOccurrences(of: "INSTANCE", with: "ml.m5.large").replacingOccurrences(of: "variantName: primary", with: "variantName: primary_1"),
               line: 2, code: "invalid-name"),
        Broken(name: "a blank alarm name", kind: "Endpoint",
               body: "  endpointConfigName: c1\n  deploymentConfig:\n    autoRollbackConfiguration:\n      alarms:\n        - alarmName: \"   \"\n",
               line: 5, code: "invalid-format"),
        Broken(name: "a monitoring cluster instance type", kind: "MonitoringSchedule", body: """
          monitoringScheduleConfig:
            monitoringJobDefinition:
              monitoringInputs:
                - endpointInput: {endpointName: e1, localPath: /opt/ml/processing/input}
              monitoringOutputConfig:
                monitoringOutputs:
                  - s3Output: {s3URI: "s3://out/", localPath: /opt/ml/processing/output}
              monitoringResources:
                clusterConfig: {instanceCount: 1, instanceType: ml.m5.superlarge, volumeSizeInGB: 20}
              monitoringAppSpecification: {imageURI: img}
              roleARN: arn:aws:iam::123456789012:role/SageMakerRole

        """, line: 9, code: "invalid-value"),
        Broken(name: "a security group id with spaces", kind: "Model",
               body: "  primaryContainer: {image: img}\n  vpcConfig:\n    securityGroupIDs: [\"sg 1\"]\n    subnets: [subnet-1]\n", line: 3, code: "invalid-format"),
        Broken(name: "a data input config over 16,384 characters", kind: "ModelPackage",
               body: "  modelPackageGroupName: g1\n  inferenceSpecification:\n    containers:\n      - image: img\n        modelInput:\n          dataInputConfig: '\(String(repeating: "x", count: 16_385))'\n",
               line: 6, code: "out-of-range"),
    ]

    @Test(arguments: broken)
    func aBrokenConstraintIsReportedAtItsLine(_ b: Broken) throws {
        let diagnostics = Self.check(Self.header(b.kind) + b.body)
        let hit = diagnostics.first { $0.code == b.code && $0.location?.line == b.line + 5 }
        #expect(hit != nil, "expected \(b.code) at line \(b.line + 5); got \(diagnostics.map(\.description))")
    }

    @Test func anUnknownInstanceTypeNamesTheNearestFew() throws {
        let yaml = Self.header("EndpointConfig") + Self.variant.replacingOccurrences(of: "INSTANCE", with: "ml.m5.superlarge")
        let d = try #require(Self.errors(yaml).first { $0.code == "invalid-value" })
        #expect(d.message.contains("the nearest are"), "\(d.message)")
        #expect(d.message.contains("'ml.m5.large'") || d.message.contains("'ml.m5.xlarge'"), "\(d.message)")
        #expect(d.message.count < 400, "the message lists too much: \(d.message.count) characters")
    }

    // MARK: stricter than the service

    @Test func whatTheServiceAllowsIsAllowed() {
        let noSchedule = Self.header("MonitoringSchedule") + """
          monitoringScheduleConfig:
            monitoringJobDefinitionName: shared-data-quality
            monitoringType: DataQuality
        """
        #expect(Self.errors(noSchedule).isEmpty, "scheduleConfig is optional: \(Self.errors(noSchedule).map(\.description))")
    }

    // MARK: JSON strings

    @Test func aJSONStringWithSurrogatePairEscapesIsRead() throws {
        let yaml = Self.header("Pipeline") + #"""
          roleARN: arn:aws:iam::123456789012:role/SageMakerRole
          pipelineDefinition: '{"Version": "2020-12-01", "Steps": [{"Name": "Alert", "Type": "Fail", "Arguments": {"ErrorMessage": "\ud83d\udea8 drift"}}]}'
        """#
        let result = ManifestDecoder.decode(SourceFile(path: "p.yaml", text: yaml))
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(result.diagnostics.map(\.description))")
        let spec = try #require(result.manifests.first?.spec)
        let message = spec["pipelineDefinition"]?["Steps"]?.elements?.first?["Arguments"]?["ErrorMessage"]?.stringValue
        #expect(message == "🚨 drift")
    }

    @Test func aLoneSurrogateIsALocatedError() throws {
        let yaml = Self.header("Pipeline") + #"""
          roleARN: arn:aws:iam::123456789012:role/SageMakerRole
          pipelineDefinition: '{"Version": "2020-12-01", "Steps": [{"Name": "A\ud83d", "Type": "Fail"}]}'
        """#
        let d = try #require(Self.errors(yaml).first)
        #expect(d.code == "json-syntax", "\(d)")
        let line = 7
        let column = yaml.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].distance(
            from: yaml.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].startIndex,
            to: try #require(yaml.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].range(of: #"\ud83d"#)).lowerBound) + 1
        #expect(d.location?.line == line && d.location?.column == column, "\(d) expected \(line):\(column)")
    }

    /// ACK's e2e files write long definitions as multi-line single-quoted strings: a position
    /// inside one is on the line and column where the text is, not past the end of line 1.
    @Test func positionsInAMultiLineQuotedJSONStringAreExact() throws {
        let yaml = Self.header("Pipeline") + """
          roleARN: arn:aws:iam::123456789012:role/SageMakerRole
          pipelineDefinition: '{"Version": "2020-12-01",
            "Parameters": [],
            "Steps": [{"Name": "Train", "Type": "Fail", "Arguments": {}},
              {"Name": "Eval", "Type": "Fail", "Arguments": {}, "DependsOn": ["Trian"]}]}'
        """
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let d = try #require(Self.errors(yaml).first { $0.code == "dangling-reference" })
        let target = lines[9]
        let column = target.distance(from: target.startIndex, to: try #require(target.range(of: "\"Trian\"")).lowerBound) + 1
        #expect(d.location?.line == 10 && d.location?.column == column, "\(d) expected 10:\(column)")
        #expect(d.message.contains("did you mean 'Train'"), "\(d.message)")

        // A syntax error on a continuation line is placed there too.
        let bad = yaml.replacingOccurrences(of: "\"Parameters\": [],", with: "\"Parameters\": [,")
        let e = try #require(Self.errors(bad).first { $0.code == "json-syntax" })
        let comma = lines[7].distance(from: lines[7].startIndex, to: try #require(lines[7].range(of: "[],")).lowerBound) + 2
        #expect(e.location?.line == 8 && e.location?.column == comma, "\(e) expected 8:\(comma)")
    }

    @Test func aDoubleQuotedJSONStringWithEscapesMapsColumns() throws {
        let yaml = Self.header("Pipeline") + #"""
          roleARN: arn:aws:iam::123456789012:role/SageMakerRole
          pipelineDefinition: "{\"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"S\", \"Type\": \"Fail\", \"DependsOn\": [\"Nope\"]}]}"
        """#
        let d = try #require(Self.errors(yaml).first { $0.code == "dangling-reference" })
        let line = yaml.split(separator: "\n", omittingEmptySubsequences: false)[6]
        let column = line.distance(from: line.startIndex, to: try #require(line.range(of: #"\"Nope\""#)).lowerBound) + 1
        #expect(d.location?.line == 7 && d.location?.column == column, "\(d) expected 7:\(column)")
    }
}
