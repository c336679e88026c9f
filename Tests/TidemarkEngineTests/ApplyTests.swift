import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore
import TidemarkTesting

@Suite struct ApplyTests {
    static let serveV2: [(String, String, String)] = [
        (Harness.registry, "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved"),
        (Harness.serving, "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2"),
    ]

    @Test func createsTheWholeStackThroughAsynchronousStatuses() async throws {
        let h = try Harness()
        let result = try await h.apply(try Harness.stack())
        #expect(result.outcome == .succeeded, "\(result.failures)")
        #expect(result.completed.count == 9)
        let inventory = try h.store.inventory()
        #expect(inventory.count == 9)
        #expect(inventory[ResourceID(.modelPackage, "fraud-xgb-v1")]?.physicalName == "fraud-models/1")
        let endpoint = try await h.services.describe(.endpoint, "fraud-detector")
        #expect(endpoint?.status == "InService")
        #expect(endpoint?.spec["endpointConfigName"]?.stringValue == inventory[ResourceID(.endpointConfig, "fraud-detector")]?.physicalName)
        #expect(try await h.plan(try Harness.stack()).steps.isEmpty)
        #expect(try h.store.verifyAudit().firstBroken == nil)
        // Nine creates and the revision itself.
        #expect(try h.store.audit(AuditQuery()).count == 10)
    }

