import Foundation
import Testing
import TidemarkCore
import TidemarkTesting
@testable import TidemarkGit

@Suite struct GitRepositoryTests {
    func names(_ files: [SourceFile]) -> [String] { files.map(\.path) }

    @Test func readsManifestsAtAnyRevisionWithoutCheckout() throws {
        let repo = try TempRepository()
        let first = try repo.commit("one", ["manifests/a.yaml": "a: 1\n", "manifests/sub/b.yml": "b: 1\n", "manifests/notes.txt": "x", "other/c.yaml": "c: 1\n"])
        let second = try repo.commit("two", ["manifests/a.yaml": "a: 2\n", "manifests/sub/new.yaml": "n: 1\n"])
        let git = try GitRepository(path: repo.url.path)
        #expect(try git.resolve("HEAD").id == second)
        #expect(try git.resolve("HEAD~1").id == first)
        #expect(try git.resolve(String(first.prefix(8))).id == first)
        let old = try git.files(at: git.resolve("HEAD~1"), under: "manifests")
        #expect(names(old) == ["manifests/a.yaml", "manifests/sub/b.yml"])
        #expect(old.first.map { String(decoding: $0.bytes, as: UTF8.self) } == "a: 1\n")
        let new = try git.files(at: git.resolve("main"), under: "./manifests/")
        #expect(names(new) == ["manifests/a.yaml", "manifests/sub/b.yml", "manifests/sub/new.yaml"])
        #expect(new[1].blobID == old[1].blobID)
        #expect(new[0].blobID != old[0].blobID)
    }

    @Test func resolvesBranchesTagsAndRemoteBranches() throws {
        let repo = try TempRepository()
        let first = try repo.commit("one", ["manifests/a.yaml": "a: 1\n"])
        try repo.git("tag", "v1")
        try repo.git("tag", "-a", "v1-annotated", "-m", "annotated")
        try repo.git("checkout", "-q", "-b", "feature")
        let second = try repo.commit("two", ["manifests/a.yaml": "a: 2\n"])
        try repo.git("update-ref", "refs/remotes/origin/main", first)
        let git = try GitRepository(path: repo.url.path)
        #expect(try git.resolve("v1").id == first)
        #expect(try git.resolve("v1-annotated").id == first)
        #expect(try git.resolve("main").id == first)
        #expect(try git.resolve("feature").id == second)
        #expect(try git.resolve("origin/main").id == first)
        #expect(try git.changedPaths(from: git.resolve("origin/main"), to: git.resolve("HEAD"), under: "manifests") == ["manifests/a.yaml"])
    }

    /// A base commit of `apps` applications' serving files (and `extra`), then `steps` commits,
    /// each of what `change` does with its number (committed even when that is nothing).
    func history(_ repo: TempRepository, apps: Int, extra: [String: String] = [:], steps: Int,
                 _ change: (Int) throws -> Void) throws -> [String] {
        let base = Dictionary(uniqueKeysWithValues: (0..<apps).map { i in ("manifests/team-\(i % 3)/app-\(i)/serving.yaml", "v: \(i)\n") })
        var commits = [try repo.commit("base", base.merging(extra) { a, _ in a })]
        for n in 1...steps {
            try change(n)
            try repo.git("add", "-A")
            try repo.git("commit", "-q", "--allow-empty", "-m", "change \(n)")
            commits.append(try repo.git("rev-parse", "HEAD"))
        }
        return commits
    }

