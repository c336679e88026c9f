/// Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff
/// and Jitter"): before retry n the client sleeps a uniform random time in
/// [0, min(cap, base · 2ⁿ)], so many clients throttled together spread out.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var base: Double
    public var cap: Double

    public init(maxAttempts: Int = 6, base: Double = 0.2, cap: Double = 20) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
    }

    /// The sleep before retry `attempt` (1 for the first retry), given a uniform `random` in [0, 1).
    public func delay(attempt: Int, random: Double) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        return max(0, min(1, random)) * min(cap, base * Double(1 << Int(exponent)))
    }
}
