import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkTesting

/// A level's create intents are written ahead: the first batch before the level starts, the
/// rest in batches while it runs. Here the first level's second batch (its registry groups
/// past the first 128 creates) is held back, so those creates reach their intents before the
/// intents are in: each must wait for its own (one intent per create, none left over), and a
/// level that stops closes every one it wrote, even those that land after it stopped.
@Suite struct IntentsAheadTests {
    /// 100 applications: 200 creates in the first level (feature groups, then registry groups),
    /// more than the first batch.
    static func generated() throws -> RevisionIndex {
        var generator = ManifestGenerator(seed: 7)
        let files = generator.files(resources: 900).sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, text: $0.value) }
        let index = RevisionIndex(files)
        guard !index.loaded.hasErrors else { throw Harness.HarnessError(message: "\(index.loaded.diagnostics.prefix(3))") }
        return index
    }

    static func apply(_ index: RevisionIndex, _ h: Harness, concurrency: Int = 8) async throws -> ApplyResult {
        let store = InterposedStore(h.store, holdIntents: { batch in
            let secondOfFirstLevel = batch.count < 128 && batch.contains { $0.resource.kind == .modelPackageGroup }
            if secondOfFirstLevel { try? await Task.sleep(for: .milliseconds(500)) }
        })
        let reconciler = Reconciler(source: InMemorySource(), backend: h.services, store: store, time: h.time)
        var options = ApplyOptions()
        options.actor = "test"
        options.concurrency = concurrency
        let outcome = try await reconciler.reconcile(index, origin: Harness.origin, prune: false, options: options, pin: .keep,
                                                     confirm: { _ in true }, progress: { _ in })
        guard case .applied(_, let report) = outcome else { throw Harness.HarnessError(message: "not applied: \(outcome)") }
        return report.result
    }

    /// Each resource's create entries in the audit log, by outcome.
    static func creates(_ h: Harness) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for e in try h.store.audit(AuditQuery()) where e.draft.action == "create" {
            out[e.draft.resource ?? "-", default: []].append(e.draft.outcome)
        }
        return out
    }

    @Test func everyCreateUsesTheIntentWrittenAheadForIt() async throws {
        let h = try Harness(latencies: .zero)
        let index = try Self.generated()
        let result = try await Self.apply(index, h)
        #expect(result.outcome == .succeeded, "\(result.failures)")
        #expect(try h.store.openIntents().isEmpty)
        let creates = try Self.creates(h)
        #expect(creates.count == 900)
        let other = creates.filter { $0.value != ["succeeded"] }
        #expect(other.isEmpty, "created more or less than once: \(other.prefix(5))")
        #expect(try h.store.verifyAudit().firstBroken == nil)
    }

    /// A feature group fails while the second batch is still held back (the level stops before
    /// it is in), and a registry group fails from inside that batch.
    @Test(arguments: [ResourceID(.featureGroup, "app5-features"), ResourceID(.modelPackageGroup, "app5-models")])
    func aLevelThatStopsClosesEveryIntentItWroteAhead(failing: ResourceID) async throws {
        let h = try Harness(latencies: .zero)
        let index = try Self.generated()
        try h.services.inject(.fail, failing.kind, failing.name, detail: "no such role")
        let result = try await Self.apply(index, h, concurrency: 1)
        #expect(result.outcome == .rolledBack)
        #expect(try h.store.openIntents().isEmpty)
        let creates = try Self.creates(h)
        #expect(creates[failing.description] == ["failed"])
        #expect(creates.values.allSatisfy { $0.count == 1 }, "\(creates.filter { $0.value.count != 1 }.prefix(5))")
        #expect(creates["ModelPackageGroup/app99-models"] == ["skipped"])
        #expect(try h.store.verifyAudit().firstBroken == nil)
        try h.services.clear(failing.kind, failing.name)
        h.time.advance(seconds: 60)
        let again = try await Self.apply(index, h)
        #expect(again.outcome == .succeeded, "\(again.failures)")
        #expect(try h.store.inventory().count == 900)
    }
}
