import Foundation
import TidemarkCore

/// Carries out a live plan: parents before children, independent resources concurrently,
/// each action journaled before it is taken and recorded after; waits for stable statuses
/// with deadlines; on failure stops new work and rolls back what it changed. Every record it
/// cannot write is reported in the result and fails the apply.
public actor Applier {
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

    var undo: [Undo] = []
    var physicals: [ResourceID: String] = [:]
    var result = ApplyResult(outcome: .succeeded)
    var failed = false
    /// Another process took the lease: this one must not act or record anything more.
    var lostLease = false
    var tokenCounter = 0

    /// Outcomes of the dependency level under way, recorded in groups (group commit): a batch
    /// in the background whenever `flushBatch` wait and none is being written, the rest when
    /// the level ends, instead of one transaction per action. Every intent is still written
    /// before its action, so a crash mid-level leaves open intents that recovery settles from
    /// live state, as it would for one action.
    struct DeferredOutcome: Sendable {
        var completion: IntentCompletion
        var id: ResourceID
        var what: String
    }
    var deferred: [DeferredOutcome] = []
    var deferredIDs: Set<ResourceID> = []
    var deferring = false
    /// A batch of deferred outcomes being written while the level goes on, so the store's
    /// transaction overlaps the services' work instead of following it; and its resources.
    var flushing: Task<Void, Never>?
    var flushingIDs: Set<ResourceID> = []
    /// Outcomes that start a write in the background once this many are waiting.
    static let flushBatch = 256
    /// Intents of the level's creates, written ahead of them; each create takes its own, and
    /// those the level never reached are closed as skipped when it ends.
    var ahead: [ResourceID: (draft: IntentDraft, intent: Int64)] = [:]
    /// The level's create intents still being written, by resource. The first few are written
    /// before the level starts, the rest in batches, one after another, while its first
    /// actions run: a create waits only if its batch is not in yet. (Written all at once, the
    /// first level's intents held up the first call by a second at 100,000 resources.)
    var aheadWriting: [ResourceID: Task<Void, Never>] = [:]
    /// The last batch on its way: each batch waits for the one before it, so this one's end
    /// is every batch's.
    var aheadTail: Task<Void, Never>?
    static let firstIntents = 128
    static let intentBatch = 1_024
    /// Intents of the next level's creates, written in the background while this level runs
    /// (only those whose spec does not wait on a name this level's services assign).
    var next: [ResourceID: (draft: IntentDraft, intent: Int64)] = [:]
    var writingNext: Task<Void, Never>?

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
        deferring = true
        let levels = Set(forward.map(\.level)).sorted()
        for (n, level) in levels.enumerated() where !failed && !stopping() {
            let steps = forward.filter { $0.level == level }
            await takeNext()
            await recordIntentsAhead(steps.filter { ahead[$0.change.id] == nil })
            if n + 1 < levels.count {
                writeNextInBackground(forward.filter { $0.level == levels[n + 1] && !LivePlanner.namesPackages.contains($0.change.id.kind) })
            }
            await runConcurrently(Self.registrations(steps) + steps.filter { $0.change.id.kind != .modelPackage }.map { [$0] }, plan)
            await recordDeferred()
        }
        for level in Set(deletes.map(\.level)).sorted(by: >) where !failed && !stopping() {
            await runConcurrently(deletes.filter { $0.level == level }.map { [$0] }, plan)
            await recordDeferred()
        }
        await takeNext()  // intents written for a level that did not run are closed as skipped
        await recordDeferred()
        deferring = false
        if stopping() {
            result.interrupted = true
            result.outcome = .interrupted
            if lostLease { result.failures.append("another process took over the lease; this one stopped without rolling back") }
            return result
        }
        if !failed { await collectSuperseded() }
        if failed {
            if options.onFailure == .rollback {
                await rollback()
                result.outcome = .rolledBack
            } else {
                result.outcome = .failed
                for u in undo {
                    if case .irreversible = u { continue }
                    result.irreversible.append("not rolled back (--on-failure stop): \(describe(u))")
                }
            }
        }
        if !result.recordFailures.isEmpty, result.outcome == .succeeded { result.outcome = .failed }
        return result
    }

    /// Objects still moving from an earlier (perhaps interrupted) run settle before anything
    /// builds on them, as a controller requeues while a resource is modifying.
    func settleInFlight(_ plan: LivePlan) async {
        let moving = plan.observed.filter { $0.value.phase == .progressing }.sorted { $0.key < $1.key }
        guard !moving.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for (id, live) in moving {
                group.addTask {
                    await self.say(id, "waiting for \(live.name) (\(live.status ?? "in progress")) to settle first")
                    do {
                        _ = try await self.settle(id, live.name, expectGone: live.status == "Deleting")
                    } catch {
                        await self.fail(id, error)
                    }
                }
            }
        }
    }

    /// True once the apply must take no new action: shutdown, or the lease is gone.
    func stopping() -> Bool { lostLease || (options.stopRequested?() ?? false) }

    func fail(_ id: ResourceID, _ error: any Error) {
        if error is LeaseLost { lostLease = true }
        if let record = error as? RecordFailed { result.recordFailures.append("\(id): \(record)") }
        let message = (error as? StepFailure)?.message ?? "\(error)"
        say(id, "failed: \(message)")
        failed = true
        if let service = error as? ServiceError, let field = service.field {
            result.fieldFailures.append((result.failures.count, id, field))
        }
        result.failures.append("\(id): \(message)")
    }

    /// A record that could not be written: reported, and it fails the apply.
    func recordFailure(_ what: String, _ error: any Error) {
        if error is LeaseLost { lostLease = true }
        result.recordFailures.append("\(what): \(error)")
    }

    /// Runs a store write; its failure becomes a `RecordFailed` (and a lost lease stops the apply).
    func recorded<T>(_ what: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            if error is LeaseLost { lostLease = true }
            throw RecordFailed(what: what(), underlying: error)
        }
    }

    /// Records the level's deferred outcomes (after any background write), and when the level
    /// has ended closes the intents written ahead that it never used.
    func recordDeferred(levelEnded: Bool = true) async {
        if levelEnded { await aheadWritten() }
        for (id, (draft, intent)) in ahead.sorted(by: { $0.value.intent < $1.value.intent }) where levelEnded {
            let record = audit(id, draft.action.rawValue, "skipped", error: "the level stopped before this action; nothing was done")
            postpone(DeferredOutcome(completion: IntentCompletion(intent: intent, outcome: .skipped, inventory: .none, audit: record),
                                     id: id, what: "closing the unused intent to \(draft.action.rawValue) \(draft.physicalName)"))
        }
        if levelEnded { ahead = [:] }
        await flushed()
        guard !deferred.isEmpty else { return }
        let batch = deferred
        deferred = []
        deferredIDs = []
        await write(batch)
    }

    /// Writes outcomes in one transaction. When that fails, each action counts as done but
    /// unrecorded: the apply fails and recovery settles the intents.
    func write(_ batch: [DeferredOutcome]) async {
        do {
            try await store.completeIntents(batch.map(\.completion))
        } catch {
            for item in batch {
                if item.completion.outcome == .failed {
                    recordFailure(item.what, error)
                } else {
                    fail(item.id, RecordFailed(what: item.what, underlying: error))
                }
            }
        }
    }

    /// Starts writing what is deferred in the background, when enough waits and no write is
    /// under way. A crash meanwhile leaves these intents open, as a crash mid-level always did.
    func flushInBackground() {
        guard flushing == nil, deferred.count >= Self.flushBatch else { return }
        let batch = deferred
        deferred = []
        flushingIDs = deferredIDs
        deferredIDs = []
        flushing = Task {
            await self.write(batch)
            self.flushing = nil
            self.flushingIDs = []
            self.flushInBackground()
        }
    }

    /// Returns once no background write is under way.
    func flushed() async {
        while let write = flushing { await write.value }
    }

    /// Writes the intents of a level's creates: the first `firstIntents` now, the rest in the
    /// background in batches of `intentBatch`, each one transaction. When a batch fails nothing
    /// is lost: each of its creates then writes its own (and fails as it would have).
    func recordIntentsAhead(_ steps: [Step]) async {
        let creates = steps.filter { $0.change.action == .create }
        for (draft, id) in await writeIntents(Array(creates.prefix(Self.firstIntents))) { ahead[draft.resource] = (draft, id) }
        var rest = creates.dropFirst(Self.firstIntents)
        var previous = aheadTail
        while !rest.isEmpty {
            let batch = Array(rest.prefix(Self.intentBatch))
            rest = rest.dropFirst(Self.intentBatch)
            let after = previous
            let writer = Task {
                await after?.value  // one batch at a time, in order
                for (draft, id) in await self.writeIntents(batch) { self.ahead[draft.resource] = (draft, id) }
            }
            for step in batch { aheadWriting[step.change.id] = writer }
            previous = writer
        }
        aheadTail = previous
    }

    /// Waits until the intent written ahead for `id`, if one is on its way, is in.
    func intentWrittenAhead(_ id: ResourceID) async {
        if let writer = aheadWriting.removeValue(forKey: id) { await writer.value }
    }

    /// Waits for every batch of intents written ahead, so the level's end closes all it left.
    func aheadWritten() async {
        while let tail = aheadTail {
            await tail.value
            if aheadTail == tail { aheadTail = nil }  // unless a later batch was queued meanwhile
        }
        aheadWriting = [:]
    }

    func writeIntents(_ steps: [Step]) async -> [(IntentDraft, Int64)] {
        let creates = steps.compactMap { step -> (want: ResolvedResource, superseded: [String])? in
            guard step.change.action == .create, let want = step.desired else { return nil }
            return (want, step.entry?.superseded ?? [])
        }
        guard creates.count > 1 else { return [] }
        // The specs' hashes (each spec serialized whole) are worked out off the actor, on both
        // cores, so the actions under way are not held up.
        let specs = creates.map { serviceSpec($0.want) }
        let hashes = await Self.specHashes(specs)
        let drafts = creates.indices.map { i in
            createDraft(creates[i].want, action: .create, superseded: creates[i].superseded, hashed: (specs[i], hashes[i]))
        }
        do {
            return Array(zip(drafts, try await store.recordIntents(drafts)))
        } catch {
            if error is LeaseLost { lostLease = true }
            return []
        }
    }

    /// SHA-256 of each spec's canonical JSON, as `InventoryEntry.specHash` has it.
    nonisolated static func specHashes(_ specs: [Value]) async -> [String] {
        Striped.map(specs.count) { i in Digest.sha256(specs[i].canonicalJSON) }
    }

    /// Starts writing the next level's intents while this level's actions run.
    func writeNextInBackground(_ steps: [Step]) {
        writingNext = Task {
            for (draft, id) in await self.writeIntents(steps) { self.next[draft.resource] = (draft, id) }
        }
    }

    /// Waits for the next level's intents and makes them this level's.
    func takeNext() async {
        await writingNext?.value
        writingNext = nil
        ahead.merge(next) { current, _ in current }
        next = [:]
    }

    func postpone(_ outcome: DeferredOutcome) {
        deferred.append(outcome)
        deferredIDs.insert(outcome.id)
        flushInBackground()
    }

    func describe(_ u: Undo) -> String {
        switch u {
        case let .delete(id, physical, _): return "\(id) created as \(physical)"
        case let .update(id, physical, _, _): return "\(id) (\(physical)) updated"
        case let .forgetAdoption(id): return "\(id) adopted"
        case let .restoreInventory(id, _): return "\(id) repointed to a kept version"
        case let .irreversible(text): return text
        }
    }

    /// The level's registry versions as chains, one per group: a group numbers its versions
    /// in registration order, so each group registers its own one at a time, by name (`-v1`
    /// gets the lower number whatever the concurrency), while groups go side by side.
    static func registrations(_ steps: [Step]) -> [[Step]] {
        let packages = steps.filter { $0.change.id.kind == .modelPackage }.sorted { $0.change.id < $1.change.id }
        var chains: [[Step]] = []
        var chainOf: [String: Int] = [:]
        for step in packages {
            let group = step.desired?.spec["modelPackageGroupName"]?.stringValue ?? "unversioned \(step.change.id.name)"
            if let i = chainOf[group] {
                chains[i].append(step)
            } else {
                chainOf[group] = chains.count
                chains.append([step])
            }
        }
        return chains
    }

    /// Runs chains of steps, up to `concurrency` chains at a time; a chain's steps run one
    /// after another, and stop at the first failure.
    func runConcurrently(_ chains: [[Step]], _ plan: LivePlan) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() -> Bool {
                guard next < chains.count, !failed, !stopping() else { return false }
                let chain = chains[next]
                next += 1
                group.addTask {
                    for step in chain {
                        guard await !self.failed, await !self.stopping() else { return }
                        await self.perform(step, plan)
                    }
                }
                return true
            }
            for _ in 0..<max(1, options.concurrency) {
                if !launch() { break }
            }
            while await group.next() != nil { _ = launch() }
        }
    }

    func perform(_ step: Step, _ plan: LivePlan) async {
        do {
            try await execute(step, plan)
            result.completed.append("\(step.change.action.symbol) \(step.change.id)")
        } catch {
            fail(step.change.id, error)
        }
    }

    /// Waits until the object settles (or is gone, when `expectGone`), within the kind's
    /// deadline, renewing the lease while it waits.
    func settle(_ id: ResourceID, _ name: String, expectGone: Bool) async throws -> LiveObject? {
        let start = time.now()
        var lastStatus: String?
        // Polls start at pollInterval and slow by half each time, up to maxPollInterval: a
        // 25-minute endpoint deployment costs a few hundred Describe calls, not thousands.
        var interval = options.pollInterval
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
            try await recorded("the lease renewal") { try await store.heartbeat() }
            try await time.sleep(seconds: min(interval, max(0.01, options.deadline(id.kind) - waited)))
            interval = min(interval * 1.5, max(options.pollInterval, options.maxPollInterval))
        }
    }
}
