import Foundation
import TidemarkCore

/// Something operators hear about without watching a screen: a failed sync, the first
/// success after a failure, drift found, a rollback.
public struct Notice: Sendable, Hashable {
    public enum Event: String, Sendable, CaseIterable {
        case syncFailed = "sync-failed"
        case syncRecovered = "sync-recovered"
        case drift
        case rollback
    }

    public var event: Event
    public var application: String
    /// The commit reconciled (the head, or the rolled-back revision's commit).
    public var commit: String?
    public var revision: Int64?
    public var sync: ControllerStatus.Sync
    public var message: String
    /// Resources changed outside Tidemark, for `drift`.
    public var drifted: [ResourceID]
    public var time: Date
}

/// Where notices go. `post` returns at once: a slow or failing receiver never holds up a
/// reconcile.
public protocol NoticeSink: Sendable {
    func post(_ notice: Notice)
}
