import Foundation
import Testing
import TidemarkAWS
import TidemarkCore
import TidemarkEngine
import TidemarkTesting
import TidemarkWire

/// Real clients on real servers, all on loopback: boto3 and the AWS CLI against
/// `tidemark services serve`, and Tidemark's API backend against moto_server. The Python
/// tools come from the virtual environment `make test` builds (`make awsdeps`).
@Suite(.serialized) struct ClientToolTests {
    static let venv = ProcessInfo.processInfo.environment["TIDEMARK_AWS_VENV"]
        ?? APIBackendTests.root.appendingPathComponent(".build/venv-aws-1.43.11").path
    static let script = APIBackendTests.root.appendingPathComponent("Tests/TidemarkWireTests/Python/clients.py").path

    struct Run {
        var status: Int32
        var output: String
    }

    static func python(_ args: [String], env: [String: String] = [:]) throws -> Run {
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ServedProcess.Failed(description: "no \(python): `make test` (or `make awsdeps`) installs boto3, the AWS CLI and moto there")
        }
        var environment = env
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-py-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: out) }
        let status = try ChildProcess.start(python, [script] + args, environment: environment,
                                            stdout: .file(out.path), stderr: .standardOutput).waitUntilExit()
        return Run(status: status, output: (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    func folder() throws -> String {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-clients-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
        return f
    }

    static let kinds = ["FeatureGroup", "Pipeline", "ModelPackageGroup", "ModelPackage", "Model", "EndpointConfig", "Endpoint", "MonitoringSchedule"]

    @Test(arguments: ["boto3", "awscli"])
    func aRealClientDrivesEveryKindThroughServicesServe(_ tool: String) throws {
        let server = try ServedProcess.services(binary: APIBackendTests.binary, data: try folder())
        let r = try Self.python([tool, server.url])
        #expect(r.status == 0, "\(r.output)\nserver log:\n\(server.logText)")
        for kind in Self.kinds {
            for verb in ["create", "describe", "list", "update", "delete"] {
                #expect(r.output.contains("ok \(tool) \(verb) \(kind)\n"), "\(tool) \(verb) \(kind) did not pass")
            }
        }
        #expect(r.output.contains("ok \(tool) everything deleted"))
        if tool == "boto3" {
            #expect(r.output.contains("ok boto3 paginator follows NextToken (5, 5, 2)"))
            #expect(r.output.contains("ok boto3 error shapes"))
        } else {
            #expect(r.output.contains("ok awscli error shape"))
        }
    }

    @Test func botocoresSignatureIsVerifiedAndAWrongSecretRefused() throws {
        let server = try ServedProcess.services(binary: APIBackendTests.binary, data: try folder(), environment: ["TIDEMARK_SERVICES_SECRET": "s3cret-for-test"])
        #expect(server.logText.contains("requests must be signed with access key id tidemark"))
        #expect(!server.logText.contains("s3cret-for-test"))
        let r = try Self.python(["signed", server.url, "s3cret-for-test"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("ok botocore's SigV4 signature verified by the server"))
        #expect(r.output.contains("ok a wrong secret is refused"))
    }

    /// moto (PyPI moto[server]) implements, for Tidemark's kinds: models, endpoint configs,
    /// endpoints (no UpdateEndpoint), model package groups (no delete), model packages
    /// (no delete), pipelines, feature groups (create and describe only), and tags. It has
    /// no monitoring schedules, and its ListTags fails on package-version and feature-group
    /// ARNs. Each of those operations goes through the API backend's requests here.
    @Test func theAPIBackendAgainstMotoServer() async throws {
        let moto = try ServedProcess(Self.venv + "/bin/moto_server", ["-H", "127.0.0.1", "-p", "0"], portPattern: #"Running on http://127\.0\.0\.1:(\d+)"#)
        do {
            try await Self.motoOperations(moto)
        } catch {
            Issue.record("\(error)\nmoto_server log:\n\(moto.logText.suffix(4000))")
        }
    }

    static func motoOperations(_ moto: ServedProcess) async throws {
        let client = AWSJSONClient(endpoint: try #require(URL(string: moto.url)), region: "us-east-1",
                                   credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test"))
        let backend = SageMakerAPIBackend(client: client)
        let stack = try APIBackendTests.stack()
        func spec(_ kind: ResourceKind, _ name: String) throws -> Value { try #require(stack.first { $0.0 == kind && $0.1 == name }?.2) }

        // Models, endpoint configs, endpoints: create, describe, list, delete.
        let model = try await backend.create(.model, name: "xgb-1", spec: try spec(.model, "xgb-1"), clientToken: "")
        #expect(model.spec["executionRoleARN"] == .string(APIBackendTests.role))
        #expect(model.spec["primaryContainer"]?["image"] == .string(APIBackendTests.image))
        let config = try await backend.create(.endpointConfig, name: "detector-a", spec: try spec(.endpointConfig, "detector-a"), clientToken: "")
        #expect(config.spec["productionVariants"]?.elements?.first?["instanceType"] == .string("ml.m5.large"))
        let endpoint = try await backend.create(.endpoint, name: "detector", spec: try spec(.endpoint, "detector").setting("deploymentConfig", nil), clientToken: "")
        #expect(endpoint.spec["endpointConfigName"] == .string("detector-a"))
        #expect(endpoint.status != nil)
        #expect(try await backend.list(.endpoint).map(\.name) == ["detector"])
        #expect(try await backend.list(.model).map(\.name) == ["xgb-1"])

        // Tags through AddTags, ListTags, DeleteTags.
        let tagged = model.spec.setting("tags", .list([.object(sorting: [.init("key", .string("owner")), .init("value", .string("ml"))])]))
        #expect(try await backend.update(.model, "xgb-1", spec: tagged).spec["tags"] == tagged["tags"])
        #expect(try await backend.update(.model, "xgb-1", spec: model.spec).spec["tags"] == nil)

        // The registry: a group and numbered versions, approved in place. moto's ListTags
        // cannot parse a version's ARN (model-package/group/1), so versions are read here with
        // the backend's own requests and parser, without their tags.
        _ = try await backend.create(.modelPackageGroup, name: "fraud-models", spec: try spec(.modelPackageGroup, "fraud-models"), clientToken: "")
        #expect(try await backend.describe(.modelPackageGroup, "fraud-models")?.status != nil)
        let package = try spec(.modelPackage, "fraud-models").setting("approvalDescription", nil)
        let packageRequest = WireCodec.toWire(package, .object(WireResource.of(.modelPackage).spec)).setting("ClientToken", .string("0123456789abcdef"))
        let arn1 = try await client.call("CreateModelPackage", packageRequest)["ModelPackageArn"]?.stringValue ?? ""
        let arn2 = try await client.call("CreateModelPackage", packageRequest.setting("ClientToken", .string("fedcba9876543210")))["ModelPackageArn"]?.stringValue ?? ""
        let v1 = WireDescription.parse(.modelPackage, try await client.call("DescribeModelPackage", .object([.init("ModelPackageName", .string(arn1))])), tags: [])
        let v2 = WireDescription.parse(.modelPackage, try await client.call("DescribeModelPackage", .object([.init("ModelPackageName", .string(arn2))])), tags: [])
        #expect(v1.name == "fraud-models/1" && v2.name == "fraud-models/2", "\(v1.name) \(v2.name)")
        #expect(v1.spec["inferenceSpecification"] == package["inferenceSpecification"])
        let approve = try WireUpdate.make(.modelPackage, identity: .init("ModelPackageArn", .string(arn1)), current: v1.spec,
                                          desired: v1.spec.setting("modelApprovalStatus", .string("Approved")))
        _ = try await client.call("UpdateModelPackage", try #require(approve.request))
        let approved = WireDescription.parse(.modelPackage, try await client.call("DescribeModelPackage", .object([.init("ModelPackageName", .string(arn1))])), tags: [])
        #expect(approved.spec["modelApprovalStatus"] == .string("Approved"))
        let versions = try await client.paginate("ListModelPackages", .object([.init("ModelPackageGroupName", .string("fraud-models"))]), items: "ModelPackageSummaryList")
        #expect(versions.compactMap { $0["ModelPackageVersion"]?.intValue }.sorted() == [1, 2])

        // Pipelines: create, describe, update, list, delete.
        let pipeline = try await backend.create(.pipeline, name: "training", spec: try spec(.pipeline, "training"), clientToken: "r1-pipeline")
        let definition = try spec(.pipeline, "training")["pipelineDefinition"]
        #expect(pipeline.spec["pipelineDefinition"] == definition)
        let changed = try await backend.update(.pipeline, "training", spec: pipeline.spec.setting("pipelineDescription", .string("second")))
        #expect(changed.spec["pipelineDescription"] == .string("second"))
        #expect(try await backend.list(.pipeline).map(\.name) == ["training"])

        // Feature groups: create and describe (moto needs an offline store, and its ListTags
        // fails on a feature group's ARN, so it is read without tags).
        let offline = try APIBackendTests.spec(#"{"s3StorageConfig":{"s3URI":"s3://feature-store/"}}"#)
        let features = try spec(.featureGroup, "transactions").setting("offlineStoreConfig", offline).setting("tags", nil)
        let fgRequest = WireCodec.toWire(features, .object(WireResource.of(.featureGroup).spec)).setting("FeatureGroupName", .string("transactions"))
        _ = try await client.call("CreateFeatureGroup", fgRequest)
        let group = WireDescription.parse(.featureGroup, try await client.call("DescribeFeatureGroup", .object([.init("FeatureGroupName", .string("transactions"))])), tags: [])
        #expect(group.spec["featureDefinitions"] == features["featureDefinitions"])
        #expect(group.spec["recordIdentifierFeatureName"] == .string("id"))

        for (kind, name) in [(ResourceKind.pipeline, "training"), (.endpoint, "detector"), (.endpointConfig, "detector-a"), (.model, "xgb-1")] {
            try await backend.delete(kind, name)
            #expect(try await backend.describe(kind, name) == nil, "\(kind) \(name) survived its delete on moto")
        }
    }
}
