import Foundation

/// Where the engine and the local services get time from. Injected, so tests run a whole
/// apply with endpoint latencies in virtual time, without sleeping.
public protocol TimeSource: Sendable {
    func now() -> Date
    /// Waits `seconds`; a virtual source advances its clock instead.
    func sleep(seconds: Double) async throws
}

/// The machine's clock.
public struct SystemTime: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }
}

/// A clock that moves only when slept on or advanced: deterministic tests of asynchronous
/// status machines.
public final class ManualTime: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    public func now() -> Date { lock.withLock { current } }

    public func advance(seconds: Double) { lock.withLock { current += seconds } }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        advance(seconds: seconds)
        await Task.yield()
    }
}
