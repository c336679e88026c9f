import Foundation
import TidemarkCore

/// Where a revision's manifests came from, as it is recorded.
public struct RevisionOrigin: Sendable, Hashable {
    public var commit: Commit
    /// What named it: a branch, `HEAD`, `revision 3`.
    public var reference: String
    public var path: String

    public init(commit: Commit, reference: String, path: String) {
        self.commit = commit
        self.reference = reference
        self.path = path
    }
}

/// What an apply does to a rollback pin when it succeeds.
public enum PinEffect: Sendable {
    /// Leaves it as it is (the controller lifts pins itself, when a new commit arrives).
    case keep
    /// Lifts it: a manual apply of a newer state ends a rollback.
    case lift
    /// Pins the new revision: a rollback.
    case pin
}

/// A revision that was opened and carried out.
public struct ApplyReport: Sendable {
    public var revision: Int64
    public var result: ApplyResult
    public var message: String
    /// The pinned revision this apply lifted, if any.
    public var liftedPin: Int64?
    /// Whether this apply pinned its revision (a rollback).
    public var pinned: Bool
}

/// How one reconcile ended.
public enum ReconcileOutcome: Sendable {
    /// Live state already matches.
    case upToDate(LivePlan)
    /// Something in the way (an unmanaged object): nothing was changed.
    case blocked(LivePlan)
    /// Destructive steps that are not allowed: nothing was changed.
    case refused(LivePlan, [String])
    /// The confirmation (a person, or the sync policy) said no: nothing was changed.
    case declined(LivePlan)
    case applied(LivePlan, ApplyReport)

    public var plan: LivePlan {
        switch self {
        case .upToDate(let p), .blocked(let p), .refused(let p, _), .declined(let p), .applied(let p, _): return p
        }
    }
}

/// A revision to roll back to cannot be: it does not exist, its commit is gone, or its
/// manifests no longer validate.
public struct RollbackRefused: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var diagnostics: [Diagnostic]

    public init(_ description: String, diagnostics: [Diagnostic] = []) {
        self.description = description
        self.diagnostics = diagnostics
    }
}

/// The one owner of "reconcile one revision": load → plan → confirm → apply → record →
/// audit → pin, and of rollback (apply plus pin). The CLI, the controller, the HTTP API
/// and the bench all call it; nothing else opens a revision. It works through the engine's
/// ports only, so any source, backend, store and clock can be composed into it.
public struct Reconciler: Sendable {
    public let source: any RepositorySource
    public let backend: any ServiceBackend
    public let store: any StateStore
    public let time: any TimeSource

    public init(source: any RepositorySource, backend: any ServiceBackend, store: any StateStore, time: any TimeSource) {
        self.source = source
        self.backend = backend
        self.store = store
        self.time = time
    }

    // MARK: Load and plan

    /// The manifests at `commit`, read incrementally from `previous` when given.
    public func load(_ commit: Commit, path: String, after previous: (index: RevisionIndex, commit: Commit)? = nil)
        async throws(SourceError) -> RevisionIndex {
        try await source.index(at: commit, path: path, after: previous)
    }

    /// Reads the inventory and the big kinds' lists, to be handed to `plan` once the
    /// revision has loaded (see `LiveReading` for when that is sound).
    public func readLive() async throws -> LiveReading {
        try await LiveReading.read(store: store, backend: backend)
    }

    /// The plan from live state to a loaded revision (which must have no errors), from
    /// `ahead` when live state was read already. Objects another application sharing the
    /// store manages block the plan.
    public func plan(_ index: RevisionIndex, origin: RevisionOrigin, prune: Bool, ahead: LiveReading? = nil) async throws -> LivePlan {
        // The services' lists and the inventory are read side by side; what was read ahead
        // is not read again.
        let kinds = LivePlanner.kindsToList(index.resolved.keys).filter { ahead?.listed[$0] == nil }
        async let listing = LivePlanner.list(kinds, backend: backend)
        let inventory: [ResourceID: InventoryEntry]
        if let ahead { inventory = ahead.inventory } else { inventory = try await store.inventory() }
        let listed = try await listing.merging(ahead?.listed ?? [:]) { fresh, _ in fresh }
        let owners = try await owners(of: index.resolved, inventory: inventory)
        return try await LivePlanner.plan(index, head: PlanSide(revision: origin.reference, commit: origin.commit.id), path: origin.path,
                                          inventory: inventory, backend: backend, prune: prune, owners: owners,
                                          listed: listed)
    }

