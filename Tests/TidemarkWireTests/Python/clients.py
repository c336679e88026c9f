"""Real AWS clients against an endpoint that speaks SageMaker's API.

    clients.py boto3 URL     boto3: create, describe, list, update, delete for each of the 8 kinds,
                             tags, paging and error shapes
    clients.py awscli URL    the same through the AWS CLI (`aws sagemaker ...`, --cli-input-json)
    clients.py signed URL SECRET   botocore's own SigV4 signer against a server that checks signatures

Prints one `ok <check>` line per check; any failure raises (exit 1).
"""
import json
import os
import subprocess
import sys

import boto3
import botocore.exceptions
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/ml"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"
CAPTURE = {"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://capture/",
           "CaptureOptions": [{"CaptureMode": "Input"}]}


def ok(what):
    print("ok", what, flush=True)


def client(url, key="AKIDTEST", secret="secret"):
    return boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def variants(count):
    return [{"VariantName": "primary", "ModelName": "xgb", "InitialInstanceCount": count,
             "InstanceType": "ml.m5.large", "InitialVariantWeight": 1.0}]


# Each kind: its create input, the operations that name it, and an in-place change.
KINDS = [
    ("FeatureGroup", "feature-group", {"FeatureGroupName": "transactions", "RecordIdentifierFeatureName": "id",
      "EventTimeFeatureName": "ts", "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"},
      {"FeatureName": "ts", "FeatureType": "String"}], "OnlineStoreConfig": {"EnableOnlineStore": True}, "RoleArn": ROLE},
     ("update-feature-group", {"FeatureGroupName": "transactions",
      "FeatureAdditions": [{"FeatureName": "amount", "FeatureType": "Fractional"}]})),
    ("Pipeline", "pipeline", {"PipelineName": "training", "RoleArn": ROLE, "PipelineDefinition": json.dumps(
      {"Version": "2020-12-01", "Steps": [{"Name": "Train", "Type": "Training", "Arguments": {}}]})},
     ("update-pipeline", {"PipelineName": "training", "PipelineDescription": "second"})),
    ("ModelPackageGroup", "model-package-group", {"ModelPackageGroupName": "fraud-models"}, None),
    ("ModelPackage", "model-package", {"ModelPackageGroupName": "fraud-models", "ModelApprovalStatus": "PendingManualApproval",
      "InferenceSpecification": {"Containers": [{"Image": IMAGE}], "SupportedContentTypes": ["text/csv"],
      "SupportedResponseMIMETypes": ["text/csv"]}},
     ("update-model-package", {"ModelApprovalStatus": "Approved"})),
    ("Model", "model", {"ModelName": "xgb", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": IMAGE}}, None),
    ("EndpointConfig", "endpoint-config", {"EndpointConfigName": "detector-a", "ProductionVariants": variants(1),
      "DataCaptureConfig": CAPTURE}, None),
    ("Endpoint", "endpoint", {"EndpointName": "detector", "EndpointConfigName": "detector-a"},
     ("update-endpoint", {"EndpointName": "detector", "EndpointConfigName": "detector-b"})),
    ("MonitoringSchedule", "monitoring-schedule", {"MonitoringScheduleName": "detector-quality", "MonitoringScheduleConfig": {
      "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringType": "DataQuality",
      "MonitoringJobDefinition": {"MonitoringInputs": [{"EndpointInput": {"EndpointName": "detector", "LocalPath": "/opt/ml/in"}}],
        "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://reports/", "LocalPath": "/opt/ml/out"}}]},
        "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
        "MonitoringAppSpecification": {"ImageUri": IMAGE}, "RoleArn": ROLE}}},
     ("update-monitoring-schedule", {"MonitoringScheduleName": "detector-quality", "MonitoringScheduleConfig": {
      "ScheduleConfig": {"ScheduleExpression": "cron(0 0 ? * * *)"}, "MonitoringType": "DataQuality",
      "MonitoringJobDefinition": {"MonitoringInputs": [{"EndpointInput": {"EndpointName": "detector", "LocalPath": "/opt/ml/in"}}],
        "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://reports/", "LocalPath": "/opt/ml/out"}}]},
        "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
        "MonitoringAppSpecification": {"ImageUri": IMAGE}, "RoleArn": ROLE}}})),
]