    @Test func aModelChangeReplacesAndRepointsKeepingTheOldForRollback() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        let before = try h.store.inventory()
        let result = try await h.apply(try Harness.stack(Self.serveV2))
        #expect(result.outcome == .succeeded, "\(result.failures)")
        let after = try h.store.inventory()
        let model = ResourceID(.model, "fraud-xgb"), config = ResourceID(.endpointConfig, "fraud-detector")
        #expect(after[model]?.physicalName != before[model]?.physicalName)
        #expect(after[model]?.superseded == [before[model]?.physicalName ?? ""])
        #expect(after[config]?.superseded == [before[config]?.physicalName ?? ""])
        #expect(try await h.services.describe(.model, before[model]?.physicalName ?? "") != nil)
        #expect(try await h.services.describe(.endpoint, "fraud-detector")?.spec["endpointConfigName"]?.stringValue == after[config]?.physicalName)
        let model2 = try await h.services.describe(.model, after[model]?.physicalName ?? "")
        #expect(model2?.spec["primaryContainer"]?["modelPackageName"] == .string("fraud-models/2"))
    }

    @Test func olderSupersededVersionsAreCollected() async throws {
        let h = try Harness(latencies: .zero)
        for level in ["30", "20", "10", "40", "50"] {
            let r = try await h.apply(try Harness.stack([(Harness.serving, "SAGEMAKER_CONTAINER_LOG_LEVEL: \"20\"", "SAGEMAKER_CONTAINER_LOG_LEVEL: \"\(level)\"")]))
            #expect(r.outcome == .succeeded)
        }
        let entry = try h.store.inventory()[ResourceID(.model, "fraud-xgb")]
        #expect(entry?.superseded.count == 3)
        #expect(try await h.services.list(.model).count == 4)
        #expect(try h.store.audit(AuditQuery()).contains { $0.draft.action == "collect" })
    }

    /// A registry group numbers its versions in registration order: each group registers its
    /// own one at a time, by name, while groups go side by side. Four groups of five versions,
    /// written out of order, at concurrency 4: every `-vN` is `group/N`.
    @Test func eachGroupNumbersItsVersionsInNameOrderWhileGroupsRegisterTogether() async throws {
        let h = try Harness()
        var text = ""
        for g in ["a", "b", "c", "d"] {
            text += "---\napiVersion: tidemark.dev/v1alpha1\nkind: ModelPackageGroup\nmetadata: {name: \(g)-models}\nspec: {}\n"
            for v in [3, 1, 5, 2, 4] {
                text += """
                    ---
                    apiVersion: tidemark.dev/v1alpha1
                    kind: ModelPackage
                    metadata: {name: \(g)-v\(v)}
                    spec:
                      modelPackageGroupName: \(g)-models
                      modelApprovalStatus: PendingManualApproval
                      inferenceSpecification:
                        containers: [{image: "354813040037.dkr.ecr.ap-northeast-1.amazonaws.com/xgb:1", modelDataURL: "s3://m/\(g)/\(v).tar.gz"}]
                        supportedContentTypes: [text/csv]
                        supportedResponseMIMETypes: [text/csv]

                    """
            }
        }
        let index = RevisionIndex([SourceFile(path: "manifests/registry.yaml", text: text)])
        try #require(!index.loaded.hasErrors, "\(index.loaded.diagnostics)")
        let result = try await h.apply(index) { $0.concurrency = 4 }
        #expect(result.outcome == .succeeded, "\(result.failures)")
        let inventory = try h.store.inventory()
        for g in ["a", "b", "c", "d"] {
            for v in 1...5 {
                #expect(inventory[ResourceID(.modelPackage, "\(g)-v\(v)")]?.physicalName == "\(g)-models/\(v)")
            }
        }
        #expect(try h.store.verifyAudit().firstBroken == nil)
    }

    @Test func anInjectedFailureRollsBackToThePreviousLiveStateExactly() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        let before = try await h.snapshot()
        let inventoryBefore = try h.store.inventory()
        try h.services.inject(.fail, .monitoringSchedule, "fraud-detector-data-quality", detail: "monitoring job image not found")
        let changed = try Harness.stack(Self.serveV2 + [(Harness.monitoring, "maxRuntimeInSeconds: 1800", "maxRuntimeInSeconds: 1200")])
        let result = try await h.apply(changed)
        #expect(result.outcome == .rolledBack)
        #expect(result.failures.first?.contains("MonitoringSchedule/fraud-detector-data-quality") == true)
        #expect(result.irreversible.isEmpty, "\(result.irreversible)")
        h.time.advance(seconds: 60)
        #expect(try await h.snapshot() == before)
        #expect(try h.store.inventory() == inventoryBefore)
        #expect(try h.store.audit(AuditQuery()).contains { $0.draft.trigger == .rollback && $0.draft.action == "rollback-update" })
        #expect(try h.store.verifyAudit().firstBroken == nil)
    }

    /// A level's creates have their intents written together ahead of them, and the next
    /// level's (those not waiting on a name the service assigns) while the level runs; when
    /// the level stops early, the ones never reached, this level's and the next's, are closed
    /// as skipped (nothing open is left for recovery to guess about) and the next apply
    /// creates them.
    @Test func intentsWrittenAheadForALevelThatStopsAreClosedAsSkipped() async throws {
        let h = try Harness()
        try h.services.inject(.fail, .featureGroup, "fraud-transactions", detail: "no such role")
        let result = try await h.apply(try Harness.stack()) { $0.concurrency = 1 }
        #expect(result.outcome == .rolledBack)
        #expect(try h.store.openIntents().isEmpty)
        let entries = try h.store.audit(AuditQuery())
        let skipped = entries.filter { $0.draft.outcome == "skipped" }
        #expect(skipped.map(\.draft.resource) == ["ModelPackageGroup/fraud-models", "Pipeline/fraud-training",
                                                  "ModelPackage/fraud-xgb-v1", "ModelPackage/fraud-xgb-v2"],
                "\(entries.map { "\($0.draft.resource ?? "-") \($0.draft.action) \($0.draft.outcome)" })")
        #expect(try await h.services.describe(.modelPackageGroup, "fraud-models") == nil)
        #expect(try await h.services.describe(.pipeline, "fraud-training") == nil)
        #expect(try await h.services.list(.modelPackage).isEmpty)
        #expect(try h.store.inventory()[ResourceID(.modelPackageGroup, "fraud-models")] == nil)
        #expect(try h.store.verifyAudit().firstBroken == nil)
        try h.services.clear(.featureGroup, "fraud-transactions")
        h.time.advance(seconds: 60)
        let again = try await h.apply(try Harness.stack())
        #expect(again.outcome == .succeeded, "\(again.failures)")
        #expect(try h.store.inventory().count == 9)
    }

    @Test func aTrippedAlarmIsAFailedSyncNotASuccess() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        try h.services.inject(.alarm, .endpoint, "fraud-detector")
        let result = try await h.apply(try Harness.stack(Self.serveV2))
        #expect(result.outcome == .rolledBack)
        #expect(result.failures.first?.contains("alarm fraud-detector-5xx") == true)
        let again = try await h.apply(try Harness.stack(Self.serveV2))
        #expect(again.outcome == .succeeded, "\(again.failures)")
    }

    @Test func stopLeavesChangesInPlaceAndSaysSo() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        try h.services.inject(.fail, .endpoint, "fraud-detector")
        let result = try await h.apply(try Harness.stack(Self.serveV2)) { $0.onFailure = .stop }
        #expect(result.outcome == .failed)
        #expect(result.rolledBack.isEmpty)
        #expect(result.irreversible.contains { $0.contains("not rolled back") })
    }

    @Test func aStalledObjectHitsItsDeadlineAndRollsBack() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        try h.services.inject(.stall, .endpoint, "fraud-detector")
        let result = try await h.apply(try Harness.stack(Self.serveV2)) { $0.waitOverride = 120 }
        #expect(result.outcome == .rolledBack)
        #expect(result.failures.first?.contains("timed out") == true)
    }

    @Test func featureAdditionsAreReportedAsIrreversible() async throws {
        let h = try Harness()
        try await h.apply(try Harness.stack())
        try h.services.inject(.fail, .endpoint, "fraud-detector")
        let edits = Self.serveV2 + [(Harness.featureStore, "    - {featureName: is_foreign, featureType: Integral}\n",
                                     "    - {featureName: is_foreign, featureType: Integral}\n    - {featureName: merchant_risk, featureType: Fractional}\n")]
        let result = try await h.apply(try Harness.stack(edits))
        #expect(result.outcome == .rolledBack)
        #expect(result.irreversible.contains { $0.contains("featureDefinitions added to") && $0.contains("cannot be removed") })
    }

    @Test func destructiveChangesAreRefusedUnlessAllowed() async throws {
        let h = try Harness(latencies: .zero)
        try await h.apply(try Harness.stack())
        let retype = try Harness.stack([(Harness.featureStore, "{featureName: is_foreign, featureType: Integral}", "{featureName: is_foreign, featureType: String}")])
        let plan = try await h.plan(retype)
        #expect(Applier.refusals(plan, options: ApplyOptions()).count == 1)
        let result = try await h.apply(retype) { $0.allowDestroy = true }
        #expect(result.outcome == .succeeded, "\(result.failures)")
        #expect(try await h.services.describe(.featureGroup, "fraud-transactions")?.spec["featureDefinitions"]?.elements?.contains { $0["featureType"] == .string("String") && $0["featureName"] == .string("is_foreign") } == true)
    }

    @Test func pruneDeletesOnlyWithPruneAndRetainKeepsTheObject() async throws {
        let h = try Harness(latencies: .zero)
        try await h.apply(try Harness.stack())
        let smaller = try Harness.stack(without: [Harness.monitoring, Harness.serving])
        let withoutPrune = try await h.apply(smaller)
        #expect(withoutPrune.outcome == .succeeded)
        #expect(try await h.services.describe(.monitoringSchedule, "fraud-detector-data-quality") != nil)
        let plan = try await h.plan(smaller)
        #expect(plan.unpruned.count == 4)
        let pruned = try await h.apply(smaller, prune: true)
        #expect(pruned.outcome == .succeeded, "\(pruned.failures)")
        #expect(try await h.services.describe(.monitoringSchedule, "fraud-detector-data-quality") == nil)
        #expect(try await h.services.list(.model).isEmpty)
        #expect(try await h.services.describe(.endpoint, "fraud-detector") != nil)  // deletion-policy: retain
        #expect(try h.store.inventory()[ResourceID(.endpoint, "fraud-detector")] == nil)
        #expect(try h.store.inventory().count == 5)
    }

    @Test func anUnmanagedObjectIsAdoptedOnlyWhenAsked() async throws {
        let h = try Harness(latencies: .zero)
        _ = try await h.services.create(.pipeline, name: "fraud-training",
                                        spec: .object([.init("roleARN", .string("arn:aws:iam::1:role/x")), .init("pipelineDefinition", .object([.init("Steps", .list([]))]))]),
                                        clientToken: "console")
        let plan = try await h.plan(try Harness.stack())
        #expect(plan.blocked.first?.code == "unmanaged-object")
        let adopting = try Harness.stack([("manifests/pipelines/fraud-training.yaml", "  labels: {team: risk}\n", "  labels: {team: risk}\n  annotations: {tidemark.dev/adopt: \"true\"}\n")])
        let result = try await h.apply(adopting)
        #expect(result.outcome == .succeeded, "\(result.failures)")
        #expect(try h.store.inventory()[ResourceID(.pipeline, "fraud-training")] != nil)
        #expect(try await h.services.describe(.pipeline, "fraud-training")?.spec["pipelineDefinition"]?["Steps"]?.elements?.count == 4)
    }

    @Test func driftIsPlannedAsAnUpdateWithItsReason() async throws {
        let h = try Harness(latencies: .zero)
        try await h.apply(try Harness.stack())
        try h.services.setField(.endpoint, "fraud-detector", path: "deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds", value: .int(0))
        let plan = try await h.plan(try Harness.stack())
        #expect(plan.steps.count == 1)
        #expect(plan.steps.first?.change.cause == .drift)
        try await h.apply(try Harness.stack())
        #expect(try await h.plan(try Harness.stack()).steps.isEmpty)
    }

    @Test func aFailedObjectIsRecreated() async throws {
        let h = try Harness(latencies: .zero)
        try h.services.inject(.fail, .endpoint, "fraud-detector", detail: "no capacity")
        let first = try await h.apply(try Harness.stack()) { $0.onFailure = .stop }
        #expect(first.outcome == .failed)
        #expect(try await h.services.describe(.endpoint, "fraud-detector")?.status == "Failed")
        let plan = try await h.plan(try Harness.stack())
        let endpoint = plan.steps.first { $0.change.id == ResourceID(.endpoint, "fraud-detector") }
        #expect(endpoint?.change.action == .replace)
        #expect(endpoint?.change.reason.contains("no capacity") == true)
        let second = try await h.apply(try Harness.stack())
        #expect(second.outcome == .succeeded, "\(second.failures)")
        #expect(try await h.services.describe(.endpoint, "fraud-detector")?.status == "InService")
    }

    @Test func aDeletedObjectIsMissingAndRecreated() async throws {
        let h = try Harness(latencies: .zero)
        try await h.apply(try Harness.stack())
        try await h.services.delete(.monitoringSchedule, "fraud-detector-data-quality")
        let plan = try await h.plan(try Harness.stack())
        #expect(plan.steps.first?.change.action == .create)
        #expect(plan.steps.first?.change.cause == .missing)
        #expect(try await h.apply(try Harness.stack()).outcome == .succeeded)
    }
}

