import Foundation

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
        String(text).removingPercentEncoding ?? String(text)
    }
}
