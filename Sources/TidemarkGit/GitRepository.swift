import CLibGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TidemarkCore

/// A failure of the git edge, with a code and a message a person can act on.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case repositoryNotFound, revisionNotFound, pathNotFound, unreachable, readFailed }
    public var code: Code
    public var message: String

    public var description: String { message }
}

/// A git repository opened with libgit2: revisions resolve, files are read straight from the
/// object database at any commit (no checkout, no `git` process). One instance belongs to
/// one task at a time; libgit2 handles are not shared across threads.
public final class GitRepository {
    let handle: OpaquePointer
    /// The work tree root, or nil for a bare repository.
    public let workTree: String?
    /// The `origin` remote, looked up once and kept: libgit2 1.5 leaks about 90 KB on every
    /// `git_remote_lookup`, which a controller fetching every few seconds cannot afford.
    var origin: OpaquePointer?

    /// Opens the repository at `path` or in a parent folder of it.
    public init(path: String) throws(GitError) {
        git_libgit2_init()
        var repo: OpaquePointer?
        let rc = git_repository_open_ext(&repo, path, 0, nil)
        guard rc == 0, let repo else {
            let reason = Self.lastError()  // read before shutdown clears it
            git_libgit2_shutdown()
            throw GitError(code: .repositoryNotFound, message: "no git repository at '\(path)' (\(reason))")
        }
        handle = repo
        workTree = git_repository_workdir(repo).map { String(cString: $0) }
    }

    deinit {
        if let origin { git_remote_free(origin) }
        git_repository_free(handle)
        git_libgit2_shutdown()
    }

