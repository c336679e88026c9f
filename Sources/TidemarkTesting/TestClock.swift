import Foundation
import Synchronization
import TidemarkEngine

/// A clock whose sleepers wait until the test moves it: a controller's interval, heartbeat
/// and backoff run in virtual time, each step taken when the test says so.
public final class TestClock: TimeSource, Sendable {
    private let micros: Atomic<Int64>
    private let sleepers = Sleepers()

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        micros = Atomic(Int64(start.timeIntervalSince1970 * 1_000_000))
    }

    public func now() -> Date { Date(timeIntervalSince1970: Double(micros.load(ordering: .acquiring)) / 1_000_000) }

    /// Moves the clock and wakes every sleeper whose time has come.
    public func advance(seconds: Double) async {
        let now = micros.add(Int64(seconds * 1_000_000), ordering: .acquiringAndReleasing).newValue
        await sleepers.wake(upTo: now)
    }

    /// How many tasks are asleep on this clock.
    public func sleeping() async -> Int { await sleepers.count }

    public func sleep(seconds: Double) async throws {
        let deadline = micros.load(ordering: .acquiring) + Int64(max(0, min(seconds, DurationText.maximum)) * 1_000_000)
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                Task { await sleepers.add(id, deadline: deadline, c, now: micros.load(ordering: .acquiring)) }
            }
        } onCancel: {
            Task { await sleepers.cancel(id) }
        }
    }
}

/// The continuations waiting on a `TestClock`.
private actor Sleepers {
    var waiting: [UUID: (deadline: Int64, continuation: CheckedContinuation<Void, any Error>)] = [:]
    var cancelled: Set<UUID> = []

    var count: Int { waiting.count }

    func add(_ id: UUID, deadline: Int64, _ c: CheckedContinuation<Void, any Error>, now: Int64) {
        if cancelled.remove(id) != nil { c.resume(throwing: CancellationError()); return }
        if deadline <= now { c.resume(); return }
        waiting[id] = (deadline, c)
    }

    func wake(upTo now: Int64) {
        for (id, w) in waiting where w.deadline <= now {
            waiting[id] = nil
            w.continuation.resume()
        }
    }

    func cancel(_ id: UUID) {
        if let w = waiting.removeValue(forKey: id) { w.continuation.resume(throwing: CancellationError()) } else { cancelled.insert(id) }
    }
}