    /// Which other application manages each object this one would create: the desired
    /// objects with no inventory entry whose names this application does not manage either.
    /// Nearly always there are none, and then no set of every managed name is built.
    func owners(of resolved: ResourceMap<ResolvedResource>, inventory: [ResourceID: InventoryEntry]) async throws -> [ObjectName: String] {
        var unmanaged: Set<ObjectName> = []
        for (id, want) in resolved where inventory.index(forKey: id) == nil { unmanaged.insert(ObjectName(id.kind, want.physicalName)) }
        guard !unmanaged.isEmpty else { return [:] }
        let managed = Set(inventory.values.map { ObjectName($0.id.kind, $0.physicalName) })
        let wanted = unmanaged.subtracting(managed)
        return wanted.isEmpty ? [:] : try await store.owners(of: wanted)
    }

    // MARK: Reconcile

    /// Plans `index` against live state and, if `confirm` agrees, applies it as a new
    /// revision. The caller holds the lease.
    public func reconcile(_ index: RevisionIndex, origin: RevisionOrigin, prune: Bool, options: ApplyOptions, pin: PinEffect,
                          confirm: @Sendable (LivePlan) async throws -> Bool,
                          progress: @escaping @Sendable (ApplyEvent) -> Void) async throws -> ReconcileOutcome {
        let live = try await plan(index, origin: origin, prune: prune)
        if !live.blocked.isEmpty { return .blocked(live) }
        if live.steps.isEmpty { return .upToDate(live) }
        let refusals = Applier.refusals(live, options: options)
        if !refusals.isEmpty { return .refused(live, refusals) }
        guard try await confirm(live) else { return .declined(live) }
        return .applied(live, try await apply(live, origin: origin, options: options, pin: pin, progress: progress))
    }

    /// Puts `file:line:column` in front of each failure whose service error named a field of
    /// the manifest: the field's own position when the file still has it, else the resource's.
    func locateFieldFailures(_ result: inout ApplyResult, plan: LivePlan, origin: RevisionOrigin) async {
        guard !result.fieldFailures.isEmpty, let files = try? await source.files(at: origin.commit, under: origin.path) else { return }
        for failure in result.fieldFailures where result.failures.indices.contains(failure.index) {
            let declared = plan.steps.first { $0.change.id == failure.resource }?.desired?.location
            guard let file = files.first(where: { $0.path == declared?.file }),
                  let at = FieldLocator.locate(file, failure.resource, field: failure.field) ?? declared else { continue }
            result.failures[failure.index] = "\(at.file):\(at.line):\(at.column): \(result.failures[failure.index])"
        }
    }

    /// Opens a revision, carries out the plan, closes the revision, audits it and applies
    /// `pin`. Returns the revision's number with the result.
    public func apply(_ plan: LivePlan, origin: RevisionOrigin, options: ApplyOptions, pin: PinEffect,
                      progress: @escaping @Sendable (ApplyEvent) -> Void) async throws -> ApplyReport {
        var options = options
        if options.trigger == .controller, plan.steps.allSatisfy({ $0.change.cause == .drift }) {
            // The controller is undoing out-of-band changes only: that is self-heal.
            options.trigger = .drift
        }
        let number = try await open(RevisionStart(commit: origin.commit.id, reference: origin.reference, path: origin.path, actor: options.actor,
                                            trigger: options.trigger, planDigest: PlanDigest.of(plan.plan), time: time.now()))
        var result = await Applier(backend: backend, store: store, time: time, options: options, revision: number,
                                   commit: origin.commit.id, progress: progress).run(plan)
        await locateFieldFailures(&result, plan: plan, origin: origin)
        let message = result.interrupted
            ? (result.failures.first ?? "stopped before it finished; the next run continues")
            : (result.failures.first ?? result.recordFailures.first
                ?? "\(result.completed.count) change\(result.completed.count == 1 ? "" : "s") applied")
        try await store.finishRevision(number, outcome: result.outcome, message: message, at: time.now())
        try await store.append(AuditDraft(time: time.now(), actor: options.actor, trigger: options.trigger, revision: number, commit: origin.commit.id,
                                    resource: nil, action: "revision", outcome: result.outcome.rawValue,
                                    error: result.failures.first ?? result.recordFailures.first))
        var report = ApplyReport(revision: number, result: result, message: message, liftedPin: nil, pinned: false)
        guard result.outcome == .succeeded else { return report }
        switch pin {
        case .keep: break
        case .lift: report.liftedPin = try await liftPin()
        case .pin:
            try await store.pin(number)
            report.pinned = true
        }
        return report
    }

