import Foundation

/// A stored record that does not parse: the store is damaged or was written by a newer
/// version. Reported, never skipped.
public struct StoreCorrupt: Error, Sendable, CustomStringConvertible {
    public var table: String
    public var key: String

    public init(table: String, key: String) {
        self.table = table
        self.key = key
    }

    public var description: String { "the state store has an unreadable row in \(table) (\(key)); it was damaged or written by a newer Tidemark" }
}
