import TidemarkCore
import TidemarkEngine

/// What one reconcile concluded, as controller-runtime's `Result`: the status to publish and
/// whether (and when) to try again.
struct ReconcileResult: Sendable {
    enum Retry: Sendable {
        /// Nothing to retry: synced, waiting on policy, or pinned.
        case none
        /// A failure that may pass (a service error, a failed deployment): back off and retry
        /// the same commit.
        case transient
        /// A failure only a new commit can fix (invalid manifests, an object in the way).
        case terminal
    }

    var sync: ControllerStatus.Sync
    var message: String
    var retry: Retry = .none
    var diagnostics: [Diagnostic] = []
    /// The plan against live state, when one was made.
    var plan: LivePlan?
    /// The revision applied successfully.
    var applied: Int64?
    /// The commit it applied, when not the head (drift healed against the last good commit).
    var appliedCommit: String?
    var pinned: Int64?
    /// Counted in the reconcile metrics (not for policy waits or pins).
    var measured = true
}
