import Foundation
import TidemarkConsole
import TidemarkController
import TidemarkCore
import TidemarkEngine

/// What each console page shows, gathered from the controllers and the engine's ports into
/// the fields its template reads.
enum ConsoleViews {
    static let syncWords = ["Synced", "OutOfSync", "Progressing", "Failed", "Rejected", "Pinned", "Unknown"]
    static let healthWords = ["Healthy", "Progressing", "Degraded", "Missing", "Unknown"]

    /// The fields without the absent ones: a template's section reads absence, not `nil`.
    static func compact(_ fields: [String: Any?]) -> [String: Any] { fields.compactMapValues { $0 } }

    /// A count a section shows only when it is not zero.
    static func positive(_ n: Int) -> Int? { n > 0 ? n : nil }

    static func short(_ commit: String?) -> String { commit.map { String($0.prefix(7)) } ?? "—" }

    /// One word for an application's health: its worst resource's (Degraded, then Missing,
    /// then Progressing).
    static func health(_ states: [ResourceID: ResourceState]) -> String {
        guard !states.isEmpty else { return "Unknown" }
        var missing = false
        var progressing = false
        for s in states.values {
            switch s.phase {
            case .failed?, .updateFailed?: return Phase.health(.failed)
            case nil: missing = true
            case .progressing?: progressing = true
            case .ready?: break
            }
        }
        return Phase.health(missing ? nil : progressing ? .progressing : .ready)
    }

    static func policy(_ s: ControllerSettings) -> String {
        "automated \(s.policy.automated ? "on" : "off"), prune \(s.policy.prune ? "on" : "off"), self-heal \(s.policy.selfHeal ? "on" : "off"), every \(Int(s.interval)) s"
    }

    // MARK: Applications

    struct Filter {
        var q = ""
        var sync = ""
        var health = ""
        var label = ""
    }

    static func applications(_ controllers: [Controller], filter: Filter) async -> [String: Any] {
        var rows: [[String: Any]] = []
        for c in controllers {
            let s = await c.currentStatus()
            let settings = c.settings
            let health = health(s.resources)
            let labels = settings.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if !filter.q.isEmpty, !settings.application.localizedCaseInsensitiveContains(filter.q) { continue }
            if !filter.sync.isEmpty, s.sync.rawValue != filter.sync { continue }
            if !filter.health.isEmpty, health != filter.health { continue }
            if !filter.label.isEmpty, !labels.contains(filter.label) { continue }
            rows.append([
                "name": settings.application, "sync": s.sync.rawValue, "message": s.message, "health": health,
                "head": short(s.lastFetchCommit), "lastSync": lastSync(s), "nextAttempt": ConsolePages.time(s.nextAttempt),
                "pinned": s.pinnedRevision.map { "revision \($0)" } ?? "—", "labels": labels.joined(separator: ", "),
                "standby": s.role == .standby,
            ])
        }
        return [
            "apps": rows, "shown": rows.count, "total": controllers.count,
            "q": filter.q, "label": filter.label,
            "syncs": syncWords.map { ["value": $0, "selected": $0 == filter.sync] },
            "healths": healthWords.map { ["value": $0, "selected": $0 == filter.health] },
        ]
    }

    static func lastSync(_ s: ControllerStatus) -> String {
        guard let t = s.lastSyncTime else { return "—" }
        return ConsolePages.time(t) + (s.lastSyncSucceeded == false ? " (failed)" : "")
    }

    // MARK: Application