    /// The changed paths between any two commits are exactly what `git diff --name-only` says:
    /// edits deep in wide folders, folders added and removed whole, a file that becomes a
    /// folder, changes outside the path, and commits that change nothing under it.
    @Test func changedPathsAgreeWithGitDiffOverRandomCommits() throws {
        let repo = try TempRepository()
        var rng = SplitMix64(seed: 11)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let commits = try history(repo, apps: 60, extra: ["other/x.yaml": "x: 0\n"], steps: 25) { n in
            switch pick(6) {
            case 0: try repo.write("manifests/team-\(pick(3))/app-\(pick(60))/serving.yaml", "v: edit \(n)\n")
            case 1: try repo.write("manifests/team-\(pick(4))/app-new-\(n)/deep/er/file.yaml", "new: \(n)\n")
            case 2: _ = try? repo.git("rm", "-r", "-q", "manifests/team-\(pick(3))/app-\(pick(60))")
            case 3:
                let folder = "manifests/team-\(pick(3))/app-\(pick(60))"
                _ = try? repo.git("rm", "-r", "-q", folder)
                try repo.write(folder, "now a file: \(n)\n")
            case 4: try repo.write("other/x.yaml", "x: \(n)\n")
            default: try repo.write("manifests/README-\(n).md", "notes\n")
            }
        }
        let git = try GitRepository(path: repo.url.path)
        for _ in 0..<40 {
            let (a, b) = (commits[pick(commits.count)], commits[pick(commits.count)])
            let want = try repo.git("diff", "--name-only", "--no-renames", a, b, "--", "manifests").split(separator: "\n").map(String.init).sorted()
            let got = try git.changedPaths(from: git.resolve(a), to: git.resolve(b), under: "manifests")
            #expect(got == want, "\(a.prefix(7))..\(b.prefix(7))")
        }
        #expect(try git.changedPaths(from: git.resolve(commits[0]), to: git.resolve(commits[0]), under: "manifests").isEmpty)
    }

    /// The files a change carries, applied to a full read of the old commit, give exactly a
    /// full read of the new one: edits, folders added and removed whole, a file that becomes a
    /// folder and back, symbolic links (which a full read skips), and over 512 files at once
    /// (read on both cores).
    @Test func changedManifestsTurnOneFullReadIntoTheOther() throws {
        let repo = try TempRepository()
        var rng = SplitMix64(seed: 23)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let commits = try history(repo, apps: 40, steps: 24) { n in
            switch pick(7) {
            case 0: try repo.write("manifests/team-\(pick(3))/app-\(pick(40))/serving.yaml", "v: edit \(n)\n")
            case 1: try repo.write("manifests/team-\(pick(4))/app-new-\(n)/deep/file.yaml", "new: \(n)\n")
            case 2: _ = try? repo.git("rm", "-r", "-q", "manifests/team-\(pick(3))/app-\(pick(40))")
            case 3:  // one path, a file and a folder in turn
                _ = try? repo.git("rm", "-r", "-q", "-f", "manifests/odd.yaml")
                try? FileManager.default.removeItem(at: repo.url.appendingPathComponent("manifests/odd.yaml"))
                try repo.write(n % 2 == 0 ? "manifests/odd.yaml" : "manifests/odd.yaml/inner.yaml", "turn: \(n)\n")
            case 4:
                let path = "manifests/team-\(pick(3))/app-\(pick(40))/serving.yaml"
                _ = try? repo.git("rm", "-q", "-f", path)
                try? FileManager.default.removeItem(at: repo.url.appendingPathComponent(path))
                try FileManager.default.createDirectory(at: repo.url.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: repo.url.appendingPathComponent(path).path, withDestinationPath: "../../elsewhere.yaml")
            case 5:
                for i in 0..<600 { try repo.write("manifests/bulk-\(n)/m-\(i).yaml", "bulk: \(i)\n") }
            default: try repo.write("manifests/README-\(n).md", "notes\n")
            }
        }
        let git = try GitRepository(path: repo.url.path)
        func read(_ commit: String) throws -> [String: SourceFile] {
            Dictionary(uniqueKeysWithValues: try git.files(at: git.resolve(commit), under: "manifests").map { ($0.path, $0) })
        }
        for _ in 0..<30 {
            let (a, b) = (commits[pick(commits.count)], commits[pick(commits.count)])
            var files = try read(a)
            let (changed, removed) = try git.changedManifests(from: git.resolve(a), to: git.resolve(b), under: "manifests")
            for path in removed { files[path] = nil }
            for file in changed { files[file.path] = file }
            let want = try read(b)
            #expect(Set(files.keys).symmetricDifference(want.keys).sorted() == [], "\(a.prefix(7))..\(b.prefix(7))")
            for (path, file) in want {
                #expect(files[path]?.bytes == file.bytes && files[path]?.blobID == file.blobID, "\(path) at \(a.prefix(7))..\(b.prefix(7))")
            }
        }
    }

