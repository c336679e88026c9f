import Foundation
import TidemarkCore

/// An audit entry before it is chained: the store adds sequence, previous hash and hash.
public struct AuditDraft: Sendable, Hashable {
    public var time: Date
    public var actor: String
    public var trigger: Trigger
    public var revision: Int64?
    public var commit: String?
    public var resource: String?
    public var action: String
    public var outcome: String
    public var error: String?
    public var beforeDigest: String?
    public var afterDigest: String?
    public var diff: Value

    public init(time: Date, actor: String, trigger: Trigger, revision: Int64?, commit: String?, resource: String?,
                action: String, outcome: String, error: String? = nil, beforeDigest: String? = nil,
                afterDigest: String? = nil, diff: Value = .list([])) {
        self.time = time
        self.actor = actor
        self.trigger = trigger
        self.revision = revision
        self.commit = commit
        self.resource = resource
        self.action = action
        self.outcome = outcome
        self.error = error
        self.beforeDigest = beforeDigest
        self.afterDigest = afterDigest
        self.diff = diff
    }
}

/// A chained audit entry. `hash` is SHA-256 over the canonical JSON of every other field,
/// `previousHash` included, so editing, deleting or reordering any entry breaks the chain.
public struct AuditEntry: Sendable, Hashable {
    public static let genesisHash = String(repeating: "0", count: 64)

    public var sequence: Int64
    public var draft: AuditDraft
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, draft: AuditDraft, previousHash: String) {
        self = Self.chained(sequence: sequence, draft: draft, previousHash: previousHash).entry
    }

    /// A new entry, and its diff's canonical JSON: the text a store keeps in its diff column,
    /// cut from the text that was hashed rather than written a second time.
    public static func chained(sequence: Int64, draft: AuditDraft, previousHash: String) -> (entry: AuditEntry, diffJSON: String) {
        var entry = AuditEntry(sequence: sequence, draft: draft, previousHash: previousHash, hash: "")
        let (text, diff) = entry.canonicalText()
        entry.hash = SHA256Hex.of(bytes: text.bytes)
        return (entry, String(decoding: text.bytes[diff], as: UTF8.self))
    }

    /// `canonical` as canonical JSON, with the range its diff takes.
    func canonicalText() -> (CanonicalJSON, Range<Int>) {
        var text = CanonicalJSON(capacity: 1024)
        var diff = 0..<0
        guard case .object(let members) = canonical else { return (text, diff) }
        text.append("{")
        for (i, m) in members.enumerated() {
            if i > 0 { text.append(",") }
            text.quote(m.key)
            text.append(":")
            let start = text.count
            text.write(m.value)
            if m.key == "diff" { diff = start..<text.count }
        }
        text.append("}")
        return (text, diff)
    }

    public init(sequence: Int64, draft: AuditDraft, previousHash: String, hash: String) {
        self.sequence = sequence
        self.draft = draft
        self.previousHash = previousHash
        self.hash = hash
    }

    /// Milliseconds since 1970: the exact time that is hashed and stored.
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// Every field but the hash, canonically.
    public var canonical: Value {
        func opt(_ s: String?) -> Value { s.map(Value.string) ?? .null }
        return .object(sorting: [
            .init("sequence", .int(sequence)),
            .init("time", .int(Self.milliseconds(draft.time))),
            .init("actor", .string(draft.actor)),
            .init("trigger", .string(draft.trigger.rawValue)),
            .init("revision", draft.revision.map(Value.int) ?? .null),
            .init("commit", opt(draft.commit)),
            .init("resource", opt(draft.resource)),
            .init("action", .string(draft.action)),
            .init("outcome", .string(draft.outcome)),
            .init("error", opt(draft.error)),
            .init("beforeDigest", opt(draft.beforeDigest)),
            .init("afterDigest", opt(draft.afterDigest)),
            .init("diff", draft.diff),
            .init("previousHash", .string(previousHash)),
        ])
    }

    public var computedHash: String {
        SHA256Hex.of(bytes: canonicalText().0.bytes)
    }

    /// The entry as one JSON object (for `audit export` and the API).
    public var value: Value {
        var v = canonical.setting("hash", .string(hash))
        v = v.setting("time", .string(Timestamp.iso8601(draft.time)))
        return v
    }
}
