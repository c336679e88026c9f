import Foundation

/// A real git repository in a temporary folder, built with the git command line, for tests
/// of the git edge and of the binary. Removed when released.
public final class TempRepository {
    public let url: URL

    public struct CommandFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public let output: String
        public var description: String { "git \(arguments.joined(separator: " ")) failed: \(output)" }
    }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "test@example.com")
        try git("config", "user.name", "Test")
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Runs git in the repository and returns its standard output, trimmed.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let run = try ChildProcess.capture("git", ["-C", url.path] + arguments)
        guard run.status == 0 else { throw CommandFailed(arguments: arguments, output: run.stderr) }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    /// Replaces `old` by `new` in a file; `old` must be there.
    public func edit(_ path: String, _ old: String, _ new: String) throws {
        let file = url.appendingPathComponent(path)
        let text = try String(contentsOf: file, encoding: .utf8)
        guard text.contains(old) else { throw CommandFailed(arguments: ["edit", path], output: "no '\(old)' in \(path)") }
        try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
    }

    /// Writes `files`, commits everything, and returns the new commit id.
    @discardableResult
    public func commit(_ message: String, _ files: [String: String] = [:]) throws -> String {
        for (path, text) in files { try write(path, text) }
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD")
    }
}
