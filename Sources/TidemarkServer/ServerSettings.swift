/// Where and how the API listens. Secrets are held here and never printed.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var apiToken: String?
    public var webhookSecret: String?
    /// A connection closes when no request arrives for this long, and when a request's head
    /// is not complete this long after the connection opened or the last response (a
    /// slow-headers client is cut off).
    public var idleTimeout: Double = 30
    public static let maxBody = 1 << 20
    /// Webhook delivery ids remembered to refuse replays.
    public static let rememberedDeliveries = 4096

    public init() {}

    /// `host:port`, `:port` or `port`.
    public static func parseListen(_ text: String) -> (String, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let p = Int(parts[0]), (0...65535).contains(p) { return ("127.0.0.1", p) }
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else { return nil }
        return (parts[0].isEmpty ? "127.0.0.1" : String(parts[0]), port)
    }

    public var isLoopback: Bool { Self.isLoopback(host) }

    /// Whether a listen address is reachable from this machine only.
    public static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}
