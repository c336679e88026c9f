import Foundation
import TidemarkCore
import TidemarkEngine

/// A resource's lineage as text (`tidemark trace`) and as JSON (`--format json`, the API).
public enum LineageRenderer {
    public static func text(_ l: Lineage) -> String {
        var s = "\(l.resource)  \(l.entry.physicalName)  \(l.live?.status ?? (l.live == nil ? "Missing" : "-"))\n"
        s += "  commit    \(l.origin.commit.prefix(7))\(l.origin.summary.isEmpty ? "" : "  \(l.origin.summary)")\n"
        s += "  author    \(l.origin.author.isEmpty ? "(not in the repository)" : l.origin.author)\n"
        s += "  file      \(l.entry.file):\(l.entry.line)\n"
        s += "  revision  \(l.entry.revision)\n"
        if let arn = l.live?.arn { s += "  arn       \(arn)\n" }
        if let failure = l.live?.failureReason { s += "  failure   \(failure)\n" }
        for p in l.served {
            s += "  serves    \(p.package) version \(p.version.map(String.init) ?? "?") (\(p.approval ?? "?")) through \(p.model), variant \(p.variant)\n"
            s += "            " + approvalText(p) + "\n"
        }
        if !l.entry.superseded.isEmpty { s += "  kept for rollback: \(l.entry.superseded.joined(separator: ", "))\n" }
        if let events = l.events {
            s += "  service events (\(events.count))\n"
            for e in events {
                s += "    \(Timestamp.iso8601(e.time)) \(e.name) \(e.status ?? "-")\(e.failureReason.map { ": \($0)" } ?? "")\n"
            }
        }
        s += "  audit (\(l.audit.count) entr\(l.audit.count == 1 ? "y" : "ies"))\n"
        for e in l.audit {
            let d = e.draft
            s += "    #\(e.sequence) \(Timestamp.iso8601(d.time)) \(d.actor) \(d.trigger.rawValue) \(d.action) \(d.outcome)"
            s += d.revision.map { " revision \($0)" } ?? ""
            s += d.commit.map { " commit \($0.prefix(7))" } ?? ""
            s += d.error.map { ": \($0)" } ?? ""
            s += "\n"
        }
        return s
    }

    /// Who approved a served package, in words.
    public static func approvalText(_ p: Lineage.Served) -> String {
        guard let by = p.approvedBy else {
            return p.approval == "Approved" ? "approved outside Git (no applied change set it)" : "not approved"
        }
        let who = by.author.isEmpty ? "an author not in the repository" : by.author
        return "approved in \(by.commit.prefix(7)) by \(who)\(by.revision.map { " (revision \($0))" } ?? "")"
    }

    public static func json(_ l: Lineage) -> Value {
        func origin(_ o: Lineage.Origin) -> Value {
            .object(sorting: [
                .init("commit", .string(o.commit)), .init("author", .string(o.author)), .init("summary", .string(o.summary)),
                .init("revision", o.revision.map(Value.int) ?? .null),
            ])
        }
        return .object(sorting: [
            .init("resource", .string(l.resource.description)),
            .init("physicalName", .string(l.entry.physicalName)),
            .init("status", l.live?.status.map(Value.string) ?? (l.live == nil ? .string("Missing") : .null)),
            .init("arn", l.live.map { .string($0.arn) } ?? .null),
            .init("source", .object(sorting: [
                .init("commit", .string(l.origin.commit)), .init("author", .string(l.origin.author)), .init("summary", .string(l.origin.summary)),
                .init("file", .string(l.entry.file)), .init("line", .int(Int64(l.entry.line))),
            ])),
            .init("revision", .int(l.entry.revision)),
            .init("superseded", .list(l.entry.superseded.map(Value.string))),
            .init("serving", .list(l.served.map { p in
                .object(sorting: [
                    .init("variant", .string(p.variant)), .init("model", .string(p.model)), .init("package", .string(p.package)),
                    .init("resource", p.resource.map { .string($0.description) } ?? .null),
                    .init("version", p.version.map(Value.int) ?? .null), .init("approval", p.approval.map(Value.string) ?? .null),
                    .init("approvedBy", p.approvedBy.map(origin) ?? .null),
                ])
            })),
            .init("audit", .list(l.audit.map(\.value))),
            .init("events", l.events.map { events in
                .list(events.map { e in
                    .object(sorting: [.init("time", .string(Timestamp.iso8601(e.time))), .init("name", .string(e.name)),
                                      .init("status", e.status.map(Value.string) ?? .null),
                                      .init("failureReason", e.failureReason.map(Value.string) ?? .null)])
                })
            } ?? .null),
        ])
    }
}
