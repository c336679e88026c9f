import Foundation
import NIOSSL
import PostgresNIO

/// Where the shared store is: `postgres://user[:password]@host[:port]/database[?sslmode=…]`.
/// The password may instead come from `PGPASSWORD` or a file; it is never shown —
/// `description` prints the location without it.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `disable`, `prefer` (the default, as libpq) or `require`.
    public var sslMode: String

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String, sslMode: String = "prefer") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses a `postgres://` or `postgresql://` URL; nil with the reason when it is not one.
    public static func parse(_ text: String, password fallback: String? = nil) -> Result<PostgresLocation, LocationError> {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text) else {
            return .failure(LocationError(reason: "is not a postgres:// URL"))
        }
        guard let host = url.host, !host.isEmpty else { return .failure(LocationError(reason: "names no host")) }
        guard let user = url.user, !user.isEmpty else { return .failure(LocationError(reason: "names no user (postgres://USER@host/db)")) }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { return .failure(LocationError(reason: "names no database (postgres://user@host/DATABASE)")) }
        var mode = "prefer"
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let v = item.value, ["disable", "prefer", "require"].contains(v) else {
                    return .failure(LocationError(reason: "has sslmode '\(item.value ?? "")'; use disable, prefer or require"))
                }
                mode = v
            default:
                return .failure(LocationError(reason: "has the parameter '\(item.name)', which Tidemark does not read (only sslmode)"))
            }
        }
        if let port = url.port, !(1...65535).contains(port) { return .failure(LocationError(reason: "has port \(port)")) }
        let password = url.password.flatMap { $0.removingPercentEncoding } ?? fallback
        return .success(PostgresLocation(host: host, port: url.port ?? 5432, user: user.removingPercentEncoding ?? user,
                                         password: password, database: database, sslMode: mode))
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable": return .disable
        case "require": return .require(.makeClientConfiguration())
        default: return .prefer(.makeClientConfiguration())
        }
    }

    /// Why a store location was refused.
    public struct LocationError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "the store location \(reason)" }
    }
}
