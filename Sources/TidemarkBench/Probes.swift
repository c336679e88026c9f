import ArgumentParser
import CYAML
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkGit
import TidemarkServices
import TidemarkStore

/// The floor: libgit2 reads every manifest blob of the commit and libyaml parses it into
/// events, building nothing. Everything Tidemark does costs at least this.
struct FloorProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "floor", abstract: "Read every blob and parse it, building nothing.")
    @Option var repo: String
    @Option var rev: String
    @Option var path = "manifests"

    func run() throws {
        let git = try GitRepository(path: repo)
        let files = try git.files(at: git.resolve(rev), under: path)
        var events = 0
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        for f in files {
            f.bytes.withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress, yaml_parser_initialize(parser) == 1 else { return }
                defer { yaml_parser_delete(parser) }
                yaml_parser_set_input_string(parser, base, buf.count)
                var event = yaml_event_t()
                while yaml_parser_parse(parser, &event) == 1 {
                    let end = event.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(&event)
                    events += 1
                    if end { break }
                }
            }
        }
        print("{\"files\": \(files.count), \"events\": \(events)}")
    }
}

/// The incremental path of a long-running controller: with the previous revision loaded,
/// move to the next by diffing trees and re-reading only what changed, then plan.
struct ReplanProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replan", abstract: "Time an incremental replan from one commit to the next.")
    @Option var repo: String
    @Option var from: String
    @Option var to: String
    @Option var path = "manifests"

    func run() async throws {
        let git = try GitSource(path: repo)
        let old = try await git.resolve(from)
        let index = try await git.index(at: old, path: path)
        let start = DispatchTime.now()
        func since(_ t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9 }
        let new = try await git.resolve(to)
        let changed = try await git.changes(from: old, to: new, under: path)
        let read = since(start)
        let t = DispatchTime.now()
        let next = index.updated(changed: changed.changed, removed: changed.removed)
        let update = since(t)
        let (changes, unchanged) = Planner.changes(from: index.side, to: next.side, candidates: next.touched)
        let seconds = since(start)
        print("{\"seconds\": \(seconds), \"git\": \(read), \"update\": \(update), \"changes\": \(changes.count), \"unchanged\": \(unchanged), \"errors\": \(next.loaded.hasErrors)}")
    }
}

/// Everything the services do, timed as wall time during which at least one service call is
/// running (calls overlap under concurrency); the engine's overhead is the rest of an apply.
final class TimedBackend: ServiceBackend, @unchecked Sendable {
    let inner: any ServiceBackend
    private let lock = NSLock()
    private var busyNanos: UInt64 = 0
    private var inFlight = 0
    private var busySince: UInt64 = 0

    init(_ inner: any ServiceBackend) { self.inner = inner }

    var seconds: Double { lock.withLock { Double(busyNanos) / 1e9 } }

    func timed<T>(_ body: () async throws -> T) async rethrows -> T {
        lock.withLock {
            if inFlight == 0 { busySince = DispatchTime.now().uptimeNanoseconds }
            inFlight += 1
        }
        defer {
            lock.withLock {
                inFlight -= 1
                if inFlight == 0 { busyNanos += DispatchTime.now().uptimeNanoseconds - busySince }
            }
        }
        return try await body()
    }

    func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject? { try await timed { try await inner.describe(kind, name) } }
    func list(_ kind: ResourceKind) async throws -> [LiveObject] { try await timed { try await inner.list(kind) } }
    func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject {
        try await timed { try await inner.create(kind, name: name, spec: spec, clientToken: clientToken) }
    }
    func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject { try await timed { try await inner.update(kind, name, spec: spec) } }
    func delete(_ kind: ResourceKind, _ name: String) async throws { try await timed { try await inner.delete(kind, name) } }
}

/// An apply of a whole revision into empty local services with zero latency, split into
/// time spent in the service modules and time spent in the engine.
struct ApplyProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Time an apply into empty local services.")
    @Option var repo: String
    @Option var rev: String
    @Option var path = "manifests"
    @Option var data: String

    func run() async throws {
        let git = try GitSource(path: repo)
        let commit = try await git.resolve(rev)
        let index = try await git.index(at: commit, path: path)
        guard !index.loaded.hasErrors else { throw BenchError("generated manifests are invalid: \(index.loaded.diagnostics.prefix(3))") }
        let start = DispatchTime.now()
        let store = try SQLiteStore(folder: data, holder: .current(role: "bench"))
        let services = TimedBackend(try LocalServices(folder: data, time: SystemTime(), latencies: .zero))
        let reconciler = Reconciler(source: git, backend: services, store: store, time: SystemTime())
        var options = ApplyOptions()
        options.actor = "bench"
        let outcome = try await reconciler.exclusively(wait: 0, actor: "bench", recovered: { _ in }) {
            try await reconciler.reconcile(index, origin: RevisionOrigin(commit: commit, reference: rev, path: path), prune: false,
                                           options: options, pin: .keep, confirm: { _ in true }, progress: { _ in })
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        guard case .applied(_, let report) = outcome, report.result.outcome == .succeeded else {
            throw BenchError("apply failed: \(outcome)")
        }
        print("{\"seconds\": \(seconds), \"moduleSeconds\": \(services.seconds), \"resources\": \(report.result.completed.count)}")
    }
}
