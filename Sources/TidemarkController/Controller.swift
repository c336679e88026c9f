import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkStore

/// The reconcile loop as a service: fetch the branch into a mirror, and for each new commit
/// (or webhook, or manual sync, or drift check) validate, plan against live state and apply,
/// rolling back on failure with backoff. One controller per state folder is the leader (it
/// holds the lease and renews it); others stand by and take over when it dies.
public final class Controller: Service, @unchecked Sendable {
    public let settings: ControllerSettings
    public let store: SQLiteStore
    public let services: LocalServices
    let logger: Logger
    let time: any TimeSource

    private let lock = NSLock()
    private var state = ControllerStatus()
    private var triggerReason: Trigger?
    private var forced = false
    private var rollbackRequest: Int64?
    private var stopRequested = false
    private var index: RevisionIndex?
    private var indexCommit: Commit?
    private var lastAttempted: String?
    private var failures: [String: Int] = [:]
    private var lastResync = Date.distantPast
    private var pinnedAtHead: String?
    private var branch: String?

    public init(settings: ControllerSettings, logger: Logger, time: any TimeSource = SystemTime()) throws {
        self.settings = settings
        self.logger = logger
        self.time = time
        store = try SQLiteStore(folder: settings.data, holder: .current(role: "serve"))
        services = try LocalServices(folder: settings.data, time: time, latencies: settings.latencies)
        branch = settings.branch
    }

    /// A snapshot of the controller's state.
    public var status: ControllerStatus { lock.withLock { state } }

    func update(_ body: (inout ControllerStatus) -> Void) { lock.withLock { body(&state) } }

    /// Asks for a reconcile now (webhook, API). `force` applies even with automated sync off.
    public func trigger(_ reason: Trigger, force: Bool) {
        lock.withLock {
            triggerReason = reason
            forced = forced || force
        }
    }

    /// Asks for a rollback to an earlier revision, carried out by the loop.
    public func requestRollback(to revision: Int64) throws {
        guard try store.revision(revision) != nil else {
            throw ControllerError("there is no revision \(revision)")
        }
        lock.withLock { rollbackRequest = revision }
    }

    var stopping: Bool { lock.withLock { stopRequested } }

    // MARK: The loop

