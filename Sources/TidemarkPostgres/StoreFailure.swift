import Foundation
import PostgresNIO
import TidemarkEngine

/// A PostgreSQL error as Tidemark reports it: the server's SQLSTATE and message (postgres-nio
/// hides both behind a generic description), or why the server could not be reached.
public struct StoreFailure: Error, Sendable, CustomStringConvertible {
    /// The SQLSTATE, when the server answered.
    public var sqlState: String?
    public var message: String

    /// Our own SQLSTATE, raised by the fencing trigger: a write under a stale lease.
    static let staleFence = "TM001"
    static let uniqueViolation = "23505"
    static let insufficientPrivilege = "42501"

    public var description: String {
        sqlState.map { "PostgreSQL refused: \(message) (SQLSTATE \($0))" } ?? "PostgreSQL: \(message)"
    }

    /// The typed error for anything a transaction threw: ours unchanged, the fencing
    /// trigger's refusal as `LeaseLost`, the server's with its state and message.
    static func from(_ error: any Error) -> any Error {
        guard let psql = error as? PSQLError else { return error }
        if let info = psql.serverInfo {
            let state = info[.sqlState]
            if state == staleFence { return LeaseLost(holder: nil, generation: nil) }
            let detail = info[.detail].map { " (\($0))" } ?? ""
            return StoreFailure(sqlState: state, message: (info[.message] ?? "an error") + detail)
        }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed:
            return StoreFailure(sqlState: nil, message: "cannot reach the database (\(psql.code))")
        default:
            return StoreFailure(sqlState: nil, message: "\(psql.code)")
        }
    }
}
