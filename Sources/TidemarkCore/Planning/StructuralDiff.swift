/// Compares two normalized specs by structure, guided by the kind's shape: key order and
/// list order of keyed lists do not matter, and each difference knows whether it can be
/// made in place.
enum StructuralDiff {
    static func compare(_ before: Value, _ after: Value, spec: ObjectShape) -> [FieldDiff] {
        var out: [FieldDiff] = []
        walk(before, after, .object(spec), path: "", mutability: .immutable, into: &out)
        return out
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func walk(_ a: Value?, _ b: Value?, _ shape: Shape?, path: String, mutability: Mutability, into out: inout [FieldDiff]) {
        if a == b { return }
        guard let a, let b else {
            out.append(FieldDiff(path: path, before: a, after: b, forcesReplacement: mutability == .immutable))
            return
        }
        switch (shape, a, b) {
        case (.object(let object)?, .object(let am), .object(let bm)):
            mergeMembers(am, bm) { key, x, y in
                let field = object.field(named: key)
                let m = mutability == .immutable ? (field?.mutability ?? .immutable) : mutability
                walk(x, y, field?.shape, path: join(path, key), mutability: m, into: &out)
            }
        case (.map(let map)?, .object(let am), .object(let bm)):
            mergeMembers(am, bm) { key, x, y in
                walk(x, y, map.value, path: join(path, key), mutability: mutability, into: &out)
            }
        case (.list(let list)?, .list(let ai), .list(let bi)):
            if let key = list.key {
                keyed(ai, bi, key: key, element: list.element, path: path, mutability: mutability, into: &out)
            } else {
                indexed(ai, bi, element: list.element, path: path, mutability: mutability, into: &out)
            }
        case (.document?, _, _), (nil, _, _):
            document(a, b, path: path, mutability: mutability, into: &out)
        default:
            out.append(FieldDiff(path: path, before: a, after: b, forcesReplacement: mutability == .immutable))
        }
    }

    static func mergeMembers(_ a: [Value.Member], _ b: [Value.Member], _ body: (String, Value?, Value?) -> Void) {
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].key < b[j].key) {
                body(a[i].key, a[i].value, nil); i += 1
            } else if i == a.count || b[j].key < a[i].key {
                body(b[j].key, nil, b[j].value); j += 1
            } else {
                body(a[i].key, a[i].value, b[j].value); i += 1; j += 1
            }
        }
    }

    static func keyed(_ a: [Value], _ b: [Value], key: String, element: Shape, path: String,
                      mutability: Mutability, into out: inout [FieldDiff]) {
        func index(_ items: [Value]) -> [(String, Value)] {
            items.map { ($0[key]?.stringValue ?? $0.canonicalJSON, $0) }.sorted { $0.0 < $1.0 }
        }
        let am = index(a).map { Value.Member($0.0, $0.1) }
        let bm = index(b).map { Value.Member($0.0, $0.1) }
        mergeMembers(am, bm) { name, x, y in
            let label = "\(path)[\(name)]"
            switch mutability {
            case .appendOnly:
                // Additions are in place; removing or changing an entry is not.
                if x == nil {
                    out.append(FieldDiff(path: label, before: nil, after: y, forcesReplacement: false))
                } else {
                    walk(x, y, element, path: label, mutability: .immutable, into: &out)
                }
            default:
                walk(x, y, element, path: label, mutability: mutability, into: &out)
            }
        }
    }

    static func indexed(_ a: [Value], _ b: [Value], element: Shape?, path: String, mutability: Mutability, into out: inout [FieldDiff]) {
        guard a.count == b.count else {
            out.append(FieldDiff(path: path, before: .list(a), after: .list(b), forcesReplacement: mutability == .immutable))
            return
        }
        for i in a.indices { walk(a[i], b[i], element, path: "\(path)[\(i)]", mutability: mutability, into: &out) }
    }

    /// Free-form data: objects by key; lists of `Name`d objects by name; other lists by index.
    static func document(_ a: Value, _ b: Value, path: String, mutability: Mutability, into out: inout [FieldDiff]) {
        switch (a, b) {
        case (.object(let am), .object(let bm)):
            mergeMembers(am, bm) { key, x, y in
                walk(x, y, nil, path: join(path, key), mutability: mutability, into: &out)
            }
        case (.list(let ai), .list(let bi)):
            let named = (ai + bi).allSatisfy { $0["Name"]?.stringValue != nil }
            if named, !(ai.isEmpty && bi.isEmpty) {
                keyed(ai, bi, key: "Name", element: .document(acceptsJSONString: false), path: path, mutability: mutability, into: &out)
            } else {
                indexed(ai, bi, element: nil, path: path, mutability: mutability, into: &out)
            }
        default:
            out.append(FieldDiff(path: path, before: a, after: b, forcesReplacement: mutability == .immutable))
        }
    }
}
