import Testing
import TidemarkCore
import TidemarkTesting

@Suite struct ValueTests {
    /// An object from members in any order: sorted by key, one member per key, the last one
    /// given winning; arrays that already ascend (which skip the sort) included, and arrays
    /// that ascend but for a repeated key (which must not).
    @Test func anObjectFromMembersKeepsTheLastOfEachKeyInKeyOrder() {
        var g = SplitMix64(seed: 4217)
        let keys = ["a", "b", "c", "d", "e", "ab", "ba", "é", "Z", "", "a-much-longer-key-than-fits-inline"]
        var ascendingSeen = 0, repeatsInOrderSeen = 0
        for round in 0..<3000 {
            let count = Int.random(in: 0...9, using: &g)
            var members = (0..<count).map { i in Value.Member(keys.randomElement(using: &g) ?? "a", .int(Int64(i))) }
            switch round % 3 {
            case 0: members.sort { $0.key < $1.key }  // ascending, repeats kept side by side
            case 1:  // strictly ascending
                var seen = Set<String>()
                members = members.filter { seen.insert($0.key).inserted }.sorted { $0.key < $1.key }
            default: break
            }
            var last: [String: Value] = [:]
            for m in members { last[m.key] = m.value }
            let expected = last.keys.sorted().map { Value.Member($0, last[$0] ?? .null) }
            if round % 3 == 1, count > 1 { ascendingSeen += 1 }
            if round % 3 == 0, Set(members.map(\.key)).count < members.count { repeatsInOrderSeen += 1 }
            #expect(Value.object(sorting: members) == .object(expected), "\(members.map(\.key))")
        }
        #expect(ascendingSeen > 100)
        #expect(repeatsInOrderSeen > 100)
    }
}
