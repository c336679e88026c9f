import ArgumentParser
import Foundation
import TidemarkCore
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

    @Option(help: "Longest wait for one resource to settle: 10m for all, or per kind, e.g. Endpoint=90m,*=10m (default: 1h for endpoints, 30m for feature groups, 10m for the rest).")
    var waitTimeout: String?

    func options(trigger: Trigger) throws -> ApplyOptions {
        var o = ApplyOptions()
        o.concurrency = max(1, concurrency)
        o.onFailure = onFailure
        o.allowDestroy = allowDestroy
        o.actor = actor ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        o.trigger = trigger
        if let w = waitTimeout {
            if let seconds = DurationText.seconds(w) {
                o.waitOverride = seconds
            } else {
                for part in w.split(separator: ",") {
                    let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2, let seconds = DurationText.seconds(kv[1]), seconds > 0 else {
                        throw CommandFailure("error: --wait-timeout '\(w)' is not a duration like 10m or Kind=duration pairs like Endpoint=90m,*=10m")
                    }
                    if kv[0] == "*" {
                        o.waitOverride = seconds
                    } else if let kind = ResourceKind(rawValue: kv[0]) {
                        o.waitPerKind[kind] = seconds
                    } else {
                        throw CommandFailure("error: --wait-timeout names '\(kv[0])', which is not a kind (\(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                }
            }
        }
        return o
    }
}

extension FailurePolicy: ExpressibleByArgument {}
