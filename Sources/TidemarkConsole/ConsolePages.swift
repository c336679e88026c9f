import Foundation
import Mustache

/// Renders the console's pages from their templates. What a page shows is gathered by the
/// server; this turns it into HTML and nothing else.
public struct ConsolePages: Sendable {
    public enum Page: String, Sendable, CaseIterable {
        case applications, application, resource, history, audit, message
    }

    let library: MustacheLibrary

    /// Compiles the templates; a template that does not parse is a programming error the
    /// tests catch, reported here as a thrown error rather than a crash.
    public init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The page as HTML, with the fields every page has (title, rendered time, navigation,
    /// the event stream's address); those names (`title`, `app`, `eventStream`, `rendered`,
    /// `on…`) are the layout's and are not used by a page's own fields.
    public func render(_ page: Page, title: String, app: String?, events: String?, fields: [String: Any], at time: Date) -> String {
        var context = fields
        context["title"] = title
        context["app"] = app
        context["eventStream"] = events
        context["rendered"] = Self.time(time)
        context["on" + page.rawValue.prefix(1).uppercased() + page.rawValue.dropFirst()] = true
        return library.render(context, withTemplate: page.rawValue) ?? ""
    }

    /// A time as people read it in a table: UTC, to the second.
    public static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }
}
