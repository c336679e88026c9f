/// Diagnostics as text (`file:line:col: error: message [code]`), GitHub workflow commands,
/// or JSON.
public enum DiagnosticRenderer {
    public static func text(_ diagnostics: [Diagnostic], color: Bool = false) -> String {
        diagnostics.map { d in
            guard color else { return d.description }
            let place = d.location.map { "\u{1B}[1m\($0):\u{1B}[0m " } ?? ""
            let label = d.severity == .error ? "\u{1B}[1;31merror:\u{1B}[0m" : "\u{1B}[1;33mwarning:\u{1B}[0m"
            return "\(place)\(label) \(d.message) \u{1B}[2m[\(d.code)]\u{1B}[0m"
        }.joined(separator: "\n") + (diagnostics.isEmpty ? "" : "\n")
    }

    /// `::error file=…,line=…,col=…,title=…::message`, escaped as GitHub's runner expects.
    public static func github(_ diagnostics: [Diagnostic]) -> String {
        func data(_ s: String) -> String {
            s.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
        }
        func property(_ s: String) -> String { data(s).replacingAll(":", "%3A").replacingAll(",", "%2C") }
        return diagnostics.map { d in
            var props: [String] = []
            if let l = d.location {
                props += ["file=\(property(l.file))", "line=\(l.line)", "col=\(l.column)"]
            }
            props.append("title=\(property("tidemark \(d.code)"))")
            return "::\(d.severity.rawValue) \(props.joined(separator: ","))::\(data(d.message))"
        }.joined(separator: "\n") + (diagnostics.isEmpty ? "" : "\n")
    }

    public static func value(_ d: Diagnostic) -> Value {
        var members: [Value.Member] = [
            .init("severity", .string(d.severity.rawValue)),
            .init("code", .string(d.code)),
            .init("message", .string(d.message)),
        ]
        if let l = d.location {
            members += [.init("file", .string(l.file)), .init("line", .int(Int64(l.line))), .init("column", .int(Int64(l.column)))]
        }
        return .object(sorting: members)
    }

    public static func json(_ diagnostics: [Diagnostic], files: Int, resources: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let doc = Value.object(sorting: [
            .init("formatVersion", .string("1")),
            .init("valid", .bool(errors == 0)),
            .init("files", .int(Int64(files))),
            .init("resources", .int(Int64(resources))),
            .init("errors", .int(Int64(errors))),
            .init("warnings", .int(Int64(diagnostics.count - errors))),
            .init("diagnostics", .list(diagnostics.map(value))),
        ])
        return doc.prettyJSON + "\n"
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let r = rest.range(of: separator) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        guard let first = needle.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(needle) {
                return i..<index(i, offsetBy: needle.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
