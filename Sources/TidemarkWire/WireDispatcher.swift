import Foundation
import TidemarkCore
import TidemarkEngine

/// SageMaker's API in front of any ServiceBackend: what `tidemark services serve` answers.
/// Takes an operation name (`X-Amz-Target: SageMaker.<name>`) and its JSON body, calls the
/// backend, and returns the HTTP status and JSON body botocore expects.
public struct WireDispatcher: Sendable {
    let backend: any ServiceBackend
    /// Default page size of List* calls without MaxResults.
    let defaultPage: Int

    public init(backend: any ServiceBackend, defaultPage: Int = 10) {
        self.backend = backend
        self.defaultPage = defaultPage
    }

    public func handle(target: String, body: [UInt8]) async -> (status: Int, body: Value) {
        let prefix = "SageMaker."
        guard target.hasPrefix(prefix) else {
            return WireError.render(ServiceError(.unknownOperation, "X-Amz-Target '\(target)' is not a SageMaker operation"))
        }
        let operation = String(target.dropFirst(prefix.count))
        let text = String(decoding: body, as: UTF8.self)
        guard let input = text.isEmpty ? .object([]) : Value(jsonText: text), input.members != nil else {
            return WireError.render(ServiceError(.serialization, "the request body is not a JSON object"))
        }
        do {
            return (200, try await call(operation, input))
        } catch let e as ServiceError {
            return WireError.render(e)
        } catch {
            return WireError.render(ServiceError(.internalFailure, "\(error)"))
        }
    }

    func call(_ operation: String, _ input: Value) async throws -> Value {
        switch operation {
        case "AddTags", "DeleteTags", "ListTags": return try await tags(operation, input)
        default: break
        }
        guard let (r, verb) = WireResource.operation(operation) else {
            throw ServiceError(.unknownOperation, "\(operation) is not an operation that tidemark services serve implements")
        }
        switch verb {
        case .create: return try await create(r, input)
        case .describe:
            let live = try await object(r, try required(input, r.nameMember))
            return WireDescription.render(live)
        case .list: return try await list(r, input)
        case .delete:
            let live = try await object(r, try required(input, r.nameMember))
            try await backend.delete(r.kind, live.name)
            return r.kind == .pipeline ? .object([.init(r.arnMember, .string(live.arn))]) : .object([])
        case .update:
            let identity = r.kind == .modelPackage ? "ModelPackageArn" : r.nameMember
            let live = try await object(r, try required(input, identity))
            let spec = WireUpdate.apply(r.kind, request: input, to: live.spec)
            let updated = try await backend.update(r.kind, live.name, spec: spec)
            return .object([.init(r.arnMember, .string(updated.arn))])
        }
    }

    func required(_ input: Value, _ member: String) throws -> String {
        guard let v = input[member]?.stringValue, !v.isEmpty else {
            let camel = member.prefix(1).lowercased() + member.dropFirst()
            throw ServiceError(.validation, "1 validation error detected: Value null at '\(camel)' failed to satisfy constraint: Member must not be null")
        }
        return v
    }

    /// The object a name or ARN names (`fraud-models/3` and its ARN name a package version).
    func object(_ r: WireResource, _ nameOrARN: String) async throws -> LiveObject {
        if nameOrARN.hasPrefix("arn:") {
            // An ARN ends in the object's name, lowercased: that name first, one describe
            // (every Describe the API backend makes is followed by a ListTags by ARN); only a
            // name with capitals needs the whole kind read.
            if let (kind, resource) = WireResource.parse(arn: nameOrARN), kind == r.kind,
               let found = try await backend.describe(r.kind, resource), found.arn == nameOrARN {
                return found
            }
            if let found = try await backend.list(r.kind).first(where: { $0.arn == nameOrARN }) { return found }
        } else if let found = try await backend.describe(r.kind, nameOrARN) {
            return found
        }
        throw ServiceError.notFound(r.kind, nameOrARN)
    }

    func create(_ r: WireResource, _ input: Value) async throws -> Value {
        var members = input.members ?? []
        var name = input[r.nameMember]?.stringValue ?? ""
        if r.kind == .modelPackage {
            if name.isEmpty { name = input["ModelPackageGroupName"]?.stringValue ?? "" }
        } else {
            members.removeAll { $0.key == r.nameMember }
        }
        guard !name.isEmpty else { _ = try required(input, r.nameMember); return .null }
        let token = r.createToken.flatMap { input[$0]?.stringValue } ?? ""
        let spec = WireCodec.fromWire(.object(members), .object(r.spec))
        let created = try await backend.create(r.kind, name: name, spec: spec, clientToken: token)
        return .object([.init(r.arnMember, .string(created.arn))])
    }

