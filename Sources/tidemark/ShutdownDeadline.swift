import Foundation
import Logging
import ServiceLifecycle
import TidemarkController

/// Bounds how long `serve` takes to stop. SIGTERM lets each controller finish or abandon its
/// pass within the grace period, then cancels what remains; a pass that still does not end
/// (a wait that ignores cancellation) must not keep the process alive for good, holding
/// nothing but blocking a rollout. `limit` seconds after shutdown began, the applications
/// still running are named and the process exits with status 1: what they were doing is
/// recovered from the journal by whichever replica leads them next, as after kill -9.
struct ShutdownDeadline: Service {
    let limit: Double
    let controllers: [Controller]
    let logger: Logger

    func run() async throws {
        // Returns when shutdown begins (this service is listed last, so it hears first).
        try await gracefulShutdown()
        let (limit, controllers, logger) = (limit, controllers, logger)
        Task.detached {
            do { try await Task.sleep(nanoseconds: UInt64(limit * 1_000_000_000)) } catch { return }
            var running: [String] = []
            for c in controllers where await c.currentStatus().role != .stopping { running.append(c.settings.application) }
            logger.error("shutdown did not finish within \(Int(limit)) s; exiting with \(running.isEmpty ? "the API server" : running.joined(separator: ", ")) still running (the journal recovers any interrupted action)")
            exit(1)
        }
    }
}
