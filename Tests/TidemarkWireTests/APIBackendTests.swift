import Foundation
import Testing
import TidemarkAWS
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkTesting
import TidemarkWire

/// Tidemark's SageMaker API backend against a real `tidemark services serve` process on
/// loopback, over HTTP: every operation the backend makes, for every kind.
@Suite(.serialized) struct APIBackendTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = ProcessInfo.processInfo.environment["TIDEMARK_BIN"] ?? root.appendingPathComponent(".build/debug/tidemark").path

    struct Served {
        let server: ServedProcess
        let backend: SageMakerAPIBackend
        let client: AWSJSONClient
        /// The same services, opened directly on the server's folder: to arm faults.
        let local: LocalServices
    }

    func served() throws -> Served {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-wire-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let server = try ServedProcess.services(binary: Self.binary, data: folder)
        let client = AWSJSONClient(endpoint: try #require(URL(string: server.url)), region: "us-east-1",
                                   credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test"))
        return Served(server: server, backend: SageMakerAPIBackend(client: client), client: client,
                      local: try LocalServices(folder: folder, time: SystemTime(), latencies: .zero))
    }

    static func spec(_ json: String) throws -> Value { try #require(Value(json: json)) }

    static let role = "arn:aws:iam::123456789012:role/ml"
    static let image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"

    static func stack() throws -> [(ResourceKind, String, Value)] {
        [
            (.featureGroup, "transactions", try spec(#"{"featureDefinitions":[{"featureName":"id","featureType":"String"},{"featureName":"ts","featureType":"String"}],"recordIdentifierFeatureName":"id","eventTimeFeatureName":"ts","onlineStoreConfig":{"enableOnlineStore":true},"roleARN":"\#(role)","tags":[{"key":"team","value":"risk"}]}"#)),
            (.pipeline, "training", try spec(#"{"pipelineDefinition":{"Version":"2020-12-01","Steps":[{"Name":"Train","Type":"Training","Arguments":{"Emoji":"🚨"}}]},"roleARN":"\#(role)","pipelineDescription":"first"}"#)),
            (.modelPackageGroup, "fraud-models", try spec(#"{"modelPackageGroupDescription":"fraud"}"#)),
            (.modelPackage, "fraud-models", try spec(#"{"modelPackageGroupName":"fraud-models","modelApprovalStatus":"PendingManualApproval","approvalDescription":"waiting","inferenceSpecification":{"containers":[{"image":"\#(image)"}],"supportedContentTypes":["text/csv"],"supportedResponseMIMETypes":["text/csv"]}}"#)),
            (.model, "xgb-1", try spec(#"{"primaryContainer":{"image":"\#(image)","modelDataURL":"s3://models/xgb.tar.gz","environment":{"A":"1"}},"executionRoleARN":"\#(role)"}"#)),
            (.endpointConfig, "detector-a", try spec(#"{"productionVariants":[{"variantName":"primary","modelName":"xgb-1","initialInstanceCount":2,"instanceType":"ml.m5.large","initialVariantWeight":1.0}],"dataCaptureConfig":{"enableCapture":true,"initialSamplingPercentage":100,"destinationS3URI":"s3://capture/","captureOptions":[{"captureMode":"Input"}]}}"#)),
            (.endpointConfig, "detector-b", try spec(#"{"productionVariants":[{"variantName":"primary","modelName":"xgb-1","initialInstanceCount":3,"instanceType":"ml.m5.large","initialVariantWeight":1.0}],"dataCaptureConfig":{"enableCapture":true,"initialSamplingPercentage":100,"destinationS3URI":"s3://capture/","captureOptions":[{"captureMode":"Input"}]}}"#)),
            (.endpoint, "detector", try spec(#"{"endpointConfigName":"detector-a","deploymentConfig":{"autoRollbackConfiguration":{"alarms":[{"alarmName":"p99-latency"}]},"blueGreenUpdatePolicy":{"terminationWaitInSeconds":0,"trafficRoutingConfiguration":{"type":"ALL_AT_ONCE","waitIntervalInSeconds":60}}}}"#)),
            (.monitoringSchedule, "detector-quality", try spec(#"{"monitoringScheduleConfig":{"scheduleConfig":{"scheduleExpression":"cron(0 * ? * * *)"},"monitoringType":"DataQuality","monitoringJobDefinition":{"monitoringInputs":[{"endpointInput":{"endpointName":"detector","localPath":"/opt/ml/processing/input"}}],"monitoringOutputConfig":{"monitoringOutputs":[{"s3Output":{"s3URI":"s3://reports/","localPath":"/opt/ml/processing/output"}}]},"monitoringResources":{"clusterConfig":{"instanceCount":1,"instanceType":"ml.m5.large","volumeSizeInGB":20}},"monitoringAppSpecification":{"imageURI":"\#(image)"},"roleARN":"\#(role)"}}}"#)),
        ]
    }

    @Test func everyKindIsCreatedDescribedListedUpdatedAndDeleted() async throws {
        let s = try served()
        var names: [(ResourceKind, String)] = []
        for (kind, name, spec) in try Self.stack() {
            let created = try await s.backend.create(kind, name: name, spec: spec, clientToken: "r1-\(kind.rawValue)-\(name)")
            #expect(created.spec == spec, "\(kind) \(name) came back as \(created.spec.canonicalJSON)")
            #expect(created.arn.contains(":\(WireResource.of(kind).arnType)/"))
            names.append((kind, created.name))
            // The same object through the local modules directly: the wire lost nothing.
            #expect(try await s.local.describe(kind, created.name)?.spec == spec)
        }
        #expect(names.first { $0.0 == .modelPackage }?.1 == "fraud-models/1")
        let second = try await s.backend.create(.modelPackage, name: "fraud-models", spec: try Self.stack()[3].2, clientToken: "r1-second")
        #expect(second.name == "fraud-models/2")
        #expect(second.observed["version"] == .int(2))
        // The same token finds the same version instead of registering a third.
        let again = try await s.backend.create(.modelPackage, name: "fraud-models", spec: try Self.stack()[3].2, clientToken: "r1-second")
        #expect(again.name == "fraud-models/2")
        for kind in ResourceKind.allCases {
            let listed = try await s.backend.list(kind).map(\.name)
            #expect(Set(listed) == Set(names.filter { $0.0 == kind }.map(\.1) + (kind == .modelPackage ? ["fraud-models/2"] : [])), "\(kind): \(listed)")
        }

        // In place: features added, a package approved, a pipeline changed, a schedule changed, an endpoint deployed.
        let stack = try Self.stack()
        let fg = stack[0].2
        let more = fg.setting("featureDefinitions", .list((fg["featureDefinitions"]?.elements ?? []) + [try Self.spec(#"{"featureName":"amount","featureType":"Fractional"}"#)]))
        #expect(try await s.backend.update(.featureGroup, "transactions", spec: more).spec == more)
        let approved = stack[3].2.setting("modelApprovalStatus", .string("Approved")).setting("approvalDescription", .string("ok"))
        #expect(try await s.backend.update(.modelPackage, "fraud-models/1", spec: approved).spec == approved)
        let pipeline = stack[1].2.setting("pipelineDescription", .string("second"))
        #expect(try await s.backend.update(.pipeline, "training", spec: pipeline).spec == pipeline)
        let schedule = stack[8].2.setting("monitoringScheduleConfig", stack[8].2["monitoringScheduleConfig"]?.setting("scheduleConfig", try Self.spec(#"{"scheduleExpression":"cron(0 0 ? * * *)"}"#)))
        #expect(try await s.backend.update(.monitoringSchedule, "detector-quality", spec: schedule).spec == schedule)
        let deploy = stack[7].2.setting("endpointConfigName", .string("detector-b"))
        let deployed = try await s.backend.update(.endpoint, "detector", spec: deploy)
        #expect(deployed.spec == deploy)
        #expect(deployed.observed["productionVariants"]?.elements?.first?["currentInstanceCount"] == .int(3))
        // Tags on a kind with no update operation: AddTags and DeleteTags.
        let tagged = stack[4].2.setting("tags", .list([try Self.spec(#"{"key":"owner","value":"ml"}"#)]))
        #expect(try await s.backend.update(.model, "xgb-1", spec: tagged).spec == tagged)
        #expect(try await s.backend.update(.model, "xgb-1", spec: stack[4].2).spec == stack[4].2)
        // The service's rules come back as its errors.
        await #expect(throws: ServiceError.self) { try await s.backend.update(.model, "xgb-1", spec: stack[4].2.setting("executionRoleARN", .string("arn:aws:iam::123456789012:role/other"))) }
        do {
            _ = try await s.backend.update(.featureGroup, "transactions", spec: fg)
            Issue.record("removing a feature was accepted")
        } catch let e as ServiceError {
            #expect(e.code == .validation && e.message.contains("cannot be removed"))
        }
        do {
            try await s.backend.delete(.modelPackageGroup, "fraud-models")
            Issue.record("a group with versions was deleted")
        } catch let e as ServiceError {
            #expect(e.code == .conflict)
        }

        for (kind, name) in names.reversed() + [(.modelPackage, "fraud-models/2")] where kind != .modelPackageGroup {
            try await s.backend.delete(kind, name)
        }
        try await s.backend.delete(.modelPackageGroup, "fraud-models")
        for (kind, name) in names { #expect(try await s.backend.describe(kind, name) == nil, "\(kind) \(name) survived its delete") }
        await #expect(throws: ServiceError.self) { try await s.backend.delete(.endpoint, "detector") }
    }

    /// A create whose answer was lost is retried and meets its own object: the object with
    /// this name and exactly this spec, made since the call began, is taken; any other is an error.
    @Test func aCreateThatMeetsItsOwnObjectTakesItAndNoOther() async throws {
        let s = try served()
        let model = try Self.stack()[4].2
        _ = try await s.local.create(.model, name: "xgb-1", spec: model, clientToken: "")
        let again = try await s.backend.create(.model, name: "xgb-1", spec: model, clientToken: "")
        #expect(again.name == "xgb-1" && again.spec == model)
        do {
            _ = try await s.backend.create(.model, name: "xgb-1", spec: model.setting("executionRoleARN", .string("arn:aws:iam::123456789012:role/other")), clientToken: "")
            Issue.record("another object with the same name was taken as this create's")
        } catch let e as ServiceError {
            #expect(e.code == .validation && e.message.contains("already existing"))
        }
    }

    /// Tags are addressed by ARN, which carries the name lowercased: found by that name in
    /// one describe, and by reading the kind when the name has capitals.
    @Test func tagsByARNReachObjectsWhateverTheirNamesCase() async throws {
        let s = try served()
        let model = try Self.stack()[4].2
        for name in ["fraud-lower", "Fraud-Upper"] {
            let made = try await s.backend.create(.model, name: name, spec: model, clientToken: "")
            #expect(made.arn.hasSuffix("model/\(name.lowercased())"))
            _ = try await s.client.call("AddTags", .object([.init("ResourceArn", .string(made.arn)),
                                                            .init("Tags", .list([.object([.init("Key", .string("owner")), .init("Value", .string(name))])]))]))
            let tags = try await s.client.call("ListTags", .object([.init("ResourceArn", .string(made.arn))]))
            #expect(tags["Tags"]?.elements?.first?["Value"] == .string(name))
            let described = try #require(try await s.backend.describe(.model, name))
            #expect(described.spec["tags"]?.elements?.contains { $0["value"] == .string(name) } == true, "\(described.spec)")
        }
        await #expect(throws: ServiceError.self) {
            try await s.client.call("ListTags", .object([.init("ResourceArn", .string("arn:aws:sagemaker:local:000000000000:model/nope"))]))
        }
    }

    @Test func anAlarmRollbackIsReportedAsTheServiceLeftIt() async throws {
        let s = try served()
        let stack = try Self.stack()
        for (kind, name, spec) in stack where [.model, .endpointConfig, .endpoint].contains(kind) {
            _ = try await s.backend.create(kind, name: name, spec: spec, clientToken: "")
        }
        try s.local.inject(.alarm, .endpoint, "detector")
        _ = try await s.backend.update(.endpoint, "detector", spec: stack[7].2.setting("endpointConfigName", .string("detector-b")))
        let after = try #require(try await s.backend.describe(.endpoint, "detector"))
        #expect(after.status == "InService")
        #expect(after.spec["endpointConfigName"] == .string("detector-a"))
        #expect(after.failureReason?.contains("p99-latency") == true)
    }

    @Test func listsPageWithNextTokenAndErrorsFollowTheJSONProtocol() async throws {
        let s = try served()
        let model = try Self.stack()[4].2
        for i in 0..<23 { _ = try await s.backend.create(.model, name: "m-\(i)", spec: model, clientToken: "") }
        let first = try await s.client.call("ListModels", .object([.init("MaxResults", .int(5))]))
        #expect(first["Models"]?.elements?.count == 5)
        #expect(first["NextToken"]?.stringValue?.isEmpty == false)
        let all = try await s.client.paginate("ListModels", .object([.init("MaxResults", .int(5))]), items: "Models")
        #expect(Set(all.compactMap { $0["ModelName"]?.stringValue }) == Set((0..<23).map { "m-\($0)" }))
        #expect(try await s.backend.list(.model).count == 23)
        do {
            _ = try await s.client.call("DescribeEndpoint", .object([.init("EndpointName", .string("nope"))]))
            Issue.record("a missing endpoint was described")
        } catch let e as ServiceError {
            #expect(e.code == .validation && WireError.isNotFound(e))
        }
        do {
            _ = try await s.client.call("DescribeFeatureGroup", .object([.init("FeatureGroupName", .string("nope"))]))
        } catch let e as ServiceError {
            #expect(e.code == .notFound)
        }
        await #expect(throws: ServiceError.self) { try await s.client.call("ListModels", .object([.init("NextToken", .string("not-a-token"))])) }
        do {
            _ = try await s.client.call("StartPipelineExecution", .object([]))
        } catch let e as ServiceError {
            #expect(e.code == .unknownOperation)
        }
    }

    @Test func anUnreachableServiceIsRetriedWithFullJitterThenReported() async throws {
        let time = ManualTime()
        let start = time.now()
        let policy = RetryPolicy(maxAttempts: 3, base: 1, cap: 1.5)
        // A port that was just listened on and is now closed: connections are refused at once.
        let s = try served()
        s.server.stop()
        let client = AWSJSONClient(endpoint: try #require(URL(string: s.server.url)), region: "us-east-1",
                                   credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b", source: "test"), retry: policy, time: time)
        do {
            _ = try await client.call("ListModels", .object([]))
            Issue.record("a closed port answered")
        } catch let e as ServiceError {
            #expect(e.code == .unreachable)
        }
        // Two retries slept at most 1 + 1.5 seconds (the cap), never more.
        let slept = time.now().timeIntervalSince(start)
        #expect(slept >= 0 && slept <= 2.5001)
        for attempt in 1...10 {
            #expect(policy.delay(attempt: attempt, random: 0.999_999) <= 1.5)
            #expect(policy.delay(attempt: attempt, random: 0) == 0)
        }
        #expect(policy.delay(attempt: 2, random: 0.5) == 0.75)
        #expect(RetryPolicy(base: 0.2, cap: 20).delay(attempt: 4, random: 0.5) == 0.8)
    }

    @Test func credentialsComeFromTheEnvironmentThenProfilesAndNeverShowTheSecret() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [dev]
            aws_access_key_id=AKIDDEV
            aws_secret_access_key=dev-secret
            aws_session_token=dev-token
            """.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        try """
            [default]
            region = eu-west-1
            [profile dev]
            region = ap-northeast-1
            [profile sso]
            sso_session = corp
            """.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        let files = CredentialChain(environment: [:], home: home.path)
        #expect(try files.credentials(profile: nil).accessKeyID == "AKIDDEFAULT")
        #expect(try files.region(explicit: nil, profile: nil) == "eu-west-1")
        let dev = try files.credentials(profile: "dev")
        #expect(dev.sessionToken == "dev-token" && dev.source == "profile dev")
        #expect(!"\(dev)".contains("dev-secret") && !"\(dev)".contains("dev-token"))
        #expect(try CredentialChain(environment: ["AWS_PROFILE": "dev"], home: home.path).region(explicit: nil, profile: nil) == "ap-northeast-1")
        let env = CredentialChain(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t", "AWS_REGION": "us-west-2", "AWS_PROFILE": "dev"], home: home.path)
        #expect(try env.credentials(profile: nil).accessKeyID == "AKIDENV")
        #expect(try env.credentials(profile: "dev").accessKeyID == "AKIDDEV")
        #expect(try env.region(explicit: nil, profile: nil) == "us-west-2")
        #expect(try env.region(explicit: "sa-east-1", profile: nil) == "sa-east-1")
        #expect(env.endpoint(explicit: nil, region: "us-west-2") == "https://api.sagemaker.us-west-2.amazonaws.com")
        #expect(CredentialChain(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566"], home: home.path).endpoint(explicit: nil, region: "x") == "http://127.0.0.1:4566")
        #expect(throws: CredentialChain.Failure.self) { try files.credentials(profile: "sso") }
        #expect(throws: CredentialChain.Failure.self) { try files.credentials(profile: "missing") }
        #expect(throws: CredentialChain.Failure.self) { try CredentialChain(environment: ["AWS_ACCESS_KEY_ID": "x"], home: home.path).credentials(profile: nil) }
        #expect(throws: CredentialChain.Failure.self) { try CredentialChain(environment: [:], home: "/nonexistent").region(explicit: nil, profile: nil) }
    }
}
