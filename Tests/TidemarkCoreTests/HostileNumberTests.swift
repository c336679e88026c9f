import Testing
@testable import TidemarkCore

/// Numbers at every edge reach the validator's arithmetic as located diagnostics, never a trap.
@Suite struct HostileNumberTests {
    static let values = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                         "1e18", "1e308", "-1e308", ".inf", "-.inf", ".nan", "-0", "0", "-1", "0.5"]

    struct Case: CustomTestStringConvertible, Sendable {
        let canary: String
        let instances: String
        var testDescription: String { "canary \(canary) of \(instances) instances" }
    }

    static let cases: [Case] = values.flatMap { v in ["0", "1", "9223372036854775807"].map { Case(canary: v, instances: $0) } }
        + values.map { Case(canary: "1", instances: $0) }

    static func edits(_ c: Case) -> [(String, String, String)] {
        [(Fixtures.serving, "canarySize: {type: CAPACITY_PERCENT, value: 25}", "canarySize: {type: INSTANCE_COUNT, value: \(c.canary)}"),
         (Fixtures.serving, "initialInstanceCount: 4", "initialInstanceCount: \(c.instances)")]
    }

    @Test(arguments: cases)
    func anInstanceCountCanaryAtAnyEdgeIsALocatedErrorOrValid(_ c: Case) {
        let loaded = Fixtures.load(Self.edits(c))
        for d in loaded.diagnostics where d.severity == .error {
            #expect(d.location?.file == Fixtures.serving, "\(d)")
            #expect((d.location?.line ?? 0) > 0, "\(d)")
        }
        // A one-instance canary of many instances is valid; every other case here breaks a
        // rule (a one-instance canary of one instance is 100%, over the 50% allowed).
        let valid = c.canary == "1" && ["4", "9223372036854775807"].contains(c.instances)
        let hasErrors = loaded.hasErrors
        #expect(hasErrors != valid, "\(c.testDescription): \(loaded.diagnostics.map(\.description))")
    }

    @Test func zeroInstancesUnderACountCanaryIsNamed() {
        let loaded = Fixtures.load(Self.edits(Case(canary: "1", instances: "0")))
        #expect(loaded.diagnostics.contains { $0.code == "out-of-range" || $0.code == "deployment-policy" })
    }

    @Test func aHugeCanaryIsReportedWithoutOverflow() throws {
        let loaded = Fixtures.load(Self.edits(Case(canary: "9223372036854775807", instances: "4")))
        let d = try #require(loaded.diagnostics.first { $0.code == "deployment-policy" })
        #expect(d.message.contains("far more than 100%"))
        #expect(d.location?.line == 42)
    }

    @Test(arguments: ["initialSamplingPercentage: 20", "waitIntervalInSeconds: 600", "maximumExecutionTimeoutInSeconds: 3600", "terminationWaitInSeconds: 300"])
    func otherNumericFieldsAtEveryEdge(_ field: String) {
        let name = field.split(separator: ":")[0]
        for v in Self.values {
            let loaded = Fixtures.load([(Fixtures.serving, field, "\(name): \(v)")])
            for d in loaded.diagnostics where d.severity == .error {
                #expect((d.location?.line ?? 0) > 0, "\(name) = \(v): \(d)")
            }
        }
    }
}
