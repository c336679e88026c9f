/// What triggered an action; recorded on every audit entry and revision.
public enum Trigger: String, Sendable, Codable, CaseIterable {
    case cli, controller, webhook, drift, rollback, recovery
    /// The HTTP API (`POST /api/v1/sync`, `/api/v1/rollback`).
    case api
}

