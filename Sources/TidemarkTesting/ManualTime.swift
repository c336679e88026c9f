import Foundation
import Synchronization
import TidemarkEngine

/// A clock that moves only when slept on or advanced: deterministic tests of asynchronous
/// status machines (an apply with endpoint latencies runs in virtual time, without sleeping).
public final class ManualTime: TimeSource, Sendable {
    /// Microseconds since 1970.
    private let micros: Atomic<Int64>

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        micros = Atomic(Int64(start.timeIntervalSince1970 * 1_000_000))
    }

    public func now() -> Date { Date(timeIntervalSince1970: Double(micros.load(ordering: .acquiring)) / 1_000_000) }

    public func advance(seconds: Double) {
        micros.add(Int64(seconds * 1_000_000), ordering: .acquiringAndReleasing)
    }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        advance(seconds: seconds)
        await Task.yield()
    }
}
