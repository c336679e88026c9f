import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServices

/// When and how the controller changes live state.
public struct SyncPolicy: Sendable, Hashable {
    /// Apply each new commit without being asked (otherwise report OutOfSync and wait for a sync).
    public var automated = true
    /// Delete managed resources whose manifests are gone.
    public var prune = false
    /// Undo out-of-band changes (otherwise report them as drift).
    public var selfHeal = false
    /// Seconds between drift checks of an unchanged commit.
    public var resync: Double = 300

    public init() {}
}

/// Everything `tidemark serve` runs with, from flags and the config file.
public struct ControllerSettings: Sendable {
    public var repo: String
    public var branch: String?
    public var path = "manifests"
    public var interval: Double = 60
    public var policy = SyncPolicy()
    public var data: String
    public var latencies: Latencies = .standard
    public var credentials: GitCredentials = .none
    public var actor = "tidemark-controller"
    public var apply = ApplyOptions()
    /// Backoff after a failed sync of a commit: first wait, doubling to the cap.
    public var backoffBase: Double = 10
    public var backoffCap: Double = 600

    public init(repo: String, data: String) {
        self.repo = repo
        self.data = data
    }

    /// The repository as libgit2 should fetch it: an absolute path for local folders.
    public var fetchURL: String {
        if repo.contains("://") || repo.hasPrefix("git@") { return repo }
        return URL(fileURLWithPath: repo).standardizedFileURL.path
    }
}

/// What the controller reports about itself.
public struct ControllerStatus: Sendable {
    public enum Role: String, Sendable { case starting, leader, standby, stopping }
    public enum Sync: String, Sendable { case unknown = "Unknown", synced = "Synced", outOfSync = "OutOfSync", progressing = "Progressing", failed = "Failed", rejected = "Rejected", pinned = "Pinned" }

    public var role: Role = .starting
    public var ready = false
    public var lastFetchCommit: String?
    public var lastFetchTime: Date?
    public var lastFetchError: String?
    public var sync: Sync = .unknown
    public var syncCommit: String?
    public var message = ""
    public var diagnostics: [Diagnostic] = []
    public var changes = 0
    public var drift = 0
    public var lastAppliedCommit: String?
    public var lastAppliedRevision: Int64?
    public var lastSyncTime: Date?
    public var lastSyncSucceeded: Bool?
    public var nextAttempt: Date?
    public var pinnedRevision: Int64?
    /// The last plan against live state, as JSON (display only).
    public var planJSON: String?

    public init() {}
}