    /// A revision of many files is read on both cores: every file arrives whole, under its
    /// path, with the blob id git gives it, in path order; a blob missing from the object
    /// database is a read error, not a file short of its bytes.
    @Test func manyFilesAreReadOnBothCoresExactlyAsGitHasThem() throws {
        let repo = try TempRepository()
        var written: [String: String] = [:]
        for i in 0..<1_200 {
            // Sizes from empty to a few kilobytes; some texts repeat, so blobs are shared.
            written["manifests/team-\(i % 7)/app-\(i)/m.yaml"] = i % 50 == 0 ? "" : String(repeating: "k\(i % 300): v\n", count: i % 97 + 1)
        }
        try repo.commit("many", written.merging(["manifests/notes.txt": "not a manifest"]) { a, _ in a })
        let git = try GitRepository(path: repo.url.path)
        let files = try git.files(at: git.resolve("HEAD"), under: "manifests")
        #expect(names(files) == written.keys.sorted())
        let blobs = Dictionary(uniqueKeysWithValues: try repo.git("ls-tree", "-r", "HEAD", "manifests").split(separator: "\n").map { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return (String(fields[3]), String(fields[2]))
        })
        for f in files {
            #expect(String(decoding: f.bytes, as: UTF8.self) == written[f.path], "\(f.path)")
            #expect(f.blobID == blobs[f.path], "\(f.path)")
        }
        // Take one blob out of the (loose) object database.
        let victim = try #require(blobs["manifests/team-0/app-1001/m.yaml"])
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent(".git/objects/\(victim.prefix(2))/\(victim.dropFirst(2))"))
        let reopened = try GitRepository(path: repo.url.path)
        #expect(throws: GitError.self) { try reopened.files(at: reopened.resolve("HEAD"), under: "manifests") }
        do {
            _ = try reopened.files(at: reopened.resolve("HEAD"), under: "manifests")
        } catch {
            #expect(error.code == .readFailed)
            #expect(error.message.contains("manifests/team-0/app-1001/m.yaml"))
        }
    }

    @Test func readsABareRepository() throws {
        let repo = try TempRepository()
        _ = try repo.commit("one", ["manifests/a.yaml": "a: 1\n"])
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bare-\(UUID().uuidString).git")
        defer { try? FileManager.default.removeItem(at: bare) }
        try repo.git("clone", "-q", "--bare", repo.url.path, bare.path)
        let git = try GitRepository(path: bare.path)
        #expect(git.workTree == nil)
        #expect(names(try git.files(at: git.resolve("HEAD"), under: "manifests")) == ["manifests/a.yaml"])
        #expect(git.uncommittedChanges(under: "manifests").isEmpty)
    }

    @Test func givesClearErrorsForMissingRepositoryRevisionAndPath() throws {
        let repo = try TempRepository()
        _ = try repo.commit("one", ["manifests/a.yaml": "a: 1\n"])
        let git = try GitRepository(path: repo.url.path)
        #expect(throws: GitError.self) { try git.resolve("no-such-branch") }
        do {
            _ = try git.resolve("no-such-branch")
        } catch {
            #expect(error.code == .revisionNotFound)
            #expect(error.message.contains("no-such-branch"))
        }
        do {
            _ = try git.files(at: git.resolve("HEAD"), under: "deploy")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .pathNotFound)
            #expect(error.message.contains("'deploy'"))
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-none-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            _ = try GitRepository(path: empty.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .repositoryNotFound)
        }
    }

    @Test func reportsUncommittedManifestChanges() throws {
        let repo = try TempRepository()
        _ = try repo.commit("one", ["manifests/a.yaml": "a: 1\n", "manifests/b.yaml": "b: 1\n"])
        try repo.write("manifests/a.yaml", "a: 2\n")
        try repo.write("manifests/new.yaml", "n: 1\n")
        try repo.write("elsewhere.yaml", "e: 1\n")
        let git = try GitRepository(path: repo.url.path)
        #expect(git.uncommittedChanges(under: "manifests") == ["manifests/a.yaml", "manifests/new.yaml"])
    }

    @Test func aSingleFilePathReadsThatFile() throws {
        let repo = try TempRepository()
        _ = try repo.commit("one", ["manifests/a.yaml": "a: 1\n", "manifests/b.yaml": "b: 1\n"])
        let git = try GitRepository(path: repo.url.path)
        #expect(names(try git.files(at: git.resolve("HEAD"), under: "manifests/b.yaml")) == ["manifests/b.yaml"])
    }
}
