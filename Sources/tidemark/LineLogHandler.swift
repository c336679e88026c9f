import Foundation
import Logging
import TidemarkCore
import TidemarkEngine

/// One log line per event on stderr, as logfmt (`time=… level=info msg="…" key=value`) or JSON.
struct LineLogHandler: LogHandler {
    enum Format: String { case logfmt, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let time = Timestamp.iso8601(Date())
        var line: String
        switch format {
        case .json:
            var members: [Value.Member] = [
                .init("time", .string(time)), .init("level", .string(event.level.rawValue)),
                .init("message", .string(event.message.description)), .init("logger", .string(label)),
            ]
            for (k, v) in fields { members.append(.init(k, .string(v.description))) }
            line = Value.object(sorting: members).canonicalJSON
        case .logfmt:
            line = "time=\(time) level=\(event.level.rawValue) msg=\(Self.quote(event.message.description))"
            for (k, v) in fields.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(Self.quote(v.description))" }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) || s.isEmpty ? JSONText.quote(s) : s
    }

    // Swift-log's older entry point, for completeness.
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        log(event: LogEvent(level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line))
    }
}
