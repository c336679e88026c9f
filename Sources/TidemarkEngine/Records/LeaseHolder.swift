import Foundation

/// Who a process is, for the lease: `apply pid 4242 on host-a`.
public struct LeaseHolder: Sendable, Hashable {
    public var name: String
    public var pid: Int32
    public var host: String

    public init(name: String, pid: Int32, host: String) {
        self.name = name
        self.pid = pid
        self.host = host
    }

    public static func current(role: String) -> LeaseHolder {
        let pid = ProcessInfo.processInfo.processIdentifier
        let host = ProcessInfo.processInfo.hostName
        return LeaseHolder(name: "\(role) pid \(pid) on \(host)", pid: pid, host: host)
    }

    /// Whether process `pid` still runs on this host.
    public static func processAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
