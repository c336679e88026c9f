import Synchronization

/// A one-way flag read synchronously by an apply between steps (shutdown, a lost lease) and
/// set from anywhere.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { value.load(ordering: .acquiring) }

    public func set() { value.store(true, ordering: .releasing) }
}
