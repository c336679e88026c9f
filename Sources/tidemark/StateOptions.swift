import ArgumentParser
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkPostgres
import TidemarkServices

/// Where state lives, which application a command means, and how the local services
/// behave: `--data`, `--store`, `--app`, `--service-latency`.
struct StateOptions: ParsableArguments {
    @Option(help: "The state folder (default: $TIDEMARK_DATA, else ~/.local/state/tidemark).")
    var data: String?

    @Option(help: "The shared store, postgres://user@host[:port]/database[?sslmode=…] (password from PGPASSWORD), for many applications and replicas (default: $TIDEMARK_STORE, else SQLite in the state folder).")
    var store: String?

    @Option(help: "The application (default: the only one in the store, else 'default').")
    var app: String?

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

    /// The store location: `--store`, else `TIDEMARK_STORE`, else nil (SQLite in the folder).
    var storeLocation: String? {
        if let store, !store.isEmpty { return store }
        if let s = ProcessInfo.processInfo.environment["TIDEMARK_STORE"], !s.isEmpty { return s }
        return nil
    }

    func openStores() async throws -> Stores {
        try await Stores.open(location: storeLocation, folder: folder)
    }

    /// The application meant: `--app`, else the only one with records, else `default`.
    /// With several and none named, the error lists them.
    func application(in stores: Stores) async throws -> String {
        if let app {
            guard Stores.validName(app) else {
                throw CommandFailure("error: --app '\(app)' is not an application name (lowercase letters, digits and '-', at most 63)")
            }
            return app
        }
        let known: [String]
        switch stores {
        case .sqlite(let folder):
            do { known = try Stores.localApplications(in: folder) } catch {
                throw CommandFailure("error: cannot list the applications in \(folder): \(error)")
            }
        case .postgres(let pool):
            do { known = try await PostgresStore.applications(in: pool) } catch {
                throw CommandFailure("error: cannot list the applications in \(stores.description): \(error)")
            }
        }
        if known.count > 1 && !known.contains(Stores.implicitApplication) {
            throw CommandFailure("error: the store holds \(known.count) applications (\(known.joined(separator: ", "))); name one with --app")
        }
        return known.count == 1 ? known[0] : Stores.implicitApplication
    }

    /// The records of the application meant, written as `role`.
    func openStore(role: String, time: any TimeSource = SystemTime()) async throws -> any StateStore {
        let stores = try await openStores()
        return try await openStore(in: stores, role: role, time: time).store
    }

    func openStore(in stores: Stores, role: String, time: any TimeSource = SystemTime()) async throws -> (store: any StateStore, application: String) {
        let application = try await application(in: stores)
        do {
            return (try stores.application(application, holder: .current(role: role), time: time, leaseTTL: Environment.leaseTTL), application)
        } catch {
            throw CommandFailure("error: cannot open the state of \(application) in \(stores.description): \(error)")
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
