/// Walks an audit log in sequence order and finds the first entry that breaks the chain:
/// one missing or out of order, one whose link to the previous hash is wrong, one whose
/// contents no longer match its hash. Every store verifies through it.
public struct AuditChain: Sendable {
    var expectedPrevious = AuditEntry.genesisHash
    var expectedSequence: Int64 = 1
    /// How many entries were checked.
    public private(set) var entries = 0

    public init() {}

    /// Checks the next entry; why it breaks the chain, or nil.
    public mutating func check(_ e: AuditEntry) -> String? {
        entries += 1
        if e.sequence != expectedSequence {
            return "expected entry \(expectedSequence) here: an entry is missing or out of order"
        }
        if e.previousHash != expectedPrevious {
            return "its previous hash does not match entry \(e.sequence - 1): an entry before it was changed, removed or reordered"
        }
        if e.computedHash != e.hash {
            return "its contents do not match its hash: the entry was edited"
        }
        expectedPrevious = e.hash
        expectedSequence += 1
        return nil
    }
}
