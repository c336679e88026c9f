/// JSON Schema (2020-12) for every kind, generated from the same shapes the decoder uses,
/// so editors (yaml-language-server) and Tidemark agree on every field.
public enum SchemaRenderer {
    public static let id = "https://tidemark.dev/schemas/v1alpha1/manifest.json"

    public static func schema() -> Value {
        var defs: [Value.Member] = []
        for kind in ResourceKind.allCases {
            defs.append(.init(kind.rawValue, kindSchema(KindDefinition.of(kind))))
        }
        return .object(sorting: [
            .init("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            .init("$id", .string(id)),
            .init("title", .string("Tidemark manifest")),
            .init("oneOf", .list(ResourceKind.allCases.map { .object([.init("$ref", .string("#/$defs/\($0.rawValue)"))]) })),
            .init("$defs", .object(sorting: defs)),
        ])
    }

    static func kindSchema(_ d: KindDefinition) -> Value {
        let name: Value = .object(sorting: [
            .init("type", .string("string")),
            .init("pattern", .string(d.nameRule.pattern)),
            .init("maxLength", .int(Int64(d.nameRule.maxLength))),
        ])
        let stringMap: Value = .object(sorting: [.init("type", .string("object")), .init("additionalProperties", .object([.init("type", .string("string"))]))])
        return .object(sorting: [
            .init("type", .string("object")),
            .init("description", .string(d.summary)),
            .init("required", .list(["apiVersion", "kind", "metadata", "spec"].map(Value.string))),
            .init("additionalProperties", .bool(false)),
            .init("properties", .object(sorting: [
                .init("apiVersion", .object([.init("const", .string(ManifestDecoder.apiVersion))])),
                .init("kind", .object([.init("const", .string(d.kind.rawValue))])),
                .init("metadata", .object(sorting: [
                    .init("type", .string("object")),
                    .init("required", .list([.string("name")])),
                    .init("additionalProperties", .bool(false)),
                    .init("properties", .object(sorting: [.init("name", name), .init("labels", stringMap), .init("annotations", stringMap)])),
                ])),
                .init("spec", shape(.object(d.spec))),
            ])),
        ])
    }

    static func shape(_ s: Shape, summary: String = "") -> Value {
        var m: [Value.Member] = []
        if !summary.isEmpty { m.append(.init("description", .string(summary))) }
        switch s {
        case .string(let rule):
            m.append(.init("type", .string("string")))
            m += stringKeywords(rule)
        case let .integer(min, max):
            m.append(.init("type", .string("integer")))
            if let min { m.append(.init("minimum", .int(min))) }
            if let max { m.append(.init("maximum", .int(max))) }
        case let .number(min, max):
            m.append(.init("type", .string("number")))
            if let min { m.append(.init("minimum", .double(min))) }
            if let max { m.append(.init("maximum", .double(max))) }
        case .boolean:
            m.append(.init("type", .string("boolean")))
        case .list(let list):
            m.append(.init("type", .string("array")))
            m.append(.init("items", shape(list.element)))
            if let min = list.minCount { m.append(.init("minItems", .int(Int64(min)))) }
            if let max = list.maxCount { m.append(.init("maxItems", .int(Int64(max)))) }
        case .map(let map):
            m.append(.init("type", .string("object")))
            m.append(.init("additionalProperties", shape(map.value)))
            let keys = stringKeywords(map.key)
            if !keys.isEmpty { m.append(.init("propertyNames", .object(sorting: keys))) }
            if let min = map.minEntries { m.append(.init("minProperties", .int(Int64(min)))) }
            if let max = map.maxEntries { m.append(.init("maxProperties", .int(Int64(max)))) }
        case .document(let json):
            if json { m.append(.init("type", .list([.string("object"), .string("string")]))) }
        case .object(let object):
            m.append(.init("type", .string("object")))
            m.append(.init("additionalProperties", .bool(false)))
            var props: [Value.Member] = []
            for f in object.fields {
                var fieldSchema = shape(f.shape, summary: f.summary)
                if let d = f.defaultValue { fieldSchema = fieldSchema.setting("default", d) }
                props.append(.init(f.name, fieldSchema))
                for alias in f.aliases { props.append(.init(alias, fieldSchema)) }
            }
            m.append(.init("properties", .object(sorting: props)))
            // A required field with another spelling (ACK's `type_`) is required in one of them.
            let required = object.fields.filter { $0.required && $0.aliases.isEmpty }.map { Value.string($0.name) }
            if !required.isEmpty { m.append(.init("required", .list(required))) }
            let spelled = object.fields.filter { $0.required && !$0.aliases.isEmpty }.map { [$0.name] + $0.aliases }
            let groups = object.exactlyOneOf + spelled
            if !groups.isEmpty {
                m.append(.init("allOf", .list(groups.map { group in
                    .object([.init("oneOf", .list(group.map { .object([.init("required", .list([.string($0)]))]) }))])
                })))
            }
        }
        return .object(sorting: m)
    }

    /// The keywords of a string rule. Patterns are botocore's (Java syntax), anchored; editors
    /// treat `\p{..}` and look-arounds as ECMAScript does, which accepts these patterns.
    static func stringKeywords(_ rule: StringRule) -> [Value.Member] {
        var m: [Value.Member] = []
        if let allowed = rule.allowed { m.append(.init("enum", .list(allowed.values.map(Value.string)))) }
        if let name = rule.name {
            m.append(.init("pattern", .string(name.pattern)))
        } else if let pattern = rule.pattern?.schemaPattern {
            m.append(.init("pattern", .string(pattern)))
        }
        if rule.minLength > 0 { m.append(.init("minLength", .int(Int64(rule.minLength)))) }
        if let max = rule.maxLength ?? rule.name?.maxLength { m.append(.init("maxLength", .int(Int64(max)))) }
        return m
    }
}
