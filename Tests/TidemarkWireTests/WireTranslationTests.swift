import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkWire

/// The translation between manifest spelling and SageMaker's wire, over every member of
/// every kind's generated shape.
struct WireTranslationTests {
    /// A value for every member of a shape, to `depth` levels (recursive shapes stop there).
    static func sample(_ shape: Shape, depth: Int = 0) -> Value? {
        switch shape {
        case .string(let rule): return .string(rule.allowed?.values.first ?? String(repeating: "x", count: max(1, rule.minLength)))
        case .integer(let min, _): return .int(min ?? 1)
        case .number(let min, _): return .double((min ?? 0) + 0.5)
        case .boolean: return .bool(true)
        case .list(let l): return depth > 8 ? nil : sample(l.element, depth: depth + 1).map { .list([$0]) }
        case .map(let m): return sample(m.value, depth: depth + 1).map { .object([.init("key-1", $0)]) }
        case .document: return .object(sorting: [.init("Version", .string("2020-12-01")), .init("Steps", .list([.object([.init("Name", .string("Train"))])]))])
        case .object(let o):
            guard depth <= 8 else { return nil }
            return .object(sorting: o.fields.compactMap { f in sample(f.shape, depth: depth + 1).map { .init(f.name, $0) } })
        }
    }

    static let creates: [ResourceKind: SageMakerOperation] = [
        .featureGroup: SageMakerOperations.createFeatureGroup, .pipeline: SageMakerOperations.createPipeline,
        .modelPackageGroup: SageMakerOperations.createModelPackageGroup, .modelPackage: SageMakerOperations.createModelPackage,
        .model: SageMakerOperations.createModel, .endpointConfig: SageMakerOperations.createEndpointConfig,
        .endpoint: SageMakerOperations.createEndpoint, .monitoringSchedule: SageMakerOperations.createMonitoringSchedule,
    ]

