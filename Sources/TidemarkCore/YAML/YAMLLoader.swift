import CYAML

/// Bounds that keep hostile input from exhausting time or memory. Every limit, when hit,
/// becomes a located diagnostic; parsing of that file stops there.
public struct YAMLLimits: Sendable {
    /// Largest file accepted, in bytes.
    public var maxFileBytes: Int = 8 << 20
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int = 128
    /// Nodes per file as built, each alias counted as the nodes it expands to (the
    /// billion-laughs bound). Nesting costs nothing extra: a node is counted once.
    public var maxNodes: Int = 2_000_000
    /// Alias uses per file.
    public var maxAliases: Int = 10_000

    public init() {}
}

/// Reads YAML text into `YAMLNode` trees with libyaml's event API: one pass, positions on
/// every node, YAML 1.2 core-schema scalars, duplicate keys rejected, aliases expanded
/// within bounds. No byte sequence crashes it.
public enum YAMLLoader {
    public struct Result: Sendable {
        public var documents: [YAMLNode]
        public var diagnostics: [Diagnostic]
    }

    public static func load(_ text: String, file: String, limits: YAMLLimits = YAMLLimits()) -> Result {
        load(Array(text.utf8), file: file, limits: limits)
    }

    public static func load(_ bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> Result {
        bytes.withUnsafeBufferPointer { load(UnsafeRawBufferPointer($0), file: file, limits: limits) }
    }

    public static func load(_ bytes: UnsafeRawBufferPointer, file: String, limits: YAMLLimits = YAMLLimits()) -> Result {
        if bytes.count > limits.maxFileBytes {
            return Result(documents: [], diagnostics: [.error(
                "yaml-too-large",
                "file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes) bytes",
                at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard bytes.count > 0, let base = bytes.baseAddress else { return Result(documents: [], diagnostics: []) }
        var builder = TreeBuilder(file: file, limits: limits, bytes: bytes)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return Result(documents: [], diagnostics: [.error("yaml-internal", "could not start the YAML parser", at: nil)])
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                builder.diagnostics.append(parserError(parser, file: file, bytes: bytes))
                break
            }
            let done = event.type == YAML_STREAM_END_EVENT
            let keepGoing = builder.handle(&event)
            yaml_event_delete(&event)
            if done || !keepGoing { break }
        }
        return Result(documents: builder.documents, diagnostics: builder.diagnostics)
    }

    private static func parserError(_ parser: UnsafeMutablePointer<yaml_parser_t>, file: String, bytes: UnsafeRawBufferPointer) -> Diagnostic {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "malformed YAML"
        if p.error == YAML_READER_ERROR {
            let offset = min(Int(p.problem_offset), bytes.count)
            let location = locate(offset: offset, in: bytes, file: file)
            var message = "invalid text: \(problem)"
            if p.problem_value != -1 { message += " (byte 0x\(String(UInt8(truncatingIfNeeded: p.problem_value), radix: 16)))" }
            if problem.contains("UTF-8") { message += "; manifests must be UTF-8" }
            return .error("yaml-encoding", message, at: location)
        }
        let mark = p.problem_mark
        let location = SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        var message = problem
        if let context = p.context.map({ String(cString: $0) }) { message += " \(context)" }
        let index = Int(mark.index)
        if index < bytes.count, bytes[index] == 0x09 {
            message += "; tabs cannot be used for indentation in YAML, use spaces"
        }
        return .error("yaml-syntax", message, at: location)
    }

    /// Line and column (in characters) of a byte offset, for errors libyaml reports by offset.
    static func locate(offset: Int, in bytes: UnsafeRawBufferPointer, file: String) -> SourceLocation {
        var line = 1
        var column = 1
        var i = 0
        while i < offset {
            let b = bytes[i]
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}

/// Builds node trees from parser events with an explicit stack (never recursion), so input
/// depth cannot reach the call stack.
private struct TreeBuilder {
    /// An open sequence or mapping. Frames are mutated in place on the stack, so appending a
    /// child never copies the children before it.
    struct Frame {
        var isMapping: Bool
        var items: [YAMLNode] = []
        var entries: [YAMLNode.Entry] = []
        var pendingKey: (String, Mark)?
        /// Keys seen, kept only once a mapping is large enough for scanning to cost.
        var seen: Set<String>?
        var mark: Mark
        var anchor: String?
        var startCount: Int
    }

    let file: String
    let limits: YAMLLimits
    let bytes: UnsafeRawBufferPointer
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var nodeCount = 0
    var aliasCount = 0
    var documents: [YAMLNode] = []
    var diagnostics: [Diagnostic] = []

    init(file: String, limits: YAMLLimits, bytes: UnsafeRawBufferPointer) {
        self.file = file
        self.limits = limits
        self.bytes = bytes
    }

    func location(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, mark) }

    static func mark(_ m: yaml_mark_t) -> Mark {
        Mark(line: Int32(clamping: m.line + 1), column: Int32(clamping: m.column + 1))
    }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let p else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
    }

    static func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    /// Handles one event; false means stop (a limit or an error was hit).
    mutating func handle(_ event: inout yaml_event_t) -> Bool {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            anchors.removeAll(keepingCapacity: true)
            return true
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = Self.string(s.value, length: s.length)
            let style: YAMLNode.Scalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            guard let value = resolve(text, style: style, tag: Self.cString(s.tag), at: mark) else { return false }
            var contentColumn: Int32 = 0
            if style == .literal || style == .folded { contentColumn = blockContentColumn(from: Int(event.start_mark.index)) }
            let node = YAMLNode(.scalar(.init(text: text, style: style, value: value, contentColumn: contentColumn)), at: mark)
            return complete(node, anchor: Self.cString(s.anchor), adding: 1, at: mark)
        case YAML_SEQUENCE_START_EVENT:
            guard checkTag(Self.cString(event.data.sequence_start.tag), allowed: "tag:yaml.org,2002:seq", at: mark),
                  checkDepth(at: mark) else { return false }
            stack.append(Frame(isMapping: false, mark: mark, anchor: Self.cString(event.data.sequence_start.anchor),
                               startCount: nodeCount))
            return true
        case YAML_MAPPING_START_EVENT:
            guard checkTag(Self.cString(event.data.mapping_start.tag), allowed: "tag:yaml.org,2002:map", at: mark),
                  checkDepth(at: mark) else { return false }
            stack.append(Frame(isMapping: true, mark: mark, anchor: Self.cString(event.data.mapping_start.anchor),
                               startCount: nodeCount))
            return true
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            // The children are counted already; the container adds itself.
            let node = YAMLNode(frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items), at: frame.mark)
            return complete(node, anchor: frame.anchor, adding: 1, since: frame.startCount, at: frame.mark)
        case YAML_ALIAS_EVENT:
            let name = Self.cString(event.data.alias.anchor) ?? ""
            aliasCount += 1
            if aliasCount > limits.maxAliases {
                diagnostics.append(.error("yaml-alias-limit",
                    "more than \(limits.maxAliases) aliases in one file; refusing to expand further", at: location(mark)))
                return false
            }
            guard let target = anchors[name] else {
                diagnostics.append(.error("yaml-alias", "alias '*\(name)' refers to no anchor defined before it", at: location(mark)))
                return false
            }
            var node = target.node
            node.mark = mark
            // An alias builds a copy of everything under its anchor.
            return complete(node, anchor: nil, adding: target.size, at: mark)
        default:
            return true
        }
    }

    mutating func checkDepth(at mark: Mark) -> Bool {
        if stack.count >= limits.maxDepth {
            diagnostics.append(.error("yaml-depth", "nesting deeper than \(limits.maxDepth) levels", at: location(mark)))
            return false
        }
        return true
    }

    mutating func checkTag(_ tag: String?, allowed: String, at mark: Mark) -> Bool {
        guard let tag, tag != allowed, tag != "!" else { return true }
        diagnostics.append(.error("yaml-tag", "unsupported tag '\(tag)'; manifests use plain YAML", at: location(mark)))
        return false
    }

    /// Applies the core schema to plain scalars and honours the standard `!!` tags.
    mutating func resolve(_ text: String, style: YAMLNode.Scalar.Style, tag: String?, at mark: Mark) -> ScalarValue? {
        guard let tag, tag != "!" else {
            return style == .plain ? CoreSchema.resolvePlain(text) : .string(text)
        }
        let resolved = CoreSchema.resolvePlain(text)
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:null": if case .null = resolved { return .null }
        case "tag:yaml.org,2002:bool": if case .bool = resolved { return resolved }
        case "tag:yaml.org,2002:int": if case .int = resolved { return resolved }
        case "tag:yaml.org,2002:float":
            if case .double = resolved { return resolved }
            if case .int(let v) = resolved { return .double(Double(v)) }
        default:
            diagnostics.append(.error("yaml-tag", "unsupported tag '\(tag)'; manifests use plain YAML", at: location(mark)))
            return nil
        }
        diagnostics.append(.error("yaml-tag", "'\(text)' is not a valid value for tag '\(tag)'", at: location(mark)))
        return nil
    }

