import ArgumentParser
import Foundation
import TidemarkAWS
import TidemarkEngine
import TidemarkWire

/// Which services a command reconciles against: the local modules in the state folder, or
/// the SageMaker API (the real one, or anything that speaks it, such as `tidemark services serve`).
struct BackendOptions: ParsableArguments {
    enum Choice: String, ExpressibleByArgument, CaseIterable { case local, sagemaker }

    @Option(help: "local (the service modules in the state folder) or sagemaker (the SageMaker API). Default: $TIDEMARK_BACKEND, else local.")
    var backend: Choice?

    @Option(help: "The AWS region for --backend sagemaker (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile's region).")
    var region: String?

    @Option(help: "Send SageMaker API calls here instead of https://api.sagemaker.REGION.amazonaws.com (default: $AWS_ENDPOINT_URL_SAGEMAKER, $AWS_ENDPOINT_URL).")
    var endpointURL: String?

    @Option(help: "The AWS profile to take credentials and region from (default: the environment, then $AWS_PROFILE, then default).")
    var profile: String?

    struct Resolved {
        var choice: Choice
        var region: String?
        var endpointURL: String?
        var profile: String?
    }

    /// Flags over the serve config file's `backend:` over the environment.
    func resolved(file: ServeConfig.Backend? = nil) throws -> Resolved {
        let env = ProcessInfo.processInfo.environment["TIDEMARK_BACKEND"].flatMap { $0.isEmpty ? nil : $0 }
        let text = backend?.rawValue ?? file?.type ?? env ?? "local"
        guard let choice = Choice(rawValue: text) else {
            throw CommandFailure("error: backend '\(text)' is not local or sagemaker (from \(backend != nil ? "--backend" : file?.type != nil ? "the config file" : "TIDEMARK_BACKEND"))")
        }
        return Resolved(choice: choice, region: region ?? file?.region, endpointURL: endpointURL ?? file?.endpointURL, profile: profile ?? file?.profile)
    }

    func open(state: StateOptions, time: any TimeSource = SystemTime(), file: ServeConfig.Backend? = nil) throws -> any ServiceBackend {
        let r = try resolved(file: file)
        switch r.choice {
        case .local:
            return try state.openServices(time: time)
        case .sagemaker:
            return try Self.api(r, time: time)
        }
    }

    static func api(_ r: Resolved, time: any TimeSource) throws -> SageMakerAPIBackend {
        let chain = CredentialChain()
        do {
            let region = try chain.region(explicit: r.region, profile: r.profile)
            let endpointText = chain.endpoint(explicit: r.endpointURL, region: region)
            guard let url = URL(string: endpointText), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw CommandFailure("error: --endpoint-url '\(endpointText)' is not an http:// or https:// URL")
            }
            let credentials = try chain.credentials(profile: r.profile)
            return SageMakerAPIBackend(client: AWSJSONClient(endpoint: url, region: region, credentials: credentials, time: time))
        } catch let failure as CredentialChain.Failure {
            throw CommandFailure("error: --backend sagemaker: \(failure.description)")
        }
    }
}
