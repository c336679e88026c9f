import Foundation
import Testing
import TidemarkTesting

/// `tidemark trace KIND/NAME`: where a live resource came from, who wrote it, who approved
/// what it serves.
@Suite struct TraceCLITests {
    @Test func traceNamesTheCommitAuthorFileAndWhoApprovedTheServedPackage() throws {
        let repo = try CLITests.stackRepo()
        let data = repo.url.appendingPathComponent(".tidemark").path
        let env = ["TIDEMARK_DATA": data, "TIDEMARK_SERVICE_LATENCY": "0"]
        let first = try repo.git("rev-parse", "HEAD")
        #expect(try CLITests.run(["apply", "--yes"], in: repo.url, env: env).status == 0)

        // A reviewer approves version 2 and points the model at it, in their own commit.
        try repo.edit("manifests/registry/fraud-models.yaml", "modelApprovalStatus: PendingManualApproval", "modelApprovalStatus: Approved")
        try repo.edit("manifests/serving/fraud-detector.yaml", "modelPackageName: fraud-xgb-v1", "modelPackageName: fraud-xgb-v2")
        _ = try repo.git("add", "-A")
        _ = try repo.git("-c", "user.name=Risk Reviewer", "-c", "user.email=reviewer@example.com", "commit", "-q", "-m", "approve and serve v2")
        let second = try repo.git("rev-parse", "HEAD")
        #expect(try CLITests.run(["apply", "--yes"], in: repo.url, env: env).status == 0)

        let text = try CLITests.run(["trace", "Endpoint/fraud-detector"], in: repo.url, env: env)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("  commit    \(second.prefix(7))  approve and serve v2\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  author    Risk Reviewer <reviewer@example.com>\n"))
        #expect(text.stdout.contains("  file      manifests/serving/fraud-detector.yaml:38\n"))
        #expect(text.stdout.contains("  serves    fraud-models/2 version 2 (Approved) through fraud-xgb-"), "\(text.stdout)")
        #expect(text.stdout.contains("approved in \(second.prefix(7)) by Risk Reviewer <reviewer@example.com> (revision 2)"))
        #expect(text.stdout.contains("update succeeded revision 2 commit \(second.prefix(7))"))
        // The service's own history of the object: created, then updated to the new config.
        let events = text.stdout.components(separatedBy: "  service events (").last ?? ""
        #expect(events.contains(" fraud-detector Creating\n") && events.contains(" fraud-detector Updating\n") && events.contains(" fraud-detector InService\n"),
                "\(text.stdout)")

        // The group was written by the first author and never changed.
        let group = try CLITests.run(["trace", "ModelPackageGroup/fraud-models", "--format", "json"], in: repo.url, env: env)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(group.stdout.utf8)) as? [String: Any])
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["commit"] as? String == first)
        #expect(source["author"] as? String == "Test <test@example.com>")
        #expect(source["file"] as? String == "manifests/registry/fraud-models.yaml")
        #expect((json["audit"] as? [[String: Any]])?.first?["action"] as? String == "create")
        let groupEvents = (json["events"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
        // Pending, Completed, and a change for each version registered into it.
        #expect(groupEvents.first == "Pending" && groupEvents.count == 4 && groupEvents.dropFirst().allSatisfy { $0 == "Completed" }, "\(groupEvents)")

        // Outside the repository the lineage still names the commits; only authors are missing.
        let elsewhere = try CLITests.run(["trace", "Endpoint/fraud-detector", "--repo", "/nonexistent"], in: repo.url, env: env)
        #expect(elsewhere.status == 0)
        #expect(elsewhere.stdout.contains("  author    (not in the repository)"))

        let unknown = try CLITests.run(["trace", "Endpoint/nope"], in: repo.url, env: env)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("error: Endpoint/nope is not managed by Tidemark"))
        let bad = try CLITests.run(["trace", "Endpoint"], in: repo.url, env: env)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("is not KIND/NAME"))
    }
}
