import Foundation
import Testing
import TidemarkCore
import TidemarkEngine

/// An entry's hash is SHA-256 over the canonical JSON of every other field, and its stored diff
/// is the diff's canonical JSON: chains written by earlier versions verify only if both stay
/// exactly that, however they are computed.
@Suite struct AuditEntryTests {
    @Test func theHashAndTheStoredDiffAreTheCanonicalJSONOfTheirFields() {
        let diff = Value.list([
            .object(sorting: [.init("path", .string("environment.A\u{2028}\"")), .init("before", .null),
                              .init("after", .object(sorting: [.init("k", .double(0.5)), .init("é", .list([.int(-1), .bool(true)]))]))]),
        ])
        for (error, resource) in [(nil, nil), ("boom\n\t\u{1}", "Model/m")] as [(String?, String?)] {
            let draft = AuditDraft(time: Date(timeIntervalSince1970: 1_790_000_000.123), actor: "ci \"bot\"", trigger: .api, revision: 7,
                                   commit: "abc", resource: resource, action: "create", outcome: "failed", error: error,
                                   beforeDigest: nil, afterDigest: "d", diff: diff)
            let (entry, diffJSON) = AuditEntry.chained(sequence: 3, draft: draft, previousHash: AuditEntry.genesisHash)
            #expect(entry.hash == SHA256Hex.of(entry.canonical.canonicalJSON))
            #expect(entry.hash == entry.computedHash)
            #expect(diffJSON == diff.canonicalJSON)
            #expect(AuditEntry(sequence: 3, draft: draft, previousHash: AuditEntry.genesisHash) == entry)
        }
    }
}
