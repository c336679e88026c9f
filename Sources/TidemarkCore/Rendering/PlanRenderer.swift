/// Renders a `Plan` as text (for terminals), Markdown (for a pull-request comment) or JSON
/// (for machines). All three read the same value, so they cannot disagree.
public enum PlanRenderer {
    public static let formatVersion = "1"
    /// GitHub rejects comments over 65,536 characters; parts stay under this.
    public static let markdownPartLimit = 65_000

    // MARK: JSON

    public static func json(_ plan: Plan) -> String {
        func side(_ s: PlanSide?) -> Value {
            guard let s else { return .null }
            return .object(sorting: [.init("revision", .string(s.revision)), .init("commit", s.commit.map(Value.string) ?? .null)])
        }
        let changes: [Value] = plan.changes.map(changeValue)
        let doc = Value.object(sorting: [
            .init("formatVersion", .string(formatVersion)),
            .init("source", .object(sorting: [.init("path", .string(plan.path)), .init("base", side(plan.base)), .init("head", side(plan.head))])),
            .init("summary", summaryValue(plan)),
            .init("changes", .list(changes)),
            .init("warnings", .list(plan.warnings.map(DiagnosticRenderer.value))),
            .init("errors", .list(plan.errors.map(DiagnosticRenderer.value))),
        ])
        return doc.prettyJSON + "\n"
    }

    /// One change as it appears in the JSON plan (and in the plan's digest).
    public static func changeValue(_ c: Change) -> Value {
        var members: [Value.Member] = [
            .init("resource", .string(c.id.description)),
            .init("kind", .string(c.id.kind.rawValue)),
            .init("name", .string(c.id.name)),
            .init("action", .string(c.action.rawValue)),
            .init("destructive", .bool(c.destructive)),
            .init("reason", .string(c.reason)),
            .init("diff", .list(c.diff.map { d in
                .object(sorting: [
                    .init("path", .string(d.path)),
                    .init("before", d.before ?? .null),
                    .init("after", d.after ?? .null),
                    .init("forcesReplacement", .bool(d.forcesReplacement)),
                ])
            })),
        ]
        if c.retain { members.append(.init("retain", .bool(true))) }
        if let p = c.physicalName { members.append(.init("physicalName", .string(p))) }
        if let p = c.previousPhysicalName { members.append(.init("previousPhysicalName", .string(p))) }
        if let l = c.location { members.append(.init("source", .object(sorting: [.init("file", .string(l.file)), .init("line", .int(Int64(l.line)))]))) }
        return .object(sorting: members)
    }

    static func summaryValue(_ plan: Plan) -> Value {
        .object(sorting: Action.allCases.map { .init($0.rawValue, .int(Int64(plan.count($0)))) } + [
            .init("destructive", .int(Int64(plan.destructiveCount))),
            .init("unchanged", .int(Int64(plan.unchanged))),
        ])
    }

    // MARK: Text

    public static func summaryLine(_ plan: Plan) -> String {
        if plan.isEmpty { return "No changes. \(plan.unchanged) resource\(plan.unchanged == 1 ? "" : "s") up to date." }
        var line = "Plan: \(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.replace)) to replace, \(plan.count(.delete)) to delete"
        if plan.destructiveCount > 0 { line += " (\(plan.destructiveCount) destructive)" }
        return line + "; \(plan.unchanged) unchanged."
    }

    static func describe(_ side: PlanSide) -> String {
        guard let commit = side.commit else { return side.revision }
        let short = String(commit.prefix(7))
        return side.revision == commit || side.revision == short ? short : "\(side.revision) (\(short))"
    }

    public static func title(_ plan: Plan) -> String {
        var t = "\(plan.path) at \(describe(plan.head))"
        if let base = plan.base { t += " against \(describe(base))" }
        return t
    }

    /// Shortens a value for one line of a terminal (display only).
    static func clip(_ v: Value?, _ limit: Int = 120) -> String {
        guard let v else { return "(none)" }
        let s = v.inline
        return s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }

    /// Shortens both sides of a change around where they first differ, so two long values
    /// that differ near the end (an `s3://…/2026-09/model.tar.gz` path) never read the same.
    static func clipPair(_ before: Value?, _ after: Value?, _ limit: Int = 60) -> (String, String) {
        guard let before, let after else { return (clip(before, limit), clip(after, limit)) }
        let a = Array(before.inline), b = Array(after.inline)
        if a.count <= limit && b.count <= limit { return (String(a), String(b)) }
        var common = 0
        while common < min(a.count, b.count), a[common] == b[common] { common += 1 }
        // Some context before the first difference, then as much as fits.
        let start = common > 16 ? common - 12 : 0
        func window(_ s: [Character]) -> String {
            var text = start > 0 ? "…" + String(s[min(start, s.count)...]) : String(s)
            if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
            return text
        }
        return (window(a), window(b))
    }

    public static func text(_ plan: Plan, color: Bool) -> String {
        text(plan, color: color, limit: .max).text
    }

