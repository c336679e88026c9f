import Foundation
import Testing
import TidemarkCore
import TidemarkEngine
import TidemarkServices

/// The SageMaker API reports no client tokens. This backend is the local services as the
/// API shows them: the same objects, without their tokens.
struct TokenlessBackend: ServiceBackend {
    let inner: LocalServices
    func hide(_ o: LiveObject) -> LiveObject { var o = o; o.clientToken = nil; return o }
    func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject? { try await inner.describe(kind, name).map(hide) }
    func list(_ kind: ResourceKind) async throws -> [LiveObject] { try await inner.list(kind).map(hide) }
    func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject {
        hide(try await inner.create(kind, name: name, spec: spec, clientToken: clientToken))
    }
    func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject { hide(try await inner.update(kind, name, spec: spec)) }
    func delete(_ kind: ResourceKind, _ name: String) async throws { try await inner.delete(kind, name) }
}

struct TokenlessRecoveryTests {
    func spec(_ image: String) -> Value {
        Value(json: #"{"modelPackageGroupName":"fraud-models","inferenceSpecification":{"containers":[{"image":"\#(image)"}],"supportedContentTypes":["text/csv"],"supportedResponseMIMETypes":["text/csv"]}}"#) ?? .null
    }

    /// A versioned package created just before a kill -9: the service named it, and the API
    /// shows no token, so recovery finds it by its exact spec among the unmanaged versions.
    @Test func aVersionCreatedBeforeACrashIsFoundBySpecAndNamedObjectsByName() async throws {
        let h = try Harness(latencies: .zero)
        let backend = TokenlessBackend(inner: h.services)
        _ = try await h.services.create(.modelPackageGroup, name: "fraud-models", spec: .object([]), clientToken: "g")
        _ = try await h.services.create(.modelPackage, name: "fraud-models", spec: spec("other:1"), clientToken: "older")
        let revision = try h.store.beginRevision(RevisionStart(commit: "c0ffee", reference: "HEAD", path: "manifests", actor: "t",
                                                               trigger: .cli, planDigest: "d", time: h.time.now()))
        func entry(_ id: ResourceID, _ physical: String, _ spec: Value) -> InventoryEntry {
            InventoryEntry(id: id, physicalName: physical, digest: "d", referenceDigests: [:], specHash: Digest.sha256(spec.canonicalJSON),
                           commit: "c0ffee", file: "manifests/registry.yaml", line: 1, retain: false, superseded: [], revision: revision)
        }
        let v1 = ResourceID(.modelPackage, "fraud-xgb-v1"), missing = ResourceID(.modelPackage, "fraud-xgb-v9"), model = ResourceID(.model, "xgb")
        h.time.advance(seconds: 1)
        _ = try h.store.recordIntent(IntentDraft(revision: revision, resource: v1, action: .create, physicalName: "fraud-models",
                                                 clientToken: "r1-1", pendingEntry: entry(v1, "fraud-models", spec("xgb:1")), time: h.time.now()))
        _ = try h.store.recordIntent(IntentDraft(revision: revision, resource: missing, action: .create, physicalName: "fraud-models",
                                                 clientToken: "r1-2", pendingEntry: entry(missing, "fraud-models", spec("xgb:9")), time: h.time.now()))
        let modelSpec = Value(json: #"{"primaryContainer":{"image":"xgb:1"}}"#) ?? .null
        _ = try h.store.recordIntent(IntentDraft(revision: revision, resource: model, action: .create, physicalName: "xgb-1234",
                                                 clientToken: "r1-3", pendingEntry: entry(model, "xgb-1234", modelSpec), time: h.time.now()))
        // The creates reached the service; the process died before recording them.
        _ = try await backend.create(.modelPackage, name: "fraud-models", spec: spec("xgb:1"), clientToken: "r1-1")
        _ = try await backend.create(.model, name: "xgb-1234", spec: modelSpec, clientToken: "r1-3")
        let notes = try await Recovery.recover(store: h.store, backend: backend, time: h.time, actor: "t")
        let inventory = try h.store.inventory()
        #expect(inventory[v1]?.physicalName == "fraud-models/2", "\(notes)")
        #expect(inventory[model]?.physicalName == "xgb-1234", "\(notes)")
        #expect(inventory[missing] == nil)
        #expect(notes.contains { $0.contains("fraud-xgb-v9") && $0.contains("was not created") }, "\(notes)")
        #expect(try h.store.openIntents().isEmpty)
    }
}
