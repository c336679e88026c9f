import Foundation
import GRDB
import TidemarkCore
import TidemarkEngine

/// The embedded "cloud": five local service modules (Feature Store, Pipelines, Model
/// Registry, Inference, Model Monitor) behind the one `ServiceBackend` protocol, persisted in
/// `services.sqlite`. Status transitions are lazy: each call first completes the transitions
/// that the injected clock says have come due, so any process sees the same state.
public final class LocalServices: ServiceBackend, Sendable {
    let pool: DatabasePool
    let time: any TimeSource
    public let latencies: Latencies
    let modules: [any LocalServiceModule] = [
        FeatureStoreModule(), PipelinesModule(), ModelRegistryModule(), InferenceModule(), ModelMonitorModule(),
    ]

    public init(folder: String, time: any TimeSource, latencies: Latencies) throws {
        let path = (folder as NSString).appendingPathComponent("services.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(15)
        // WAL with NORMAL sync survives a killed process (what the tests do to it); only a
        // machine crash can lose the last commits of this simulated cloud.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try StateFolder.openDatabase(path) {
            let pool = try DatabasePool(path: path, configuration: config)
            try ObjectTable.migrate(pool)
            return pool
        }
        self.time = time
        self.latencies = latencies
    }

    func module(_ kind: ResourceKind) -> any LocalServiceModule {
        modules.first { $0.kinds.contains(kind) } ?? modules[0]
    }

    func context(_ db: Database) -> ModuleContext { ModuleContext(db: db, now: time.now(), latencies: latencies) }

    /// Completes a transition that has come due; nil when the object is gone.
    func advance(_ object: StoredObject, _ c: ModuleContext) throws -> StoredObject? {
        guard let due = object.transitionAt, due <= c.now, let next = object.nextStatus else { return object }
        if next == "gone" {
            try ObjectTable.remove(c.db, object.kind, object.name, at: due)
            return nil
        }
        var o = object
        o.status = next
        o.transitionAt = nil
        o.nextStatus = nil
        o.modifiedAt = c.now
        o = try module(o.kind).completed(o, c)
        try ObjectTable.save(c.db, o)
        return o
    }

    /// The modules' own bookkeeping in `observed`, which no client sees.
    static let hiddenObserved: Set<String> = ["pendingFailure", "previousSpec", "pendingVariants"]

    func live(_ o: StoredObject) -> LiveObject {
        let m = module(o.kind)
        var phase: Phase = .ready
        if let s = o.status, m.failedStatuses.contains(s) { phase = .failed }
        else if o.observed["lastUpdateStatus"] == .string("Failed") { phase = .updateFailed }
        else if o.transitionAt != nil { phase = .progressing }
        var observed = o.observed
        if let members = observed.members {
            // Members stay sorted: leaving some out needs no sort.
            observed = .object(members.filter { !Self.hiddenObserved.contains($0.key) })
        }
        return LiveObject(kind: o.kind, name: o.name, arn: o.arn, spec: o.spec, status: o.status, phase: phase,
                          failureReason: o.failureReason, observed: observed, clientToken: o.clientToken,
                          createdAt: o.createdAt, modifiedAt: o.modifiedAt)
    }

    /// Runs `body` in a write transaction; errors that are not the service's become InternalFailure.
    func call<T>(_ body: (ModuleContext) throws -> T) throws -> T {
        do {
            let result: Result<T, ServiceError> = try pool.write { db in
                do { return .success(try body(context(db))) } catch let fault as InjectedFault { return .failure(fault.error) }
            }
            return try result.get()
        } catch let e as ServiceError {
            throw e
        } catch {
            throw ServiceError(.internalFailure, "local service storage: \(error)")
        }
    }

    // MARK: ServiceBackend

    public func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject? {
        try call { c in try ObjectTable.load(c.db, kind, name).flatMap { try advance($0, c) }.map(live) }
    }

    public func list(_ kind: ResourceKind) async throws -> [LiveObject] {
        try call { c in try ObjectTable.all(c.db, kind).compactMap { try advance($0, c) }.map(live) }
    }

    public func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject {
        try naming(kind) { try call { c in
            // A retried create with the same token returns the object it made.
            if !clientToken.isEmpty, let same = try ObjectTable.byClientToken(c.db, kind, clientToken) {
                return live(try advance(same, c) ?? same)
            }
            let o = try module(kind).create(kind, name: name, spec: spec, token: clientToken, c)
            try ObjectTable.save(c.db, o)
            return live(try advance(o, c) ?? o)
        } }
    }

    /// A validation error that names a member says which manifest field it is, as the API backend's do.
    func naming<T>(_ kind: ResourceKind, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var e as ServiceError {
            if e.field == nil { e.field = ServiceError.field(namedIn: e.message, kind: kind) }
            throw e
        }
    }

