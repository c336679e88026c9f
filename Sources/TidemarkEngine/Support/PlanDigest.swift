import Crypto
import TidemarkCore

/// The SHA-256 that identifies a plan in its revision record: over the head it was made
/// for and each change's canonical JSON, fed one change at a time, so a 10,000-change plan
/// is never rendered whole just to be hashed.
enum PlanDigest {
    static func of(_ plan: Plan) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(plan.path)\n\(plan.head.revision)\n\(plan.head.commit ?? "")\n".utf8))
        var text = CanonicalJSON(capacity: 4096)
        for change in plan.changes {
            text.reset()
            text.write(PlanRenderer.changeValue(change))
            text.append("\n")
            text.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return SHA256Hex.hex(hasher.finalize())
    }
}
