import Crypto
import Foundation
import TidemarkCore

/// What triggered an action; recorded on every audit entry and revision.
public enum Trigger: String, Sendable, Codable, CaseIterable {
    case cli, controller, webhook, drift, rollback, recovery
}

/// One resource Tidemark manages: what it created and recorded, and where it came from.
/// Deletes (prune) only ever consider entries of the inventory.
public struct InventoryEntry: Sendable, Hashable {
    public var id: ResourceID
    public var physicalName: String
    /// The resource's digest at its last apply (immutable fields and references).
    public var digest: String
    public var referenceDigests: [ResourceID: String]
    /// SHA-256 of the whole resolved spec at its last apply: a live spec that differs while
    /// Git's has not changed is drift.
    public var specHash: String
    public var commit: String
    public var file: String
    public var line: Int
    public var retain: Bool
    /// Older physical names of a versioned resource, newest first, kept for fast rollback.
    public var superseded: [String]
    public var revision: Int64

    public init(id: ResourceID, physicalName: String, digest: String, referenceDigests: [ResourceID: String], specHash: String,
                commit: String, file: String, line: Int, retain: Bool, superseded: [String], revision: Int64) {
        self.id = id
        self.physicalName = physicalName
        self.digest = digest
        self.referenceDigests = referenceDigests
        self.specHash = specHash
        self.commit = commit
        self.file = file
        self.line = line
        self.retain = retain
        self.superseded = superseded
        self.revision = revision
    }

    /// As a value, for the journal and JSON output.
    public var value: Value {
        .object(sorting: [
            .init("id", .string(id.description)), .init("physicalName", .string(physicalName)),
            .init("digest", .string(digest)),
            .init("referenceDigests", .object(sorting: referenceDigests.map { .init($0.key.description, .string($0.value)) })),
            .init("specHash", .string(specHash)), .init("commit", .string(commit)), .init("file", .string(file)),
            .init("line", .int(Int64(line))), .init("retain", .bool(retain)),
            .init("superseded", .list(superseded.map(Value.string))), .init("revision", .int(revision)),
        ])
    }

    public init?(_ v: Value) {
        guard let idText = v["id"]?.stringValue, let id = ResourceID(parsing: idText),
              let physical = v["physicalName"]?.stringValue else { return nil }
        var refs: [ResourceID: String] = [:]
        for m in v["referenceDigests"]?.members ?? [] {
            if let rid = ResourceID(parsing: m.key), let d = m.value.stringValue { refs[rid] = d }
        }
        self.init(id: id, physicalName: physical, digest: v["digest"]?.stringValue ?? "", referenceDigests: refs,
                  specHash: v["specHash"]?.stringValue ?? "", commit: v["commit"]?.stringValue ?? "",
                  file: v["file"]?.stringValue ?? "", line: Int(v["line"]?.intValue ?? 0),
                  retain: v["retain"] == .bool(true), superseded: v["superseded"]?.elements?.compactMap(\.stringValue) ?? [],
                  revision: v["revision"]?.intValue ?? 0)
    }
}

/// One reconcile attempt: a commit applied (or refused) at a time by someone.
public struct RevisionRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable, Codable {
        case inProgress = "in-progress", succeeded, failed, rolledBack = "rolled-back", interrupted, rejected
    }

    public var number: Int64
    public var commit: String
    public var reference: String
    public var path: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var actor: String
    public var trigger: Trigger
    public var outcome: Outcome
    public var planDigest: String
    public var message: String
    public var pinned: Bool

    public init(number: Int64, commit: String, reference: String, path: String, startedAt: Date, finishedAt: Date?,
                actor: String, trigger: Trigger, outcome: Outcome, planDigest: String, message: String, pinned: Bool) {
        self.number = number
        self.commit = commit
        self.reference = reference
        self.path = path
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actor = actor
        self.trigger = trigger
        self.outcome = outcome
        self.planDigest = planDigest
        self.message = message
        self.pinned = pinned
    }
}

/// An action written down before it is taken, and closed when its outcome is known. After a
/// crash, open intents tell recovery what may have happened.
public struct JournalIntent: Sendable, Hashable {
    public var id: Int64
    public var revision: Int64
    public var resource: ResourceID
    public var action: String
    public var physicalName: String
    public var clientToken: String
    /// The inventory entry the action leads to (for recovery), if any.
    public var pendingEntry: InventoryEntry?
    public var startedAt: Date

    public init(id: Int64, revision: Int64, resource: ResourceID, action: String, physicalName: String,
                clientToken: String, pendingEntry: InventoryEntry?, startedAt: Date) {
        self.id = id
        self.revision = revision
        self.resource = resource
        self.action = action
        self.physicalName = physicalName
        self.clientToken = clientToken
        self.pendingEntry = pendingEntry
        self.startedAt = startedAt
    }
}

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
        self.sequence = sequence
        self.draft = draft
        self.previousHash = previousHash
        self.hash = ""
        self.hash = computedHash
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

    public var computedHash: String { Digest.sha256(canonical.canonicalJSON) }

    /// The entry as one JSON object (for `audit export` and the API).
    public var value: Value {
        var v = canonical.setting("hash", .string(hash))
        v = v.setting("time", .string(Timestamp.iso8601(draft.time)))
        return v
    }
}

public enum Digest {
    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { b in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }
}

public enum Timestamp {
    /// `2026-11-22T15:01:02.123Z`
    public static func iso8601(_ date: Date) -> String {
        let ms = AuditEntry.milliseconds(date)
        let seconds = Double(ms / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let m = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second)).\(m)Z"
    }

    /// Parses the form above, or a date `2026-11-22`, or a duration back from now (`1h`, `30m`, `7d`).
    public static func parse(_ text: String, now: Date) -> Date? {
        if let d = DurationText.seconds(text) { return now.addingTimeInterval(-d) }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 3 else { return nil }
        var c = DateComponents()
        c.year = digits[0]; c.month = digits[1]; c.day = digits[2]
        c.hour = digits.count > 3 ? digits[3] : 0
        c.minute = digits.count > 4 ? digits[4] : 0
        c.second = digits.count > 5 ? digits[5] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: c)
    }
}

/// Durations written as `30s`, `5m`, `2h`, `1d`, `1500ms`.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let v = Double(number), v >= 0, !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }) { return v * factor }
        }
        return nil
    }
}
