/// A `metadata.name` reference found in a spec, with where it was written.
public struct Reference: Hashable, Sendable {
    public var kind: ResourceKind
    public var name: String
    public var location: SourceLocation
    /// The field path it was found at, e.g. `spec.productionVariants[primary].modelName`.
    public var path: String
}

/// Checks a YAML node against a `Shape` and produces the normalized `Value`: defaults filled,
/// aliases (`type_`) folded, keyed lists sorted, JSON strings parsed. Every problem becomes
/// a diagnostic at the node's position; checking continues past errors so a run reports all.
public struct ShapeChecker {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var references: [Reference] = []
    /// Documents parsed from JSON strings, by path, with positions in the file.
    public private(set) var embedded: [String: YAMLNode] = [:]
    let limits: YAMLLimits
    /// The file's bytes, to place positions inside JSON strings exactly.
    let source: [UInt8]?
    /// This thread's values that already matched a pattern.
    let memo: PatternMemo?
    /// The path of the value being checked, e.g. `spec.productionVariants[primary]`, as
    /// bytes that grow and shrink with the walk: rendered only for a diagnostic or a reference.
    private var trail: [UInt8] = []
    private var path: String { String(decoding: trail, as: UTF8.self) }

    public init(file: String, limits: YAMLLimits = YAMLLimits(), source: [UInt8]? = nil, memo: PatternMemo? = nil) {
        self.file = file
        self.limits = limits
        self.source = source
        self.memo = memo
    }

