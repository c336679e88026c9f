/// Values that already matched a regex pattern, kept by one decoding thread (never shared):
/// manifests repeat the same role ARNs, images and tags, and a set lookup costs a twentieth
/// of a regex match. Bounded, so a repository of unique values only stops adding to it.
public final class PatternMemo {
    struct Key: Hashable {
        let pattern: ObjectIdentifier
        let value: String
    }

    private var passed = Set<Key>()
    static let capacity = 65_536

    public init() {}

    func matches(_ pattern: StringPattern, _ value: String) -> Bool {
        guard case .regex(let regex) = pattern.matcher else { return pattern.matches(value) }
        let key = Key(pattern: ObjectIdentifier(regex), value: value)
        if passed.contains(key) { return true }
        guard pattern.matches(value) else { return false }
        if passed.count < Self.capacity { passed.insert(key) }
        return true
    }
}
