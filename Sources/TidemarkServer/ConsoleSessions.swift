import Crypto
import Foundation
import TidemarkCore

/// The console's browser sessions: each has a random id (an HttpOnly, SameSite=Strict
/// cookie), a random CSRF token its forms carry, and whether the API token was entered in
/// it. Held in memory: a restart asks for the token again. Neither the token nor the ids are
/// ever logged.
actor ConsoleSessions {
    struct Session: Sendable {
        var csrf: String
        var unlocked: Bool
        var lastSeen: Date
    }

    static let cookie = "tidemark_session"
    /// A session not seen for this long is forgotten.
    static let idle: TimeInterval = 12 * 3600
    static let capacity = 10_000

    var sessions: [String: Session] = [:]

    /// The session of `id`, or a new one (with its id) when there is none or it expired.
    func session(_ id: String?, now: Date) -> (id: String, session: Session, created: Bool) {
        if let id, var s = sessions[id], now.timeIntervalSince(s.lastSeen) < Self.idle {
            s.lastSeen = now
            sessions[id] = s
            return (id, s, false)
        }
        if sessions.count >= Self.capacity { evict(now: now) }
        let fresh = Session(csrf: Self.random(), unlocked: false, lastSeen: now)
        let newID = Self.random()
        sessions[newID] = fresh
        return (newID, fresh, true)
    }

    /// The existing session of `id` when `csrf` is its token: what every POST must show.
    func verified(_ id: String?, csrf: String?, now: Date) -> Session? {
        guard let id, let csrf, let s = sessions[id], now.timeIntervalSince(s.lastSeen) < Self.idle,
              TokenCheck.matches(Array(csrf.utf8), s.csrf.utf8) else { return nil }
        return s
    }

    func setUnlocked(_ id: String, _ unlocked: Bool) {
        sessions[id]?.unlocked = unlocked
        // A new CSRF token after the privilege changes, so a token seen before does not carry over.
        sessions[id]?.csrf = Self.random()
    }

    func evict(now: Date) {
        sessions = sessions.filter { now.timeIntervalSince($0.value.lastSeen) < Self.idle }
        while sessions.count >= Self.capacity, let oldest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            sessions[oldest] = nil
        }
    }

    /// 32 random bytes as hex.
    static func random() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { SHA256Hex.hex($0) }
    }
}
