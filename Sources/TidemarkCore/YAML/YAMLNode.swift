/// A YAML node with the position it was read from. Scalars are already resolved by the
/// YAML 1.2 core schema (`yes` is a string, `"1"` is a string, `1` is an integer).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([YAMLNode])
        case mapping([Entry])
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyMark: Mark
        public var value: YAMLNode
    }

    public struct Scalar: Sendable {
        public enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }
        public var text: String
        public var style: Style
        public var value: ScalarValue
        /// For block scalars (`|`, `>`): the column (1-based) where content lines start.
        public var contentColumn: Int32
    }

    public var content: Content
    public var mark: Mark

    public init(_ content: Content, at mark: Mark) {
        self.content = content
        self.mark = mark
    }

    /// The member value for `key` in a mapping, or nil.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.first { $0.key == key }?.value
    }

    public func entry(_ key: String) -> Entry? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.first { $0.key == key }
    }

    public var entries: [Entry]? {
        if case .mapping(let e) = content { return e }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let s) = content { return s }
        return nil
    }

    public var scalar: Scalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    public var string: String? {
        if case .scalar(let s) = content, case .string(let v) = s.value { return v }
        return nil
    }

    public var int: Int64? {
        if case .scalar(let s) = content, case .int(let v) = s.value { return v }
        return nil
    }

    public var number: Double? {
        guard case .scalar(let s) = content else { return nil }
        switch s.value {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .scalar(let s) = content, case .bool(let v) = s.value { return v }
        return nil
    }

    public var isNull: Bool {
        if case .scalar(let s) = content, case .null = s.value { return true }
        return false
    }

    /// A short human name for the node's type, used in "expected X, found Y" messages.
    public var typeName: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let s):
            switch s.value {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .double: return "a number"
            case .string: return "a string"
            }
        }
    }
}

/// A scalar resolved by the YAML 1.2 core schema.
public enum ScalarValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
}
