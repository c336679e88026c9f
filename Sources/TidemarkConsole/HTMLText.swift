import Foundation

/// Text made safe for HTML: for the parts the console builds in Swift (the resource tree)
/// rather than through a template, which escapes by itself.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references; everything else as it is.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A path segment percent-encoded (RFC 3986 unreserved characters stay).
    public static func segment(_ text: String) -> String {
        // Nil only for text that is not Unicode, which a Swift string cannot be.
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
