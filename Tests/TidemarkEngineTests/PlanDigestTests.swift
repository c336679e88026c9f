import Crypto
import Foundation
import Testing
import TidemarkCore
@testable import TidemarkEngine
import TidemarkTesting

/// A plan's digest, written a window at a time on both cores, is the SHA-256 of its text in
/// one pass: the head line, then each change's canonical JSON on a line of its own.
@Suite struct PlanDigestTests {
    @Test func theDigestIsTheHashOfThePlansTextInOnePass() throws {
        var generator = ManifestGenerator(seed: 5)
        let files = generator.files(resources: 2 * PlanDigest.window + 300).map { SourceFile(path: $0.key, text: $0.value) }
        let index = RevisionIndex(files)
        #expect(!index.loaded.hasErrors)
        let (changes, unchanged) = Planner.changes(from: Planner.Side(resources: ResourceMap(), order: []), to: index.side)
        #expect(changes.count > 2 * PlanDigest.window)
        for count in [0, 1, 127, PlanDigest.window, changes.count] {
            let plan = Planner.plan(base: nil, head: PlanSide(revision: "main", commit: "c0ffee"), path: "manifests",
                                    changes: Array(changes.prefix(count)), unchanged: unchanged, warnings: [])
            var text = "manifests\nmain\nc0ffee\n"
            for change in plan.changes { text += PlanRenderer.changeValue(change).canonicalJSON + "\n" }
            let onePass = SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(PlanDigest.of(plan) == onePass, "\(count) changes")
        }
    }
}
