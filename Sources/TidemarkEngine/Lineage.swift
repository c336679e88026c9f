import Foundation
import TidemarkCore

/// Where a managed resource came from and what it serves: the commit, its author, the file
/// and line, the revision that applied it; for an endpoint, the model package versions it
/// serves and the commit and author that approved each; its audit entries; and what the
/// service recorded happening to it (its events, when the backend keeps them).
/// `tidemark trace` prints it; the console's resource page shows it.
public struct Lineage: Sendable {
    /// A commit as the lineage names it: its id, and who wrote it (empty when the repository
    /// no longer has the commit).
    public struct Origin: Sendable, Hashable {
        public var commit: String
        public var author: String
        public var summary: String
        public var revision: Int64?
        public var file: String?
        public var line: Int?
    }

    /// A model package version an endpoint serves, through which variant and model.
    public struct Served: Sendable, Hashable {
        public var variant: String
        public var model: String
        /// The package's physical name (`fraud-models/3`) and the resource that declares it.
        public var package: String
        public var resource: ResourceID?
        public var version: Int64?
        public var approval: String?
        /// The applied change that set `Approved`; nil when the approval did not come through
        /// Git (set on the service directly) or its audit entry is not found.
        public var approvedBy: Origin?
    }

    public var resource: ResourceID
    public var entry: InventoryEntry
    public var live: LiveObject?
    public var origin: Origin
    public var served: [Served]
    /// The resource's audit entries, oldest first (at most `auditLimit`, the newest).
    public var audit: [AuditEntry]
    /// The service's history of the object (its current and kept-for-rollback names), oldest
    /// first; nil when the backend keeps none.
    public var events: [ObjectEvent]?

    public static let auditLimit = 200

    /// Reads the lineage of a managed resource; nil when Tidemark does not manage it.
    public static func trace(_ id: ResourceID, store: any StateStore, backend: any ServiceBackend,
                             source: (any RepositorySource)?) async throws -> Lineage? {
        let inventory = try await store.inventory()
        guard let entry = inventory[id] else { return nil }
        let live = try await backend.describe(id.kind, entry.physicalName)
        let origin = await Self.origin(entry.commit, revision: entry.revision, file: entry.file, line: entry.line, source: source)
        var served: [Served] = []
        if id.kind == .endpoint, let live {
            served = try await Self.served(by: live, backend: backend, inventory: inventory)
            for i in served.indices {
                guard let package = served[i].resource, let entry = try await approval(of: package, store: store) else { continue }
                served[i].approvedBy = await Self.origin(entry.draft.commit ?? "", revision: entry.draft.revision, file: nil, line: nil, source: source)
            }
        }
        let audit = try await Self.audit(of: id, store: store)
        let events = try await backend.events(id.kind, names: [entry.physicalName] + entry.superseded, limit: auditLimit)
        return Lineage(resource: id, entry: entry, live: live, origin: origin, served: served, audit: audit, events: events)
    }

    static func origin(_ commit: String, revision: Int64?, file: String?, line: Int?, source: (any RepositorySource)?) async -> Origin {
        var origin = Origin(commit: commit, author: "", summary: "", revision: revision, file: file, line: line)
        guard let source, !commit.isEmpty else { return origin }
        do {
            let c = try await source.resolve(commit)
            origin.author = c.author
            origin.summary = c.summary
        } catch {
            // A commit the repository no longer has (force-pushed away) still names its id.
        }
        return origin
    }

    /// Endpoint → config → models → registry versions and their approval (`trace` adds who
    /// approved each).
    public static func served(by endpoint: LiveObject, backend: any ServiceBackend, inventory: [ResourceID: InventoryEntry]) async throws -> [Served] {
        guard let configName = endpoint.spec["endpointConfigName"]?.stringValue,
              let config = try await backend.describe(.endpointConfig, configName) else { return [] }
        var byName: [String: ResourceID] = [:]
        for (id, e) in inventory where id.kind == .modelPackage {
            for name in [e.physicalName] + e.superseded { byName[name] = id }
        }
        var out: [Served] = []
        for variant in config.spec["productionVariants"]?.elements ?? [] {
            guard let modelName = variant["modelName"]?.stringValue, let model = try await backend.describe(.model, modelName) else { continue }
            let containers = (model.spec["containers"]?.elements ?? []) + [model.spec["primaryContainer"]].compactMap { $0 }
            for c in containers {
                guard let package = c["modelPackageName"]?.stringValue, let p = try await backend.describe(.modelPackage, package) else { continue }
                out.append(Served(variant: variant["variantName"]?.stringValue ?? "", model: modelName, package: package, resource: byName[package],
                                  version: p.observed["version"]?.intValue, approval: p.spec["modelApprovalStatus"]?.stringValue,
                                  approvedBy: nil))
            }
        }
        return out
    }

    /// The newest succeeded audit entry of a package that set its approval to `Approved`.
    static func approval(of package: ResourceID, store: any StateStore) async throws -> AuditEntry? {
        try await audit(of: package, store: store).last { entry in
            entry.draft.outcome == "succeeded" && (entry.draft.diff.elements ?? []).contains { d in
                (d["path"]?.stringValue ?? "").hasSuffix("modelApprovalStatus") && d["after"]?.stringValue == "Approved"
            }
        }
    }

    /// A resource's audit entries, oldest first: the newest `auditLimit` of them.
    static func audit(of id: ResourceID, store: any StateStore) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await store.audit(AuditQuery(resource: id.description, after: after, limit: 1000))
            entries += page
            if entries.count > auditLimit { entries.removeFirst(entries.count - auditLimit) }
            guard page.count == 1000, let last = page.last?.sequence else { break }
            after = last
        }
        return entries
    }
}
