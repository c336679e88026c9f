/// An AWS shared config or credentials file (`~/.aws/config`, `~/.aws/credentials`): INI
/// sections of `key = value`. In the config file a profile's section is `[profile NAME]`
/// (`[default]` for the default); in the credentials file it is `[NAME]`.
public struct SharedConfigFile: Sendable {
    public var sections: [String: [String: String]] = [:]

    public init(text: String, isConfig: Bool) {
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if isConfig, name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) }
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            // Indented lines continue a nested block (`s3 =` settings); they are not ours.
            guard let section = current, raw.first != " ", raw.first != "\t", let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
    }
}
