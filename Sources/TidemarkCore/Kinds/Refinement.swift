/// What Tidemark adds by hand to a generated botocore input to make it a kind's spec: which
/// fields change in place (and through which Update* member), which name other resources,
/// the defaults the service assumes, the keys of lists, and the few shapes Tidemark reads
/// differently (a pipeline definition as structure). Paths are field names joined by dots;
/// a list or map is passed through to its elements.
public struct Refinement: Sendable {
    let path: String
    let edit: Edit

    enum Edit: Sendable {
        case mutability(Mutability, via: String?)
        case references(ResourceKind, String)
        case defaultValue(Value)
        case keyed(String)
        case shape(Shape)
        case required(Bool)
        case exactlyOneOf([String])
        case summary(String)
    }

    /// Changes in place through the Update* member `via` (the field's own member by default).
    public static func updatable(_ path: String, via: String? = nil) -> Refinement { .init(path: path, edit: .mutability(.updatable, via: via)) }
    public static func appendOnly(_ path: String, via: String) -> Refinement { .init(path: path, edit: .mutability(.appendOnly, via: via)) }
    public static func references(_ path: String, _ kind: ResourceKind, _ summary: String) -> Refinement { .init(path: path, edit: .references(kind, summary)) }
    public static func defaultValue(_ path: String, _ value: Value) -> Refinement { .init(path: path, edit: .defaultValue(value)) }
    public static func keyed(_ path: String, by key: String) -> Refinement { .init(path: path, edit: .keyed(key)) }
    public static func shape(_ path: String, _ shape: Shape) -> Refinement { .init(path: path, edit: .shape(shape)) }
    public static func required(_ path: String) -> Refinement { .init(path: path, edit: .required(true)) }
    public static func optional(_ path: String) -> Refinement { .init(path: path, edit: .required(false)) }
    /// On the object at `path` ("" for the spec itself).
    public static func exactlyOneOf(_ path: String, _ names: [String]) -> Refinement { .init(path: path, edit: .exactlyOneOf(names)) }
    public static func summary(_ path: String, _ text: String) -> Refinement { .init(path: path, edit: .summary(text)) }
}

extension ObjectShape {
    /// A kind's spec from a generated Create* input: client tokens dropped, the API's name
    /// field optional (`metadata.name` supplies it), tags keyed and changed in place with
    /// AddTags/DeleteTags, plus `updateOnly` members of the Update* input that a spec may set
    /// (applied by an update right after the create), then the kind's refinements. A
    /// refinement naming no field is a programming error, caught the first time the kind is
    /// used (every test run).
    static func spec(from input: ObjectShape, nameField: String?, updateOnly: [String] = [], of update: SageMakerOperation? = nil,
                     _ refinements: [Refinement]) -> ObjectShape {
        var fields = input.fields.filter { !$0.idempotencyToken }
        for name in updateOnly {
            guard var field = update?.input.field(named: name) else {
                preconditionFailure("updateOnly '\(name)' is not a member of \(update?.name ?? "an update operation")")
            }
            field.mutability = .updatable
            field.updateMember = field.wireName
            fields.append(field)
        }
        for i in fields.indices {
            if fields[i].name == nameField { fields[i].required = false }
            if fields[i].name == "tags" {
                fields[i].mutability = .updatable
                fields[i].updateMember = "Tags"
                fields[i].summary = "Tags, changed in place with AddTags/DeleteTags."
                if case .list(var list) = fields[i].shape {
                    list.key = "key"
                    fields[i].shape = .list(list)
                }
            }
        }
        var shape = input.with(fields: fields)
        for r in refinements {
            let segments = r.path.isEmpty ? [] : r.path.split(separator: ".").map(String.init)
            shape = shape.refining(segments[...], r)
        }
        return shape
    }

    func refining(_ segments: ArraySlice<String>, _ r: Refinement) -> ObjectShape {
        guard let first = segments.first else {
            guard case .exactlyOneOf(let names) = r.edit else {
                preconditionFailure("refinement of '\(r.path)' needs a field path")
            }
            for name in names where field(named: name) == nil {
                preconditionFailure("refinement exactlyOneOf at '\(r.path)' names '\(name)', which is not a field of \(wireName ?? "the spec")")
            }
            return with(exactlyOneOf: exactlyOneOf + [names])
        }
        guard let i = fields.firstIndex(where: { $0.name == first }) else {
            preconditionFailure("refinement path '\(r.path)': '\(first)' is not a field of \(wireName ?? "the spec")")
        }
        var out = fields
        if segments.count == 1, !r.isExactlyOneOf {
            out[i].refine(r)
        } else {
            out[i].shape = out[i].shape.refining(segments.dropFirst(), r)
        }
        return with(fields: out)
    }
}

extension Refinement {
    var isExactlyOneOf: Bool {
        if case .exactlyOneOf = edit { return true }
        return false
    }
}

extension Shape {
    func refining(_ segments: ArraySlice<String>, _ r: Refinement) -> Shape {
        switch self {
        case .object(let object): return .object(object.refining(segments, r))
        case .list(var list):
            list.element = list.element.refining(segments, r)
            return .list(list)
        case .map(var map):
            map.value = map.value.refining(segments, r)
            return .map(map)
        case .string, .integer, .number, .boolean, .document:
            preconditionFailure("refinement path '\(r.path)' goes below a field that has no fields")
        }
    }
}

extension Field {
    mutating func refine(_ r: Refinement) {
        switch r.edit {
        case let .mutability(m, via):
            mutability = m
            updateMember = via ?? wireName
        case let .references(kind, text):
            reference = kind
            summary = text
        case .defaultValue(let v): defaultValue = v
        case .keyed(let key):
            guard case .list(var list) = shape else { preconditionFailure("refinement keyed: '\(r.path)' is not a list") }
            list.key = key
            shape = .list(list)
        case .shape(let s): shape = s
        case .required(let yes): required = yes
        case .summary(let text): summary = text
        case .exactlyOneOf: preconditionFailure("unreachable: exactlyOneOf is applied to objects")
        }
    }
}