@Suite struct AuditAndLeaseTests {
    /// Runs raw SQL on the store's file, as an attacker with file access would.
    func tamper(_ path: String, _ sql: String) throws {
        let r = try ChildProcess.capture("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", path, sql])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// A harness (which owns the temp folder) whose store holds `n` audit entries.
    func storeWithEntries(_ n: Int) throws -> Harness {
        let h = try Harness(latencies: .zero)
        for i in 0..<n {
            try h.store.append(AuditDraft(time: h.time.now(), actor: "t", trigger: .cli, revision: 1, commit: "c", resource: "Model/m\(i)", action: "create", outcome: "succeeded"))
        }
        return h
    }

    @Test func theChainVerifies() throws {
        let h = try storeWithEntries(5)
        let store = h.store
        let v = try store.verifyAudit()
        #expect(v.entries == 5)
        #expect(v.firstBroken == nil)
    }

    @Test func theAuditTableRefusesUpdatesThroughSQLite() throws {
        let h = try storeWithEntries(2)
        let r = try ChildProcess.capture("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit SET actor='x'\"); c.commit()", h.store.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("append-only"), "\(r.stderr)")
    }

    @Test func anEditedEntryIsNamed() throws {
        let h = try storeWithEntries(5)
        let store = h.store
        try tamper(store.path, "DROP TRIGGER audit_append_only_update; UPDATE audit SET actor = 'mallory' WHERE sequence = 3;")
        #expect(try store.verifyAudit().firstBroken?.sequence == 3)
    }