    func list(_ r: WireResource, _ input: Value) async throws -> Value {
        var all = try await backend.list(r.kind)
        if let part = input["NameContains"]?.stringValue ?? input["PipelineNamePrefix"]?.stringValue {
            all = all.filter { $0.name.lowercased().contains(part.lowercased()) }
        }
        if let status = input["StatusEquals"]?.stringValue ?? input["FeatureGroupStatusEquals"]?.stringValue {
            all = all.filter { $0.status == status }
        }
        if r.kind == .monitoringSchedule, let endpoint = input["EndpointName"]?.stringValue {
            all = all.filter { o in
                (o.spec["monitoringScheduleConfig"]?["monitoringJobDefinition"]?["monitoringInputs"]?.elements ?? [])
                    .contains { $0["endpointInput"]?["endpointName"]?.stringValue == endpoint }
            }
        }
        if r.kind == .modelPackage {
            if let group = input["ModelPackageGroupName"]?.stringValue {
                all = all.filter { $0.spec["modelPackageGroupName"]?.stringValue == group }
            } else {
                let type = input["ModelPackageType"]?.stringValue ?? "Unversioned"
                if type == "Unversioned" { all = all.filter { $0.observed["version"] == nil } }
                if type == "Versioned" { all = all.filter { $0.observed["version"] != nil } }
            }
        }
        let ascending = input["SortOrder"]?.stringValue == "Ascending"
        let byName = input["SortBy"]?.stringValue == "Name"
        all.sort { a, b in
            let (x, y) = ascending ? (a, b) : (b, a)
            return byName ? x.name < y.name : (x.createdAt, x.name) < (y.createdAt, y.name)
        }
        let page = try pageSize(input, max: 100)
        let start = try offset(input["NextToken"]?.stringValue, count: all.count)
        let end = min(all.count, start + page)
        var out: [Value.Member] = [.init(r.listMember, .list(all[start..<end].map(WireDescription.summary)))]
        if end < all.count { out.append(.init("NextToken", .string(Self.token(end)))) }
        return .object(sorting: out)
    }

    func pageSize(_ input: Value, max: Int) throws -> Int {
        guard let v = input["MaxResults"] else { return defaultPage }
        guard let n = v.intValue, n >= 1, n <= Int64(max) else {
            throw ServiceError(.validation, "1 validation error detected: Value '\(v.inline)' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and \(max)")
        }
        return Int(n)
    }

    /// NextToken is opaque to clients: the offset of the next item, base64-encoded.
    static func token(_ offset: Int) -> String { Data("tidemark:\(offset)".utf8).base64EncodedString() }

    func offset(_ token: String?, count: Int) throws -> Int {
        guard let token else { return 0 }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("tidemark:"),
              let n = Int(text.dropFirst("tidemark:".count)), n >= 0 else {
            throw ServiceError(.validation, "Invalid pagination token: '\(token)'")
        }
        return min(n, count)
    }

    func tags(_ operation: String, _ input: Value) async throws -> Value {
        let arn = try required(input, "ResourceArn")
        guard let (kind, _) = WireResource.parse(arn: arn) else {
            throw ServiceError(.validation, "'\(arn)' is not the ARN of a SageMaker resource that has tags")
        }
        let live = try await object(WireResource.of(kind), arn)
        switch operation {
        case "AddTags":
            let tags = input["Tags"]?.elements ?? []
            let spec = WireUpdate.addingTags(tags, to: live.spec)
            _ = try await backend.update(kind, live.name, spec: spec)
            return .object([.init("Tags", .list(tags))])
        case "DeleteTags":
            let keys = (input["TagKeys"]?.elements ?? []).compactMap(\.stringValue)
            _ = try await backend.update(kind, live.name, spec: WireUpdate.removingTags(keys, from: live.spec))
            return .object([])
        default:
            let all = (live.spec["tags"]?.elements ?? []).map { t in
                Value.object(sorting: [.init("Key", t["key"] ?? .string("")), .init("Value", t["value"] ?? .string(""))])
            }
            let page = input["MaxResults"] == nil ? 50 : try pageSize(input, max: 100)
            let start = try offset(input["NextToken"]?.stringValue, count: all.count)
            let end = min(all.count, start + page)
            var out: [Value.Member] = [.init("Tags", .list(Array(all[start..<end])))]
            if end < all.count { out.append(.init("NextToken", .string(Self.token(end)))) }
            return .object(sorting: out)
        }
    }
}
