/// The shape of a manifest field, as data. One definition drives decoding (types, unknown
/// fields with did-you-mean, defaults, the service's constraints), the planner (which fields
/// update in place), the reference graph, and the JSON Schema that editors use. The kinds'
/// shapes are generated from botocore's SageMaker model (Kinds/Generated) and refined by hand.
public indirect enum Shape: Sendable {
    case string(StringRule)
    case integer(min: Int64?, max: Int64?)
    case number(min: Double?, max: Double?)
    case boolean
    case list(ListShape)
    case object(ObjectShape)
    /// String keys to values of one shape (`environment`, `customerMetadataProperties`).
    case map(MapShape)
    /// Free-form structured data (the arguments of a pipeline step). With `acceptsJSONString`,
    /// a JSON string is parsed and compared as structure.
    case document(acceptsJSONString: Bool)

    public static let text = Shape.string(StringRule())

    /// Whether any field under this shape names a resource of `kind`.
    public func references(_ kind: ResourceKind) -> Bool {
        switch self {
        case .list(let list): return list.element.references(kind)
        case .object(let object): return object.fields.contains { $0.reference == kind || $0.shape.references(kind) }
        case .map(let map): return map.value.references(kind)
        case .string, .integer, .number, .boolean, .document: return false
        }
    }

    public static func text(max: Int, min: Int = 0) -> Shape { .string(StringRule(minLength: min, maxLength: max)) }

    public static func oneOf(_ values: [String]) -> Shape { .string(StringRule(allowed: EnumValues(values))) }

    public static func name(_ rule: NameRule) -> Shape { .string(StringRule(minLength: 1, maxLength: rule.maxLength, name: rule)) }

    public static func int(_ range: ClosedRange<Int64>) -> Shape { .integer(min: range.lowerBound, max: range.upperBound) }

    public static func int(min: Int64) -> Shape { .integer(min: min, max: nil) }

    public static func list(_ element: Shape, count: ClosedRange<Int>? = nil, key: String? = nil) -> Shape {
        .list(ListShape(element: element, minCount: count?.lowerBound, maxCount: count?.upperBound, key: key))
    }

    public static func object(_ fields: [Field], exactlyOneOf: [[String]] = []) -> Shape {
        .object(ObjectShape(fields, exactlyOneOf: exactlyOneOf))
    }

    /// The human name of the expected type, for "expected X, found Y".
    public var expectation: String {
        switch self {
        case .string(let r):
            if let allowed = r.allowed { return allowed.values.count <= 6 ? "one of \(allowed.quoted(allowed.values))" : "one of \(allowed.values.count) values" }
            return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean (true or false)"
        case .list: return "a list"
        case .object, .map: return "a mapping"
        case .document(let json): return json ? "a mapping or a JSON string" : "any value"
        }
    }
}

/// What a string must be. Lengths count UTF-16 code units, as the service (Java) does.
///
/// A class: every string of every manifest is checked against one, and a struct's copy out of
/// its shape retained each of its members (the pattern's, the allowed values').
public final class StringRule: Sendable {
    public let minLength: Int
    public let maxLength: Int?
    public let allowed: EnumValues?
    public let pattern: StringPattern?
    /// A resource-name rule, checked by hand with its own wording.
    public let name: NameRule?

    public init(minLength: Int = 0, maxLength: Int? = nil, allowed: EnumValues? = nil, pattern: StringPattern? = nil, name: NameRule? = nil) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.allowed = allowed
        self.pattern = pattern
        self.name = name
    }
}

public struct ListShape: Sendable {
    public var element: Shape
    public var minCount: Int?
    public var maxCount: Int?
    /// When set, elements are objects identified by this member: order does not matter,
    /// the key must be unique, and diffs name elements by it (`featureDefinitions[Amount]`).
    public var key: String?

    public init(element: Shape, minCount: Int? = nil, maxCount: Int? = nil, key: String? = nil) {
        self.element = element
        self.minCount = minCount
        self.maxCount = maxCount
        self.key = key
    }
}

public struct MapShape: Sendable {
    public var key: StringRule
    public var value: Shape
    public var minEntries: Int?
    public var maxEntries: Int?

    public init(key: StringRule = StringRule(), value: Shape, minEntries: Int? = nil, maxEntries: Int? = nil) {
        self.key = key
        self.value = value
        self.minEntries = minEntries
        self.maxEntries = maxEntries
    }
}

/// A class: objects are read at every level of every manifest, and passing one around then
/// costs one reference count rather than one per member.
public final class ObjectShape: Sendable {
    public let fields: [Field]
    /// Groups of field names of which exactly one must be present.
    public let exactlyOneOf: [[String]]
    /// botocore's structure name (`ProductionVariant`), when generated.
    public let wireName: String?
    /// The fields that must be given or have a default: what checking an object looks for
    /// once its members are read (most generated fields are neither).
    public let requiredOrDefaulted: [Field]
    private let index: [String: Int]
    /// Every name and alias with its field's position, for a shape small enough that
    /// comparing names beats hashing one (nil for a larger one).
    private let few: [(name: String, position: Int)]?

