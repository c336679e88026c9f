import Foundation
import TidemarkCore

/// What to do when a step fails.
public enum FailurePolicy: String, Sendable, CaseIterable {
    /// Undo what this apply changed, in reverse order.
    case rollback
    /// Leave things as they are.
    case stop
}

public struct ApplyOptions: Sendable {
    public var concurrency = 4
    public var onFailure: FailurePolicy = .rollback
    /// Permit destructive replacements and deletes for every resource.
    public var allowDestroy = false
    public var actor = "unknown"
    public var trigger: Trigger = .cli
    /// Seconds between status polls while waiting.
    public var pollInterval = 0.25
    /// Longest wait for one object to settle, per kind; `waitOverride` applies to all kinds.
    public var waitOverride: Double?
    /// Superseded versions of models, endpoint configs and packages kept for rollback.
    public var keepSuperseded = 3
    /// Asked before each new step and during waits; true stops the apply safely (no new
    /// actions, no rollback; the journal lets the next run finish the job).
    public var stopRequested: (@Sendable () -> Bool)?

    public init() {}

    public func deadline(_ kind: ResourceKind) -> Double {
        if let waitOverride { return waitOverride }
        switch kind {
        case .endpoint: return 3600
        case .featureGroup: return 1800
        default: return 600
        }
    }
}

/// One line of progress.
public struct ApplyEvent: Sendable {
    public var time: Date
    public var resource: ResourceID
    public var message: String
}

/// How an apply ended.
public struct ApplyResult: Sendable {
    public var outcome: RevisionRecord.Outcome
    public var completed: [String] = []
    public var failures: [String] = []
    public var rolledBack: [String] = []
    /// Changes that a rollback could not undo (feature additions, destructive replacements).
    public var irreversible: [String] = []
    /// The apply was stopped on request (shutdown) before it finished.
    public var interrupted = false
}

/// A failure of one step, with the resource it happened to.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    public var resource: ResourceID
    public var message: String
    public var description: String { "\(resource): \(message)" }
}

/// Carries out a live plan: parents before children, independent resources concurrently,
/// each action journaled before it is taken and audited after; waits for stable statuses
/// with deadlines; on failure stops new work and rolls back what it changed.
public final class Applier: @unchecked Sendable {
    let backend: any ServiceBackend
    let store: any StateStore
    let time: any TimeSource
    let options: ApplyOptions
    let progress: @Sendable (ApplyEvent) -> Void
    let revision: Int64
    let commit: String

    /// What can be undone, in the order it was done.
    enum Undo: Sendable {
        case delete(ResourceID, physical: String, restore: InventoryEntry?)
        case update(ResourceID, physical: String, spec: Value, restore: InventoryEntry?)
        case forgetAdoption(ResourceID)
        case restoreInventory(ResourceID, InventoryEntry?)
        case irreversible(String)
    }

    private let lock = NSLock()
    private var undo: [Undo] = []
    private var physicals: [ResourceID: String] = [:]
    private var result = ApplyResult(outcome: .succeeded)
    private var failed = false
    private var tokenCounter = 0

    public init(backend: any ServiceBackend, store: any StateStore, time: any TimeSource, options: ApplyOptions,
                revision: Int64, commit: String, progress: @escaping @Sendable (ApplyEvent) -> Void) {
        self.backend = backend
        self.store = store
        self.time = time
        self.options = options
        self.revision = revision
        self.commit = commit
        self.progress = progress
    }

    func locked<T>(_ body: () -> T) -> T { lock.withLock(body) }

    func say(_ id: ResourceID, _ message: String) {
        progress(ApplyEvent(time: time.now(), resource: id, message: message))
    }

    /// Destructive steps that are not allowed, as refusals to show before anything runs.
    public static func refusals(_ plan: LivePlan, options: ApplyOptions) -> [String] {
        guard !options.allowDestroy else { return [] }
        return plan.steps.filter { $0.change.destructive && !($0.desired?.policy.allowDestroy ?? false) }.map {
            "\($0.change.id): \($0.change.reason) — refused; pass --allow-destroy or annotate it tidemark.dev/allow-destroy: \"true\""
        }
    }

