import Foundation
import Logging
import ServiceLifecycle
import TidemarkCore
import TidemarkEngine

/// The reconcile loop as a service. Woken by an `AsyncStream` of events (the interval, the
/// lease renewal, a webhook or API request), it fetches the followed branch and, when a new
/// commit, a request, a retry, a resync or a change in live state calls for it, reconciles
/// through the `Reconciler`. One controller per store leads (holding the fenced lease);
/// others stand by, and a leader that finds its lease taken only steps down.
public actor Controller: Service {
    public nonisolated let settings: ControllerSettings
    public nonisolated let reconciler: Reconciler
    nonisolated let logger: Logger
    nonisolated let metrics: any ControllerMetrics
    /// Set on shutdown: the loop ends and an apply in progress stops between steps.
    nonisolated let stop = StopFlag()
    nonisolated let events: AsyncStream<Wake>
    nonisolated let wake: AsyncStream<Wake>.Continuation
    /// The fleet's bounded pool of workers a pass runs in; nil runs at once.
    nonisolated let slots: ReconcileSlots?
    /// Which replica should lead this application; nil leads whenever the lease allows.
    nonisolated let placement: Placement?
    /// Where failures, recoveries, drift and rollbacks are announced; nil announces nothing.
    nonisolated let notices: (any NoticeSink)?

    enum Wake: Sendable { case interval, request }

    var status = ControllerStatus() {
        didSet {
            guard status.headline != oldValue.headline else { return }
            headlineVersion += 1
            announceChange()
        }
    }
    /// Counts the headline's changes: a page rendered at one version and a stream opened later
    /// know whether they missed one in between.
    var headlineVersion = 0
    /// Those watching the status (the console's live pages), each woken when its headline changes.
    var watchers: [Int: AsyncStream<Void>.Continuation] = [:]
    var nextWatcher = 0
    /// The commit whose sync failed last, until a sync succeeds: a failure is announced once
    /// per commit, and the first success after it is announced as a recovery.
    var failing: String?
    var leader = false
    var branch: String?
    /// The last commit loaded, for incremental loads.
    var loaded: (index: RevisionIndex, commit: Commit)?
    var lastAttempted: String?
    /// Failed attempts per commit, for backoff.
    var failures: [String: Int] = [:]
    var lastResync = Date.distantPast
    /// The head commit when a pin was first seen: a newer commit lifts it.
    var pinnedAtHead: String?
    var pendingRollback: Int64?
    var pendingTrigger: Trigger?
    /// Who asked, when a request (not the loop) starts the next reconcile: `api`.
    var pendingActor: String?
    var forced = false
    /// Where the services' change feed was last read to.
    var feedCursor: Int64?
    /// Stops the apply in progress when the lease is lost.
    var applyStop: StopFlag?
    /// The commit last rejected: recorded once, again only when someone asks.
    var lastRejected: String?
    /// The last commit whose manifests were valid and reconciled: what stays live (and what
    /// self-heal restores) while a newer commit is rejected.
    var lastGood: (index: RevisionIndex, commit: Commit)?
    /// True while a pass runs: a replica hands an application over only between passes.
    var passing = false

    public init(settings: ControllerSettings, reconciler: Reconciler, logger: Logger, metrics: any ControllerMetrics = NoMetrics(),
                slots: ReconcileSlots? = nil, placement: Placement? = nil, notices: (any NoticeSink)? = nil) {
        self.settings = settings
        self.notices = notices
        self.reconciler = reconciler
        self.logger = logger
        self.metrics = metrics
        self.slots = slots
        self.placement = placement
        branch = settings.branch
        (events, wake) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(8))
    }

    var store: any StateStore { reconciler.store }
    var time: any TimeSource { reconciler.time }

    // MARK: What the API calls

    /// A snapshot of the controller's state.
    public func currentStatus() -> ControllerStatus { status }

    /// The manifests of the commit last loaded (its resources, resolutions and dependency graph).
    public func currentIndex() -> (index: RevisionIndex, commit: Commit)? { loaded }

    /// Wakes its reader whenever the status's headline changes (coalesced: a slow reader sees
    /// one wake for many changes). Ends when the reader stops or the controller stops.
    public func watch() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = nextWatcher
        nextWatcher += 1
        watchers[id] = continuation
        continuation.onTermination = { [weak self] _ in Task { await self?.unwatch(id) } }
        return stream
    }

    func unwatch(_ id: Int) { watchers[id] = nil }

    /// How many times the headline has changed since this controller started.
    public func currentVersion() -> Int { headlineVersion }

    func announceChange() {
        for w in watchers.values { w.yield() }
    }

    func notify(_ event: Notice.Event, commit: String?, revision: Int64?, message: String, drifted: [ResourceID] = []) {
        guard let notices else { return }
        notices.post(Notice(event: event, application: settings.application, commit: commit, revision: revision, sync: status.sync,
                            message: message, drifted: drifted, time: time.now()))
    }

    /// Asks for a reconcile now (webhook, API, console). `force` applies even with automated
    /// sync off. The API's requests are recorded with the `api` trigger and, unless `actor`
    /// names another (the console's), the `api` actor.
    public func requestSync(_ trigger: Trigger, force: Bool, actor: String? = nil) {
        pendingTrigger = trigger
        pendingActor = actor ?? (trigger == .api ? "api" : nil)
        forced = forced || force
        wake.yield(.request)
    }

    /// Asks for a rollback to an earlier revision, carried out by the loop and recorded with
    /// `actor` (the API's is `api`).
    public func requestRollback(to revision: Int64, actor: String = "api") async throws {
        guard try await store.revision(revision) != nil else { throw RollbackRefused("there is no revision \(revision)") }
        pendingRollback = revision
        pendingActor = actor
        wake.yield(.request)
    }

    // MARK: The loop

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.keepLease() }
                group.addTask { await self.tick() }
                for await _ in events where leader && !stop.isSet {
                    // A leader that was paused past its lease finds out here, before acting.
                    guard await holdLease() != .notLeader else { continue }
                    if let slots {
                        _ = await slots.run { await self.passInSlot() }
                    } else {
                        await passInSlot()
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [stop, wake] in
            stop.set()
            wake.finish()
        }
        status.role = .stopping
        for w in watchers.values { w.finish() }
        watchers = [:]
        do {
            if leader { try await store.releaseLease() }
            logger.info("stopped; lease released")
        } catch {
            logger.error("stopped; the lease could not be released: \(error)")
        }
    }

    /// Wakes the loop every interval, on the injected clock.
    nonisolated func tick() async {
        while !Task.isCancelled, !stop.isSet {
            do { try await time.sleep(seconds: settings.interval) } catch { return }
            wake.yield(.interval)
        }
    }

    /// Renews the lease (or tries to take it) at once and then every `leaseRenewal` seconds.
    /// It enters the actor between the awaits of a reconcile in progress, so a long apply
    /// never lets the lease go stale, and a lost lease stops that apply at once.
    nonisolated func keepLease() async {
        while !Task.isCancelled, !stop.isSet {
            if await holdLease() == .acquired { wake.yield(.interval) }
            do { try await time.sleep(seconds: settings.leaseRenewal) } catch { return }
        }
    }

    enum LeaseState { case notLeader, held, acquired }

    /// Renews the lease when leading; tries to take it when standing by. A leader whose lease
    /// was taken over steps down at once and acts no more.
    func holdLease() async -> LeaseState {
        let placed = await placement?.prefers(settings.application) ?? true
        if leader && !placed && !passing {
            await handOver()
            return .notLeader
        }
        if leader {
            do {
                try await store.heartbeat()
                return .held
            } catch let lost as LeaseLost {
                leader = false
                applyStop?.set()
                status.role = .standby
                metrics.failed(stage: .lease)
                logger.warning("lost the lease: \(lost.holder ?? "another process") took it over; standing by and acting no more")
                return .notLeader
            } catch {
                logger.error("cannot renew the lease: \(error)")
                return .notLeader
            }
        }
        guard placed else {
            status.role = .standby
            return .notLeader
        }
        do {
            try await store.acquireLease(wait: 0)
        } catch let held as LeaseHeld {
            if status.role != .standby { logger.info("standby: \(held.holder) is the leader") }
            status.role = .standby
            return .notLeader
        } catch {
            logger.error("cannot take the lease: \(error)")
            return .notLeader
        }
        // Lead only once what a dead holder left is recovered: no pass runs beside recovery.
        do {
            for note in try await reconciler.recover(actor: settings.actor) { logger.warning("recovered", metadata: ["detail": "\(note)"]) }
        } catch {
            logger.error("recovery failed; giving the lease back to try again: \(error)")
            do { try await store.releaseLease() } catch { logger.error("cannot release the lease: \(error)") }
            return .notLeader
        }
        leader = true
        status.role = .leader
        logger.info("leader of \(settings.application): holding its lease in \(settings.data)")
        await restoreLastApplied()
        return .acquired
    }

    /// Gives the lease back between passes because another live replica should lead this
    /// application now (it joined, or this one's view changed); that replica takes it at its
    /// next renewal.
    func handOver() async {
        do {
            try await store.releaseLease()
            leader = false
            status.role = .standby
            let next = await placement?.owner(of: settings.application) ?? "another replica"
            logger.info("handing \(settings.application) over to replica \(next)")
        } catch {
            logger.error("cannot hand \(settings.application) over: \(error)")
        }
    }

    /// After a restart, the last applied revision comes from the store.
    func restoreLastApplied() async {
        guard status.lastAppliedRevision == nil else { return }
        do {
            if let last = try await store.revisions(limit: 500).first(where: { $0.outcome == .succeeded }) {
                status.lastAppliedRevision = last.number
                status.lastAppliedCommit = last.commit
            }
            status.pinnedRevision = try await store.pinnedRevision()?.number
        } catch {
            logger.error("cannot read the revisions: \(error)")
        }
    }

    /// A pass, unless the lease was lost while waiting for a worker.
    func passInSlot() async {
        guard leader, !stop.isSet else { return }
        passing = true
        defer { passing = false }
        await pass()
    }

    /// One pass: fetch, then reconcile if anything calls for it.
    func pass() async {
        let fetchStart = time.now()
        let head: (branch: String, commit: Commit)
        do {
            try await reconciler.source.refresh()
            head = try await reconciler.source.head(of: branch)
        } catch {
            await fetchFailed(error)
            return
        }
        metrics.fetched(seconds: time.now().timeIntervalSince(fetchStart))
        branch = head.branch
        status.branch = head.branch
        status.ready = true
        status.lastFetchCommit = head.commit.id
        status.lastFetchTime = time.now()
        status.lastFetchError = nil
        let (trigger, force, actor) = (pendingTrigger, forced, pendingActor)
        (pendingTrigger, forced, pendingActor) = (nil, false, nil)
        if let revision = pendingRollback {
            pendingRollback = nil
            let started = time.now()
            let result = await rollback(to: revision, actor: actor)
            finalize(result, head: head.commit, started: started)
            let target: String?
            do { target = try await store.revision(revision)?.commit } catch { target = nil }
            notify(.rollback, commit: target, revision: result.applied ?? revision, message: result.message)
            return
        }
        guard await pinHolds(head.commit, force: force) == false else { return }
        let now = time.now()
        let newCommit = head.commit.id != lastAttempted
        let resyncDue = now.timeIntervalSince(lastResync) >= settings.policy.resync
        let retryDue = status.nextAttempt.map { now >= $0 } ?? false
        let liveChanged = await liveStateChanged()
        guard newCommit || trigger != nil || resyncDue || retryDue || liveChanged else { return }
        if !newCommit, !force, trigger == nil, let next = status.nextAttempt, now < next { return }
        let cause = trigger ?? (newCommit || retryDue ? .controller : .drift)
        let started = time.now()
        finalize(await reconcile(head.commit, trigger: cause, actor: actor, force: force), head: head.commit, started: started)
    }

    /// A vanished branch or an unreachable repository is recorded once, not every interval;
    /// nothing is applied and the last good revision stays live.
    func fetchFailed(_ error: SourceError) async {
        metrics.failed(stage: .fetch)
        logger.error("fetch failed: \(error)")
        let repeated = status.lastFetchError == error.message
        status.lastFetchError = error.message
        guard !repeated || pendingTrigger != nil else { return }
        pendingTrigger = nil
        do {
            try await store.append(AuditDraft(time: time.now(), actor: settings.actor, trigger: .controller, revision: nil, commit: nil,
                                        resource: nil, action: "fetch", outcome: "rejected", error: error.message))
        } catch {
            logger.error("cannot record the failed fetch: \(error)")
        }
    }

    /// True while a rollback pin holds (the head is still the commit seen when it was set).
    /// A newer commit lifts it. An unreadable pin holds too: never roll forward over a
    /// rollback because the store could not say.
    func pinHolds(_ head: Commit, force: Bool) async -> Bool {
        let pinned: RevisionRecord?
        do { pinned = try await store.pinnedRevision() } catch {
            logger.error("cannot read the pin: \(error)")
            status.message = "cannot read the rollback pin: \(error)"
            return true
        }
        guard let pinned else {
            pinnedAtHead = nil
            return false
        }
        if pinnedAtHead == nil { pinnedAtHead = head.id }
        if pinnedAtHead == head.id && !force {
            status.sync = .pinned
            status.pinnedRevision = pinned.number
            status.message = "pinned to revision \(pinned.number) (\(pinned.commit.prefix(7))) by a rollback; a new commit or `rollback --unpin` lifts it"
            return true
        }
        do { _ = try await reconciler.liftPin() } catch {
            logger.error("cannot lift the pin: \(error)")
            return true
        }
        pinnedAtHead = nil
        status.pinnedRevision = nil
        logger.info("a new commit \(head.shortID) lifts the pin on revision \(pinned.number)")
        return false
    }

    /// Whether a managed object changed since the last reconcile, from the services' change
    /// feed: an out-of-band edit shows within one interval instead of at the next resync.
    func liveStateChanged() async -> Bool {
        guard let cursor = feedCursor else { return false }
        do {
            guard let batch = try await reconciler.backend.changes(since: cursor, limit: 1000) else { return false }
            feedCursor = batch.cursor
            if batch.changes.count >= 1000 { return true }
            let managed = Set(try await store.inventory().values.flatMap { e in ([e.physicalName] + e.superseded).map { "\(e.id.kind.rawValue)/\($0)" } })
            return batch.changes.contains { managed.contains("\($0.kind.rawValue)/\($0.name)") }
        } catch {
            logger.error("cannot read the services' change feed: \(error)")
            return false
        }
    }

    /// Remembers where the change feed stands before planning: any change after this point
    /// (an out-of-band edit during the apply included) is looked at next interval.
    func markFeed() async {
        do { feedCursor = try await reconciler.backend.changes(since: feedCursor ?? 0, limit: 0)?.cursor } catch {
            logger.error("cannot read the services' change feed: \(error)")
        }
    }
}
