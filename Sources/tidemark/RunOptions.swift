import ArgumentParser
import Foundation
import TidemarkEngine

/// Options of every command that changes live state.
struct RunOptions: ParsableArguments {
    @Flag(help: "Apply without asking.")
    var yes = false

    @Option(help: "On a failed step: rollback (undo this apply's changes) or stop.")
    var onFailure: FailurePolicy = .rollback

    @Flag(help: "Allow destructive replacements and deletes (feature groups, registry groups).")
    var allowDestroy = false

    @Option(help: "Who is applying, for the audit log (default: $USER).")
    var actor: String?

    @Option(help: "How many independent resources to change at once.")
    var concurrency = 4

    @Option(help: "Seconds to wait for another process holding the state lock.")
    var lockTimeout: Double = 0

    @Option(help: "Longest wait for one resource to settle, e.g. 90s or 10m (default: per kind, up to 1h for endpoints).")
    var waitTimeout: String?

    func options(trigger: Trigger) throws -> ApplyOptions {
        var o = ApplyOptions()
        o.concurrency = max(1, concurrency)
        o.onFailure = onFailure
        o.allowDestroy = allowDestroy
        o.actor = actor ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        o.trigger = trigger
        if let w = waitTimeout {
            guard let seconds = DurationText.seconds(w) else { throw CommandFailure("error: --wait-timeout '\(w)' is not a duration like 90s or 10m") }
            o.waitOverride = seconds
        }
        return o
    }
}

extension FailurePolicy: ExpressibleByArgument {}