    func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, mark) }

    mutating func error(_ code: String, _ message: String, _ mark: Mark) {
        diagnostics.append(.error(code, message, at: at(mark)))
    }

    mutating func warning(_ code: String, _ message: String, _ mark: Mark) {
        diagnostics.append(.warning(code, message, at: at(mark)))
    }

    /// Checks `node` against `shape`; nil when it does not conform (a diagnostic says why).
    public mutating func check(_ node: YAMLNode, _ shape: Shape, path: String) -> Value? {
        trail.removeAll(keepingCapacity: true)
        trail.reserveCapacity(256)  // room for deep paths: growing it copied the path each time
        trail.append(contentsOf: path.utf8)
        return check(node, shape)
    }

    /// Runs `body` with a field (`.name`) or an element (`[key]`) added to the path.
    private mutating func within<T>(field name: String? = nil, element: String? = nil, _ body: (inout ShapeChecker) -> T) -> T {
        let end = trail.count
        if let name {
            trail.append(0x2E)  // .
            trail.append(contentsOf: name.utf8)
        }
        if let element {
            trail.append(0x5B)  // [
            trail.append(contentsOf: element.utf8)
            trail.append(0x5D)
        }
        defer { trail.removeSubrange(end...) }
        return body(&self)
    }

    mutating func check(_ node: YAMLNode, _ shape: Shape) -> Value? {
        switch shape {
        case .string(let rule): return checkString(node, rule)
        case let .integer(min, max):
            guard let v = node.int else { return mismatch(node, shape) }
            if let min, v < min { error("out-of-range", "\(path) must be at least \(min), found \(v)", node.mark) }
            if let max, v > max { error("out-of-range", "\(path) must be at most \(max), found \(v)", node.mark) }
            return .int(v)
        case let .number(min, max):
            guard let v = node.number, v.isFinite else { return mismatch(node, shape) }
            if let min, v < min { error("out-of-range", "\(path) must be at least \(Self.show(min)), found \(Self.show(v))", node.mark) }
            if let max, v > max { error("out-of-range", "\(path) must be at most \(Self.show(max)), found \(Self.show(v))", node.mark) }
            return .double(v)
        case .boolean:
            guard let b = node.bool else { return mismatch(node, shape) }
            return .bool(b)
        case .list(let list): return checkList(node, list)
        case .object(let object): return checkObject(node, object)
        case .map(let map):
            guard let entries = node.entries else { return mismatch(node, shape) }
            if let min = map.minEntries, entries.count < min {
                error("too-few", min == 1 ? "\(path) must have at least one entry" : "\(path) must have at least \(min) entries", node.mark)
            }
            if let max = map.maxEntries, entries.count > max {
                error("too-many", "\(path) has \(entries.count) entries; at most \(max) are allowed", node.mark)
            }
            var members: [Value.Member] = []
            members.reserveCapacity(entries.count)
            for e in entries {
                checkText(e.key, map.key, key: e.key, mark: e.keyMark)
                if let v = within(field: e.key, { $0.check(e.value, map.value) }) { members.append(.init(e.key, v)) }
            }
            return .object(sorting: members)
        case .document(let acceptsJSON):
            if acceptsJSON, let text = node.string {
                guard let parsed = parseEmbedded(text, in: node) else { return nil }
                embedded[path] = parsed
                return Self.documentValue(parsed)
            }
            if acceptsJSON, node.entries == nil {
                return mismatch(node, shape)
            }
            return Self.documentValue(node)
        }
    }

    static func show(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    mutating func mismatch(_ node: YAMLNode, _ shape: Shape) -> Value? {
        var message = "\(path) must be \(shape.expectation), found \(node.typeName)"
        if let s = node.scalar {
            switch (shape, s.value) {
            case (.integer, .string), (.number, .string), (.boolean, .string):
                if s.style != .plain, CoreSchema.resolvePlain(s.text) != .string(s.text) {
                    message += " \(JSONText.quote(s.text)); remove the quotes"
                } else {
                    message += " \(JSONText.quote(s.text))"
                }
            case (.string, .int), (.string, .double), (.string, .bool), (.string, .null):
                message += " '\(s.text)'; quote it to make it a string: \"\(s.text)\""
            default: break
            }
        }
        error("wrong-type", message, node.mark)
        return nil
    }

    mutating func checkString(_ node: YAMLNode, _ rule: StringRule) -> Value? {
        guard let s = node.string else { return mismatch(node, .string(rule)) }
        checkText(s, rule, mark: node.mark)
        return .string(s)
    }

    /// The service's string constraints, in its terms: lengths in UTF-16 code units, enums as
    /// sets, patterns against the whole value. One diagnostic per value, the most telling.
    /// `key` names the map key being checked, when it is one.
    mutating func checkText(_ s: String, _ rule: StringRule, key: String? = nil, mark: Mark) {
        var path: String { key.map { "\(self.path) key '\($0)'" } ?? self.path }
        if let allowed = rule.allowed {
            if !allowed.contains(s) {
                var message = allowed.explain(rejecting: Self.clip(s), at: path)
                if let guess = Suggestion.closest(to: s, in: allowed.values) { message += "; did you mean '\(guess)'?" }
                error("invalid-value", message, mark)
            }
            return
        }
        if let name = rule.name {
            if !name.accepts(s) {
                error("invalid-name", "\(path) '\(Self.clip(s))' is not a valid name: \(name.explanation)", mark)
            }
            return
        }
        let length = s.utf16.count
        if length < rule.minLength {
            error("out-of-range", rule.minLength == 1 ? "\(path) must not be empty" : "\(path) must have at least \(rule.minLength) characters", mark)
            return
        }
        if let max = rule.maxLength, length > max {
            error("out-of-range", "\(path) has \(length) characters; at most \(max) are allowed", mark)
            return
        }
        if let pattern = rule.pattern, !(memo?.matches(pattern, s) ?? pattern.matches(s)) {
            if case .name(let name, _) = pattern.matcher {
                error("invalid-name", "\(path) '\(Self.clip(s))' is not a valid name: \(name.explanation)", mark)
            } else {
                error("invalid-format", "\(path) '\(Self.clip(s))' is not \(pattern.explanation)", mark)
            }
        }
    }

    /// A value short enough to quote in a message.
    static func clip(_ s: String) -> String {
        let oneLine = s.replacingOccurrences(of: "\n", with: "\\n")
        return oneLine.count <= 80 ? oneLine : String(oneLine.prefix(77)) + "..."
    }

    mutating func checkList(_ node: YAMLNode, _ list: ListShape) -> Value? {
        guard let items = node.items else { return mismatch(node, .list(list)) }
        if let min = list.minCount, items.count < min {
            error("too-few", min == 1 ? "\(path) must have at least one entry" : "\(path) must have at least \(min) entries", node.mark)
        }
        if let max = list.maxCount, items.count > max {
            error("too-many", "\(path) has \(items.count) entries; at most \(max) are allowed", node.mark)
        }
        var values: [Value] = []
        values.reserveCapacity(items.count)
        var seen: [String: Mark] = [:]
        for (i, item) in items.enumerated() {
            var label = String(i)
            if let key = list.key, let k = item[key]?.string {
                label = k
                if let first = seen[k] {
                    error("duplicate-entry", "\(path) has two entries with \(key) '\(k)' (the first at line \(first.line))", item.mark)
                }
                seen[k] = item.mark
            }
            if let v = within(element: label, { $0.check(item, list.element) }) { values.append(v) }
        }
        if let key = list.key, values.count > 1 {
            // Each entry's key is read once (not twice per comparison), and entries already in
            // order are left as they are.
            let keys = values.map { $0[key]?.stringValue ?? "" }
            if !zip(keys, keys.dropFirst()).allSatisfy({ $0 <= $1 }) {
                values = zip(keys, values).sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
        return .list(values)
    }

    mutating func checkObject(_ node: YAMLNode, _ object: ObjectShape) -> Value? {
        guard let entries = node.entries else { return mismatch(node, .object(object)) }
        var members: [Value.Member] = []
        // Sized to what can arrive (the value keeps this array, so not to every field the shape has).
        members.reserveCapacity(entries.count + object.requiredOrDefaulted.count)
        var given = GivenFields(capacity: entries.count)
        for e in entries {
            guard let position = object.position(of: e.key) else {
                var message = "unknown field '\(e.key)' in \(path)"
                let names = object.fields.map(\.name)
                if let guess = Suggestion.closest(to: e.key, in: names) {
                    message += ", did you mean '\(guess)'?"
                } else if e.key == "<<" {
                    message += "; YAML merge keys are not part of YAML 1.2, write the fields out"
                }
                error("unknown-field", message, e.keyMark)
                continue
            }
            // Read through the array: copying a `Field` out would retain each of its members.
            let name = object.fields[position].name
            if let other = given[name] {
                error("duplicate-key", "'\(e.key)' repeats '\(name)' given at line \(other.line)", e.keyMark)
                continue
            }
            given.add(name, e.keyMark)
            if e.value.isNull, !object.fields[position].required {
                continue  // an explicit null means "not set"
            }
            let reference = object.fields[position].reference
            let checked = within(field: name) { checker -> (Value, String?)? in
                guard let v = checker.check(e.value, object.fields[position].shape) else { return nil }
                let isReference = reference != nil && v.stringValue.map { !$0.hasPrefix("arn:") } == true
                return (v, isReference ? checker.path : nil)
            }
            guard let (v, referencePath) = checked else { continue }
            if let reference, let name = v.stringValue, let referencePath {
                references.append(Reference(kind: reference, name: name, location: at(e.value.mark), path: referencePath))
            }
            members.append(.init(name, v))
        }
        for i in object.requiredOrDefaulted.indices {
            let name = object.requiredOrDefaulted[i].name
            if members.contains(where: { $0.key == name }) { continue }
            if object.requiredOrDefaulted[i].required, given[name] == nil {
                error("missing-field", "\(path) is missing required field '\(name)'", node.mark)
            } else if let d = object.requiredOrDefaulted[i].defaultValue {
                members.append(.init(name, d))
            }
        }
        for group in object.exactlyOneOf {
            let present = group.filter { given[$0] != nil }
            if present.isEmpty {
                error("missing-field", "\(path) needs one of \(group.map { "'\($0)'" }.joined(separator: ", "))", node.mark)
            } else if present.count > 1 {
                error("conflicting-fields", "\(path) sets \(present.map { "'\($0)'" }.joined(separator: " and ")); use only one", given[present[1]] ?? node.mark)
            }
        }
        return .object(sorting: members)
    }

    /// Parses a JSON string held in a scalar, with positions mapped back into the file: through
    /// the scalar's own folding and escapes when the source is at hand, by line and column
    /// arithmetic otherwise.
    mutating func parseEmbedded(_ text: String, in node: YAMLNode) -> YAMLNode? {
        let scalar = node.scalar
        let exact = scalar.flatMap { s in source.flatMap { FlowScalarMap.marks(source: $0, start: node.mark, style: s.style, value: text) } }
        var lineStarts: [Int] = [0]
        if exact == nil {
            for (i, c) in text.unicodeScalars.enumerated() where c == "\n" { lineStarts.append(i + 1) }
        }
        func approximate(_ line: Int32, _ column: Int32) -> Mark {
            guard let scalar else { return node.mark }
            switch scalar.style {
            case .literal, .folded:
                return Mark(line: node.mark.line + line, column: scalar.contentColumn + column - 1)
            case .singleQuoted, .doubleQuoted:
                return line == 1 ? Mark(line: node.mark.line, column: node.mark.column + column) : Mark(line: node.mark.line + line - 1, column: column)
            case .plain:
                return line == 1 ? Mark(line: node.mark.line, column: node.mark.column + column - 1) : Mark(line: node.mark.line + line - 1, column: column)
            }
        }
        let position: (Int) -> Mark = { offset in
            if let exact {
                if offset < exact.count { return exact[offset] }
                guard let last = exact.last else { return node.mark }
                return Mark(line: last.line, column: last.column + 1)
            }
            var lo = 0, hi = lineStarts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            return approximate(Int32(clamping: lo + 1), Int32(clamping: offset - lineStarts[lo] + 1))
        }
        switch JSONReader.read(text, maxDepth: limits.maxDepth, position: position) {
        case .success(let doc):
            return doc
        case .failure(let failure):
            diagnostics.append(.error(failure.code, "in \(path): \(failure.message)", at: at(position(failure.offset))))
            return nil
        }
    }

    /// Free-form data as a canonical value: integral numbers are integers, lists of objects
    /// that each carry a unique `Name` are sorted by it (pipeline steps and parameters).
    public static func documentValue(_ node: YAMLNode) -> Value {
        switch node.content {
        case .scalar(let s):
            if case .double(let d) = s.value, d == d.rounded(), abs(d) < 9.0e15 { return .int(Int64(d)) }
            return Value.exact(node)
        case .sequence(let items):
            let values = items.map(documentValue)
            let names = values.compactMap { $0["Name"]?.stringValue }
            if names.count == values.count, !values.isEmpty, Set(names).count == names.count {
                return .list(values.sorted { ($0["Name"]?.stringValue ?? "") < ($1["Name"]?.stringValue ?? "") })
            }
            return .list(values)
        case .mapping(let entries):
            return .object(sorting: entries.map { .init($0.key, documentValue($0.value)) })
        }
    }
}

/// The fields an object has been given so far: a short list, scanned (objects are small).
struct GivenFields {
    private var names: [String] = []
    private var marks: [Mark] = []

    init(capacity: Int) {
        names.reserveCapacity(capacity)
        marks.reserveCapacity(capacity)
    }

    subscript(name: String) -> Mark? {
        names.firstIndex(of: name).map { marks[$0] }
    }

    mutating func add(_ name: String, _ mark: Mark) {
        names.append(name)
        marks.append(mark)
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = distance(lower, c.lowercased())
            if best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        guard let (name, d) = best else { return nil }
        let allowed = max(1, min(3, word.count / 3))
        return d <= allowed ? name : nil
    }

    /// Optimal string alignment distance (Levenshtein with adjacent transpositions).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if abs(a.count - b.count) > 3 { return abs(a.count - b.count) }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    cur[j] = min(cur[j], prev2[j - 2] + 1)
                }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
