/// Finds where a field of a resource's spec is written: `productionVariants[0].instanceType`
/// (an index) or `productionVariants[primary].instanceType` (an element's name) in the
/// manifest file that declares the resource. A service error that names a field is reported
/// there, the way validation errors are.
public enum FieldLocator {
    public static func locate(_ file: SourceFile, _ id: ResourceID, field path: String) -> SourceLocation? {
        let loaded = YAMLLoader.load(file.bytes, file: file.path)
        guard let document = loaded.documents.first(where: { $0["kind"]?.string == id.kind.rawValue && $0["metadata"]?["name"]?.string == id.name }),
              var node = document["spec"] else { return nil }
        for segment in segments(path) {
            guard let next = step(node, segment) else { break }
            node = next
        }
        return SourceLocation(file: file.path, node.mark)
    }

    enum Segment: Equatable {
        case key(String)
        case element(String)
    }

    static func segments(_ path: String) -> [Segment] {
        var out: [Segment] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let open = rest.firstIndex(of: "[") {
                if open > rest.startIndex { out.append(.key(String(rest[..<open]))) }
                rest = rest[open...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    out.append(.element(String(rest[rest.index(after: rest.startIndex)..<close])))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                out.append(.key(String(rest)))
            }
        }
        return out
    }

    static func step(_ node: YAMLNode, _ segment: Segment) -> YAMLNode? {
        switch segment {
        case .key(let key):
            return node[key]
        case .element(let selector):
            guard let items = node.items else { return node[selector] }
            if let i = Int(selector), items.indices.contains(i) { return items[i] }
            return items.first { item in (item.entries ?? []).contains { $0.value.string == selector } }
        }
    }
}
