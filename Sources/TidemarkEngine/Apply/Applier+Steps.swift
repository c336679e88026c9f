import Foundation
import TidemarkCore

/// The five kinds of step, each through `journaled`: the intent is written before the
/// service is called, and its outcome, inventory change and audit entry after, atomically.
extension Applier {
    /// Records the intent, runs `body`, and closes the intent with what `body` returns. When
    /// the intent cannot be written nothing is done (a fenced-out process takes no action).
    /// When `body` fails, the failure is recorded (what `failure` says) and rethrown; when the
    /// apply is stopping, the intent stays open for recovery.
    func journaled(_ action: JournalAction, _ id: ResourceID, physical: String, pending: InventoryEntry?, token: String? = nil,
                   failure: (any Error) -> (InventoryChange, AuditDraft),
                   _ body: () async throws -> (InventoryChange, AuditDraft)) async throws {
        // A second action on one resource (a same-name replacement deletes, then creates)
        // follows the first one's record, so recovery never sees both open.
        if deferredIDs.contains(id) || flushingIDs.contains(id) { await recordDeferred(levelEnded: false) }
        let intent: Int64
        if let (draft, written) = ahead[id], draft.action == action, draft.physicalName == physical, draft.clientToken == token {
            ahead[id] = nil
            intent = written
        } else {
            let draft = IntentDraft(revision: revision, resource: id, action: action, physicalName: physical,
                                    clientToken: token ?? nextToken(id), pendingEntry: pending, time: time.now())
            intent = try await recorded("the intent to \(action.rawValue) \(physical)") { try await store.recordIntent(draft) }
        }
        let done: (InventoryChange, AuditDraft)
        do {
            done = try await body()
        } catch {
            if stopping() { throw error }
            let (inventory, audit) = failure(error)
            let what = "\(id): the failed \(action.rawValue) of \(physical) could not be recorded"
            let completion = IntentCompletion(intent: intent, outcome: .failed, inventory: inventory, audit: audit)
            if deferring {
                postpone(DeferredOutcome(completion: completion, id: id, what: what))
            } else {
                do {
                    try await store.completeIntents([completion])
                } catch let recordError {
                    recordFailure(what, recordError)
                }
            }
            throw error
        }
        let completion = IntentCompletion(intent: intent, outcome: .succeeded, inventory: done.0, audit: done.1)
        if deferring {
            postpone(DeferredOutcome(completion: completion, id: id, what: "the \(action.rawValue) of \(physical)"))
            return
        }
        try await recorded("the \(action.rawValue) of \(physical)") { try await store.completeIntents([completion]) }
    }

    func nextToken(_ id: ResourceID) -> String {
        tokenCounter += 1
        return "r\(revision)-\(tokenCounter)-\(id.kind.rawValue)-\(id.name)"
    }

    /// The spec to send: references to registry versions by their live names (only kinds whose
    /// shape names one are rewritten).
    func serviceSpec(_ r: ResolvedResource) -> Value {
        guard LivePlanner.namesPackages.contains(r.id.kind) else { return r.spec }
        let known = physicals
        return Resolution.substitute(r.spec, .object(KindDefinition.of(r.id.kind).spec)) { kind, name in
            kind == .modelPackage ? known[ResourceID(kind, name)] : nil
        }
    }