    /// The text plan, its changes stopping once the text passes `limit` bytes (the summary
    /// line still closes it), and how many changes were left out.
    public static func text(_ plan: Plan, color: Bool, limit: Int) -> (text: String, omitted: Int) {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        func actionColor(_ a: Action) -> String {
            switch a {
            case .create: return "32"
            case .update: return "33"
            case .replace: return "35"
            case .delete: return "31"
            }
        }
        var out = "Tidemark plan: \(title(plan))\n"
        for e in plan.errors { out += paint("error: ", "1;31") + "\(e.location.map { "\($0): " } ?? "")\(e.message) [\(e.code)]\n" }
        for w in plan.warnings { out += paint("warning: ", "1;33") + "\(w.location.map { "\($0): " } ?? "")\(w.message) [\(w.code)]\n" }
        var omitted = 0
        for (i, c) in plan.changes.enumerated() {
            if out.utf8.count > limit {
                omitted = plan.changes.count - i
                out += "\n  … and \(omitted) more change\(omitted == 1 ? "" : "s")\n"
                break
            }
            out += "\n  " + paint(c.action.symbol, "1;" + actionColor(c.action)) + " " + paint(c.id.description, "1")
            if let old = c.previousPhysicalName, let new = c.physicalName { out += "  \(old) → \(new)" }
            if c.destructive { out += "  " + paint("DESTRUCTIVE", "1;31") }
            if let l = c.location { out += paint("  (\(l.file):\(l.line))", "2") }
            out += "\n      \(c.reason)\n"
            let shown = c.diff.prefix(40)
            for d in shown {
                switch (d.before, d.after) {
                case (nil, _): out += "      " + paint("+", "32") + " \(d.path): \(clip(d.after))"
                case (_, nil): out += "      " + paint("-", "31") + " \(d.path): \(clip(d.before))"
                default:
                    let (before, after) = clipPair(d.before, d.after)
                    out += "      " + paint("~", "33") + " \(d.path): \(before) → \(after)"
                }
                if d.forcesReplacement, c.action == .replace { out += paint("  # forces replacement", "35") }
                out += "\n"
            }
            if c.diff.count > shown.count { out += "      … and \(c.diff.count - shown.count) more fields\n" }
        }
        out += "\n" + paint(summaryLine(plan), "1") + "\n"
        if plan.count(.delete) > 0 { out += "Deletes happen only with `tidemark apply --prune`, and never to retained resources.\n" }
        return (out, omitted)
    }

    // MARK: Markdown

    static func cell(_ s: String) -> String {
        s.replacingAll("|", "\\|").replacingAll("\n", " ")
    }

    static func diffLines(_ c: Change) -> String {
        var lines: [String] = []
        for d in c.diff {
            let note = d.forcesReplacement && c.action == .replace ? "  # forces replacement" : ""
            if let b = d.before { lines.append("- \(d.path): \(b.inline)\(d.after == nil ? note : "")") }
            if let a = d.after { lines.append("+ \(d.path): \(a.inline)\(note)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The plan as one or more Markdown parts, each under `limit` characters.
    public static func markdown(_ plan: Plan, limit: Int = markdownPartLimit) -> [String] {
        var header = "### Tidemark plan · `\(plan.path)` at `\(plan.head.commit.map { String($0.prefix(7)) } ?? plan.head.revision)`"
        if let base = plan.base { header += " vs `\(base.commit.map { String($0.prefix(7)) } ?? base.revision)`" }
        header += "\n\n**\(summaryLine(plan))**\n"
        for e in plan.errors { header += "\n> ⛔ \(e.location.map { "`\($0)` " } ?? "")\(cell(e.message))" }
        for w in plan.warnings { header += "\n> ⚠️ \(w.location.map { "`\($0)` " } ?? "")\(cell(w.message))" }
        if !plan.warnings.isEmpty || !plan.errors.isEmpty { header += "\n" }
        guard !plan.isEmpty else { return [header] }

        let tableHead = "\n| | Resource | Action | Why |\n|---|---|---|---|\n"
        var blocks: [(text: String, inTable: Bool)] = []
        for c in plan.changes {
            let action = c.action.rawValue + (c.destructive ? ", **destructive**" : "") + (c.retain ? " (retain)" : "")
            let marker = c.destructive ? "⚠️ `\(c.action.symbol)`" : "`\(c.action.symbol)`"
            blocks.append(("| \(marker) | `\(c.id)` | \(action) | \(cell(c.reason)) |\n", true))
        }
        for c in plan.changes where !c.diff.isEmpty {
            var body = diffLines(c)
            let budget = limit - 400
            if body.count > budget { body = String(body.prefix(budget)) + "\n… (diff cut here; see the JSON plan for all of it)" }
            var summary = "<code>\(c.action.symbol) \(c.id)</code>"
            if let old = c.previousPhysicalName, let new = c.physicalName { summary += " <code>\(old)</code> → <code>\(new)</code>" }
            blocks.append(("\n<details><summary>\(summary)</summary>\n\n````diff\n\(body)\n````\n\n</details>\n", false))
        }
        var parts: [String] = []
        var current = header
        var inTable = false
        for block in blocks {
            let opening = block.inTable && !inTable ? tableHead : ""
            if current.count + opening.count + block.text.count > limit, current.count > 0 {
                parts.append(current)
                current = ""
                inTable = false
            }
            if block.inTable && !inTable { current += tableHead }
            inTable = block.inTable
            current += block.text
        }
        parts.append(current)
        guard parts.count > 1 else { return parts }
        return parts.enumerated().map { i, text in
            i == 0 ? text + "\n_Part 1 of \(parts.count)._\n" : "### Tidemark plan (part \(i + 1) of \(parts.count))\n" + text
        }
    }
}
