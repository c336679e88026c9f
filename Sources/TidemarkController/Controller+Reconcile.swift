import Foundation
import Logging
import TidemarkCore
import TidemarkEngine

/// One reconcile, one rollback, and the one place their result becomes status.
extension Controller {
    func options(_ trigger: Trigger, actor: String?, stop applyStop: StopFlag) -> ApplyOptions {
        var options = settings.apply
        options.actor = actor ?? settings.actor
        options.trigger = trigger
        options.stopRequested = { [stop] in stop.isSet || applyStop.isSet }
        return options
    }

    nonisolated func progress() -> @Sendable (ApplyEvent) -> Void {
        { [logger] e in logger.info("\(e.resource): \(e.message)") }
    }

    /// Loads `head` (incrementally), plans it against live state, and applies it when the
    /// sync policy (or `force`) allows.
    func reconcile(_ head: Commit, trigger: Trigger, actor: String?, force: Bool) async -> ReconcileResult {
        await markFeed()
        lastAttempted = head.id
        lastResync = time.now()
        let origin = RevisionOrigin(commit: head, reference: branch ?? "HEAD", path: settings.path)
        let index: RevisionIndex
        do {
            index = try await reconciler.load(head, path: settings.path, after: loaded)
        } catch {
            return await reject(origin, trigger: trigger, message: "cannot read \(settings.path) at \(head.shortID): \(error)", diagnostics: [])
        }
        loaded = (index, head)
        if index.loaded.hasErrors {
            let errors = index.loaded.diagnostics.filter { $0.severity == .error }
            let message = "\(errors.count) error\(errors.count == 1 ? "" : "s") in the manifests; the last good revision stays live"
            var result = lastRejected == head.id && (trigger == .drift || trigger == .controller)
                // Already recorded: a resync or a live change does not record it again.
                ? ReconcileResult(sync: .rejected, message: message, retry: .terminal, diagnostics: index.loaded.diagnostics, measured: false)
                : await reject(origin, trigger: trigger, message: message, diagnostics: index.loaded.diagnostics)
            if settings.policy.selfHeal { await healAgainstLastGood(&result, actor: actor) }
            return result
        }
        let applyStop = StopFlag()
        self.applyStop = applyStop
        defer { self.applyStop = nil }
        let policy = settings.policy
        do {
            let outcome = try await reconciler.reconcile(index, origin: origin, prune: policy.prune, options: options(trigger, actor: actor, stop: applyStop),
                                                         pin: .keep, confirm: { plan in
                let driftOnly = plan.steps.allSatisfy { $0.change.cause == .drift }
                let go = force || (policy.automated && (!driftOnly || policy.selfHeal))
                if go { await self.applying(plan, head) }
                return go
            }, progress: progress())
            var result = await conclude(outcome, origin: origin, trigger: trigger)
            // What blocked the plan (at its manifests' positions) first, then the warnings.
            result.diagnostics += index.loaded.diagnostics
            if result.sync == .synced { lastGood = (index, head) }
            return result
        } catch {
            metrics.failed(stage: .plan)
            logger.error("reconcile of \(head.shortID) failed: \(error)")
            return ReconcileResult(sync: .failed, message: "could not reconcile \(head.shortID): \(error)", retry: .transient)
        }
    }

    /// While an apply runs, the status says so (the result replaces it in `finalize`).
    func applying(_ plan: LivePlan, _ head: Commit) {
        let n = plan.steps.count
        status.sync = .progressing
        status.syncCommit = head.id
        status.message = "applying \(n) change\(n == 1 ? "" : "s") of \(head.shortID)"
        logger.info("applying \(n) change\(n == 1 ? "" : "s") of \(head.shortID)")
    }

    /// While the head is rejected, self-heal still undoes out-of-band changes against the last
    /// good commit (and only those: nothing else of that commit is applied again).
    func healAgainstLastGood(_ result: inout ReconcileResult, actor: String?) async {
        guard let good = await lastGoodRevision() else { return }
        let applyStop = StopFlag()
        self.applyStop = applyStop
        defer { self.applyStop = nil }
        let origin = RevisionOrigin(commit: good.commit, reference: "last good \(good.commit.shortID)", path: settings.path)
        do {
            let outcome = try await reconciler.reconcile(good.index, origin: origin, prune: false, options: options(.drift, actor: actor, stop: applyStop),
                                                         pin: .keep, confirm: { plan in plan.steps.allSatisfy { $0.change.cause == .drift } },
                                                         progress: progress())
            guard case .applied(_, let report) = outcome else { return }
            if report.result.outcome == .succeeded {
                result.message += "; drift healed against \(good.commit.shortID) (revision \(report.revision))"
                result.applied = report.revision
                result.appliedCommit = good.commit.id
            } else {
                result.message += "; healing drift against \(good.commit.shortID) failed: \(report.message)"
            }
        } catch {
            logger.error("cannot heal drift against \(good.commit.shortID): \(error)")
        }
    }

