/// Webhook deliveries already accepted, by GitHub's `X-GitHub-Delivery` id, so a replayed
/// (captured and resent) signed delivery is refused. Bounded: the oldest ids are forgotten.
actor DeliveryLog {
    let capacity: Int
    var seen: Set<String> = []
    var order: [String] = []
    var head = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// True the first time an id is seen.
    func first(_ id: String) -> Bool {
        guard !seen.contains(id) else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            seen.remove(order[head])
            order[head] = id
            head = (head + 1) % capacity
        }
        seen.insert(id)
        return true
    }
}
