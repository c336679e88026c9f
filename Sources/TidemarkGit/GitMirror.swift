import CLibGit2
import TidemarkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to authenticate a fetch.
public enum GitCredentials: Sendable {
    case none
    /// An HTTPS token (GitHub, GitLab: sent as the password of `x-access-token`).
    case token(String)
    /// A user and password taken out of the repository URL.
    case userPassword(user: String, password: String)
}

/// Passed through libgit2's credential callback; counts attempts so a wrong token fails
/// instead of being retried forever.
private final class CredentialBox {
    let credentials: GitCredentials
    var attempts = 0
    init(_ c: GitCredentials) { credentials = c }
}

extension GitRepository {
    /// Opens the bare mirror at `path` (creating it on first use) with `url` as its origin.
    /// `url` may be a local path, `file://`, `https://` or, where libgit2 has it, ssh.
    public static func mirror(of url: String, at path: String) throws(GitError) -> GitRepository {
        git_libgit2_init()
        defer { git_libgit2_shutdown() }
        var repo: OpaquePointer?
        if git_repository_open_bare(&repo, path) != 0 {
            guard git_repository_init(&repo, path, 1) == 0, repo != nil else {
                throw GitError(code: .repositoryNotFound, message: "cannot create a mirror at '\(path)' (\(lastError()))")
            }
        }
        git_repository_free(repo)
        let mirror = try GitRepository(path: path)
        var remote: OpaquePointer?
        if git_remote_lookup(&remote, mirror.handle, "origin") == 0, let remote {
            let current = git_remote_url(remote).map { String(cString: $0) }
            git_remote_free(remote)
            if current != url, git_remote_set_url(mirror.handle, "origin", url) != 0 {
                throw GitError(code: .readFailed, message: "cannot point the mirror at '\(url)' (\(lastError()))")
            }
        } else {
            guard git_remote_create(&remote, mirror.handle, "origin", url) == 0 else {
                throw GitError(code: .readFailed, message: "cannot add '\(url)' as the mirror's origin (\(lastError()))")
            }
            git_remote_free(remote)
        }
        return mirror
    }

    /// Fetches every branch of origin into `refs/remotes/origin/*`, pruning deleted ones.
    /// The remote is looked up once per repository handle and reused.
    public func fetch(credentials: GitCredentials = .none) throws(GitError) {
        if origin == nil {
            var remote: OpaquePointer?
            guard git_remote_lookup(&remote, handle, "origin") == 0, let remote else {
                throw GitError(code: .readFailed, message: "the mirror has no origin (\(Self.lastError()))")
            }
            origin = remote
        }
        guard let remote = origin else { throw GitError(code: .readFailed, message: "the mirror has no origin") }
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        let box = CredentialBox(credentials)
        let payload = Unmanaged.passRetained(box)
        defer { payload.release() }
        options.callbacks.payload = payload.toOpaque()
        options.callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            guard let out, let payload else { return -30 }  // GIT_PASSTHROUGH
            let box = Unmanaged<CredentialBox>.fromOpaque(payload).takeUnretainedValue()
            box.attempts += 1
            guard box.attempts <= 1 else { return -1 }
            switch box.credentials {
            case .token(let token) where allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0:
                return git_credential_userpass_plaintext_new(out, "x-access-token", token)
            case let .userPassword(user, password) where allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0:
                return git_credential_userpass_plaintext_new(out, user, password)
            default:
                if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
                    if let user = usernameFromURL { return git_credential_ssh_key_from_agent(out, user) }
                    return git_credential_ssh_key_from_agent(out, "git")
                }
                return -30
            }
        }
        guard git_remote_fetch(remote, nil, &options, "tidemark fetch") == 0 else {
            let origin = git_remote_url(remote).map { RepositoryURL(String(cString: $0)).url } ?? "origin"
            throw GitError(code: .unreachable, message: "fetch from \(origin) failed: \(Self.lastError())")
        }
    }

    /// Branches of origin in the mirror.
    public func remoteBranches() -> [String] {
        var iterator: OpaquePointer?
        guard git_branch_iterator_new(&iterator, handle, GIT_BRANCH_REMOTE) == 0, let iterator else { return [] }
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        var ref: OpaquePointer?
        var type = GIT_BRANCH_REMOTE
        while git_branch_next(&ref, &type, iterator) == 0, let r = ref {
            var name: UnsafePointer<CChar>?
            if git_branch_name(&name, r) == 0, let name {
                let full = String(cString: name)
                if full.hasPrefix("origin/"), full != "origin/HEAD" { names.append(String(full.dropFirst(7))) }
            }
            git_reference_free(r)
        }
        return names.sorted()
    }

    /// The branch to follow when none is named: main, else master, else the only one.
    public func defaultBranch() -> String? {
        let branches = remoteBranches()
        if branches.contains("main") { return "main" }
        if branches.contains("master") { return "master" }
        return branches.count == 1 ? branches[0] : nil
    }
}
