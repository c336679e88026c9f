/// An access key, its secret and (for temporary credentials) a session token. Printing one
/// shows the key id and where it came from, never the secret or the token.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// Where they were found: `environment`, `profile dev in ~/.aws/credentials`.
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String {
        "\(accessKeyID)\(sessionToken == nil ? "" : " (temporary)") from \(source)"
    }
}