    /// The last good commit: the one reconciled in this run, else (after a restart) the commit
    /// of the last succeeded revision, read again from the source.
    func lastGoodRevision() async -> (index: RevisionIndex, commit: Commit)? {
        if let lastGood { return lastGood }
        do {
            guard let record = try await store.revisions(limit: 500).first(where: { $0.outcome == .succeeded && $0.path == settings.path }) else { return nil }
            let commit = try await reconciler.source.resolve(record.commit)
            let index = try await reconciler.load(commit, path: record.path)
            guard !index.loaded.hasErrors else { return nil }
            lastGood = (index, commit)
            return lastGood
        } catch {
            logger.error("cannot read the last good revision: \(error)")
            return nil
        }
    }

    /// The result of a reconcile's outcome.
    func conclude(_ outcome: ReconcileOutcome, origin: RevisionOrigin, trigger: Trigger) async -> ReconcileResult {
        let plan = outcome.plan
        switch outcome {
        case .blocked:
            return await reject(origin, trigger: trigger, message: plan.blocked.map(\.message).joined(separator: "; "), diagnostics: plan.blocked, plan: plan)
        case .refused(_, let refusals):
            return await reject(origin, trigger: trigger, message: refusals.joined(separator: "; "), diagnostics: [], plan: plan)
        case .upToDate:
            return ReconcileResult(sync: .synced, message: "\(plan.desired.count) resources synced at \(origin.commit.shortID)", plan: plan)
        case .declined:
            let n = plan.steps.count
            let driftOnly = plan.steps.allSatisfy { $0.change.cause == .drift }
            return ReconcileResult(sync: .outOfSync, message: driftOnly
                ? "\(n) resource\(n == 1 ? "" : "s") drifted; self-heal is off"
                : "\(n) change\(n == 1 ? "" : "s") waiting; automated sync is off (POST /api/v1/sync)", plan: plan, measured: false)
        case .applied(_, let report):
            let r = report.result
            if r.outcome == .succeeded {
                return ReconcileResult(sync: .synced, message: report.message, plan: plan, applied: report.revision)
            }
            if r.interrupted {
                return ReconcileResult(sync: .progressing, message: "revision \(report.revision) stopped: \(report.message)", plan: plan, measured: false)
            }
            metrics.failed(stage: .apply)
            return ReconcileResult(sync: .failed,
                                   message: "revision \(report.revision) failed and was \(r.outcome == .rolledBack ? "rolled back" : "stopped"): \(report.message)",
                                   retry: .transient, plan: plan)
        }
    }

    /// Refuses a commit: nothing applied, the last good revision stays, the reason is recorded.
    func reject(_ origin: RevisionOrigin, trigger: Trigger, message: String, diagnostics: [Diagnostic], plan: LivePlan? = nil) async -> ReconcileResult {
        logger.error("rejected \(origin.commit.shortID): \(message)")
        for d in diagnostics.prefix(20) where d.severity == .error { logger.error("\(d)") }
        metrics.failed(stage: .validate)
        lastRejected = origin.commit.id
        do {
            try await reconciler.reject(origin, actor: settings.actor, trigger: trigger, message: message, diagnostics: diagnostics)
        } catch {
            logger.error("cannot record the rejection of \(origin.commit.shortID): \(error)")
        }
        return ReconcileResult(sync: .rejected, message: message, retry: .terminal, diagnostics: diagnostics, plan: plan)
    }

    /// Rolls back to an earlier revision and pins it (the reconciler does both under the lease).
    func rollback(to number: Int64, actor: String?) async -> ReconcileResult {
        let applyStop = StopFlag()
        self.applyStop = applyStop
        defer { self.applyStop = nil }
        do {
            let outcome = try await reconciler.rollback(to: number, options: options(.rollback, actor: actor, stop: applyStop),
                                                        confirm: { _ in true }, progress: progress())
            switch outcome {
            case .upToDate(let plan):
                pinnedAtHead = status.lastFetchCommit
                return ReconcileResult(sync: .pinned, message: "already in the state of revision \(number); pinned it", plan: plan, pinned: number)
            case .applied(let plan, let report) where report.pinned:
                pinnedAtHead = status.lastFetchCommit
                return ReconcileResult(sync: .pinned, message: "rolled back to revision \(number) and pinned as revision \(report.revision)",
                                       plan: plan, applied: report.revision, pinned: report.revision)
            case .applied(let plan, let report):
                return ReconcileResult(sync: .failed, message: "rollback to revision \(number) failed: \(report.message)", plan: plan)
            case .blocked(let plan), .refused(let plan, _), .declined(let plan):
                return ReconcileResult(sync: .failed, message: "rollback to revision \(number) was refused: \(plan.blocked.map(\.message).joined(separator: "; "))", plan: plan)
            }
        } catch {
            logger.error("rollback to \(number) failed: \(error)")
            return ReconcileResult(sync: .failed, message: "rollback to revision \(number) failed: \(error)",
                                   diagnostics: (error as? RollbackRefused)?.diagnostics ?? [])
        }
    }