    public func run(_ plan: LivePlan) async -> ApplyResult {
        for (id, e) in plan.inventory { physicals[id] = e.physicalName }
        await settleInFlight(plan)
        let forward = plan.steps.filter { $0.change.action != .delete }
        let deletes = plan.steps.filter { $0.change.action == .delete }
        for level in Set(forward.map(\.level)).sorted() where !locked({ failed }) && !stopping() {
            // Registry versions are numbered in registration order: register them one at a
            // time, by name, so `-v1` gets the lower number whatever the concurrency.
            let steps = forward.filter { $0.level == level }
            for step in steps.filter({ $0.change.id.kind == .modelPackage }).sorted(by: { $0.change.id < $1.change.id }) where !locked({ failed }) {
                await runConcurrently([step], plan)
            }
            await runConcurrently(steps.filter { $0.change.id.kind != .modelPackage }, plan)
        }
        for level in Set(deletes.map(\.level)).sorted(by: >) where !locked({ failed }) && !stopping() {
            await runConcurrently(deletes.filter { $0.level == level }, plan)
        }
        if stopping() {
            locked {
                result.interrupted = true
                result.outcome = .interrupted
            }
            return locked { result }
        }
        if !locked({ failed }) { await collectSuperseded() }
        if locked({ failed }) {
            if options.onFailure == .rollback {
                await rollback()
                locked { result.outcome = .rolledBack }
            } else {
                locked {
                    result.outcome = .failed
                    for u in undo { if case .irreversible = u {} else { result.irreversible.append("not rolled back (--on-failure stop): \(describe(u))") } }
                }
            }
        }
        return locked { result }
    }

