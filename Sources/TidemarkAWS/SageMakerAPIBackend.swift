import Crypto
import Foundation
import TidemarkCore
import TidemarkEngine
import TidemarkWire

/// The real SageMaker API as the engine's ServiceBackend: each port call becomes the kind's
/// Create*/Describe*/List*/Update*/Delete* operation (bodies from the generated shapes, in
/// botocore's member names), tags go through AddTags/DeleteTags/ListTags, and the answers
/// come back as LiveObjects in manifest spelling. It keeps no state of its own.
public struct SageMakerAPIBackend: ServiceBackend {
    let client: AWSJSONClient
    /// How many Describe* calls a List runs at once.
    let describeConcurrency: Int

    public init(client: AWSJSONClient, describeConcurrency: Int = 8) {
        self.client = client
        self.describeConcurrency = max(1, describeConcurrency)
    }

    public var endpoint: String { client.endpoint.absoluteString }

    /// How far the service's clock may run behind ours when creation times are compared.
    static let clockSkew: Double = 300

    public func describe(_ kind: ResourceKind, _ name: String) async throws -> LiveObject? {
        let r = WireResource.of(kind)
        let output: Value
        do {
            output = try await client.call(r.describe, .object([.init(r.nameMember, .string(name))]), kind: kind)
        } catch let e as ServiceError where WireError.isNotFound(e) {
            return nil
        }
        let arn = output[r.arnMember]?.stringValue ?? ""
        let tags = arn.isEmpty ? [] : try await client.paginate("ListTags", .object([.init("ResourceArn", .string(arn)), .init("MaxResults", .int(100))]), items: "Tags")
        return WireDescription.parse(kind, output, tags: tags)
    }

    public func list(_ kind: ResourceKind) async throws -> [LiveObject] {
        let r = WireResource.of(kind)
        var input: [Value.Member] = [.init("MaxResults", .int(100))]
        if kind == .modelPackage { input.append(.init("ModelPackageType", .string("Both"))) }
        let summaries = try await client.paginate(r.listOperation, .object(input), items: r.listMember)
        let names: [String] = summaries.compactMap { s in
            if kind == .modelPackage, let group = s["ModelPackageGroupName"]?.stringValue, let v = s["ModelPackageVersion"]?.intValue {
                return "\(group)/\(v)"
            }
            return s[r.nameMember]?.stringValue
        }
        var out: [LiveObject] = []
        var index = 0
        while index < names.count {
            let batch = names[index..<min(names.count, index + describeConcurrency)]
            index += batch.count
            let found = try await withThrowingTaskGroup(of: LiveObject?.self) { group in
                for name in batch { group.addTask { try await describe(kind, name) } }
                var objects: [LiveObject] = []
                for try await o in group { if let o { objects.append(o) } }
                return objects
            }
            out.append(contentsOf: found)
        }
        return out.sorted { $0.name < $1.name }
    }

    /// A token the service accepts, the same for the same engine token (so a retried create
    /// finds the object the first one made): hex of its SHA-256, cut to the member's length.
    static func wireToken(_ token: String, member: String) -> String {
        let hex = SigV4.hex(SHA256.hash(data: Array(token.utf8)))
        return member == "ClientToken" ? String(hex.prefix(32)) : hex
    }

