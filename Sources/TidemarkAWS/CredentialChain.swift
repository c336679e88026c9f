import Foundation
import TidemarkWire

/// Where the API backend finds credentials and its region, in the order the AWS SDKs use:
/// an explicit profile only that profile; otherwise the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then the profile
/// named by `AWS_PROFILE` (else `default`) in `~/.aws/credentials` and `~/.aws/config`
/// (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE` move them). Web identity, SSO,
/// `credential_process`, assumed roles, ECS and EC2 instance metadata are not read yet; a
/// profile that needs one says so instead of failing later with a signature error.
public struct CredentialChain: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let environment: [String: String]
    let home: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, home: String = NSHomeDirectory()) {
        self.environment = environment
        self.home = home
    }

    func env(_ key: String) -> String? {
        guard let v = environment[key], !v.isEmpty else { return nil }
        return v
    }

    var credentialsPath: String { env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials" }
    var configPath: String { env("AWS_CONFIG_FILE") ?? home + "/.aws/config" }

    func file(_ path: String, isConfig: Bool) -> SharedConfigFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return SharedConfigFile(text: String(decoding: data, as: UTF8.self), isConfig: isConfig)
    }

    func profileName(_ explicit: String?) -> String { explicit ?? env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default" }

    /// The settings of a profile: the credentials file's section over the config file's.
    func profile(_ name: String) -> [String: String]? {
        let config = file(configPath, isConfig: true)?.sections[name]
        let credentials = file(credentialsPath, isConfig: false)?.sections[name]
        guard config != nil || credentials != nil else { return nil }
        return (config ?? [:]).merging(credentials ?? [:]) { _, fromCredentials in fromCredentials }
    }

    public func credentials(profile explicit: String?) throws -> AWSCredentials {
        if explicit == nil, let key = env("AWS_ACCESS_KEY_ID") {
            guard let secret = env("AWS_SECRET_ACCESS_KEY") else {
                throw Failure(description: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"), source: "environment")
        }
        let name = profileName(explicit)
        guard let settings = profile(name) else {
            if explicit != nil || env("AWS_PROFILE") != nil {
                throw Failure(description: "profile '\(name)' is in neither \(credentialsPath) nor \(configPath)")
            }
            throw Failure(description: "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in \(credentialsPath) (AWS_PROFILE picks one)")
        }
        if let key = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"],
                                  source: "profile \(name)")
        }
        for (setting, what) in [("role_arn", "assumed roles (role_arn)"), ("credential_process", "credential_process"),
                                ("sso_session", "IAM Identity Center (SSO)"), ("sso_start_url", "IAM Identity Center (SSO)"),
                                ("web_identity_token_file", "web identity")] where settings[setting] != nil {
            throw Failure(description: "profile '\(name)' uses \(what), which Tidemark does not read yet; export temporary credentials (aws configure export-credentials --profile \(name) --format env) instead")
        }
        throw Failure(description: "profile '\(name)' has no aws_access_key_id and aws_secret_access_key")
    }

    /// `--region`, else `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    public func region(explicit: String?, profile: String?) throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let r = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") { return r }
        if let r = self.profile(profileName(profile))?["region"], !r.isEmpty { return r }
        throw Failure(description: "no AWS region: pass --region, set AWS_REGION, or set region in the profile in \(configPath)")
    }

    /// `--endpoint-url`, else `AWS_ENDPOINT_URL_SAGEMAKER`, `AWS_ENDPOINT_URL`, else the region's public endpoint.
    public func endpoint(explicit: String?, region: String) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        return env("AWS_ENDPOINT_URL_SAGEMAKER") ?? env("AWS_ENDPOINT_URL") ?? "https://api.sagemaker.\(region).amazonaws.com"
    }
}
