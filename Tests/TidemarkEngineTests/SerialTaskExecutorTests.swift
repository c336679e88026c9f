import Dispatch
import Foundation
import Synchronization
import Testing
import TidemarkEngine

/// Work given to a `SerialTaskExecutor` runs while every thread of the cooperative pool is
/// held by a `concurrentPerform` (as while a revision decodes); on the pool it would wait.
@Suite struct SerialTaskExecutorTests {
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    @Test func itsWorkRunsWhileTheCooperativePoolIsHeld() async throws {
        let ran = Flag()
        let reading = Mutex<Task<Void, Never>?>(nil)
        let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let seen = Mutex<[Bool]>([])
        // Every thread of the pool is held, busy as a decoding holds it (a sleeping thread
        // would let the pool add another); one of them starts the work, then all wait for it,
        // giving up after 10 s.
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            if i == 0 {
                let task = Task(executorPreference: SerialTaskExecutor(label: "test.read-ahead")) { ran.value.store(true, ordering: .releasing) }
                reading.withLock { $0 = task }
            }
            let deadline = Date().addingTimeInterval(10)
            while !ran.value.load(ordering: .acquiring), Date() < deadline {}
            let done = ran.value.load(ordering: .acquiring)
            seen.withLock { $0.append(done) }
        }
        await reading.withLock { $0 }?.value
        #expect(seen.withLock { $0 } == Array(repeating: true, count: threads))
    }
}