    public func run() async throws {
        try await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            self.lock.withLock { self.stopRequested = true }
        }
        update { $0.role = .stopping }
        try? store.releaseLease()
        logger.info("stopped; lease released")
    }

    func loop() async {
        var leader = false
        var lastFetch = Date.distantPast
        var lastBeat = Date.distantPast
        while !stopping {
            if !leader {
                do {
                    try await store.acquireLease(wait: 0)
                    leader = true
                    update { $0.role = .leader }
                    logger.info("leader: holding the lease on \(settings.data)")
                    for note in try await Recovery.recover(store: store, backend: services, time: time, actor: settings.actor) {
                        logger.warning("recovered", metadata: ["detail": "\(note)"])
                    }
                } catch let held as LeaseHeld {
                    if status.role != .standby { logger.info("standby: \(held.holder) is the leader") }
                    update { $0.role = .standby }
                    await nap(1)
                    continue
                } catch {
                    logger.error("cannot take the lease: \(error)")
                    await nap(1)
                    continue
                }
            }
            if Date().timeIntervalSince(lastBeat) >= 5 {
                try? store.heartbeat()
                lastBeat = Date()
            }
            let triggered = lock.withLock { triggerReason != nil || rollbackRequest != nil }
            if triggered || time.now().timeIntervalSince(lastFetch) >= settings.interval {
                lastFetch = time.now()
                await tick()
            }
            await nap(0.05)
        }
    }

    func nap(_ seconds: Double) async {
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }

    /// One pass: fetch, then reconcile if anything calls for it.
    func tick() async {
        let (reason, force, rollback) = lock.withLock { () -> (Trigger?, Bool, Int64?) in
            defer { triggerReason = nil; forced = false; rollbackRequest = nil }
            return (triggerReason, forced, rollbackRequest)
        }
        let head: Commit
        let mirror: GitRepository
        let fetchStart = Date()
        do {
            (mirror, head) = try fetchHead()
            Metrics.Timer(label: "tidemark_fetch_duration_seconds").recordInterval(since: fetchStart)
            update {
                $0.ready = true
                $0.lastFetchCommit = head.id
                $0.lastFetchTime = time.now()
                $0.lastFetchError = nil
            }
        } catch {
            Counter(label: "tidemark_errors_total", dimensions: [("stage", "fetch")]).increment()
            logger.error("fetch failed: \(error)")
            let message = "\(error)"
            let repeated = status.lastFetchError == message
            update { $0.lastFetchError = message }
            // A vanished branch or an unreachable repository is recorded once, not every interval;
            // nothing is applied and the last good revision stays live.
            if !repeated || reason != nil {
                try? store.append(AuditDraft(time: time.now(), actor: settings.actor, trigger: reason ?? .controller, revision: nil, commit: nil,
                                             resource: nil, action: "fetch", outcome: "rejected", error: message))
            }
            return
        }
        if let rollback {
            await rollBack(to: rollback, mirror: mirror)
            return
        }
        // A pinned rollback holds until a newer commit arrives.
        if let pinned = try? store.pinnedRevision() {
            let atHead = lock.withLock { () -> String in
                if pinnedAtHead == nil { pinnedAtHead = head.id }
                return pinnedAtHead ?? head.id
            }
            if atHead == head.id && !force {
                update {
                    $0.sync = .pinned
                    $0.pinnedRevision = pinned.number
                    $0.message = "pinned to revision \(pinned.number) (\(pinned.commit.prefix(7))) by a rollback; a new commit or `rollback --unpin` lifts it"
                }
                return
            }
            try? store.pin(nil)
            lock.withLock { pinnedAtHead = nil }
            update { $0.pinnedRevision = nil }
            logger.info("a new commit \(head.shortID) lifts the pin on revision \(pinned.number)")
        } else {
            lock.withLock { pinnedAtHead = nil }
        }
        let now = time.now()
        let newCommit = head.id != lock.withLock { lastAttempted }
        let resyncDue = now.timeIntervalSince(lock.withLock { lastResync }) >= settings.policy.resync
        let retryDue = status.nextAttempt.map { now >= $0 } ?? false
        guard newCommit || reason != nil || resyncDue || retryDue else { return }
        if !newCommit, !force, reason == nil, let next = status.nextAttempt, now < next { return }
        let trigger: Trigger = reason ?? (newCommit || retryDue ? .controller : .drift)
        await reconcile(head, mirror: mirror, trigger: trigger, force: force)
    }

    func fetchHead() throws -> (GitRepository, Commit) {
        let mirror = try GitRepository.mirror(of: settings.fetchURL, at: (settings.data as NSString).appendingPathComponent("mirror.git"))
        try mirror.fetch(credentials: settings.credentials)
        let name = branch ?? mirror.defaultBranch()
        guard let name else {
            throw ControllerError("no branch to follow: the repository has \(mirror.remoteBranches().joined(separator: ", ")); pass --branch")
        }
        if branch == nil { lock.withLock { branch = name } }
        do {
            return (mirror, try mirror.resolve("refs/remotes/origin/\(name)"))
        } catch {
            throw ControllerError("branch '\(name)' does not exist at \(settings.repo) (deleted, or renamed by a force-push?)")
        }
    }

    /// Loads the commit's manifests, incrementally from the last commit seen.
    func load(_ commit: Commit, mirror: GitRepository) throws -> RevisionIndex {
        let (previous, from) = lock.withLock { (index, indexCommit) }
        guard let previous, let from else {
            return RevisionIndex(try mirror.files(at: commit, under: settings.path))
        }
        if from.id == commit.id { return previous }
        let paths: [String]
        do {
            paths = try mirror.changedPaths(from: from, to: commit, under: settings.path)
        } catch {
            // The old commit vanished (a force-push and gc): read the new one in full.
            return RevisionIndex(try mirror.files(at: commit, under: settings.path))
        }
        var changed: [SourceFile] = []
        var removed: [String] = []
        for p in paths where p.hasSuffix(".yaml") || p.hasSuffix(".yml") {
            if let files = try mirror.filesIfPresent(at: commit, under: p) { changed += files } else { removed.append(p) }
        }
        return previous.updated(changed: changed, removed: removed)
    }

    func reconcile(_ head: Commit, mirror: GitRepository, trigger: Trigger, force: Bool) async {
        let start = Date()
        let index: RevisionIndex
        do {
            index = try load(head, mirror: mirror)
        } catch {
            reject(head, message: "\(error)", diagnostics: [], trigger: trigger)
            return
        }
        lock.withLock {
            self.index = index
            indexCommit = head
            lastAttempted = head.id
            lastResync = time.now()
        }
        if index.loaded.hasErrors {
            let errors = index.loaded.diagnostics.filter { $0.severity == .error }
            reject(head, message: "\(errors.count) error\(errors.count == 1 ? "" : "s") in the manifests; the last good revision stays live",
                   diagnostics: index.loaded.diagnostics, trigger: trigger)
            return
        }
        do {
            let live = try await LivePlanner.plan(desired: index.loaded.desired, head: PlanSide(revision: head.shortID, commit: head.id),
                                                  path: settings.path, inventory: try store.inventory(), backend: services,
                                                  prune: settings.policy.prune, warnings: index.loaded.diagnostics)
            let json = PlanRenderer.json(live.plan)
            record(live)
            update {
                $0.planJSON = json
                $0.syncCommit = head.id
                $0.diagnostics = index.loaded.diagnostics
                $0.changes = live.steps.count
            }
            if !live.blocked.isEmpty {
                reject(head, message: live.blocked.map(\.message).joined(separator: "; "), diagnostics: live.blocked, trigger: trigger)
                return
            }
            if live.steps.isEmpty {
                update {
                    $0.sync = .synced
                    $0.message = "\(index.loaded.desired.count) resources synced at \(head.shortID)"
                    $0.nextAttempt = nil
                    $0.lastAppliedCommit = $0.lastAppliedCommit ?? head.id
                }
                finishMetrics(start, succeeded: true)
                return
            }
            let driftOnly = live.steps.allSatisfy { $0.change.reason.hasPrefix("drift:") }
            if !force && (!settings.policy.automated || (driftOnly && !settings.policy.selfHeal)) {
                update {
                    $0.sync = .outOfSync
                    $0.message = driftOnly
                        ? "\(live.steps.count) resource\(live.steps.count == 1 ? "" : "s") drifted; self-heal is off"
                        : "\(live.steps.count) change\(live.steps.count == 1 ? "" : "s") waiting; automated sync is off (POST /api/v1/sync)"
                }
                return
            }
            let refusals = Applier.refusals(live, options: settings.apply)
            if !refusals.isEmpty {
                reject(head, message: refusals.joined(separator: "; "), diagnostics: [], trigger: trigger)
                return
            }
            await apply(live, head: head, trigger: driftOnly && trigger == .controller ? .drift : trigger, start: start)
        } catch {
            Counter(label: "tidemark_errors_total", dimensions: [("stage", "plan")]).increment()
            logger.error("plan failed: \(error)")
            update {
                $0.sync = .failed
                $0.message = "could not plan: \(error)"
            }
            scheduleRetry(head)
        }
    }

    func apply(_ live: LivePlan, head: Commit, trigger: Trigger, start: Date, reference: String? = nil) async {
        update {
            $0.sync = .progressing
            $0.message = "applying \(live.steps.count) change\(live.steps.count == 1 ? "" : "s") of \(head.shortID)"
        }
        var options = settings.apply
        options.actor = settings.actor
        options.trigger = trigger
        options.stopRequested = { [weak self] in self?.stopping ?? true }
        do {
            let number = try store.beginRevision(commit: head.id, reference: reference ?? (branch ?? "HEAD"), path: settings.path,
                                                 actor: settings.actor, trigger: trigger, planDigest: Digest.sha256(PlanRenderer.json(live.plan)),
                                                 at: time.now())
            logger.info("applying revision \(number): \(live.steps.count) changes of \(head.shortID)", metadata: ["trigger": "\(trigger.rawValue)"])
            let result = await Applier(backend: services, store: store, time: time, options: options, revision: number, commit: head.id,
                                       progress: { [logger] e in logger.info("\(e.resource): \(e.message)") }).run(live)
            let message = result.interrupted ? "stopped by shutdown; the next start continues"
                : result.failures.first ?? "\(result.completed.count) changes applied"
            try store.finishRevision(number, outcome: result.outcome, message: message, at: time.now())
            try store.append(AuditDraft(time: time.now(), actor: settings.actor, trigger: trigger, revision: number, commit: head.id,
                                        resource: nil, action: "revision", outcome: result.outcome.rawValue, error: result.failures.first))
            if result.outcome == .succeeded {
                lock.withLock { failures[head.id] = nil }
                recordSynced(live)
                update {
                    $0.sync = .synced
                    $0.message = message
                    $0.lastAppliedCommit = head.id
                    $0.lastAppliedRevision = number
                    $0.nextAttempt = nil
                    $0.changes = 0
                    $0.drift = 0
                }
                finishMetrics(start, succeeded: true)
            } else if !result.interrupted {
                update {
                    $0.sync = .failed
                    $0.message = "revision \(number) failed and was \(result.outcome == .rolledBack ? "rolled back" : "stopped"): \(message)"
                }
                Counter(label: "tidemark_errors_total", dimensions: [("stage", "apply")]).increment()
                finishMetrics(start, succeeded: false)
                scheduleRetry(head)
            }
        } catch {
            logger.error("apply bookkeeping failed: \(error)")
            update { $0.sync = .failed; $0.message = "\(error)" }
            scheduleRetry(head)
        }
    }

    func scheduleRetry(_ head: Commit) {
        let n = lock.withLock { () -> Int in
            failures[head.id, default: 0] += 1
            return failures[head.id] ?? 1
        }
        let wait = min(settings.backoffCap, settings.backoffBase * pow(2, Double(n - 1)))
        update { $0.nextAttempt = time.now().addingTimeInterval(wait) }
        logger.warning("sync of \(head.shortID) failed \(n) time\(n == 1 ? "" : "s"); next attempt in \(Int(wait)) s")
    }

    /// Refuses a commit: nothing applied, the last good revision stays, the reason is recorded.
    func reject(_ head: Commit, message: String, diagnostics: [Diagnostic], trigger: Trigger) {
        logger.error("rejected \(head.shortID): \(message)")
        for d in diagnostics.prefix(20) where d.severity == .error { logger.error("\(d)") }
        Counter(label: "tidemark_errors_total", dimensions: [("stage", "validate")]).increment()
        if let number = try? store.beginRevision(commit: head.id, reference: branch ?? "HEAD", path: settings.path, actor: settings.actor,
                                                 trigger: trigger, planDigest: "", at: time.now()) {
            try? store.finishRevision(number, outcome: .rejected, message: message, at: time.now())
            try? store.append(AuditDraft(time: time.now(), actor: settings.actor, trigger: trigger, revision: number, commit: head.id,
                                         resource: nil, action: "reject", outcome: "rejected",
                                         error: ([message] + diagnostics.prefix(5).map(\.description)).joined(separator: "\n")))
        }
        update {
            $0.sync = .rejected
            $0.syncCommit = head.id
            $0.message = message
            $0.diagnostics = diagnostics
        }
        Gauge(label: "tidemark_last_sync_success").record(0)
    }

    func rollBack(to number: Int64, mirror: GitRepository) async {
        do {
            guard let record = try store.revision(number) else { throw ControllerError("there is no revision \(number)") }
            let commit: Commit
            do { commit = try mirror.resolve(record.commit) } catch {
                throw ControllerError("revision \(number)'s commit \(record.commit.prefix(7)) is no longer in the repository")
            }
            let loaded = RevisionLoader.load(try mirror.files(at: commit, under: record.path))
            guard !loaded.hasErrors else { throw ControllerError("revision \(number)'s manifests no longer validate") }
            let live = try await LivePlanner.plan(desired: loaded.desired, head: PlanSide(revision: "revision \(number)", commit: commit.id),
                                                  path: record.path, inventory: try store.inventory(), backend: services, prune: true)
            await apply(live, head: commit, trigger: .rollback, start: Date(), reference: "revision \(number)")
            if status.sync == .synced, let latest = try store.revisions(limit: 1).first {
                try store.pin(latest.number)
                lock.withLock { pinnedAtHead = status.lastFetchCommit }
                update {
                    $0.sync = .pinned
                    $0.pinnedRevision = latest.number
                    $0.message = "rolled back to revision \(number) and pinned as revision \(latest.number)"
                }
            }
        } catch {
            logger.error("rollback to \(number) failed: \(error)")
            update { $0.sync = .failed; $0.message = "rollback to revision \(number) failed: \(error)" }
        }
    }

    // MARK: Metrics

    func record(_ live: LivePlan) {
        var counts: [String: Int] = [:]
        let changed = Set(live.steps.map(\.change.id))
        for id in live.desired.keys {
            let object = live.observed[id]
            let sync = object == nil ? "Missing" : changed.contains(id) ? "OutOfSync" : "Synced"
            let health = Phase.health(object?.phase)
            counts["\(sync)|\(health)", default: 0] += 1
        }
        for sync in ["Synced", "OutOfSync", "Missing"] {
            for health in ["Healthy", "Progressing", "Degraded", "Missing"] {
                Gauge(label: "tidemark_resources", dimensions: [("sync", sync), ("health", health)]).record(counts["\(sync)|\(health)"] ?? 0)
            }
        }
        let drift = live.steps.filter { $0.change.reason.hasPrefix("drift:") }.count
        Gauge(label: "tidemark_drift_resources").record(drift)
        update { $0.drift = drift }
    }

    /// After a successful apply every desired resource is synced and healthy.
    func recordSynced(_ live: LivePlan) {
        for sync in ["Synced", "OutOfSync", "Missing"] {
            for health in ["Healthy", "Progressing", "Degraded", "Missing"] {
                let n = sync == "Synced" && health == "Healthy" ? live.desired.count : 0
                Gauge(label: "tidemark_resources", dimensions: [("sync", sync), ("health", health)]).record(n)
            }
        }
        Gauge(label: "tidemark_drift_resources").record(0)
    }

    func finishMetrics(_ start: Date, succeeded: Bool) {
        Metrics.Timer(label: "tidemark_reconcile_duration_seconds", dimensions: [("outcome", succeeded ? "succeeded" : "failed")]).recordInterval(since: start)
        Gauge(label: "tidemark_last_sync_timestamp_seconds").record(time.now().timeIntervalSince1970)
        Gauge(label: "tidemark_last_sync_success").record(succeeded ? 1 : 0)
        update {
            $0.lastSyncTime = time.now()
            $0.lastSyncSucceeded = succeeded
        }
    }
}

public struct ControllerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}

extension Metrics.Timer {
    func recordInterval(since start: Date) {
        recordNanoseconds(Int64(Date().timeIntervalSince(start) * 1e9))
    }
}