    /// Objects still moving from an earlier (perhaps interrupted) run settle before anything
    /// builds on them, as a controller requeues while a resource is modifying.
    func settleInFlight(_ plan: LivePlan) async {
        let moving = plan.observed.filter { $0.value.phase == .progressing }.sorted { $0.key < $1.key }
        guard !moving.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for (id, live) in moving {
                group.addTask {
                    self.say(id, "waiting for \(live.name) (\(live.status ?? "in progress")) to settle first")
                    do {
                        _ = try await self.settle(id, live.name, expectGone: live.status == "Deleting")
                    } catch {
                        self.locked {
                            self.failed = true
                            self.result.failures.append("\(id): \((error as? StepFailure)?.message ?? "\(error)")")
                        }
                    }
                }
            }
        }
    }

    func stopping() -> Bool { options.stopRequested?() ?? false }

    func describe(_ u: Undo) -> String {
        switch u {
        case let .delete(id, physical, _): return "\(id) created as \(physical)"
        case let .update(id, physical, _, _): return "\(id) (\(physical)) updated"
        case let .forgetAdoption(id): return "\(id) adopted"
        case let .restoreInventory(id, _): return "\(id) repointed to a kept version"
        case let .irreversible(text): return text
        }
    }

    func runConcurrently(_ steps: [Step], _ plan: LivePlan) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() {
                while next < steps.count, locked({ !failed }), !stopping() {
                    let step = steps[next]
                    next += 1
                    group.addTask { await self.perform(step, plan) }
                    return
                }
            }
            for _ in 0..<max(1, options.concurrency) { launch() }
            while await group.next() != nil { launch() }
        }
    }

    func perform(_ step: Step, _ plan: LivePlan) async {
        do {
            try await execute(step, plan)
            locked { result.completed.append("\(step.change.action.symbol) \(step.change.id)") }
        } catch {
            let message = (error as? StepFailure)?.message ?? "\(error)"
            say(step.change.id, "failed: \(message)")
            locked {
                failed = true
                result.failures.append("\(step.change.id): \(message)")
            }
        }
    }

    // MARK: Steps

    func nextToken(_ id: ResourceID) -> String {
        locked {
            tokenCounter += 1
            return "r\(revision)-\(tokenCounter)-\(id.kind.rawValue)-\(id.name)"
        }
    }

    /// The spec to send: references to registry versions by their live names.
    func serviceSpec(_ r: ResolvedResource) -> Value {
        let known = locked { physicals }
        return Resolution.substitute(r.spec, .object(KindDefinition.of(r.id.kind).spec)) { kind, name in
            kind == .modelPackage ? known[ResourceID(kind, name)] : nil
        }
    }

    func entry(for r: ResolvedResource, physical: String, spec: Value, previous: InventoryEntry?, superseded: [String]) -> InventoryEntry {
        InventoryEntry(id: r.id, physicalName: physical, digest: r.digest, referenceDigests: r.referenceDigests,
                       specHash: Digest.sha256(spec.canonicalJSON), commit: commit, file: r.location?.file ?? "",
                       line: r.location?.line ?? 0, retain: r.policy.retainOnDelete, superseded: superseded, revision: revision)
    }

    func audit(_ id: ResourceID, _ action: String, _ outcome: String, error: String? = nil, before: Value? = nil,
               after: Value? = nil, afterDigest: String? = nil, diff: [FieldDiff] = [], trigger: Trigger? = nil) -> AuditDraft {
        AuditDraft(time: time.now(), actor: options.actor, trigger: trigger ?? options.trigger, revision: revision, commit: commit,
                   resource: id.description, action: action, outcome: outcome, error: error,
                   beforeDigest: before.map { Digest.sha256($0.canonicalJSON) }, afterDigest: afterDigest ?? after.map { Digest.sha256($0.canonicalJSON) },
                   diff: .list(diff.prefix(50).map { d in
                       .object(sorting: [.init("path", .string(d.path)), .init("before", d.before ?? .null), .init("after", d.after ?? .null)])
                   }))
    }

    func execute(_ step: Step, _ plan: LivePlan) async throws {
        let c = step.change
        switch c.action {
        case .create:
            guard let want = step.desired else { return }
            _ = try await create(want, previous: step.entry, action: "create", diff: c.diff, superseded: step.entry?.superseded ?? [])
        case .update:
            guard let want = step.desired, let live = step.live else { return }
            try await update(want, live: live, step: step)
        case .replace:
            guard let want = step.desired, let live = step.live else { return }
            try await replace(want, live: live, step: step, plan: plan)
        case .delete:
            guard let entry = step.entry else { return }
            try await remove(entry, live: step.live, diff: c.diff)
        }
    }

    @discardableResult
    func create(_ want: ResolvedResource, previous: InventoryEntry?, action: String, diff: [FieldDiff], superseded: [String]) async throws -> LiveObject {
        let id = want.id
        let spec = serviceSpec(want)
        let token = nextToken(id)
        let pending = entry(for: want, physical: want.physicalName, spec: spec, previous: previous, superseded: superseded)
        let intent = try store.recordIntent(revision: revision, resource: id, action: action, physicalName: want.physicalName,
                                            clientToken: token, pendingEntry: pending, at: time.now())
        say(id, "\(action == "create" ? "creating" : "creating replacement") \(want.physicalName)")
        var createdName: String?
        do {
            let created = try await backend.create(id.kind, name: want.physicalName, spec: spec, clientToken: token)
            createdName = created.name
            locked { undo.append(.delete(id, physical: created.name, restore: previous)) }
            let settled = created.phase == .progressing ? try await settle(id, created.name, expectGone: false) : created
            guard let live = settled, live.phase == .ready else {
                throw StepFailure(resource: id, message: "\(created.name) is \(settled?.status ?? "gone")\(settled?.failureReason.map { ": \($0)" } ?? "")")
            }
            var done = pending
            done.physicalName = live.name
            try store.completeIntent(intent, outcome: "succeeded", inventory: .upsert(done),
                                     audit: audit(id, action, "succeeded", afterDigest: done.specHash, diff: diff))
            locked { physicals[id] = live.name }
            say(id, "\(live.name) \(live.status ?? "created")")
            return live
        } catch {
            // Stopped on request: leave the intent open; recovery records what happened.
            if stopping() { throw error }
            // An object that was made and then failed is ours: record it, so the next plan
            // recreates it (or the rollback deletes it) instead of calling it unmanaged.
            var made = pending
            made.physicalName = createdName ?? pending.physicalName
            try? store.completeIntent(intent, outcome: "failed", inventory: createdName == nil ? .none : .upsert(made),
                                      audit: audit(id, action, "failed", error: "\(error)", after: spec, diff: diff))
            throw error
        }
    }

    func update(_ want: ResolvedResource, live: LiveObject, step: Step) async throws {
        let id = want.id
        let spec = serviceSpec(want)
        let pending = entry(for: want, physical: live.name, spec: spec, previous: step.entry, superseded: step.entry?.superseded ?? [])
        let action = step.adopt ? "adopt" : "update"
        let intent = try store.recordIntent(revision: revision, resource: id, action: action, physicalName: live.name,
                                            clientToken: nextToken(id), pendingEntry: pending, at: time.now())
        do {
            if step.change.diff.isEmpty {
                // Adoption of an object that already matches: only the records change.
                locked { undo.append(.forgetAdoption(id)) }
            } else {
                say(id, "updating \(live.name): \(step.change.reason)")
                let additions = id.kind == .featureGroup && step.change.diff.contains { $0.path.hasPrefix("featureDefinitions[") }
                let requested = try await backend.update(id.kind, live.name, spec: spec)
                locked {
                    if additions {
                        undo.append(.irreversible("\(id): features added to \(live.name) cannot be removed"))
                        var rest = live.spec
                        rest = rest.setting("featureDefinitions", spec["featureDefinitions"])
                        if rest != spec { undo.append(.update(id, physical: live.name, spec: rest, restore: step.entry)) }
                    } else {
                        undo.append(.update(id, physical: live.name, spec: live.spec, restore: step.entry))
                    }
                    if step.adopt { undo.append(.forgetAdoption(id)) }
                }
                let settled = requested.phase == .progressing ? try await settle(id, live.name, expectGone: false) : requested
                guard let now = settled, now.phase == .ready else {
                    throw StepFailure(resource: id, message: "\(live.name) is \(settled?.status ?? "gone")\(settled?.failureReason.map { ": \($0)" } ?? "")")
                }
                if id.kind == .endpoint, now.spec["endpointConfigName"] != spec["endpointConfigName"] {
                    throw StepFailure(resource: id, message: "the deployment of \(spec["endpointConfigName"]?.stringValue ?? "?") did not complete: \(now.failureReason ?? "the endpoint still serves \(now.spec["endpointConfigName"]?.stringValue ?? "?")")")
                }
                say(id, "\(live.name) \(now.status ?? "updated")")
            }
            try store.completeIntent(intent, outcome: "succeeded", inventory: .upsert(pending),
                                     audit: audit(id, action, "succeeded", before: live.spec, after: spec, diff: step.change.diff))
        } catch {
            // Stopped on request: leave the intent open; recovery records what happened.
            if stopping() { throw error }
            try? store.completeIntent(intent, outcome: "failed", inventory: .none,
                                      audit: audit(id, action, "failed", error: "\(error)", before: live.spec, after: spec, diff: step.change.diff))
            throw error
        }
    }

    func replace(_ want: ResolvedResource, live: LiveObject, step: Step, plan: LivePlan) async throws {
        let id = want.id
        let newName = id.kind == .modelPackage && want.spec["modelPackageGroupName"] != nil ? "" : want.physicalName
        if newName != live.name {
            // A new object beside the old: the old one stays for rollback.
            var superseded = [live.name] + (step.entry?.superseded ?? [])
            superseded.removeAll { $0 == newName }
            if !newName.isEmpty, let kept = try await backend.describe(id.kind, newName) {
                try await reuse(want, kept: kept, previous: step.entry, superseded: superseded, diff: step.change.diff)
            } else {
                try await create(want, previous: step.entry, action: "replace", diff: step.change.diff, superseded: superseded)
            }
            return
        }
        // Same name: the old object must go first. Nothing brings back what it held.
        locked { undo.append(.irreversible("\(id): \(live.name) was deleted and created again (\(step.change.destructive ? "destructive" : "not reversible"))")) }
        if id.kind == .modelPackageGroup {
            for (pid, e) in plan.inventory where pid.kind == .modelPackage {
                for name in [e.physicalName] + e.superseded where name.hasPrefix(live.name + "/") {
                    if try await backend.describe(.modelPackage, name) != nil {
                        say(pid, "deleting \(name) so its group can be recreated")
                        try await backend.delete(.modelPackage, name)
                        _ = try await settle(pid, name, expectGone: true)
                    }
                }
            }
        }
        let intent = try store.recordIntent(revision: revision, resource: id, action: "delete", physicalName: live.name,
                                            clientToken: nextToken(id), pendingEntry: nil, at: time.now())
        say(id, "deleting \(live.name) to replace it")
        do {
            try await backend.delete(id.kind, live.name)
            _ = try await settle(id, live.name, expectGone: true)
            try store.completeIntent(intent, outcome: "succeeded", inventory: .remove(id),
                                     audit: audit(id, "delete", "succeeded", before: live.spec, diff: step.change.diff))
        } catch {
            try? store.completeIntent(intent, outcome: "failed", inventory: .none, audit: audit(id, "delete", "failed", error: "\(error)", before: live.spec))
            throw error
        }
        try await create(want, previous: nil, action: "replace", diff: step.change.diff, superseded: [])
        locked { undo.removeAll { if case .delete(let uid, _, _) = $0 { return uid == id } else { return false } } }
    }

    /// A kept version with exactly the wanted content already exists (a rollback to an earlier
    /// revision): use it instead of creating it again.
    func reuse(_ want: ResolvedResource, kept: LiveObject, previous: InventoryEntry?, superseded: [String], diff: [FieldDiff]) async throws {
        let id = want.id
        let spec = serviceSpec(want)
        guard kept.spec == spec, kept.phase == .ready else {
            throw StepFailure(resource: id, message: "\(kept.name) exists but is not the version Git describes (\(kept.status ?? "changed")); delete it with `tidemark services delete \(id.kind.rawValue)/\(kept.name)` and apply again")
        }
        let entry = entry(for: want, physical: kept.name, spec: spec, previous: previous, superseded: superseded)
        let intent = try store.recordIntent(revision: revision, resource: id, action: "update", physicalName: kept.name,
                                            clientToken: nextToken(id), pendingEntry: entry, at: time.now())
        try store.completeIntent(intent, outcome: "succeeded", inventory: .upsert(entry),
                                 audit: audit(id, "reuse", "succeeded", before: nil, after: spec, diff: diff))
        locked {
            undo.append(.restoreInventory(id, previous))
            physicals[id] = kept.name
        }
        say(id, "reusing kept version \(kept.name)")
    }

    func remove(_ entry: InventoryEntry, live: LiveObject?, diff: [FieldDiff]) async throws {
        let id = entry.id
        if entry.retain {
            try store.completeIntent(try store.recordIntent(revision: revision, resource: id, action: "forget", physicalName: entry.physicalName,
                                                            clientToken: nextToken(id), pendingEntry: nil, at: time.now()),
                                     outcome: "succeeded", inventory: .remove(id),
                                     audit: audit(id, "forget", "succeeded", before: live?.spec))
            say(id, "\(entry.physicalName) retained; no longer managed")
            return
        }
        locked { undo.append(.irreversible("\(id): \(entry.physicalName) was deleted")) }
        for name in [entry.physicalName] + entry.superseded {
            guard try await backend.describe(id.kind, name) != nil else { continue }
            let intent = try store.recordIntent(revision: revision, resource: id, action: "delete", physicalName: name,
                                                clientToken: nextToken(id), pendingEntry: nil, at: time.now())
            say(id, "deleting \(name)")
            do {
                try await backend.delete(id.kind, name)
                _ = try await settle(id, name, expectGone: true)
                try store.completeIntent(intent, outcome: "succeeded", inventory: name == entry.physicalName ? .remove(id) : .none,
                                         audit: audit(id, "delete", "succeeded", before: live?.spec, diff: name == entry.physicalName ? diff : []))
            } catch {
                try? store.completeIntent(intent, outcome: "failed", inventory: .none, audit: audit(id, "delete", "failed", error: "\(error)"))
                throw error
            }
        }
        try store.updateInventory(.remove(id))
    }

    /// Waits until the object settles (or is gone, when `expectGone`), within the kind's deadline.
    func settle(_ id: ResourceID, _ name: String, expectGone: Bool) async throws -> LiveObject? {
        let start = time.now()
        var lastStatus: String?
        while true {
            let live = try await backend.describe(id.kind, name)
            if expectGone {
                if live == nil { return nil }
            } else {
                guard let live else { throw StepFailure(resource: id, message: "\(name) disappeared while it was being changed") }
                if live.phase != .progressing { return live }
            }
            if let s = live?.status, s != lastStatus {
                if lastStatus != nil || s != "Creating" { say(id, "\(name) \(s)") }
                lastStatus = s
            }
            let waited = time.now().timeIntervalSince(start)
            if waited >= options.deadline(id.kind) {
                throw StepFailure(resource: id, message: "timed out after \(Int(waited)) s waiting for \(name) (still \(live?.status ?? "present"))")
            }
            if stopping() { throw StepFailure(resource: id, message: "stopped while waiting for \(name) (\(live?.status ?? "in progress")); the next run continues") }
            try? store.heartbeat()
            try await time.sleep(seconds: options.pollInterval)
        }
    }

    // MARK: After success

    func collectSuperseded() async {
        guard let inventory = try? store.inventory() else { return }
        for (id, e) in inventory.sorted(by: { $0.key < $1.key }) where e.superseded.count > options.keepSuperseded {
            let keep = Array(e.superseded.prefix(options.keepSuperseded))
            for name in e.superseded.dropFirst(options.keepSuperseded) {
                do {
                    if try await backend.describe(id.kind, name) != nil {
                        try await backend.delete(id.kind, name)
                        _ = try await settle(id, name, expectGone: true)
                    }
                    try store.append(audit(id, "collect", "succeeded", error: nil, diff: [FieldDiff(path: "physicalName", before: .string(name), after: nil, forcesReplacement: false)]))
                    say(id, "collected superseded \(name)")
                } catch {
                    try? store.append(audit(id, "collect", "failed", error: "\(error)"))
                }
            }
            var updated = e
            updated.superseded = keep
            try? store.updateInventory(.upsert(updated))
        }
    }

    // MARK: Rollback

    func rollback() async {
        let steps = locked { undo.reversed() as [Undo] }
        for u in steps {
            switch u {
            case let .irreversible(text):
                locked { result.irreversible.append(text) }
            case let .restoreInventory(id, entry):
                try? store.updateInventory(entry.map { .upsert($0) } ?? .remove(id))
                try? store.append(audit(id, "rollback-repoint", "succeeded", trigger: .rollback))
                locked { result.rolledBack.append("\(id): repointed to \(entry?.physicalName ?? "nothing")") }
            case let .forgetAdoption(id):
                try? store.updateInventory(.remove(id))
                try? store.append(audit(id, "rollback-forget", "succeeded", trigger: .rollback))
                locked { result.rolledBack.append("\(id): adoption undone") }
            case let .delete(id, physical, restore):
                await undoStep(id, action: "rollback-delete", physical: physical, restore: restore) {
                    if try await self.backend.describe(id.kind, physical) != nil {
                        self.say(id, "rolling back: deleting \(physical)")
                        try await self.backend.delete(id.kind, physical)
                        _ = try await self.settle(id, physical, expectGone: true)
                    }
                    return "deleted \(physical)"
                }
            case let .update(id, physical, spec, restore):
                await undoStep(id, action: "rollback-update", physical: physical, restore: restore) {
                    guard let live = try await self.backend.describe(id.kind, physical) else { return "\(physical) is gone" }
                    if live.spec == spec { return "\(physical) already as before" }
                    self.say(id, "rolling back: restoring \(physical)")
                    _ = try await self.backend.update(id.kind, physical, spec: spec)
                    let settled = try await self.settle(id, physical, expectGone: false)
                    guard settled?.spec == spec else {
                        throw StepFailure(resource: id, message: "\(physical) could not be restored: \(settled?.failureReason ?? settled?.status ?? "gone")")
                    }
                    return "restored \(physical)"
                }
            }
        }
    }

    func undoStep(_ id: ResourceID, action: String, physical: String, restore: InventoryEntry?,
                  _ body: @escaping () async throws -> String) async {
        let intent = try? store.recordIntent(revision: revision, resource: id, action: action, physicalName: physical,
                                             clientToken: nextToken(id), pendingEntry: restore, at: time.now())
        do {
            let what = try await body()
            let change: InventoryChange = restore.map { .upsert($0) } ?? .remove(id)
            if let intent {
                try store.completeIntent(intent, outcome: "succeeded", inventory: change, audit: audit(id, action, "succeeded", trigger: .rollback))
            }
            locked { result.rolledBack.append("\(id): \(what)") }
        } catch {
            if let intent {
                try? store.completeIntent(intent, outcome: "failed", inventory: .none, audit: audit(id, action, "failed", error: "\(error)", trigger: .rollback))
            }
            locked { result.irreversible.append("\(id): rollback failed: \(error)") }
        }
    }
}