def snake(dashed):
    return dashed.replace("-", "_")


def plural(noun):
    return noun + "s"


class Boto3:
    """Calls through boto3's client methods."""
    def __init__(self, url):
        self.c = client(url)

    def call(self, op, params):
        return getattr(self.c, snake(op))(**params)


class AWSCLI:
    """Calls through the AWS CLI, with the input as --cli-input-json."""
    def __init__(self, url):
        self.url = url
        self.aws = os.path.join(os.path.dirname(sys.executable), "aws")

    def call(self, op, params):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1",
                   AWS_MAX_ATTEMPTS="1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        p = subprocess.run([self.aws, "--endpoint-url", self.url, "--output", "json", "sagemaker", op,
                            "--cli-input-json", json.dumps(params)], capture_output=True, text=True, env=env)
        if p.returncode != 0:
            raise CLIError(op, p.returncode, p.stderr)
        return json.loads(p.stdout) if p.stdout.strip() else {}


class CLIError(Exception):
    def __init__(self, op, code, stderr):
        super().__init__(f"aws sagemaker {op} exited {code}: {stderr}")
        self.stderr = stderr


def lifecycle(api, label):
    arns = {}
    for kind, dashed, create, _ in KINDS:
        out = api.call(f"create-{dashed}", create)
        arn = out[f"{kind}Arn"]
        assert arn.startswith("arn:aws:sagemaker:") and f":{dashed}/" in arn, out
        arns[kind] = arn
        if kind == "EndpointConfig":
            second = dict(create, EndpointConfigName="detector-b", ProductionVariants=variants(2))
            api.call("create-endpoint-config", second)
        ok(f"{label} create {kind}")
    for kind, dashed, create, _ in KINDS:
        name_member = f"{kind}Name"
        params = {name_member: arns[kind] if kind == "ModelPackage" else create[name_member]}
        out = api.call(f"describe-{dashed}", params)
        assert out[f"{kind}Arn"] == arns[kind], out
        assert isinstance(out["CreationTime"], (str, int, float)) or hasattr(out["CreationTime"], "year"), out
        if kind == "ModelPackage":
            assert out["ModelPackageVersion"] == 1 and out["ModelPackageGroupName"] == "fraud-models", out
        ok(f"{label} describe {kind}")
    for kind, dashed, create, _ in KINDS:
        op = f"list-{dashed}s" if kind != "ModelPackage" else "list-model-packages"
        params = {"ModelPackageGroupName": "fraud-models"} if kind == "ModelPackage" else {}
        out = api.call(op, params)
        items = [v for k, v in out.items() if isinstance(v, list)][0]
        assert any(arns[kind] == item.get(f"{kind}Arn") for item in items), out
        ok(f"{label} list {kind}")
    for kind, dashed, create, update in KINDS:
        if update:
            op, params = update
            if kind == "ModelPackage":
                params = dict(params, ModelPackageArn=arns[kind])
            out = api.call(op, params)
            assert out[f"{kind}Arn"] == arns[kind], out
        else:
            api.call("add-tags", {"ResourceArn": arns[kind], "Tags": [{"Key": "owner", "Value": label}]})
            tags = api.call("list-tags", {"ResourceArn": arns[kind]})["Tags"]
            assert {"Key": "owner", "Value": label} in tags, tags
            api.call("delete-tags", {"ResourceArn": arns[kind], "TagKeys": ["owner"]})
            assert api.call("list-tags", {"ResourceArn": arns[kind]})["Tags"] == []
        ok(f"{label} update {kind}")
    fg = api.call("describe-feature-group", {"FeatureGroupName": "transactions"})
    assert [f["FeatureName"] for f in fg["FeatureDefinitions"]] == ["id", "ts", "amount"], fg
    assert api.call("describe-model-package", {"ModelPackageName": arns["ModelPackage"]})["ModelApprovalStatus"] == "Approved"
    ep = api.call("describe-endpoint", {"EndpointName": "detector"})
    assert ep["EndpointConfigName"] == "detector-b" and ep["EndpointStatus"] == "InService", ep
    assert ep["ProductionVariants"][0]["CurrentInstanceCount"] == 2, ep
    assert api.call("describe-pipeline", {"PipelineName": "training"})["PipelineDescription"] == "second"
    ok(f"{label} updates took effect")
    for kind, dashed, create, _ in reversed(KINDS):
        name_member = f"{kind}Name"
        params = {name_member: arns[kind] if kind == "ModelPackage" else create[name_member]}
        api.call(f"delete-{dashed}", params)
        if kind == "EndpointConfig":
            api.call("delete-endpoint-config", {"EndpointConfigName": "detector-b"})
        ok(f"{label} delete {kind}")
    for kind, dashed, create, _ in KINDS:
        op = f"list-{dashed}s" if kind != "ModelPackage" else "list-model-packages"
        out = api.call(op, {"ModelPackageType": "Both"} if kind == "ModelPackage" else {})
        items = [v for k, v in out.items() if isinstance(v, list)][0]
        assert items == [], (kind, out)
    ok(f"{label} everything deleted")