    public func create(_ kind: ResourceKind, name: String, spec: Value, clientToken: String) async throws -> LiveObject {
        let r = WireResource.of(kind)
        // Members the Create* input lacks (a package's approvalDescription) go in an update
        // right after the create.
        let createMembers = Set(r.createOperation.input.fields.map(\.wireName))
        let lateFields = r.spec.fields.filter { !createMembers.contains($0.wireName) && spec[$0.name] != nil }
        let sent = lateFields.reduce(spec) { $0.setting($1.name, nil) }
        var members = WireCodec.toWire(sent, .object(r.spec)).members ?? []
        if kind != .modelPackage { members.append(.init(r.nameMember, .string(name))) }
        if let token = r.createToken, !clientToken.isEmpty { members.append(.init(token, .string(Self.wireToken(clientToken, member: token)))) }
        let started = client.time.now()
        let output: Value
        do {
            output = try await client.call(r.create, .object(sorting: members), kind: kind)
        } catch let e as ServiceError where kind != .modelPackage {
            // A create whose answer was lost and was retried meets its own object ("already
            // exists"): an object with this name made since the call began is this create's.
            if let made = try await describe(kind, name), made.createdAt >= started.addingTimeInterval(-Self.clockSkew), made.spec == sent {
                return lateFields.isEmpty ? made : try await update(kind, made.name, spec: spec)
            }
            throw e
        }
        let lookup: String
        if kind == .modelPackage, let arn = output[r.arnMember]?.stringValue, let (_, resource) = WireResource.parse(arn: arn) {
            lookup = resource.contains("/") ? arn : (spec["modelPackageName"]?.stringValue ?? name)
        } else {
            lookup = name
        }
        guard let created = try await describe(kind, lookup) else {
            throw ServiceError(.internalFailure, "\(r.create) succeeded but \(r.describe) does not find \(lookup)")
        }
        return lateFields.isEmpty ? created : try await update(kind, created.name, spec: spec)
    }

    public func update(_ kind: ResourceKind, _ name: String, spec: Value) async throws -> LiveObject {
        let r = WireResource.of(kind)
        guard let current = try await describe(kind, name) else { throw ServiceError.notFound(kind, name) }
        let identity: Value.Member = kind == .modelPackage ? .init("ModelPackageArn", .string(current.arn)) : .init(r.nameMember, .string(name))
        let retainExcept = kind == .endpoint ? try await changedVariantProperties(from: current.spec, to: spec) : []
        let change = try WireUpdate.make(kind, identity: identity, current: current.spec, desired: spec, retainExcept: retainExcept)
        if let request = change.request, let operation = r.update {
            _ = try await client.call(operation, request, kind: kind)
        }
        if !change.removeTagKeys.isEmpty {
            _ = try await client.call("DeleteTags", .object([.init("ResourceArn", .string(current.arn)), .init("TagKeys", .list(change.removeTagKeys.map(Value.string)))]))
        }
        if !change.addTags.isEmpty {
            _ = try await client.call("AddTags", .object([.init("ResourceArn", .string(current.arn)), .init("Tags", .list(change.addTags))]))
        }
        guard let updated = try await describe(kind, name) else { throw ServiceError.notFound(kind, name) }
        return updated
    }

    /// Which variant properties the new endpoint config sets differently from the one the
    /// endpoint serves: those are applied; every other property (an autoscaled instance
    /// count above all) is retained, so a deployment never resets what the autoscaler did.
    func changedVariantProperties(from current: Value, to desired: Value) async throws -> [String] {
        guard let old = current["endpointConfigName"]?.stringValue, let new = desired["endpointConfigName"]?.stringValue, old != new,
              let before = try await describe(.endpointConfig, old), let after = try await describe(.endpointConfig, new) else { return [] }
        func variants(_ o: LiveObject) -> [String: Value] {
            Dictionary((o.spec["productionVariants"]?.elements ?? []).map { ($0["variantName"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        }
        let a = variants(before), b = variants(after)
        var out: [String] = []
        if b.contains(where: { a[$0.key]?["initialInstanceCount"] != $0.value["initialInstanceCount"] }) { out.append("DesiredInstanceCount") }
        if b.contains(where: { a[$0.key]?["initialVariantWeight"] != $0.value["initialVariantWeight"] }) { out.append("DesiredWeight") }
        if before.spec["dataCaptureConfig"] != after.spec["dataCaptureConfig"] { out.append("DataCaptureConfig") }
        return out
    }

    public func delete(_ kind: ResourceKind, _ name: String) async throws {
        let r = WireResource.of(kind)
        var input: [Value.Member] = [.init(r.nameMember, .string(name))]
        if kind == .pipeline { input.append(.init("ClientRequestToken", .string(Self.wireToken("delete-\(name)-\(UUID().uuidString)", member: "ClientRequestToken")))) }
        _ = try await client.call(r.delete, .object(input), kind: kind)
    }
}
