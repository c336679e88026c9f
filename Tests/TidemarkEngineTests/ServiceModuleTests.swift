import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
@testable import TidemarkServices

@Suite struct ServiceModuleTests {
    func spec(_ json: String) -> Value { Value(json: json) ?? .null }

    func expectError(_ code: ServiceError.Code, containing text: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(code.rawValue)")
        } catch let e as ServiceError {
            #expect(e.code == code, "\(e)")
            #expect(e.message.contains(text), "\(e.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func endpointStatusMovesWithTheInjectedClock() async throws {
        let h = try Harness()
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "t1")
        _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "t2")
        let created = try await h.services.create(.endpoint, name: "e", spec: spec(#"{"endpointConfigName":"c"}"#), clientToken: "t3")
        #expect(created.status == "Creating")
        #expect(created.phase == .progressing)
        h.time.advance(seconds: 2.9)
        #expect(try await h.services.describe(.endpoint, "e")?.status == "Creating")
        h.time.advance(seconds: 0.2)
        let ready = try await h.services.describe(.endpoint, "e")
        #expect(ready?.status == "InService")
        #expect(ready?.phase == .ready)
    }

    /// Each change is an event of the object's history: its status then, why it failed, and
    /// its deletion, at the service's time.
    @Test func anObjectsEventsAreItsStatusesInOrder() async throws {
        let h = try Harness()
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "t1")
        _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "t2")
        let start = h.time.now()
        _ = try await h.services.create(.endpoint, name: "e", spec: spec(#"{"endpointConfigName":"c"}"#), clientToken: "t3")
        h.time.advance(seconds: 5)
        _ = try await h.services.describe(.endpoint, "e")
        try h.services.inject(.fail, .endpoint, "e", detail: "capacity unavailable")
        _ = try await h.services.update(.endpoint, "e", spec: spec(#"{"endpointConfigName":"c"}"#))
        h.time.advance(seconds: 3600)
        _ = try await h.services.describe(.endpoint, "e")
        try await h.services.delete(.endpoint, "e")
        h.time.advance(seconds: 3600)
        _ = try await h.services.describe(.endpoint, "e")
        let events = try #require(try await h.services.events(.endpoint, names: ["e"], limit: 100))
        let statuses = events.map { $0.status ?? "-" }
        #expect(statuses.first == "Creating" && statuses.last == "Deleted", "\(statuses)")
        #expect(statuses.contains("InService") && statuses.contains("Updating") && statuses.contains("Deleting"), "\(statuses)")
        #expect(events.first { $0.failureReason != nil }?.failureReason?.contains("capacity unavailable") == true, "\(events)")
        #expect(events.map(\.time) == events.map(\.time).sorted())
        #expect(events.first?.time == start)
        // Other objects' events stay theirs; the newest `limit` are kept.
        #expect(try await h.services.events(.endpoint, names: ["other"], limit: 100)?.isEmpty == true)
        #expect(try await h.services.events(.endpoint, names: ["e"], limit: 2)?.map { $0.status ?? "-" }.last == "Deleted")
        #expect(try await h.services.events(.endpoint, names: ["e"], limit: 2)?.count == 2)
    }

    @Test func stalledAndFailedTransitions() async throws {
        let h = try Harness()
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "a")
        _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "b")
        try h.services.inject(.stall, .endpoint, "stuck")
        try h.services.inject(.fail, .endpoint, "broken", detail: "capacity unavailable")
        _ = try await h.services.create(.endpoint, name: "stuck", spec: spec(#"{"endpointConfigName":"c"}"#), clientToken: "c")
        _ = try await h.services.create(.endpoint, name: "broken", spec: spec(#"{"endpointConfigName":"c"}"#), clientToken: "d")
        h.time.advance(seconds: 3600)
        #expect(try await h.services.describe(.endpoint, "stuck")?.status == "Creating")
        let broken = try await h.services.describe(.endpoint, "broken")
        #expect(broken?.status == "Failed")
        #expect(broken?.phase == .failed)
        #expect(broken?.failureReason == "capacity unavailable")
        await expectError(.validation, containing: "only operation") {
            _ = try await h.services.update(.endpoint, "broken", spec: spec(#"{"endpointConfigName":"c"}"#))
        }
        try h.services.clear(.endpoint, "stuck")
        #expect(try await h.services.describe(.endpoint, "stuck")?.status == "InService")
    }

    @Test func inferenceRules() async throws {
        let h = try Harness(latencies: .zero)
        await expectError(.validation, containing: "Could not find model") {
            _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"nope","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "x")
        }
        await expectError(.validation, containing: "Could not find endpoint configuration") {
            _ = try await h.services.create(.endpoint, name: "e", spec: spec(#"{"endpointConfigName":"nope"}"#), clientToken: "y")
        }
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "a")
        await expectError(.validation, containing: "Cannot create already existing model") {
            _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"j"}}"#), clientToken: "b")
        }
        await expectError(.validation, containing: "no UpdateModel") {
            _ = try await h.services.update(.model, "m", spec: spec(#"{"primaryContainer":{"image":"j"}}"#))
        }
        await expectError(.validation, containing: "failed to satisfy constraint") {
            _ = try await h.services.create(.model, name: "bad_name", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "c")
        }
        await expectError(.validation, containing: "MemorySizeInMB") {
            _ = try await h.services.create(.endpointConfig, name: "s", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","serverlessConfig":{"memorySizeInMB":1500,"maxConcurrency":1}}]}"#), clientToken: "d")
        }
    }

    @Test func anEndpointConfigInUseByAnUpdatingEndpointCannotBeDeleted() async throws {
        let h = try Harness()
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "a")
        for c in ["c1", "c2"] {
            _ = try await h.services.create(.endpointConfig, name: c, spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: c)
        }
        _ = try await h.services.create(.endpoint, name: "e", spec: spec(#"{"endpointConfigName":"c1"}"#), clientToken: "e")
        h.time.advance(seconds: 5)
        let updating = try await h.services.update(.endpoint, "e", spec: spec(#"{"endpointConfigName":"c2"}"#))
        #expect(updating.status == "Updating")
        await expectError(.inUse, containing: "in use by endpoint e") { try await h.services.delete(.endpointConfig, "c2") }
        h.time.advance(seconds: 5)
        let done = try await h.services.describe(.endpoint, "e")
        #expect(done?.spec["endpointConfigName"] == .string("c2"))
        try await h.services.delete(.endpointConfig, "c1")
    }

    @Test func registryVersionsGroupsAndApproval() async throws {
        let h = try Harness(latencies: .zero)
        await expectError(.validation, containing: "does not exist") {
            _ = try await h.services.create(.modelPackage, name: "p", spec: spec(#"{"modelPackageGroupName":"g"}"#), clientToken: "a")
        }
        _ = try await h.services.create(.modelPackageGroup, name: "g", spec: spec("{}"), clientToken: "g")
        let v1 = try await h.services.create(.modelPackage, name: "p1", spec: spec(#"{"modelPackageGroupName":"g","modelApprovalStatus":"PendingManualApproval","inferenceSpecification":{"containers":[{"image":"i"}]}}"#), clientToken: "b")
        let v2 = try await h.services.create(.modelPackage, name: "p2", spec: spec(#"{"modelPackageGroupName":"g","modelApprovalStatus":"Approved"}"#), clientToken: "c")
        #expect(v1.name == "g/1")
        #expect(v2.name == "g/2")
        #expect(v1.observed["version"] == .int(1))
        await expectError(.validation, containing: "not Approved") {
            _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"modelPackageName":"g/1"}}"#), clientToken: "d")
        }
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"modelPackageName":"g/2"}}"#), clientToken: "e")
        await expectError(.validation, containing: "cannot change modelPackageGroupName") {
            _ = try await h.services.update(.modelPackage, "g/1", spec: spec(#"{"modelPackageGroupName":"other","modelApprovalStatus":"Approved"}"#))
        }
        let approved = try await h.services.update(.modelPackage, "g/1", spec: spec(#"{"modelPackageGroupName":"g","modelApprovalStatus":"Approved","inferenceSpecification":{"containers":[{"image":"i"}]}}"#))
        #expect(approved.spec["modelApprovalStatus"] == .string("Approved"))
        await expectError(.conflict, containing: "still has 2 version") { try await h.services.delete(.modelPackageGroup, "g") }
        await expectError(.validation, containing: "no UpdateModelPackageGroup") {
            _ = try await h.services.update(.modelPackageGroup, "g", spec: spec(#"{"modelPackageGroupDescription":"x"}"#))
        }
    }

    @Test func featureGroupsOnlyGrow() async throws {
        let h = try Harness()
        let base = #"{"recordIdentifierFeatureName":"id","eventTimeFeatureName":"t","offlineStoreConfig":{"s3StorageConfig":{"s3URI":"s3://b/p"}},"featureDefinitions":[{"featureName":"id","featureType":"String"},{"featureName":"t","featureType":"Fractional"}%@]}"#
        func fg(_ extra: String) -> Value { spec(base.replacingOccurrences(of: "%@", with: extra)) }
        await expectError(.validation, containing: "must be one of feature definitions") {
            _ = try await h.services.create(.featureGroup, name: "f", spec: spec(#"{"recordIdentifierFeatureName":"x","eventTimeFeatureName":"t","offlineStoreConfig":{},"featureDefinitions":[{"featureName":"t","featureType":"String"}]}"#), clientToken: "a")
        }
        #expect(try await h.services.create(.featureGroup, name: "f", spec: fg(""), clientToken: "b").status == "Creating")
        await expectError(.inUse, containing: "cannot be updated now") { _ = try await h.services.update(.featureGroup, "f", spec: fg(#",{"featureName":"x","featureType":"Integral"}"#)) }
        h.time.advance(seconds: 1)
        let growing = try await h.services.update(.featureGroup, "f", spec: fg(#",{"featureName":"x","featureType":"Integral"}"#))
        #expect(growing.phase == .progressing)
        #expect(growing.observed["lastUpdateStatus"] == .string("InProgress"))
        h.time.advance(seconds: 1)
        #expect(try await h.services.describe(.featureGroup, "f")?.observed["lastUpdateStatus"] == .string("Successful"))
        await expectError(.validation, containing: "cannot be removed") { _ = try await h.services.update(.featureGroup, "f", spec: fg("")) }
        await expectError(.validation, containing: "cannot be changed") { _ = try await h.services.update(.featureGroup, "f", spec: fg(#",{"featureName":"x","featureType":"String"}"#)) }
        try await h.services.delete(.featureGroup, "f")
        #expect(try await h.services.describe(.featureGroup, "f")?.status == "Deleting")
        h.time.advance(seconds: 1)
        #expect(try await h.services.describe(.featureGroup, "f") == nil)
    }

    @Test func aMonitorNeedsACapturingEndpoint() async throws {
        let h = try Harness(latencies: .zero)
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "a")
        _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"v","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "b")
        _ = try await h.services.create(.endpoint, name: "e", spec: spec(#"{"endpointConfigName":"c"}"#), clientToken: "c")
        let schedule = spec(#"{"monitoringScheduleConfig":{"monitoringJobDefinition":{"monitoringInputs":[{"endpointInput":{"endpointName":"e","localPath":"/x"}}]},"scheduleConfig":{"scheduleExpression":"cron(0 * ? * * *)"}}}"#)
        await expectError(.validation, containing: "data capture") { _ = try await h.services.create(.monitoringSchedule, name: "s", spec: schedule, clientToken: "d") }
    }

    @Test func outOfBandEditsChangeTheLiveSpec() async throws {
        let h = try Harness(latencies: .zero)
        _ = try await h.services.create(.model, name: "m", spec: spec(#"{"primaryContainer":{"image":"i"}}"#), clientToken: "a")
        _ = try await h.services.create(.endpointConfig, name: "c", spec: spec(#"{"productionVariants":[{"variantName":"primary","modelName":"m","instanceType":"ml.m5.large","initialInstanceCount":1}]}"#), clientToken: "b")
        try h.services.setField(.endpointConfig, "c", path: "productionVariants[primary].initialInstanceCount", value: .int(6))
        #expect(try await h.services.describe(.endpointConfig, "c")?.spec["productionVariants"]?.elements?.first?["initialInstanceCount"] == .int(6))
        #expect(throws: ServiceError.self) { try h.services.setField(.endpointConfig, "c", path: "productionVariants[nope].x", value: .int(1)) }
        #expect(throws: ServiceError.self) { try h.services.setField(.endpointConfig, "c", path: "", value: .int(1)) }
        #expect(throws: ServiceError.self) { try h.services.setField(.endpointConfig, "c", path: "productionVariants[primary].instanceType.size", value: .int(1)) }
        #expect(try await h.services.describe(.endpointConfig, "c")?.spec["productionVariants"]?.elements?.first?["instanceType"] == .string("ml.m5.large"))
    }
}