    static func application(_ c: Controller) async throws -> [String: Any] {
        let s = await c.currentStatus()
        let settings = c.settings
        let app = settings.application
        var tree = "<p>The manifests have not been read yet.</p>"
        var count = 0
        var headSummary = ""
        if let (index, commit) = await c.currentIndex() {
            headSummary = commit.id == s.lastFetchCommit ? commit.summary : ""
            // The live name where Tidemark made the object (a registry version's `group/N` is
            // the service's), else the name resolution gives it.
            let inventory = try await c.reconciler.store.inventory()
            var nodes: [ResourceID: ResourceTree.Node] = [:]
            nodes.reserveCapacity(index.resolved.count)
            for (id, r) in index.resolved {
                let state = s.resources[id]
                nodes[id] = ResourceTree.Node(physicalName: inventory[id]?.physicalName ?? r.physicalName, sync: state?.sync.rawValue ?? "Unknown",
                                              health: state?.health ?? "Unknown", drifted: state?.drifted ?? false)
            }
            count = nodes.count
            tree = ResourceTree(graph: index.graph, nodes: nodes, link: { id in resourcePath(app, id) }).html()
        }
        let states = s.resources.values
        return compact([
            "sync": s.sync.rawValue, "health": health(s.resources), "message": s.message,
            "repo": settings.repo, "branch": s.branch ?? settings.branch ?? "(default branch)", "path": settings.path,
            "head": short(s.lastFetchCommit), "headSummary": headSummary,
            "lastApplied": s.lastAppliedRevision.map(String.init), "lastAppliedCommit": short(s.lastAppliedCommit),
            "lastSync": lastSync(s), "nextAttempt": ConsolePages.time(s.nextAttempt),
            "pinned": s.pinnedRevision.map { "revision \($0)" } ?? "—", "policy": policy(settings), "role": s.role.rawValue,
            "hasDiagnostics": !s.diagnostics.isEmpty,
            "diagnostics": s.diagnostics.prefix(200).map { d in
                ["severity": d.severity.rawValue, "position": d.location?.description ?? "", "message": d.message, "code": d.code] as [String: Any]
            },
            "resourceCount": count, "tree": tree,
            "drifted": positive(states.filter(\.drifted).count), "outOfSync": positive(states.filter { $0.sync != .synced }.count),
            "pending": s.changes > 0,
            "plan": s.plan.map { planText($0, app: app) },
        ])
    }

    /// The plan as the PR shows it, its changes stopping once it passes `planLimit` bytes (a
    /// first sync of 10,000 creates is megabytes): the whole plan is one link away.
    static func planText(_ plan: Plan, app: String) -> String {
        let (text, omitted) = PlanRenderer.text(plan, color: false, limit: planLimit)
        return omitted == 0 ? text : text + "The whole plan: /api/v1/apps/\(app)/plan\n"
    }

    static let planLimit = 256 * 1024

    static func resourcePath(_ app: String, _ id: ResourceID) -> String {
        "/apps/\(app)/resources/\(id.kind.rawValue)/\(HTMLText.segment(id.name))"
    }

    // MARK: Resource

    static func resource(_ c: Controller, _ id: ResourceID) async throws -> [String: Any]? {
        let reconciler = c.reconciler
        guard let lineage = try await Lineage.trace(id, store: reconciler.store, backend: reconciler.backend, source: reconciler.source) else { return nil }
        let s = await c.currentStatus()
        let state = s.resources[id]
        let live = lineage.live
        var fields: [String: Any] = compact([
            "kind": id.kind.rawValue, "name": id.name,
            "sync": state?.sync.rawValue ?? "Unknown", "health": state?.health ?? Phase.health(live?.phase), "drifted": state?.drifted ?? false,
            "physicalName": lineage.entry.physicalName, "superseded": lineage.entry.superseded.isEmpty ? nil : lineage.entry.superseded.joined(separator: ", "),
            "arn": live?.arn ?? "—", "status": live?.status ?? (live == nil ? "Missing" : "—"), "failure": live?.failureReason,
            "created": ConsolePages.time(live?.createdAt), "modified": ConsolePages.time(live?.modifiedAt),
            "commit": short(lineage.origin.commit), "summary": lineage.origin.summary,
            "author": lineage.origin.author.isEmpty ? "(the commit is not in the repository)" : lineage.origin.author,
            "position": "\(lineage.entry.file):\(lineage.entry.line)", "revision": lineage.entry.revision,
            "hasServed": !lineage.served.isEmpty,
            "served": lineage.served.map { p in
                ["variant": p.variant, "model": p.model, "package": p.package, "version": p.version.map(String.init) ?? "?",
                 "approval": p.approval ?? "?", "approvedBy": LineageRenderer.approvalText(p)] as [String: Any]
            },
            "audit": lineage.audit.reversed().map(auditRow),
            "hasEvents": lineage.events != nil,
            "events": (lineage.events ?? []).reversed().map { e in
                compact(["time": ConsolePages.time(e.time), "name": e.name, "status": e.status ?? "—", "failure": e.failureReason])
            },
            "observed": live.map { Value.object(sorting: [.init("status", $0.status.map(Value.string) ?? .null),
                                                          .init("observed", $0.observed)]).prettyJSON } ?? "The service has no such object.",
        ])
        if let change = s.plan?.changes.first(where: { $0.id == id }) {
            fields["change"] = [
                "action": change.action.rawValue, "reason": change.reason, "destructive": change.destructive,
                "diff": change.diff.map { d in
                    ["path": d.path, "before": text(d.before), "after": text(d.after), "replaces": d.forcesReplacement] as [String: Any]
                },
            ] as [String: Any]
        }
        return fields
    }

