import Testing
import TidemarkCore
import TidemarkTesting

/// A list keyed by a member (production variants by name, say) comes out sorted by that key,
/// entries with equal keys (or none) keeping the order they were written in.
@Suite struct KeyedListTests {
    static let entry = Shape.object([Field("name", .text), Field("n", .int(min: 0))])

    @Test func aKeyedListIsInKeyOrderAndStableAmongEqualKeys() {
        var g = SplitMix64(seed: 5309)
        let names = ["a", "b", "c", "ab", "B", "é", "z-long-name-beyond-fifteen-bytes"]
        var alreadyInOrder = 0
        for round in 0..<400 {
            let count = Int.random(in: 0...8, using: &g)
            var entries: [(name: String?, n: Int)] = (0..<count).map { i in (Bool.random(using: &g) || round % 5 == 0 ? names.randomElement(using: &g) : nil, i) }
            if round % 4 == 0 { entries.sort { ($0.name ?? "") < ($1.name ?? "") } }
            let text = "items:\n" + (entries.isEmpty ? "  []\n" : entries.map { e in
                "  - " + (e.name.map { "name: \"\($0)\"\n    " } ?? "") + "n: \(e.n)\n"
            }.joined())
            let loaded = YAMLLoader.load(text, file: "list.yaml")
            guard let node = loaded.documents.first?["items"] else {
                Issue.record("\(loaded.diagnostics) for\n\(text)")
                continue
            }
            var checker = ShapeChecker(file: "list.yaml")
            let checked = checker.check(node, .list(Self.entry, key: "name"), path: "items")
            // What a stable sort by key gives: equal keys in the order written.
            let expected = entries.enumerated().sorted { a, b in
                (a.element.name ?? "", a.offset) < (b.element.name ?? "", b.offset)
            }.map(\.element.n)
            if entries.count > 1, entries.map({ $0.name ?? "" }) == entries.map({ $0.name ?? "" }).sorted() { alreadyInOrder += 1 }
            #expect(checked?.elements?.map { $0["n"] } == expected.map { .int(Int64($0)) }, "\(text)")
        }
        #expect(alreadyInOrder > 50)
    }
}
