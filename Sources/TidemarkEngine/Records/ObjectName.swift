import TidemarkCore

/// A live object as the service names it: its kind and its physical name. Ownership across
/// applications is by this name, since two applications may give their manifests the same
/// logical name only if they never mean the same object.
public struct ObjectName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: ResourceKind
    public var name: String

    public init(_ kind: ResourceKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    public static func < (a: ObjectName, b: ObjectName) -> Bool { a.description < b.description }
}
