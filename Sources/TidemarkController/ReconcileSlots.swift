/// The bounded pool of reconcile workers a fleet of controllers shares: at most `capacity`
/// passes (fetch, plan, apply) run at once, however many applications there are; the rest
/// wait their turn in arrival order. A cancelled waiter leaves the queue.
public actor ReconcileSlots {
    public nonisolated let capacity: Int
    var inUse = 0
    var waiting: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    var nextID = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Runs `body` in a slot, waiting for one first; nil when cancelled while waiting.
    public func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T? {
        guard await take() else { return nil }
        defer { give() }
        return await body()
    }

    public var busy: Int { inUse }
    public var queued: Int { waiting.count }

    func take() async -> Bool {
        if inUse < capacity {
            inUse += 1
            return true
        }
        let id = nextID
        nextID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiting.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    func cancel(_ id: Int) {
        guard let i = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: i).continuation.resume(returning: false)
    }

    /// Hands the slot straight to the first waiter, or frees it.
    func give() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().continuation.resume(returning: true)
        }
    }
}
