import Synchronization
import Testing
@testable import TidemarkCore

/// Work split over the cores gives exactly what one pass over the items gives: every index
/// once, each result in its own slot, each worker's state its own.
@Suite struct StripedTests {
    @Test(arguments: [0, 1, 2, 63, 64, 65, 127, 1_000, 10_007])
    func everyIndexIsDoneOnceAndLandsInItsSlot(_ count: Int) {
        let calls = Atomic<Int>(0)
        // Uneven work: some items cost a hundred times others, so workers claim unequal shares.
        let results = Striped.map(count, workers: 2, minimum: 64) { i -> Int in
            calls.wrappingAdd(1, ordering: .relaxed)
            var x = i
            for _ in 0..<(i % 97 == 0 ? 10_000 : 100) { x = (x &* 31 &+ 7) % 1_000_003 }
            return i * 2 + (x < 0 ? 1 : 0)
        }
        #expect(results == (0..<count).map { $0 * 2 })
        #expect(calls.load(ordering: .relaxed) == count)
    }

    /// Each worker's state is used by that worker alone: a counter per worker, never shared,
    /// adds up to the number of items.
    @Test func eachWorkerKeepsItsOwnState() {
        final class Tally: @unchecked Sendable { var count = 0 }
        let tallies = Mutex<[Tally]>([])
        let results = Striped.map(5_000, workers: 2, minimum: 64, state: { () -> Tally in
            let t = Tally()
            tallies.withLock { $0.append(t) }
            return t
        }) { i, tally in
            tally.count += 1
            return i
        }
        #expect(results == Array(0..<5_000))
        let counts = tallies.withLock { $0.map(\.count) }
        #expect(counts.count == 2)
        #expect(counts.reduce(0, +) == 5_000)
    }

    @Test func bothRunsEachPieceOnceAndReturnsEach() {
        let (a, b) = Striped.both({ (0..<1_000).reduce(0, +) }, { "done" })
        #expect(a == 499_500)
        #expect(b == "done")
    }
}
