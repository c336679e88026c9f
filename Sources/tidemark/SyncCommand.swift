import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a running controller to sync now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Ask a running `tidemark serve` to fetch and apply now (POST /api/v1/sync).")

    @Option(help: "The controller's API, e.g. http://127.0.0.1:8080") var server = "http://127.0.0.1:8080"

    func run() async throws {
        guard let url = URL(string: server.hasSuffix("/") ? server + "api/v1/sync" : server + "/api/v1/sync") else {
            throw CommandFailure("error: '\(server)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        if let token = ProcessInfo.processInfo.environment["TIDEMARK_API_TOKEN"] {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let session = URLSession(configuration: .ephemeral)
        do {
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            Terminal.write(String(decoding: data, as: UTF8.self))
            if status != 202 { throw CommandFailure("error: the controller answered \(status)") }
        } catch let e as CommandFailure {
            throw e
        } catch {
            throw CommandFailure("error: cannot reach \(server): \(error.localizedDescription)")
        }
    }
}
