/// The eight kinds of resource Tidemark manages.
public enum ResourceKind: String, CaseIterable, Sendable, Codable, Comparable {
    case featureGroup = "FeatureGroup"
    case pipeline = "Pipeline"
    case modelPackageGroup = "ModelPackageGroup"
    case modelPackage = "ModelPackage"
    case model = "Model"
    case endpointConfig = "EndpointConfig"
    case endpoint = "Endpoint"
    case monitoringSchedule = "MonitoringSchedule"

    /// Order in which kinds are listed when nothing else decides.
    public var rank: Int { ResourceKind.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: ResourceKind, b: ResourceKind) -> Bool { a.rank < b.rank }
}

/// A resource's identity: `Kind/name`, e.g. `Model/fraud-xgb`.
public struct ResourceID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var kind: ResourceKind
    public var name: String

    public init(_ kind: ResourceKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `Kind/name`.
    public init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let kind = ResourceKind(rawValue: String(text[..<slash])) else { return nil }
        let name = String(text[text.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        self.init(kind, name)
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    /// Kind, then name byte by byte (names are ASCII by their patterns; bytes compare fastest).
    public static func < (a: ResourceID, b: ResourceID) -> Bool {
        if a.kind != b.kind { return a.kind < b.kind }
        return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ResourceID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not Kind/name: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
