import TidemarkEngine

/// When and how the controller changes live state.
public struct SyncPolicy: Sendable, Hashable {
    /// Apply each new commit without being asked (otherwise report OutOfSync and wait for a sync).
    public var automated = true
    /// Delete managed resources whose manifests are gone.
    public var prune = false
    /// Undo out-of-band changes (otherwise report them as drift).
    public var selfHeal = false
    /// Seconds between full drift checks of an unchanged commit (the safety net behind the
    /// services' change feed).
    public var resync: Double = 300

    public init() {}
}

/// Everything `tidemark serve` runs with, from flags and the config file. Adapters (the
/// repository, the store, the services) are built by the caller and handed in as ports.
public struct ControllerSettings: Sendable {
    /// The application this controller reconciles: its records in the store are its own.
    public var application = "default"
    /// Free-form labels from the config (team, tier), shown by the API.
    public var labels: [String: String] = [:]
    /// The repository as it may be shown: credentials removed.
    public var repo: String
    public var branch: String?
    public var path = "manifests"
    /// Seconds between fetches (and change-feed reads).
    public var interval: Double = 60
    public var policy = SyncPolicy()
    /// The state folder, for messages.
    public var data: String
    public var actor = "tidemark-controller"
    public var apply = ApplyOptions()
    /// Backoff after a failed sync of a commit: first wait, doubling to the cap.
    public var backoffBase: Double = 10
    public var backoffCap: Double = 600
    /// Seconds between lease renewals (a standby tries to take the lease as often).
    public var leaseRenewal: Double = 5

    public init(repo: String, data: String) {
        self.repo = repo
        self.data = data
    }
}