    public init(wire: String? = nil, _ fields: [Field], exactlyOneOf: [[String]] = []) {
        self.fields = fields
        self.exactlyOneOf = exactlyOneOf
        self.wireName = wire
        self.requiredOrDefaulted = fields.filter { $0.required || $0.defaultValue != nil }
        var index: [String: Int] = [:]
        var few: [(name: String, position: Int)] = []
        for (i, f) in fields.enumerated() {
            index[f.name] = i
            few.append((f.name, i))
            for alias in f.aliases {
                index[alias] = i
                few.append((alias, i))
            }
        }
        self.index = index
        // Later names win, as in the index.
        self.few = few.count <= 12 ? few.reversed() : nil
    }

    public func field(named name: String) -> Field? { index[name].map { fields[$0] } }

    /// The position in `fields` of the field called `name` (or one of its aliases).
    public func position(of name: String) -> Int? {
        guard let few else { return index[name] }
        for entry in few where entry.name == name { return entry.position }
        return nil
    }

    /// The same structure with other fields or groups.
    public func with(fields: [Field]? = nil, exactlyOneOf: [[String]]? = nil) -> ObjectShape {
        ObjectShape(wire: wireName, fields ?? self.fields, exactlyOneOf: exactlyOneOf ?? self.exactlyOneOf)
    }
}

/// How a change to a field can be made on the live resource.
public enum Mutability: Sendable {
    /// Only by replacing the resource.
    case immutable
    /// In place, by the service's update API.
    case updatable
    /// Elements may be added in place; removing or changing one forces a replacement.
    case appendOnly
}

public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    public var required: Bool
    /// The value the service assumes when the field is absent; filled in so that writing it
    /// explicitly is not a change.
    public var defaultValue: Value?
    public var mutability: Mutability
    /// The kind whose `metadata.name` this string names.
    public var reference: ResourceKind?
    /// Other accepted spellings (ACK's `type_`).
    public var aliases: [String]
    public var summary: String
    /// botocore's member name (`RoleArn`), which the API uses on the wire.
    public var wireName: String
    /// A token the client fills in (`ClientToken`); never part of a spec.
    public var idempotencyToken: Bool
    /// For a field that changes in place: the member of the kind's Update* input that
    /// carries the change (`FeatureAdditions` for `featureDefinitions`).
    public var updateMember: String?

    public init(_ name: String, wire: String? = nil, _ shape: Shape, required: Bool = false, default defaultValue: Value? = nil,
                _ mutability: Mutability = .immutable, references: ResourceKind? = nil,
                aliases: [String] = [], idempotencyToken: Bool = false, _ summary: String = "") {
        self.name = name
        self.wireName = wire ?? (name.prefix(1).uppercased() + name.dropFirst())
        self.idempotencyToken = idempotencyToken
        self.shape = shape
        self.required = required
        self.defaultValue = defaultValue
        self.mutability = mutability
        self.reference = references
        self.aliases = aliases
        self.summary = summary
    }
}

/// SageMaker's resource-name patterns (reference §9.1), checked by hand.
public enum NameRule: Sendable {
    /// `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`: endpoints, configs, variants, packages, schedules.
    case hyphenated63
    /// `[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?`, ≤ 63: models.
    case model
    /// `[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}`: feature groups and feature names.
    case underscored64
    /// `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}`: pipelines.
    case hyphenated256
    /// `^[A-Za-z0-9\-_]{1,64}$`: pipeline steps and parameters.
    case pipelineStep

    public var maxLength: Int {
        switch self {
        case .hyphenated63, .model: return 63
        case .underscored64, .pipelineStep: return 64
        case .hyphenated256: return 256
        }
    }

    public var pattern: String {
        switch self {
        case .hyphenated63: return "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
        case .model: return "^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$"
        case .underscored64: return "^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}$"
        case .hyphenated256: return "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"
        case .pipelineStep: return "^[A-Za-z0-9\\-_]{1,64}$"
        }
    }

    public var explanation: String {
        switch self {
        case .hyphenated63, .model: return "letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters"
        case .underscored64: return "letters, digits, hyphens and underscores, starting and ending with a letter or digit, at most 64 characters"
        case .hyphenated256: return "letters, digits and hyphens, starting and ending with a letter or digit, at most 256 characters"
        case .pipelineStep: return "letters, digits, hyphens and underscores, at most 64 characters"
        }
    }

    public func accepts(_ name: String, checkingLength: Bool = true) -> Bool {
        // Over the string's own bytes: this checks every name of every manifest.
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, !checkingLength || bytes.count <= maxLength else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        switch self {
        case .pipelineStep:
            return bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 }
        case .hyphenated63, .model, .hyphenated256:
            return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 45 }
        case .underscored64:
            return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 }
        }
    }
}