    @Test(arguments: ResourceKind.allCases)
    func everyMemberRoundTripsThroughBotocoreNames(_ kind: ResourceKind) throws {
        let r = WireResource.of(kind)
        let spec = try #require(Self.sample(.object(r.spec)))
        let wire = WireCodec.toWire(spec, .object(r.spec))
        #expect(WireCodec.fromWire(wire, .object(r.spec)) == spec)
        // A spec holds the Create* members, and the few an update sets right after (approvalDescription).
        let members = Set(try #require(Self.creates[kind]).input.fields.map(\.wireName))
            .union(KindDefinition.of(kind).updateOperation?.input.fields.map(\.wireName) ?? [])
        for key in wire.members?.map(\.key) ?? [] { #expect(members.contains(key), "\(key) is not a member of Create\(kind.rawValue) or its update") }
        #expect(r.create == Self.creates[kind]?.name)
    }

    @Test(arguments: ResourceKind.allCases)
    func aDescriptionRendersAndReadsBackTheSameObject(_ kind: ResourceKind) throws {
        let r = WireResource.of(kind)
        var spec = try #require(Self.sample(.object(r.spec)))
        if kind != .modelPackage, let name = KindDefinition.of(kind).nameField { spec = spec.setting(name, nil) }
        var name = "thing-1"
        var observed = Value.object([])
        if kind == .modelPackage {
            spec = spec.setting("modelPackageName", nil).setting("modelPackageGroupName", .string("fraud-models"))
            name = "fraud-models/3"
            observed = .object([.init("version", .int(3))])
        }
        let tags = spec["tags"]
        let live = LiveObject(kind: kind, name: name, arn: "arn:aws:sagemaker:us-east-1:123456789012:\(r.arnType)/\(name)", spec: spec,
                              status: r.statusMember == nil ? nil : "SomeStatus", phase: .ready, failureReason: nil, observed: observed,
                              clientToken: nil, createdAt: Date(timeIntervalSince1970: 1_700_000_000.25), modifiedAt: Date(timeIntervalSince1970: 1_700_000_100))
        let output = WireDescription.render(live)
        let wireTags = tags.map { WireCodec.toWire($0, r.spec.field(named: "tags")?.shape ?? .text).elements ?? [] } ?? []
        let back = WireDescription.parse(kind, output, tags: wireTags)
        #expect(back.spec == spec)
        #expect(back.name == name)
        #expect(back.arn == live.arn)
        #expect(back.createdAt == live.createdAt)
        #expect(output["CreationTime"] == .double(1_700_000_000.25))
        if kind == .modelPackage { #expect(back.observed["version"] == .int(3)) }
    }

    @Test func statusesBecomePhasesAsEachServiceUsesThem() {
        func phase(_ kind: ResourceKind, _ output: [Value.Member]) -> Phase { WireDescription.parse(kind, .object(output), tags: []).phase }
        #expect(phase(.endpoint, [.init("EndpointStatus", .string("Updating"))]) == .progressing)
        #expect(phase(.endpoint, [.init("EndpointStatus", .string("Failed"))]) == .failed)
        #expect(phase(.endpoint, [.init("EndpointStatus", .string("InService"))]) == .ready)
        #expect(phase(.featureGroup, [.init("FeatureGroupStatus", .string("Created")), .init("LastUpdateStatus", .object([.init("Status", .string("InProgress"))]))]) == .progressing)
        #expect(phase(.featureGroup, [.init("FeatureGroupStatus", .string("Created")), .init("LastUpdateStatus", .object([.init("Status", .string("Failed"))]))]) == .updateFailed)
        #expect(phase(.modelPackage, [.init("ModelPackageStatus", .string("Pending"))]) == .progressing)
        #expect(phase(.model, []) == .ready)
    }

    @Test func anUpdateSendsOnlyChangesAndTheServerRebuildsTheSameSpec() throws {
        let fg = Value.object(sorting: [
            .init("featureDefinitions", .list([.object(sorting: [.init("featureName", .string("id")), .init("featureType", .string("String"))])])),
            .init("onlineStoreConfig", .object(sorting: [.init("enableOnlineStore", .bool(true)), .init("ttlDuration", .object(sorting: [.init("unit", .string("Days")), .init("value", .int(7))]))])),
            .init("recordIdentifierFeatureName", .string("id")),
            .init("tags", .list([.object(sorting: [.init("key", .string("team")), .init("value", .string("risk"))])])),
        ])
        let added = Value.object(sorting: [.init("featureName", .string("amount")), .init("featureType", .string("Fractional"))])
        var want = fg.setting("featureDefinitions", .list((fg["featureDefinitions"]?.elements ?? []) + [added]))
        want = want.setting("onlineStoreConfig", fg["onlineStoreConfig"]?.setting("ttlDuration", .object(sorting: [.init("unit", .string("Days")), .init("value", .int(30))])))
        want = want.setting("tags", .list([.object(sorting: [.init("key", .string("owner")), .init("value", .string("ml"))])]))
        let u = try WireUpdate.make(.featureGroup, identity: .init("FeatureGroupName", .string("tx")), current: fg, desired: want)
        let request = try #require(u.request)
        #expect(request["FeatureAdditions"] == .list([.object(sorting: [.init("FeatureName", .string("amount")), .init("FeatureType", .string("Fractional"))])]))
        #expect(request["OnlineStoreConfig"]?["TtlDuration"]?["Value"] == .int(30))
        #expect(request["RecordIdentifierFeatureName"] == nil)
        #expect(u.removeTagKeys == ["team"])
        #expect(u.addTags.count == 1)
        let rebuilt = WireUpdate.addingTags(u.addTags, to: WireUpdate.removingTags(u.removeTagKeys, from: WireUpdate.apply(.featureGroup, request: request, to: fg)))
        #expect(rebuilt == want)

        let pkg = Value.object(sorting: [
            .init("modelApprovalStatus", .string("PendingManualApproval")),
            .init("customerMetadataProperties", .object([.init("a", .string("1")), .init("b", .string("2"))])),
            .init("modelPackageGroupName", .string("fraud-models")),
        ])
        let approved = pkg.setting("modelApprovalStatus", .string("Approved")).setting("customerMetadataProperties", .object([.init("a", .string("1"))]))
        let p = try WireUpdate.make(.modelPackage, identity: .init("ModelPackageArn", .string("arn")), current: pkg, desired: approved)
        let pr = try #require(p.request)
        #expect(pr["ModelApprovalStatus"] == .string("Approved"))
        #expect(pr["CustomerMetadataPropertiesToRemove"] == .list([.string("b")]))
        #expect(pr["ModelPackageGroupName"] == nil)
        #expect(WireUpdate.apply(.modelPackage, request: pr, to: pkg) == approved)

        let endpoint = Value.object([.init("endpointConfigName", .string("a"))])
        let e = try WireUpdate.make(.endpoint, identity: .init("EndpointName", .string("ep")), current: endpoint,
                                    desired: .object([.init("endpointConfigName", .string("b"))]), retainExcept: ["DesiredWeight"])
        #expect(e.request?["RetainAllVariantProperties"] == .bool(true))
        #expect(e.request?["ExcludeRetainedVariantProperties"] == .list([.object([.init("VariantPropertyType", .string("DesiredWeight"))])]))

        let model = Value.object([.init("executionRoleARN", .string("arn:aws:iam::123456789012:role/a"))])
        let tagsOnly = try WireUpdate.make(.model, identity: .init("ModelName", .string("m")), current: model,
                                           desired: model.setting("tags", .list([.object(sorting: [.init("key", .string("k")), .init("value", .string("v"))])])))
        #expect(tagsOnly.request == nil && tagsOnly.addTags.count == 1)
        #expect(throws: ServiceError.self) {
            try WireUpdate.make(.model, identity: .init("ModelName", .string("m")), current: model,
                                desired: .object([.init("executionRoleARN", .string("arn:aws:iam::123456789012:role/b"))]))
        }
    }

    @Test func aValidationMessageNamesTheManifestField() {
        let message = "1 validation error detected: Value 'ml.m5.superlarge' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set"
        #expect(ServiceError.field(namedIn: message, kind: .endpointConfig) == "productionVariants[0].instanceType")
        #expect(ServiceError.field(namedIn: "Value 'x' at 'executionRoleArn' failed", kind: .model) == "executionRoleARN")
        #expect(ServiceError.field(namedIn: "no field here", kind: .model) == nil)
        let e = WireError.parse(status: 400, body: #"{"__type":"com.amazonaws.sagemaker#ValidationException","message":"\#(message)"}"#, typeHeader: nil, kind: .endpointConfig)
        #expect(e.code == .validation && e.field == "productionVariants[0].instanceType")
        #expect(WireError.parse(status: 429, body: "", typeHeader: nil).code == .throttling)
        #expect(WireError.parse(status: 503, body: "<html>", typeHeader: nil).code == .internalFailure)
        #expect(WireError.parse(status: 400, body: #"{"__type":"SomethingNew","message":"m"}"#, typeHeader: nil).message == "SomethingNew: m")
        #expect(WireError.isNotFound(ServiceError(.validation, "Could not find endpoint \"x\".")))
        #expect(!WireError.isNotFound(ServiceError(.validation, "Endpoint x is Failed")))
    }

    @Test func arnsNameTheirKindAndObject() {
        #expect(WireResource.parse(arn: "arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models/3").map { "\($0.0.rawValue) \($0.1)" } == "ModelPackage fraud-models/3")
        #expect(WireResource.parse(arn: "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/a").map(\.0) == .endpointConfig)
        #expect(WireResource.parse(arn: "arn:aws:s3:::bucket") == nil)
        #expect(WireResource.operation("UpdateFeatureGroup").map { "\($0.0.kind.rawValue) \($0.1.rawValue)" } == "FeatureGroup update")
        #expect(WireResource.operation("UpdateModel") == nil)
    }
}
