import Dispatch
import Synchronization

/// Work split over the machine's cores: workers claim short runs of indices of one array of
/// results, each slot written by exactly one worker, so the workers share nothing but the
/// input they read and a counter. Below `minimum` items it all runs on the caller.
public enum Striped {
    public static func map<T>(_ count: Int, workers: Int = 2, minimum: Int = 64, _ body: @Sendable (Int) -> T) -> [T] {
        map(count, workers: workers, minimum: minimum, state: {}) { i, _ in body(i) }
    }

    /// Each worker first makes its own `state` (a cache it keeps to itself) and hands it to
    /// `body` with each index.
    public static func map<S, T>(_ count: Int, workers: Int, minimum: Int, state: @Sendable () -> S,
                                 _ body: @Sendable (_ index: Int, _ state: S) -> T) -> [T] {
        guard count >= minimum, count > 1, workers > 1 else {
            let mine = state()
            return (0..<count).map { body($0, mine) }
        }
        // Workers claim runs of indices as they go, so one that drew cheap items takes more
        // and none idles while another still has a backlog.
        let run = max(1, min(16, count / (workers * 8)))
        let next = Atomic<Int>(0)
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let slots = base
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let mine = state()
                while true {
                    let start = next.wrappingAdd(run, ordering: .relaxed).oldValue
                    guard start < count else { break }
                    for i in start..<min(count, start + run) { (slots + i).initialize(to: body(i, mine)) }
                }
            }
            initialized = count
        }
    }

    /// Two independent pieces of work side by side, one per core; returns when both are done.
    public static func both<A, B>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
        var a: A?
        var b: B?
        withUnsafeMutablePointer(to: &a) { pa in
            withUnsafeMutablePointer(to: &b) { pb in
                // Each worker writes only its own slot.
                nonisolated(unsafe) let (slotA, slotB) = (pa, pb)
                DispatchQueue.concurrentPerform(iterations: 2) { w in
                    if w == 0 { slotA.pointee = first() } else { slotB.pointee = second() }
                }
            }
        }
        guard let a, let b else { preconditionFailure("concurrentPerform ran both iterations") }
        return (a, b)
    }
}