    @Test func aDeletedEntryIsNamed() throws {
        let h = try storeWithEntries(5)
        let store = h.store
        try tamper(store.path, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE sequence = 2;")
        let broken = try store.verifyAudit().firstBroken
        #expect(broken?.sequence == 3)
        #expect(broken?.reason.contains("missing") == true)
    }

    @Test func reorderedEntriesAreNamed() throws {
        let h = try storeWithEntries(5)
        let store = h.store
        try tamper(store.path, """
            DROP TRIGGER audit_append_only_update;
            UPDATE audit SET sequence = -1 WHERE sequence = 2; UPDATE audit SET sequence = 2 WHERE sequence = 4;
            UPDATE audit SET sequence = 4 WHERE sequence = -1;
            """)
        #expect(try store.verifyAudit().firstBroken?.sequence == 2)
    }

    @Test func aRecomputedHashStillBreaksTheLinkAfterIt() throws {
        let h = try storeWithEntries(4)
        let store = h.store
        var entries = try store.audit(AuditQuery())
        entries[1].draft.actor = "mallory"
        let forged = AuditEntry(sequence: 2, draft: entries[1].draft, previousHash: entries[1].previousHash)
        try tamper(store.path, "DROP TRIGGER audit_append_only_update; UPDATE audit SET actor = 'mallory', hash = '\(forged.hash)' WHERE sequence = 2;")
        #expect(try store.verifyAudit().firstBroken?.sequence == 3)
    }

    @Test func oneWriterAtATime() async throws {
        let h = try Harness(latencies: .zero, lease: false)
        let a = try SQLiteStore(folder: h.folder, holder: LeaseHolder(name: "apply pid 1 on other-host", pid: 1, host: "other-host"))
        let b = try SQLiteStore(folder: h.folder, holder: LeaseHolder(name: "apply pid 2 on other-host-2", pid: 2, host: "other-host-2"))
        try await a.acquireLease(wait: 0)
        do {
            try await b.acquireLease(wait: 0.3)
            Issue.record("the second writer got the lease")
        } catch let held as LeaseHeld {
            #expect(held.holder == "apply pid 1 on other-host")
            #expect(held.description.contains("locked by apply pid 1 on other-host"))
        }
        try a.releaseLease()
        try await b.acquireLease(wait: 0)
        #expect(try b.leaseHolder()?.holder == "apply pid 2 on other-host-2")
    }

    @Test func aDeadHoldersLeaseIsTakenOver() async throws {
        let h = try Harness(latencies: .zero, lease: false)
        let host = ProcessInfo.processInfo.hostName
        let dead = try SQLiteStore(folder: h.folder, holder: LeaseHolder(name: "apply pid 999999 on \(host)", pid: 999_999, host: host))
        try await dead.acquireLease(wait: 0)
        let next = try SQLiteStore(folder: h.folder, holder: .current(role: "apply"))
        try await next.acquireLease(wait: 0)
        #expect(try next.leaseHolder()?.holder.hasPrefix("apply pid \(ProcessInfo.processInfo.processIdentifier)") == true)
    }
}