    /// Lifts a rollback pin; returns the revision that was pinned.
    public func liftPin() async throws -> Int64? {
        guard let pinned = try await store.pinnedRevision() else { return nil }
        try await store.pin(nil)
        return pinned.number
    }

    /// Records a commit that was not applied (invalid manifests, an object in the way) as a
    /// rejected revision with its reasons. Returns its number.
    @discardableResult
    public func reject(_ origin: RevisionOrigin, actor: String, trigger: Trigger, message: String, diagnostics: [Diagnostic]) async throws -> Int64 {
        let number = try await open(RevisionStart(commit: origin.commit.id, reference: origin.reference, path: origin.path, actor: actor,
                                            trigger: trigger, planDigest: "", time: time.now()))
        try await store.finishRevision(number, outcome: .rejected, message: message, at: time.now())
        try await store.append(AuditDraft(time: time.now(), actor: actor, trigger: trigger, revision: number, commit: origin.commit.id,
                                    resource: nil, action: "reject", outcome: "rejected",
                                    error: ([message] + diagnostics.prefix(5).map(\.description)).joined(separator: "\n")))
        return number
    }

    /// The only place a revision is opened.
    private func open(_ start: RevisionStart) async throws -> Int64 {
        try await store.beginRevision(start)
    }

    // MARK: Rollback

    /// Applies revision `number`'s manifests again (read from the source at its commit, with
    /// prune) and pins the new revision, all under the lease the caller holds.
    public func rollback(to number: Int64, options: ApplyOptions, confirm: @Sendable (LivePlan) async throws -> Bool,
                         progress: @escaping @Sendable (ApplyEvent) -> Void) async throws -> ReconcileOutcome {
        guard let record = try await store.revision(number) else { throw RollbackRefused("there is no revision \(number)") }
        let commit: Commit
        do { commit = try await source.resolve(record.commit) } catch {
            throw RollbackRefused("revision \(number)'s commit \(record.commit.prefix(7)) is no longer in the repository (\(error))")
        }
        let index = try await load(commit, path: record.path)
        guard !index.loaded.hasErrors else {
            throw RollbackRefused("revision \(number)'s manifests no longer validate; nothing was applied", diagnostics: index.loaded.diagnostics)
        }
        var options = options
        options.trigger = .rollback
        let origin = RevisionOrigin(commit: commit, reference: "revision \(number)", path: record.path)
        let outcome = try await reconcile(index, origin: origin, prune: true, options: options, pin: .pin, confirm: confirm, progress: progress)
        if case .upToDate = outcome {
            // Already in that state: pin the revision it came from, so the loop holds it.
            try await store.pin(number)
        }
        return outcome
    }

    // MARK: The lease

    /// Runs `body` holding the lease (waiting up to `wait` seconds for another holder), after
    /// recovering whatever a dead process left. The CLI's way in; the controller holds the
    /// lease for as long as it leads.
    public func exclusively<T: Sendable>(wait: Double, actor: String, recovered: (String) -> Void,
                                         _ body: () async throws -> T) async throws -> T {
        try await store.acquireLease(wait: wait)
        do {
            for note in try await recover(actor: actor) { recovered(note) }
            let value = try await body()
            try await store.releaseLease()
            return value
        } catch {
            do { try await store.releaseLease() } catch let release {
                // The body's error is what the caller must see; the release failure is part of it.
                throw ReleaseFailed(original: error, release: release)
            }
            throw error
        }
    }

    /// Recovers what a dead process left (the caller holds the lease).
    public func recover(actor: String) async throws -> [String] {
        try await Recovery.recover(store: store, backend: backend, time: time, actor: actor)
    }
}

/// The lease could not be released after another failure.
public struct ReleaseFailed: Error, Sendable, CustomStringConvertible {
    public var original: any Error
    public var release: any Error
    public var description: String { "\(original) (and the lease could not be released: \(release))" }
}
