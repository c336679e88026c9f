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
        try await Task.sleep(nanoseconds: Self.nanoseconds(seconds))
    }

    /// Seconds as nanoseconds, clamped to [0, ten years]: NaN and infinity never reach a conversion.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds, DurationText.maximum) * 1_000_000_000)
    }
}
