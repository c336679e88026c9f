import Foundation
import TidemarkCore

/// Moves one live object from the application that manages it to another, on request
/// (`tidemark adopt KIND/NAME --from OWNER`): every live object belongs to one application,
/// and only an explicit adoption changes which. The owner's inventory entry is removed and
/// the same entry, under the adopting application's resource name, is added to its
/// inventory, each with an audit entry in that application's chain. The caller holds both
/// applications' leases. The adopting application's next reconcile then plans its own
/// manifest against the object like any managed one.
public enum Adoption {
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The owner's entry for `id`: the same resource name, else an entry of the kind whose
    /// live object is named `id.name`.
    public static func entry(for id: ResourceID, in inventory: [ResourceID: InventoryEntry]) -> InventoryEntry? {
        inventory[id] ?? inventory.values.sorted { $0.id < $1.id }.first { $0.id.kind == id.kind && $0.physicalName == id.name }
    }

    public static func move(_ id: ResourceID, from owner: String, ownerStore: any StateStore, to application: String,
                            store: any StateStore, actor: String, time: any TimeSource) async throws -> InventoryEntry {
        guard owner != application else { throw Refused("\(application) cannot adopt from itself") }
        guard let held = entry(for: id, in: try await ownerStore.inventory()) else {
            throw Refused("application '\(owner)' does not manage \(id) (nor a \(id.kind.rawValue) whose live name is '\(id.name)')")
        }
        if let mine = try await store.inventory()[id] {
            throw Refused("\(id) in '\(application)' already manages the object '\(mine.physicalName)'; remove it from the manifests first")
        }
        var moved = held
        moved.id = id
        let object = "\(held.id.kind.rawValue) '\(held.physicalName)'"
        try await ownerStore.record(inventory: .remove(held.id), audit: AuditDraft(
            time: time.now(), actor: actor, trigger: .cli, revision: nil, commit: nil, resource: held.id.description,
            action: "release", outcome: "succeeded", error: nil, beforeDigest: held.digest, afterDigest: nil,
            diff: .object(sorting: [.init("adoptedBy", .string(application)), .init("object", .string(object))])))
        do {
            try await store.record(inventory: .upsert(moved), audit: AuditDraft(
                time: time.now(), actor: actor, trigger: .cli, revision: nil, commit: nil, resource: id.description,
                action: "adopt", outcome: "succeeded", error: nil, beforeDigest: nil, afterDigest: held.digest,
                diff: .object(sorting: [.init("adoptedFrom", .string(owner)), .init("object", .string(object))])))
        } catch {
            throw Refused("'\(owner)' released \(object) but '\(application)' could not record it (\(error)); nobody manages it now: add the annotation tidemark.dev/adopt: \"true\" to its manifest in '\(application)' and sync")
        }
        return moved
    }
}
