import Dispatch

/// Work split over the machine's cores by stripes: worker `w` of `n` takes indices `w`,
/// `w + n`, … of one array of results, each written by exactly one worker, so the workers
/// share nothing but the input they read. Below `minimum` items it all runs on the caller.
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
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let slots = base
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let mine = state()
                var i = w
                while i < count {
                    (slots + i).initialize(to: body(i, mine))
                    i += workers
                }
            }
            initialized = count
        }
    }
}