def errors_and_paging(url):
    c = client(url)
    try:
        c.describe_endpoint(EndpointName="nope")
        raise AssertionError("a missing endpoint was described")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationException", e.response
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert 'Could not find endpoint "nope"' in e.response["Error"]["Message"]
    try:
        c.describe_feature_group(FeatureGroupName="nope")
        raise AssertionError("a missing feature group was described")
    except c.exceptions.ResourceNotFound as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    ok("boto3 error shapes (ValidationException, ResourceNotFound as a modeled exception)")
    for i in range(12):
        c.create_model(ModelName=f"m-{i:02d}", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    pages = list(c.get_paginator("list_models").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Models"]) for p in pages] == [5, 5, 2], [len(p["Models"]) for p in pages]
    names = sorted(m["ModelName"] for p in pages for m in p["Models"])
    assert names == [f"m-{i:02d}" for i in range(12)], names
    assert hasattr(pages[0]["Models"][0]["CreationTime"], "year")  # epoch seconds parsed as a datetime
    ok("boto3 paginator follows NextToken (5, 5, 2)")
    first = c.list_models(MaxResults=5, SortBy="Name", SortOrder="Ascending")
    assert [m["ModelName"] for m in first["Models"]] == [f"m-{i:02d}" for i in range(5)], first
    try:
        c.list_models(NextToken="garbage")
        raise AssertionError("a bad NextToken was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationException"
    ok("boto3 sorting and bad NextToken")


def signed(url, secret):
    client(url, key="tidemark", secret=secret).list_endpoints()
    ok("botocore's SigV4 signature verified by the server")
    try:
        client(url, key="tidemark", secret=secret + "x").list_endpoints()
        raise AssertionError("a wrong secret was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidSignatureException", e.response
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    ok("a wrong secret is refused")


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "boto3":
        lifecycle(Boto3(url), "boto3")
        errors_and_paging(url)
    elif mode == "awscli":
        lifecycle(AWSCLI(url), "awscli")
        try:
            AWSCLI(url).call("describe-model", {"ModelName": "nope"})
            raise AssertionError("a missing model was described")
        except CLIError as e:
            assert "(ValidationException)" in e.stderr and "Could not find model" in e.stderr, e.stderr
        ok("awscli error shape")
    elif mode == "signed":
        signed(url, sys.argv[3])
    else:
        raise SystemExit(f"unknown mode {mode}")