    /// The one place a reconcile's result becomes status and metrics, with the backoff it asks for.
    func finalize(_ result: ReconcileResult, head: Commit, started: Date) {
        let now = time.now()
        status.sync = result.sync
        status.message = result.message
        status.syncCommit = head.id
        status.diagnostics = result.diagnostics
        if let plan = result.plan {
            status.plan = plan.plan
            publish(plan, applied: result.applied != nil)
        }
        if let applied = result.applied {
            status.lastAppliedRevision = applied
            status.lastAppliedCommit = result.appliedCommit ?? (result.sync == .pinned ? status.lastAppliedCommit ?? head.id : head.id)
        } else if result.sync == .synced, status.lastAppliedCommit == nil {
            status.lastAppliedCommit = head.id
        }
        status.pinnedRevision = result.pinned ?? (result.sync == .pinned ? status.pinnedRevision : nil)
        switch result.retry {
        case .none, .terminal:
            failures[head.id] = nil
            status.nextAttempt = nil
        case .transient:
            let n = (failures[head.id] ?? 0) + 1
            failures[head.id] = n
            let wait = min(settings.backoffCap, settings.backoffBase * pow(2, Double(min(n - 1, 30))))
            status.nextAttempt = now.addingTimeInterval(wait)
            logger.warning("sync of \(head.shortID) failed \(n) time\(n == 1 ? "" : "s"); next attempt in \(Int(wait)) s")
        }
        if result.sync == .failed || result.sync == .rejected {
            if failing != head.id { notify(.syncFailed, commit: head.id, revision: result.applied, message: result.message) }
            failing = head.id
        } else if result.sync == .synced || result.sync == .pinned, failing != nil {
            failing = nil
            notify(.syncRecovered, commit: head.id, revision: result.applied ?? status.lastAppliedRevision, message: result.message)
        }
        if result.measured, result.sync != .pinned {
            let succeeded = result.sync == .synced
            metrics.reconciled(seconds: now.timeIntervalSince(started), succeeded: succeeded, at: now)
            status.lastSyncTime = now
            status.lastSyncSucceeded = succeeded
        }
    }

    /// Resource counts by sync and health, and the drift count, from a plan (after a
    /// successful apply, everything desired is synced and healthy).
    func publish(_ plan: LivePlan, applied: Bool) {
        var counts: [String: Int] = [:]
        var causes: [ResourceID: Change.Cause] = [:]
        for step in plan.steps { causes[step.change.id] = step.change.cause }
        var states: [ResourceID: ResourceState] = [:]
        states.reserveCapacity(plan.desired.count)
        for id in plan.desired.keys {
            let object = plan.observed[id]
            let sync: ResourceState.Sync = applied ? .synced : object == nil ? .missing : causes[id] != nil ? .outOfSync : .synced
            let state = ResourceState(sync: sync, phase: applied ? .ready : object?.phase, drifted: !applied && causes[id] == .drift)
            counts["\(sync.rawValue)|\(state.health)", default: 0] += 1
            states[id] = state
        }
        status.resources = states
        let drifted = plan.steps.filter { $0.change.cause == .drift }.map(\.change.id)
        // Announced when found (healed at once, or the first time it is seen while self-heal is off).
        if !drifted.isEmpty, applied || status.drift == 0 {
            let n = drifted.count
            notify(.drift, commit: plan.plan.head.commit, revision: nil,
                   message: "\(n) resource\(n == 1 ? "" : "s") changed outside Tidemark\(applied ? "; healed" : "; self-heal is off")", drifted: drifted)
        }
        metrics.resources(ResourceCount.syncStates.flatMap { sync in
            ResourceCount.healthStates.map { ResourceCount(sync: sync, health: $0, count: counts["\(sync)|\($0)"] ?? 0) }
        })
        let drift = applied ? 0 : drifted.count
        metrics.drifted(drift)
        status.drift = drift
        status.changes = applied ? 0 : plan.steps.count
    }
}