    func entry(for r: ResolvedResource, physical: String, spec: Value, superseded: [String], specHash: String? = nil) -> InventoryEntry {
        InventoryEntry(id: r.id, physicalName: physical, digest: r.digest, referenceDigests: r.referenceDigests,
                       specHash: specHash ?? Digest.sha256(spec.canonicalJSON), commit: commit, file: r.location?.file ?? "",
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
            try await create(want, action: .create, previous: step.entry, diff: c.diff, superseded: step.entry?.superseded ?? [])
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

    /// The intent of a create: what `create` records, or took from those written ahead.
    /// `hashed` is the service spec and its hash when they were worked out already.
    func createDraft(_ want: ResolvedResource, action: JournalAction, superseded: [String],
                     hashed: (spec: Value, hash: String)? = nil) -> IntentDraft {
        let id = want.id
        let spec = hashed?.spec ?? serviceSpec(want)
        let pending = entry(for: want, physical: want.physicalName, spec: spec, superseded: superseded, specHash: hashed?.hash)
        // An object the service names (a registry version) has no name to collide on: its
        // token is the resource and exact spec, the same in every revision and every replica,
        // so a create a stale replica sends late (after a takeover re-created it) returns the
        // same version instead of making a second.
        let token = KindDefinition.of(id.kind).serviceAssignsName(spec)
            ? "\(id.kind.rawValue)-\(id.name)-\(pending.specHash.prefix(24))" : nextToken(id)
        return IntentDraft(revision: revision, resource: id, action: action, physicalName: want.physicalName, clientToken: token,
                           pendingEntry: pending, time: time.now())
    }

    func create(_ want: ResolvedResource, action: JournalAction, previous: InventoryEntry?, diff: [FieldDiff], superseded: [String]) async throws {
        let id = want.id
        await intentWrittenAhead(id)
        let spec = serviceSpec(want)
        let written = ahead[id].map(\.draft)
        let draft = written.flatMap { $0.action == action ? $0 : nil } ?? createDraft(want, action: action, superseded: superseded)
        let pending = draft.pendingEntry ?? entry(for: want, physical: want.physicalName, spec: spec, superseded: superseded)
        let token = draft.clientToken
        var createdName: String?
        try await journaled(action, id, physical: want.physicalName, pending: pending, token: token, failure: { error in
            // An object that was made and then failed is ours: record it, so the next plan
            // recreates it (or the rollback deletes it) instead of calling it unmanaged.
            var made = pending
            made.physicalName = createdName ?? pending.physicalName
            return (createdName == nil ? .none : .upsert(made), self.audit(id, action.rawValue, "failed", error: "\(error)", after: spec, diff: diff))
        }) {
            say(id, "\(action == .create ? "creating" : "creating replacement") \(want.physicalName)")
            let created = try await backend.create(id.kind, name: want.physicalName, spec: spec, clientToken: token)
            createdName = created.name
            undo.append(.delete(id, physical: created.name, restore: previous))
            let settled = created.phase == .progressing ? try await settle(id, created.name, expectGone: false) : created
            guard let live = settled, live.phase == .ready else {
                throw StepFailure(resource: id, message: "\(created.name) is \(settled?.status ?? "gone")\(settled?.failureReason.map { ": \($0)" } ?? "")")
            }
            var done = pending
            done.physicalName = live.name
            physicals[id] = live.name
            say(id, "\(live.name) \(live.status ?? "created")")
            return (.upsert(done), audit(id, action.rawValue, "succeeded", afterDigest: done.specHash, diff: diff))
        }
    }

    func update(_ want: ResolvedResource, live: LiveObject, step: Step) async throws {
        let id = want.id
        let spec = serviceSpec(want)
        let pending = entry(for: want, physical: live.name, spec: spec, superseded: step.entry?.superseded ?? [])
        let action: JournalAction = step.adopt ? .adopt : .update
        guard !step.change.diff.isEmpty else {
            // Adoption of an object that already matches: only the records change.
            let record = audit(id, action.rawValue, "succeeded", before: live.spec, after: spec)
            try await recorded("the adoption of \(live.name)") { try await store.record(inventory: .upsert(pending), audit: record) }
            undo.append(.forgetAdoption(id))
            return
        }
        try await journaled(action, id, physical: live.name, pending: pending, failure: { error in
            (.none, self.audit(id, action.rawValue, "failed", error: "\(error)", before: live.spec, after: spec, diff: step.change.diff))
        }) {
            say(id, "updating \(live.name): \(step.change.reason)")
            let appendOnly = KindDefinition.of(id.kind).appendOnlyLists
            let additions = step.change.diff.contains { d in appendOnly.contains { d.path.hasPrefix($0 + "[") } }
            let requested = try await backend.update(id.kind, live.name, spec: spec)
            if additions {
                undo.append(.irreversible("\(id): \(appendOnly.joined(separator: ", ")) added to \(live.name) cannot be removed"))
                var rest = live.spec
                for list in appendOnly { rest = rest.setting(list, spec[list]) }
                if rest != spec { undo.append(.update(id, physical: live.name, spec: rest, restore: step.entry)) }
            } else {
                undo.append(.update(id, physical: live.name, spec: live.spec, restore: step.entry))
            }
            if step.adopt { undo.append(.forgetAdoption(id)) }
            let settled = requested.phase == .progressing ? try await settle(id, live.name, expectGone: false) : requested
            guard let now = settled, now.phase == .ready else {
                throw StepFailure(resource: id, message: "\(live.name) is \(settled?.status ?? "gone")\(settled?.failureReason.map { ": \($0)" } ?? "")")
            }
            for field in KindDefinition.of(id.kind).deployedFields where now.spec[field] != spec[field] {
                // The service rolled the deployment back (a tripped alarm): a failed sync.
                throw StepFailure(resource: id, message: "the deployment of \(spec[field]?.stringValue ?? "?") did not complete: \(now.failureReason ?? "the endpoint still serves \(now.spec[field]?.stringValue ?? "?")")")
            }
            say(id, "\(live.name) \(now.status ?? "updated")")
            return (.upsert(pending), audit(id, action.rawValue, "succeeded", before: live.spec, after: spec, diff: step.change.diff))
        }
    }

    func replace(_ want: ResolvedResource, live: LiveObject, step: Step, plan: LivePlan) async throws {
        let id = want.id
        let definition = KindDefinition.of(id.kind)
        let newName = definition.serviceAssignsName(want.spec) ? "" : want.physicalName
        if newName != live.name {
            // A new object beside the old: the old one stays for rollback.
            var superseded = [live.name] + (step.entry?.superseded ?? [])
            superseded.removeAll { $0 == newName }
            if !newName.isEmpty, let kept = try await backend.describe(id.kind, newName) {
                try await reuse(want, kept: kept, previous: step.entry, superseded: superseded, diff: step.change.diff)
            } else {
                try await create(want, action: .replace, previous: step.entry, diff: step.change.diff, superseded: superseded)
            }
            return
        }
        // Same name: the old object must go first. Nothing brings back what it held.
        undo.append(.irreversible("\(id): \(live.name) was deleted and created again (\(step.change.destructive ? "destructive" : "not reversible"))"))
        if let children = definition.deletesWith {
            for (childID, e) in plan.inventory where childID.kind == children {
                for name in [e.physicalName] + e.superseded where name.hasPrefix(live.name + "/") {
                    guard try await backend.describe(children, name) != nil else { continue }
                    try await journaled(.delete, childID, physical: name, pending: nil, failure: { error in
                        (.none, self.audit(childID, "delete", "failed", error: "\(error)"))
                    }) {
                        say(childID, "deleting \(name) so its group can be recreated")
                        try await backend.delete(children, name)
                        _ = try await settle(childID, name, expectGone: true)
                        return (.none, audit(childID, "delete", "succeeded"))
                    }
                }
            }
        }
        try await journaled(.delete, id, physical: live.name, pending: nil, failure: { error in
            (.none, self.audit(id, "delete", "failed", error: "\(error)", before: live.spec))
        }) {
            say(id, "deleting \(live.name) to replace it")
            try await backend.delete(id.kind, live.name)
            _ = try await settle(id, live.name, expectGone: true)
            return (.remove(id), audit(id, "delete", "succeeded", before: live.spec, diff: step.change.diff))
        }
        try await create(want, action: .replace, previous: nil, diff: step.change.diff, superseded: [])
        undo.removeAll { if case .delete(let uid, _, _) = $0 { return uid == id } else { return false } }
    }

    /// A kept version with exactly the wanted content already exists (a rollback to an earlier
    /// revision): use it instead of creating it again. Only records change.
    func reuse(_ want: ResolvedResource, kept: LiveObject, previous: InventoryEntry?, superseded: [String], diff: [FieldDiff]) async throws {
        let id = want.id
        let spec = serviceSpec(want)
        guard kept.spec == spec, kept.phase == .ready else {
            throw StepFailure(resource: id, message: "\(kept.name) exists but is not the version Git describes (\(kept.status ?? "changed")); delete it with `tidemark services delete \(id.kind.rawValue)/\(kept.name)` and apply again")
        }
        let entry = entry(for: want, physical: kept.name, spec: spec, superseded: superseded)
        let record = audit(id, JournalAction.reuse.rawValue, "succeeded", after: spec, diff: diff)
        try await recorded("the reuse of \(kept.name)") { try await store.record(inventory: .upsert(entry), audit: record) }
        undo.append(.restoreInventory(id, previous))
        physicals[id] = kept.name
        say(id, "reusing kept version \(kept.name)")
    }

    func remove(_ entry: InventoryEntry, live: LiveObject?, diff: [FieldDiff]) async throws {
        let id = entry.id
        if entry.retain {
            let record = audit(id, JournalAction.forget.rawValue, "succeeded", before: live?.spec)
            try await recorded("forgetting \(entry.physicalName)") { try await store.record(inventory: .remove(id), audit: record) }
            say(id, "\(entry.physicalName) retained; no longer managed")
            return
        }
        undo.append(.irreversible("\(id): \(entry.physicalName) was deleted"))
        var removedCurrent = false
        for name in [entry.physicalName] + entry.superseded {
            guard try await backend.describe(id.kind, name) != nil else { continue }
            let current = name == entry.physicalName
            removedCurrent = removedCurrent || current
            try await journaled(.delete, id, physical: name, pending: nil, failure: { error in
                (.none, self.audit(id, "delete", "failed", error: "\(error)"))
            }) {
                say(id, "deleting \(name)")
                try await backend.delete(id.kind, name)
                _ = try await settle(id, name, expectGone: true)
                return (current ? .remove(id) : .none, audit(id, "delete", "succeeded", before: live?.spec, diff: current ? diff : []))
            }
        }
        if !removedCurrent {
            // Already gone from the service: only the records change.
            let record = audit(id, "delete", "already-gone", before: live?.spec, diff: diff)
            try await recorded("the removal of \(entry.physicalName)") { try await store.record(inventory: .remove(id), audit: record) }
        }
    }
}
