import TidemarkCore

/// How one kind appears on SageMaker's API: its operations, the members that carry its
/// name, ARN and status, its list operation, and which statuses mean moving or failed.
public struct WireResource: Sendable {
    public let kind: ResourceKind
    /// `Endpoint` in CreateEndpoint, DescribeEndpoint, DeleteEndpoint.
    public let noun: String
    /// `EndpointName`: in Create/Describe/Delete inputs and Describe outputs.
    public let nameMember: String
    public let arnMember: String
    /// `EndpointStatus`; nil for kinds the service gives no status (models, endpoint configs).
    public let statusMember: String?
    /// `ListEndpoints` and the member of its output that holds the summaries.
    public let listOperation: String
    public let listMember: String
    /// The ARN's resource type (`arn:aws:sagemaker:region:account:endpoint/name`).
    public let arnType: String
    public let progressing: Set<String>
    public let failed: Set<String>
    /// An idempotency member the create carries (`ClientToken`, `ClientRequestToken`).
    public let createToken: String?

    public var create: String { createOperation.name }
    public var describe: String { "Describe\(noun)" }
    public var delete: String { "Delete\(noun)" }
    public var update: String? { KindDefinition.of(kind).updateOperation?.name }
    /// The Create* operation and its generated input.
    public var createOperation: SageMakerOperation {
        switch kind {
        case .featureGroup: return SageMakerOperations.createFeatureGroup
        case .pipeline: return SageMakerOperations.createPipeline
        case .modelPackageGroup: return SageMakerOperations.createModelPackageGroup
        case .modelPackage: return SageMakerOperations.createModelPackage
        case .model: return SageMakerOperations.createModel
        case .endpointConfig: return SageMakerOperations.createEndpointConfig
        case .endpoint: return SageMakerOperations.createEndpoint
        case .monitoringSchedule: return SageMakerOperations.createMonitoringSchedule
        }
    }

    /// The kind's spec shape (the Create* input refined): what Describe's members map into.
    public var spec: ObjectShape { KindDefinition.of(kind).spec }

    public static func of(_ kind: ResourceKind) -> WireResource {
        switch kind {
        case .featureGroup:
            return WireResource(kind: kind, noun: "FeatureGroup", nameMember: "FeatureGroupName", arnMember: "FeatureGroupArn",
                                statusMember: "FeatureGroupStatus", listOperation: "ListFeatureGroups", listMember: "FeatureGroupSummaries",
                                arnType: "feature-group", progressing: ["Creating", "Deleting"], failed: ["CreateFailed", "DeleteFailed"], createToken: nil)
        case .pipeline:
            return WireResource(kind: kind, noun: "Pipeline", nameMember: "PipelineName", arnMember: "PipelineArn",
                                statusMember: "PipelineStatus", listOperation: "ListPipelines", listMember: "PipelineSummaries",
                                arnType: "pipeline", progressing: ["Deleting"], failed: [], createToken: "ClientRequestToken")
        case .modelPackageGroup:
            return WireResource(kind: kind, noun: "ModelPackageGroup", nameMember: "ModelPackageGroupName", arnMember: "ModelPackageGroupArn",
                                statusMember: "ModelPackageGroupStatus", listOperation: "ListModelPackageGroups", listMember: "ModelPackageGroupSummaryList",
                                arnType: "model-package-group", progressing: ["Pending", "InProgress", "Deleting"], failed: ["Failed", "DeleteFailed"], createToken: nil)
        case .modelPackage:
            return WireResource(kind: kind, noun: "ModelPackage", nameMember: "ModelPackageName", arnMember: "ModelPackageArn",
                                statusMember: "ModelPackageStatus", listOperation: "ListModelPackages", listMember: "ModelPackageSummaryList",
                                arnType: "model-package", progressing: ["Pending", "InProgress", "Deleting"], failed: ["Failed", "DeleteFailed"], createToken: "ClientToken")
        case .model:
            return WireResource(kind: kind, noun: "Model", nameMember: "ModelName", arnMember: "ModelArn", statusMember: nil,
                                listOperation: "ListModels", listMember: "Models", arnType: "model", progressing: [], failed: [], createToken: nil)
        case .endpointConfig:
            return WireResource(kind: kind, noun: "EndpointConfig", nameMember: "EndpointConfigName", arnMember: "EndpointConfigArn", statusMember: nil,
                                listOperation: "ListEndpointConfigs", listMember: "EndpointConfigs", arnType: "endpoint-config", progressing: [], failed: [], createToken: nil)
        case .endpoint:
            return WireResource(kind: kind, noun: "Endpoint", nameMember: "EndpointName", arnMember: "EndpointArn",
                                statusMember: "EndpointStatus", listOperation: "ListEndpoints", listMember: "Endpoints", arnType: "endpoint",
                                progressing: ["Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"],
                                failed: ["Failed", "UpdateRollbackFailed"], createToken: nil)
        case .monitoringSchedule:
            return WireResource(kind: kind, noun: "MonitoringSchedule", nameMember: "MonitoringScheduleName", arnMember: "MonitoringScheduleArn",
                                statusMember: "MonitoringScheduleStatus", listOperation: "ListMonitoringSchedules", listMember: "MonitoringScheduleSummaries",
                                arnType: "monitoring-schedule", progressing: ["Pending"], failed: ["Failed"], createToken: nil)
        }
    }

    /// The kind an operation acts on, and what it does (`DescribeEndpoint` → (.endpoint, .describe)).
    public enum Verb: String, Sendable { case create, describe, delete, update, list }

    public static func operation(_ name: String) -> (WireResource, Verb)? {
        for kind in ResourceKind.allCases {
            let r = of(kind)
            if name == r.create { return (r, .create) }
            if name == r.describe { return (r, .describe) }
            if name == r.delete { return (r, .delete) }
            if name == r.update { return (r, .update) }
            if name == r.listOperation { return (r, .list) }
        }
        return nil
    }

    /// The kind and resource part of a SageMaker ARN (`endpoint/fraud-detector`,
    /// `model-package/fraud-models/3`).
    public static func parse(arn: String) -> (ResourceKind, String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sagemaker" else { return nil }
        let resource = parts[5]
        guard let slash = resource.firstIndex(of: "/") else { return nil }
        let type = String(resource[..<slash])
        guard let kind = ResourceKind.allCases.first(where: { of($0).arnType == type }) else { return nil }
        return (kind, String(resource[resource.index(after: slash)...]))
    }
}
