import Foundation

/// A server process a test starts on loopback and stops: `tidemark services serve` or
/// `moto_server`. It waits (up to 20 s) until the log shows the port it listens on.
public final class ServedProcess: @unchecked Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let process: ChildProcess
    public let log: URL
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts `executable arguments` with `environment` added; `portPattern` is a regular
    /// expression whose first capture group is the port in the log; `fixedPort` skips it.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                portPattern: String, fixedPort: Int? = nil) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-served-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = try ChildProcess.start(executable, arguments, environment: environment,
                                         stdout: .file(log.path), stderr: .standardOutput)
        let regex = try NSRegularExpression(pattern: portPattern)
        var found: Int?
        for _ in 0..<400 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text) {
                found = fixedPort ?? Int(text[r])
                break
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            process.stop()
            throw Failed(description: "\(executable) did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    /// `tidemark services serve` on a free loopback port over the state folder `data`.
    public static func services(binary: String, data: String, latency: String = "0", environment: [String: String] = [:]) throws -> ServedProcess {
        try ServedProcess(binary, ["services", "serve", "--listen", "127.0.0.1:0", "--data", data, "--service-latency", latency],
                          environment: environment, portPattern: #"SageMaker API on http://127\.0\.0\.1:(\d+)"#)
    }

    public var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.isRunning }

    public func stop() {
        process.stop(SIGTERM)
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: log)
    }
}