    public func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject {
        try naming(kind) { try call { c in
            guard let current = try ObjectTable.load(c.db, kind, name).flatMap({ try advance($0, c) }) else {
                throw module(kind).notFound(kind, name)
            }
            var o = current
            if current.spec["tags"] != spec["tags"], current.spec.setting("tags", nil) == spec.setting("tags", nil) {
                // Tags alone change through AddTags/DeleteTags, on every kind, with no transition.
                o.spec = spec
                o.modifiedAt = c.now
            } else {
                o = try module(kind).update(current, spec: spec, c)
            }
            try ObjectTable.save(c.db, o)
            return live(try advance(o, c) ?? o)
        } }
    }

    public func delete(_ kind: ResourceKind, _ name: String) async throws {
        try call { c in
            guard let current = try ObjectTable.load(c.db, kind, name).flatMap({ try advance($0, c) }) else {
                throw module(kind).notFound(kind, name)
            }
            if current.status == "Deleting" { return }
            if let deleting = try module(kind).delete(current, c) {
                try ObjectTable.save(c.db, deleting)
                _ = try advance(deleting, c)
            } else {
                try ObjectTable.remove(c.db, kind, name, at: c.now)
            }
        }
    }

    /// The change feed: every create, update, status transition, out-of-band edit and delete.
    public func changes(since cursor: Int64, limit: Int) async throws -> ChangeBatch? {
        try await pool.read { db in try ObjectTable.changes(db, since: cursor, limit: limit) }
    }

    /// The objects' history from the change feed: the status after each change, and why it failed.
    public func events(_ kind: ResourceKind, names: [String], limit: Int) async throws -> [ObjectEvent]? {
        try await pool.read { db in try ObjectTable.events(db, kind, names: names, limit: limit) }
    }

    // MARK: Out of band, as a person with console access

    /// Sets one field of a live object's spec (`productionVariants[primary].initialInstanceCount`),
    /// bypassing every rule: how drift happens.
    public func setField(_ kind: ResourceKind, _ name: String, path: String, value: Value) throws {
        try call { c in
            guard var o = try ObjectTable.load(c.db, kind, name).flatMap({ try advance($0, c) }) else {
                throw module(kind).notFound(kind, name)
            }
            guard let updated = FieldPath.set(o.spec, path: path, to: value) else {
                throw ServiceError(.validation, "no field '\(path)' in \(kind.rawValue) \(name)")
            }
            o.spec = updated
            o.modifiedAt = c.now
            try ObjectTable.save(c.db, o)
        }
    }

    public enum Fault: String, Sendable, CaseIterable {
        /// The next create or update of the object fails.
        case fail
        /// The object stays in its transitional status.
        case stall
        /// The endpoint's next deployment trips an alarm and rolls back.
        case alarm
    }

    /// Arms a fault on an object (or on a name not yet created; versioned `name-<hash>` names match).
    public func inject(_ fault: Fault, _ kind: ResourceKind, _ name: String, detail: String = "") throws {
        try call { c in try ObjectTable.setFault(c.db, kind, name, fault, detail: detail) }
    }

    /// Removes armed faults and ends a stall (the transition completes on the next read).
    public func clear(_ kind: ResourceKind, _ name: String) throws {
        try call { c in
            try ObjectTable.clearFaults(c.db, kind, name)
            if var o = try ObjectTable.load(c.db, kind, name), o.transitionAt == Date.distantFuture {
                o.transitionAt = c.now
                try ObjectTable.save(c.db, o)
            }
        }
    }
}

/// Paths into a spec: `a.b`, `list[key]` (matched by the element's name-like field) or `list[0]`.
enum FieldPath {
    static func set(_ root: Value, path: String, to value: Value) -> Value? {
        var segments: [(String, String?)] = []
        for part in path.split(separator: ".") {
            if let open = part.firstIndex(of: "["), part.hasSuffix("]") {
                segments.append((String(part[..<open]), String(part[part.index(after: open)..<part.index(before: part.endIndex)])))
            } else {
                segments.append((String(part), nil))
            }
        }
        // An empty path would replace the whole spec: refuse it.
        guard !segments.isEmpty, segments.allSatisfy({ !$0.0.isEmpty }) else { return nil }
        return set(root, segments[...], value)
    }

    static func set(_ node: Value, _ segments: ArraySlice<(String, String?)>, _ value: Value) -> Value? {
        guard let (key, selector) = segments.first else { return value }
        // Only an object has fields; setting one on a string or number would silently do nothing.
        guard node.members != nil else { return nil }
        let child = node[key]
        guard let selector else {
            let rest = segments.dropFirst()
            if rest.isEmpty { return node.setting(key, value) }
            guard let c = child, let updated = set(c, rest, value) else { return nil }
            return node.setting(key, updated)
        }
        guard var items = child?.elements else { return nil }
        let keys = ["variantName", "featureName", "name", "key", "alarmName", "captureMode", "Name"]
        let index = Int(selector).flatMap { items.indices.contains($0) ? $0 : nil }
            ?? items.firstIndex { item in keys.contains { item[$0]?.stringValue == selector } }
        guard let i = index, let updated = set(items[i], segments.dropFirst(), value) else { return nil }
        items[i] = updated
        return node.setting(key, .list(items))
    }
}
