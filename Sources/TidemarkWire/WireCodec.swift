import TidemarkCore

/// Converts values between the manifest's spelling (ACK's lower-camel names) and the API's
/// JSON (botocore member names), by the generated shapes. Map keys are data and keep their
/// spelling; a document (a pipeline definition) is a JSON string on the wire.
public enum WireCodec {
    public static func toWire(_ value: Value, _ shape: Shape) -> Value {
        switch (shape, value) {
        case (.object(let o), .object(let members)):
            return .object(sorting: members.compactMap { m in
                guard let f = o.field(named: m.key) ?? o.fields.first(where: { $0.aliases.contains(m.key) }) else { return nil }
                return .init(f.wireName, toWire(m.value, f.shape))
            })
        case (.list(let l), .list(let items)):
            return .list(items.map { toWire($0, l.element) })
        case (.map(let m), .object(let members)):
            return .object(members.map { .init($0.key, toWire($0.value, m.value)) })
        case (.document, .object), (.document, .list):
            return .string(value.canonicalJSON)
        default:
            return value
        }
    }

    /// The reverse of `toWire`; members the shape does not know are dropped (outputs carry
    /// service-side fields that no manifest sets).
    public static func fromWire(_ value: Value, _ shape: Shape) -> Value {
        switch (shape, value) {
        case (.object(let o), .object(let members)):
            return .object(sorting: members.compactMap { m in
                guard let f = o.fields.first(where: { $0.wireName == m.key }) else { return nil }
                return .init(f.name, fromWire(m.value, f.shape))
            })
        case (.list(let l), .list(let items)):
            return .list(items.map { fromWire($0, l.element) })
        case (.map(let m), .object(let members)):
            return .object(members.map { .init($0.key, fromWire($0.value, m.value)) })
        case (.document, .string(let text)):
            return Value(jsonText: text) ?? value
        case (.number, .int(let i)):
            return .double(Double(i))
        default:
            return value
        }
    }
}