    /// The column where a block scalar's content starts: the indentation of its first content line.
    func blockContentColumn(from index: Int) -> Int32 {
        var i = index
        while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        i += 1
        var spaces: Int32 = 0
        while i < bytes.count, bytes[i] == 0x20 { spaces += 1; i += 1 }
        return spaces + 1
    }

    /// Attaches a finished node to its parent (or makes it a document). `adding` is how many
    /// nodes it builds beyond those already counted since `start` (its children); an anchor
    /// remembers the node's whole size so that each alias of it counts that many again.
    mutating func complete(_ node: YAMLNode, anchor: String?, adding: Int, since start: Int? = nil, at mark: Mark) -> Bool {
        let before = nodeCount
        let (sum, overflow) = nodeCount.addingReportingOverflow(adding)
        nodeCount = overflow ? Int.max : sum
        if nodeCount > limits.maxNodes {
            diagnostics.append(aliasCount > 0
                ? .error("yaml-alias-limit", "document expands to more than \(limits.maxNodes) nodes through aliases; refusing to expand further", at: location(mark))
                : .error("yaml-node-limit", "document has more than \(limits.maxNodes) nodes", at: location(mark)))
            return false
        }
        if let anchor { anchors[anchor] = (node, nodeCount - (start ?? before)) }
        let top = stack.count - 1
        guard top >= 0 else {
            documents.append(node)
            return true
        }
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return true
        }
        if let (key, keyMark) = stack[top].pendingKey {
            stack[top].entries.append(.init(key: key, keyMark: keyMark, value: node))
            stack[top].pendingKey = nil
            return true
        }
        guard let scalar = node.scalar else {
            diagnostics.append(.error("yaml-key", "mapping keys must be scalars, not \(node.typeName)", at: location(node.mark)))
            return false
        }
        // Small mappings (nearly all) are checked by scanning; large ones keep a set.
        let duplicate = stack[top].seen?.contains(scalar.text) ?? stack[top].entries.contains { $0.key == scalar.text }
        if duplicate, let first = stack[top].entries.first(where: { $0.key == scalar.text }) {
            diagnostics.append(.error("yaml-duplicate-key",
                "duplicate key '\(scalar.text)' (first defined at line \(first.keyMark.line), column \(first.keyMark.column))",
                at: location(node.mark)))
            return false
        }
        if stack[top].seen != nil {
            stack[top].seen?.insert(scalar.text)
        } else if stack[top].entries.count >= 24 {
            stack[top].seen = Set(stack[top].entries.map(\.key) + [scalar.text])
        }
        stack[top].pendingKey = (scalar.text, node.mark)
        return true
    }
}
