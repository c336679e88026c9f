import Crypto
import TidemarkCore

/// The SHA-256 that identifies a plan in its revision record: over the head it was made
/// for and each change's canonical JSON, one line per change, so a 10,000-change plan is
/// never rendered whole just to be hashed. The lines of a window of changes are written on
/// both cores and hashed in order: the same digest as one pass, with at most a window's text
/// held at once.
enum PlanDigest {
    static let window = 1_024

    static func of(_ plan: Plan) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(plan.path)\n\(plan.head.revision)\n\(plan.head.commit ?? "")\n".utf8))
        let changes = plan.changes
        var start = 0
        while start < changes.count {
            let count = min(window, changes.count - start)
            let first = start
            let lines = Striped.map(count, minimum: 128) { i in
                var text = CanonicalJSON(capacity: 1_024)
                text.write(PlanRenderer.changeValue(changes[first + i]))
                text.append("\n")
                return text.bytes
            }
            for line in lines { line.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
            start += count
        }
        return SHA256Hex.hex(hasher.finalize())
    }
}