    static func lastError() -> String {
        guard let e = git_error_last(), let m = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: m)
    }

    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        return String(cString: buffer)
    }

    /// Resolves any revision git understands: a branch, tag, full or short id, `HEAD~1`,
    /// `origin/main`.
    public func resolve(_ revision: String) throws(GitError) -> Commit {
        var object: OpaquePointer?
        guard git_revparse_single(&object, handle, revision) == 0, let object else {
            throw GitError(code: .revisionNotFound, message: "revision '\(revision)' not found in the repository (\(Self.lastError()))")
        }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        guard git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) == 0, let commit = peeled else {
            throw GitError(code: .revisionNotFound, message: "revision '\(revision)' does not name a commit")
        }
        defer { git_object_free(commit) }
        let id = Self.hex(git_commit_id(commit))
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        guard let signature = git_commit_author(commit) else { return Commit(id: id, summary: summary) }
        let name = signature.pointee.name.map { String(cString: $0) } ?? ""
        let email = signature.pointee.email.map { String(cString: $0) } ?? ""
        let author = email.isEmpty ? name : "\(name) <\(email)>"
        return Commit(id: id, summary: summary, author: author,
                      authoredAt: Int64(signature.pointee.when.time))
    }

    /// Every `.yaml`/`.yml` file under `path` at `commit`, sorted by path, read from the object
    /// database. Paths are relative to the repository root.
    public func files(at commit: Commit, under path: String) throws(GitError) -> [SourceFile] {
        let root = try rootTree(commit)
        defer { git_tree_free(root) }
        let clean = Self.normalize(path)
        if clean.isEmpty { return try walk(root, prefix: "") }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, root, clean) == 0, let entry else {
            throw GitError(code: .pathNotFound, message: "path '\(clean)' does not exist at \(commit.shortID)")
        }
        defer { git_tree_entry_free(entry) }
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE:
            var sub: OpaquePointer?
            guard git_tree_lookup(&sub, handle, git_tree_entry_id(entry)) == 0, let sub else {
                throw GitError(code: .readFailed, message: "cannot read '\(clean)' at \(commit.shortID) (\(Self.lastError()))")
            }
            defer { git_tree_free(sub) }
            return try walk(sub, prefix: clean + "/")
        case GIT_OBJECT_BLOB:
            return [try readBlob(git_tree_entry_id(entry), path: clean)]
        default:
            throw GitError(code: .pathNotFound, message: "path '\(clean)' at \(commit.shortID) is neither a folder nor a file")
        }
    }

    /// The root tree of `commit` (the caller frees it).
    func rootTree(_ commit: Commit) throws(GitError) -> OpaquePointer {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit.id) == 0 else {
            throw GitError(code: .revisionNotFound, message: "'\(commit.id)' is not a commit id")
        }
        var commitObject: OpaquePointer?
        guard git_commit_lookup(&commitObject, handle, &oid) == 0, let commitObject else {
            throw GitError(code: .revisionNotFound, message: "commit \(commit.shortID) not found (\(Self.lastError()))")
        }
        defer { git_commit_free(commitObject) }
        var root: OpaquePointer?
        guard git_commit_tree(&root, commitObject) == 0, let root else {
            throw GitError(code: .readFailed, message: "cannot read the tree of \(commit.shortID) (\(Self.lastError()))")
        }
        return root
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.hasSuffix("/") { p.removeLast() }
        return p == "." ? "" : p
    }

    static func isManifest(_ name: String) -> Bool { name.hasSuffix(".yaml") || name.hasSuffix(".yml") }

    func walk(_ tree: OpaquePointer, prefix: String) throws(GitError) -> [SourceFile] {
        var out: [(id: git_oid, path: String)] = []
        var pending: [(tree: OpaquePointer, prefix: String, owned: Bool)] = [(tree, prefix, false)]
        defer { for p in pending where p.owned { git_tree_free(p.tree) } }
        while let (current, base, owned) = pending.popLast() {
            defer { if owned { git_tree_free(current) } }
            let count = git_tree_entrycount(current)
            for i in 0..<count {
                guard let entry = git_tree_entry_byindex(current, i) else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                switch git_tree_entry_type(entry) {
                case GIT_OBJECT_TREE:
                    var sub: OpaquePointer?
                    guard git_tree_lookup(&sub, handle, git_tree_entry_id(entry)) == 0, let sub else {
                        throw GitError(code: .readFailed, message: "cannot read folder '\(base)\(name)' (\(Self.lastError()))")
                    }
                    pending.append((sub, base + name + "/", true))
                case GIT_OBJECT_BLOB where Self.isManifest(name):
                    guard git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK else { continue }
                    guard let id = git_tree_entry_id(entry) else {
                        throw GitError(code: .readFailed, message: "cannot read '\(base)\(name)' (no object id)")
                    }
                    out.append((id.pointee, base + name))
                default:
                    continue
                }
            }
        }
        out.sort { $0.path < $1.path }
        return try readBlobs(out)
    }

    /// Many blobs are read on both cores, each worker through its own handle on the
    /// repository (libgit2 handles are not shared across threads); inflating them is most of
    /// the cost of reading a revision.
    func readBlobs(_ entries: [(id: git_oid, path: String)]) throws(GitError) -> [SourceFile] {
        guard entries.count >= 512, let gitDir = git_repository_path(handle).map({ String(cString: $0) }) else {
            var files: [SourceFile] = []
            files.reserveCapacity(entries.count)
            for var e in entries { files.append(try readBlob(&e.id, path: e.path)) }
            return files
        }
        let read = Striped.map(entries.count, workers: 2, minimum: 512, state: { () -> Result<GitRepository, GitError> in
            Result { () throws(GitError) in try GitRepository(path: gitDir) }
        }) { i, repository -> Result<SourceFile, GitError> in
            var id = entries[i].id
            return repository.flatMap { r in Result { () throws(GitError) in try r.readBlob(&id, path: entries[i].path) } }
        }
        return try read.map { r throws(GitError) in try r.get() }
    }

    func readBlob(_ oid: UnsafePointer<git_oid>?, path: String) throws(GitError) -> SourceFile {
        var blob: OpaquePointer?
        guard let oid, git_blob_lookup(&blob, handle, oid) == 0, let blob else {
            throw GitError(code: .readFailed, message: "cannot read '\(path)' (\(Self.lastError()))")
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        var bytes = [UInt8](repeating: 0, count: size)
        if size > 0, let raw = git_blob_rawcontent(blob) {
            bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: size)) }
        }
        return SourceFile(path: path, bytes: bytes, blobID: Self.hex(oid))
    }

    /// Manifest files under `path` that differ in the work tree or index from HEAD, or are
    /// untracked: what a plan of a commit does not include. Empty for a bare repository.
    public func uncommittedChanges(under path: String) -> [String] {
        guard workTree != nil else { return [] }
        var options = git_status_options()
        git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        let clean = Self.normalize(path)
        var spec = strdup(clean.isEmpty ? "*" : clean)
        defer { free(spec) }
        var list: OpaquePointer?
        let rc = withUnsafeMutablePointer(to: &spec) { specPointer -> Int32 in
            options.pathspec = git_strarray(strings: specPointer, count: 1)
            return git_status_list_new(&list, handle, &options)
        }
        guard rc == 0, let list else { return [] }
        defer { git_status_list_free(list) }
        var paths: [String] = []
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let file = delta?.pointee.new_file.path ?? delta?.pointee.old_file.path else { continue }
            let p = String(cString: file)
            if Self.isManifest(p) { paths.append(p) }
        }
        return Array(Set(paths)).sorted()
    }

    /// Paths under `path` that differ between two commits (tree to tree, no work tree). The two
    /// trees are compared entry by entry and every subtree whose id is the same on both sides
    /// is skipped, as git does: the cost is the size of the folders along the changed paths,
    /// not of the repository (libgit2's diff with a pathspec took 16 ms at 100,000 resources).
    public func changedPaths(from old: Commit, to new: Commit, under path: String) throws(GitError) -> [String] {
        Array(Set(try changedFiles(from: old, to: new, under: path).map(\.path))).sorted()
    }

    /// The manifest files under `path` that differ between two commits, each with its blob at
    /// `new` (nil when it is gone, or is no longer a file a full read would take). The blobs are
    /// read by id, so a change of many files costs no lookup from the root for each.
    public func changedManifests(from old: Commit, to new: Commit, under path: String) throws(GitError) -> (changed: [SourceFile], removed: [String]) {
        var present: [(id: git_oid, path: String)] = []
        var removed: [String] = []
        var seen = Set<String>()
        for change in try changedFiles(from: old, to: new, under: path) where Self.isManifest(change.path) && seen.insert(change.path).inserted {
            if let blob = change.blob, !blob.isLink { present.append((blob.id, change.path)) } else { removed.append(change.path) }
        }
        present.sort { $0.path < $1.path }
        return (try readBlobs(present), removed.sorted())
    }

    /// Every file path that differs, with what it is at `new` when it is a file there.
    func changedFiles(from old: Commit, to new: Commit, under path: String) throws(GitError) -> [(path: String, blob: TreeNode?)] {
        let clean = Self.normalize(path)
        var changes: [(path: String, blob: TreeNode?)] = []
        var pending: [(old: TreeNode?, new: TreeNode?, path: String)] = [(try node(old, clean), try node(new, clean), clean)]
        while let (a, b, here) = pending.popLast() {
            if let a, let b, a.isTree == b.isTree, a.same(as: b) { continue }
            guard let a, let b, a.isTree, b.isTree else {
                // A side that is a file is the path itself; a folder is every file under it.
                let newFile = b.flatMap { $0.isTree ? nil : $0 }
                if let a {
                    if a.isTree {
                        changes += try blobs(a, at: here).map { ($0.path, nil) }
                    } else if newFile == nil {
                        changes.append((here, nil))
                    }
                }
                if let b {
                    if b.isTree { changes += try blobs(b, at: here).map { ($0.path, $0.blob) } } else { changes.append((here, newFile)) }
                }
                continue
            }
            // Both folders: walk their entries side by side in git's order.
            let before = try lookupTree(a, at: here)
            defer { git_tree_free(before) }
            let after = try lookupTree(b, at: here)
            defer { git_tree_free(after) }
            let (countA, countB) = (git_tree_entrycount(before), git_tree_entrycount(after))
            var (i, j) = (0, 0)
            func join(_ entry: OpaquePointer) -> String {
                let name = String(cString: git_tree_entry_name(entry))
                return here.isEmpty ? name : here + "/" + name
            }
            while i < countA || j < countB {
                let x = i < countA ? git_tree_entry_byindex(before, i) : nil
                let y = j < countB ? git_tree_entry_byindex(after, j) : nil
                let order: Int32 = x == nil ? 1 : y == nil ? -1 : git_tree_entry_cmp(x, y)
                if order == 0, let x, let y {
                    if git_oid_cmp(git_tree_entry_id(x), git_tree_entry_id(y)) != 0 || git_tree_entry_filemode(x) != git_tree_entry_filemode(y) {
                        pending.append((Self.node(x), Self.node(y), join(x)))
                    }
                    i += 1
                    j += 1
                } else if order < 0, let x {
                    pending.append((Self.node(x), nil, join(x)))
                    i += 1
                } else if let y {
                    pending.append((nil, Self.node(y), join(y)))
                    j += 1
                } else {
                    break
                }
            }
        }
        return changes
    }

    /// A tree or blob in a commit, by its object id.
    struct TreeNode {
        var id: git_oid
        var isTree: Bool
        /// A symbolic link, which a full read skips.
        var isLink = false

        func same(as other: TreeNode) -> Bool {
            var (a, b) = (id, other.id)
            return git_oid_cmp(&a, &b) == 0 && isLink == other.isLink
        }
    }

    /// What `path` is at `commit`: nil when nothing is there.
    func node(_ commit: Commit, _ path: String) throws(GitError) -> TreeNode? {
        let root = try rootTree(commit)
        defer { git_tree_free(root) }
        if path.isEmpty, let id = git_tree_id(root) { return TreeNode(id: id.pointee, isTree: true) }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, root, path)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        guard rc == 0, let entry else { throw GitError(code: .readFailed, message: "cannot read '\(path)' at \(commit.shortID) (\(Self.lastError()))") }
        defer { git_tree_entry_free(entry) }
        return Self.node(entry)
    }

    static func node(_ entry: OpaquePointer?) -> TreeNode? {
        guard let entry, let id = git_tree_entry_id(entry) else { return nil }
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE: return TreeNode(id: id.pointee, isTree: true)
        case GIT_OBJECT_BLOB: return TreeNode(id: id.pointee, isTree: false, isLink: git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK)
        default: return nil  // a submodule: not a manifest
        }
    }

    func lookupTree(_ node: TreeNode, at path: String) throws(GitError) -> OpaquePointer {
        var oid = node.id
        var tree: OpaquePointer?
        guard git_tree_lookup(&tree, handle, &oid) == 0, let tree else {
            throw GitError(code: .readFailed, message: "cannot read folder '\(path)' (\(Self.lastError()))")
        }
        return tree
    }

    /// A tree's entries by name.
    func children(_ node: TreeNode, at path: String) throws(GitError) -> [String: TreeNode] {
        let tree = try lookupTree(node, at: path)
        defer { git_tree_free(tree) }
        var out: [String: TreeNode] = [:]
        for i in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, i), let child = Self.node(entry) else { continue }
            out[String(cString: git_tree_entry_name(entry))] = child
        }
        return out
    }

    /// Every file under a tree (for a folder added or removed whole).
    func blobs(_ node: TreeNode, at path: String) throws(GitError) -> [(path: String, blob: TreeNode)] {
        var out: [(path: String, blob: TreeNode)] = []
        var pending = [(node, path)]
        while let (current, here) = pending.popLast() {
            for (name, child) in try children(current, at: here) {
                let full = here.isEmpty ? name : here + "/" + name
                if child.isTree { pending.append((child, full)) } else { out.append((full, child)) }
            }
        }
        return out
    }
}
