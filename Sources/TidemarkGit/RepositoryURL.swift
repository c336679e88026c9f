/// A repository URL split from the credentials written into it
/// (`https://user:token@host/repo.git`). The bare URL is what is logged, stored, returned by
/// the API and written into the mirror's config; the credentials reach libgit2 only through
/// its credential callback.
public struct RepositoryURL: Sendable, Hashable {
    /// The URL without user information.
    public var url: String
    public var user: String?
    public var password: String?

    public init(_ text: String) {
        guard let scheme = text.range(of: "://") else {
            url = text
            return
        }
        let afterScheme = text[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else {
            url = text
            return
        }
        let info = authority[..<at]
        if let colon = info.firstIndex(of: ":") {
            user = Self.percentDecoded(info[..<colon])
            password = Self.percentDecoded(info[info.index(after: colon)...])
        } else {
            user = Self.percentDecoded(info)
        }
        url = String(text[..<scheme.upperBound]) + String(authority[authority.index(after: at)...]) + String(afterScheme[authorityEnd...])
    }

    /// Credentials for a fetch: an explicit token wins, then a password from the URL.
    public func credentials(token: String?) -> GitCredentials {
        if let token { return .token(token) }
        if let password { return .userPassword(user: user ?? "git", password: password) }
        return .none
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%"), let h1 = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex), h1 < utf8.endIndex,
               let h2 = utf8.index(h1, offsetBy: 1, limitedBy: utf8.endIndex), h2 < utf8.endIndex,
               let hi = hex(utf8[h1]), let lo = hex(utf8[h2]) {
                bytes.append(hi << 4 | lo)
                i = utf8.index(after: h2)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
