import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkServices
import TidemarkStore

/// Where state lives and how the local services behave: `--data`, `--service-latency`.
struct StateOptions: ParsableArguments {
    @Option(help: "The state folder (default: $TIDEMARK_DATA, else ~/.local/state/tidemark).")
    var data: String?

    @Option(help: "Local service latencies: 'standard' (a few seconds for endpoints), '0', or 'Endpoint=5s,*=0'. Default: $TIDEMARK_SERVICE_LATENCY or standard.")
    var serviceLatency: String?

    var folder: String {
        if let data { return data }
        let env = ProcessInfo.processInfo.environment
        if let d = env["TIDEMARK_DATA"], !d.isEmpty { return d }
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return state + "/tidemark"
    }

    func latencies() throws -> Latencies {
        let text = serviceLatency ?? ProcessInfo.processInfo.environment["TIDEMARK_SERVICE_LATENCY"] ?? "standard"
        guard let l = Latencies.parse(text) else {
            throw CommandFailure("error: --service-latency '\(text)' is not 'standard', a duration, or Kind=duration pairs")
        }
        return l
    }

    func openStore(role: String, time: any TimeSource = SystemTime()) throws -> SQLiteStore {
        do { return try SQLiteStore(folder: folder, holder: .current(role: role), time: time, leaseTTL: Environment.leaseTTL) } catch {
            throw CommandFailure("error: cannot open the state in \(folder): \(error)")
        }
    }

    func openServices(time: any TimeSource = SystemTime()) throws -> LocalServices {
        do { return try LocalServices(folder: folder, time: time, latencies: try latencies()) } catch let e as CommandFailure {
            throw e
        } catch {
            throw CommandFailure("error: cannot open the local services in \(folder): \(error)")
        }
    }
}

/// Prints progress lines on stderr: `15:02:11  Endpoint/fraud-detector  fraud-detector InService`.
struct ProgressPrinter: Sendable {
    let color: Bool

    func print(_ e: ApplyEvent) {
        let t = Timestamp.iso8601(e.time)
        let clock = String(t.dropFirst(11).prefix(8))
        let name = color ? "\u{1B}[1m\(e.resource)\u{1B}[0m" : e.resource.description
        Terminal.error("\(clock)  \(name)  \(e.message)")
    }
}