    /// A field's value as the plan shows it: strings bare, everything else as JSON.
    static func text(_ v: Value?) -> String {
        guard let v else { return "(absent)" }
        if let s = v.stringValue { return s }
        return v.prettyJSON
    }

    static func auditRow(_ e: AuditEntry) -> [String: Any] {
        let d = e.draft
        return compact([
            "sequence": e.sequence, "time": ConsolePages.time(d.time), "actor": d.actor, "trigger": d.trigger.rawValue,
            "action": d.action, "outcome": d.outcome, "error": d.error, "revision": d.revision.map(String.init) ?? "—",
            "commit": short(d.commit), "resource": d.resource ?? "—", "hash": e.hash, "shortHash": String(e.hash.prefix(12)),
        ])
    }

    // MARK: History and audit

    static func history(_ c: Controller, app: String, csrf: String) async throws -> [String: Any] {
        let revisions = try await c.reconciler.store.revisions(limit: 50)
        return [
            "count": revisions.count,
            "revisions": revisions.map { r in
                ["number": r.number, "commit": short(r.commit), "started": ConsolePages.time(r.startedAt), "actor": r.actor,
                 "trigger": r.trigger.rawValue, "outcome": r.outcome.rawValue, "message": r.message, "pinned": r.pinned,
                 "restorable": r.outcome == .succeeded, "csrf": csrf, "app": app] as [String: Any]
            },
        ]
    }

    static let auditPage = 100

    static func audit(_ c: Controller, app: String, after: Int64?) async throws -> [String: Any] {
        let store = c.reconciler.store
        let verification = try await store.verifyAudit()
        var entries: [AuditEntry]
        if let after {
            entries = try await store.audit(AuditQuery(after: after, limit: auditPage))
        } else {
            // The newest page: read forward, keeping the last `auditPage`.
            entries = []
            var cursor: Int64 = 0
            while true {
                let page = try await store.audit(AuditQuery(after: cursor, limit: 1000))
                entries += page
                if entries.count > auditPage { entries.removeFirst(entries.count - auditPage) }
                guard page.count == 1000, let last = page.last?.sequence else { break }
                cursor = last
            }
        }
        let first = entries.first?.sequence ?? 0
        let verifyText: String
        if let broken = verification.firstBroken {
            verifyText = "The chain does NOT verify: entry \(broken.sequence): \(broken.reason)"
        } else {
            verifyText = "The chain verifies: \(verification.entries) entries, each hashed over the one before."
        }
        return compact([
            "verified": verification.firstBroken == nil, "verifyText": verifyText,
            "older": first > 1 ? String(max(0, first - 1 - Int64(auditPage))) : nil,
            "newer": after != nil,
            "entries": entries.reversed().map { e -> [String: Any] in
                var row = auditRow(e)
                if let r = e.draft.resource, let id = ResourceID(parsing: r) { row["link"] = resourcePath(app, id) }
                return row
            },
        ])
    }
}
