/// What a plan does to one resource.
public enum Action: String, Sendable, Codable, CaseIterable {
    case create, update, replace, delete

    /// Terraform's symbols: `+`, `~`, `-/+`, `-`.
    public var symbol: String {
        switch self {
        case .create: return "+"
        case .update: return "~"
        case .replace: return "-/+"
        case .delete: return "-"
        }
    }
}

/// One field that differs. Paths are relative to `spec`; keyed list entries are named by
/// their key: `featureDefinitions[Amount].featureType`.
public struct FieldDiff: Hashable, Sendable {
    public var path: String
    public var before: Value?
    public var after: Value?
    /// True when this difference alone cannot be made in place.
    public var forcesReplacement: Bool

    public init(path: String, before: Value?, after: Value?, forcesReplacement: Bool) {
        self.path = path
        self.before = before
        self.after = after
        self.forcesReplacement = forcesReplacement
    }
}

/// One resource's change, with the reason and the field-level differences behind it.
public struct Change: Sendable {
    /// Why a resource changes, as a value decisions can read (the controller's drift-only gate,
    /// metrics). `reason` is its display text and never drives behaviour.
    public enum Cause: String, Sendable, Codable, CaseIterable {
        /// Git has a resource that does not exist yet.
        case new
        /// Git's spec differs from what was applied.
        case specChanged
        /// Only a referenced resource changed (its digest cascades).
        case cascade
        /// Git is unchanged, but the live object was changed outside Tidemark.
        case drift
        /// A managed object was deleted outside Tidemark.
        case missing
        /// The live object failed and accepts only a delete: it is created again.
        case failed
        /// An existing unmanaged object is taken over (`tidemark.dev/adopt`).
        case adopt
        /// The manifest was removed.
        case removed
    }

    public var id: ResourceID
    public var action: Action
    public var cause: Cause
    /// Replacing or deleting drops data that cannot be recovered (feature store records,
    /// registry versions).
    public var destructive: Bool
    /// A delete that keeps the live object (`tidemark.dev/deletion-policy: retain`).
    public var retain: Bool
    /// For people only: never read by a decision (`cause` is).
    public var reason: String
    public var diff: [FieldDiff]
    public var physicalName: String?
    public var previousPhysicalName: String?
    public var location: SourceLocation?

    public init(id: ResourceID, action: Action, cause: Cause, destructive: Bool, retain: Bool, reason: String, diff: [FieldDiff],
                physicalName: String?, previousPhysicalName: String?, location: SourceLocation?) {
        self.id = id
        self.action = action
        self.cause = cause
        self.destructive = destructive
        self.retain = retain
        self.reason = reason
        self.diff = diff
        self.physicalName = physicalName
        self.previousPhysicalName = previousPhysicalName
        self.location = location
    }
}

/// Where a plan's two sides come from: a git revision, or live state.
public struct PlanSide: Sendable, Hashable {
    public var revision: String
    public var commit: String?

    public init(revision: String, commit: String?) {
        self.revision = revision
        self.commit = commit
    }
}

/// The result of planning: ordered changes (parents created first, children deleted first).
/// Text, Markdown and JSON are all rendered from this one value.
public struct Plan: Sendable {
    public var base: PlanSide?
    public var head: PlanSide
    public var path: String
    public var changes: [Change]
    public var unchanged: Int
    /// Warnings found while loading the head revision or planning.
    public var warnings: [Diagnostic]
    /// Problems that stop this plan from being applied (an unmanaged object in the way).
    /// Invalid manifests stop a plan before it exists, so they are never here.
    public var errors: [Diagnostic]

    public init(base: PlanSide?, head: PlanSide, path: String, changes: [Change], unchanged: Int, warnings: [Diagnostic],
                errors: [Diagnostic] = []) {
        self.base = base
        self.head = head
        self.path = path
        self.changes = changes
        self.unchanged = unchanged
        self.warnings = warnings
        self.errors = errors
    }

    public var isEmpty: Bool { changes.isEmpty }

    public func count(_ action: Action) -> Int { changes.filter { $0.action == action }.count }

    public var destructiveCount: Int { changes.filter(\.destructive).count }
}
