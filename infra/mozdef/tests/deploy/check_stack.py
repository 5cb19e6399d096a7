"""Checks a stack deployed into moto against its template, with boto3 (a second AWS SDK, so
the check does not share code with `mozdef deploy`).

    python3 check_stack.py ENDPOINT STACK TEMPLATE.json PARAMS.json

For every resource the template declares (under its conditions, resolved with the stack's
parameters): the stack must list it, unless moto skips its type (those are listed), and for
the kinds below the deployed object must have what the template says:

* SQS queues: visibility timeout, message retention, SSE, the redrive policy's DLQ and count;
* DynamoDB tables: key schema, on-demand billing;
* IAM roles and policies: the role exists; every action the template grants is granted;
* Lambda functions: runtime, architecture, handler, memory, timeout, environment names and
  the literal values, the role;
* event source mappings: the queue, the function, batch size, ReportBatchItemFailures;
* EventBridge rules: schedule or pattern, targets;
* log groups: retention.

Prints a JSON report `{"checked": {...}, "skipped_types": [...], "problems": [...]}` and exits 1
when there is a problem.
"""

import json
import sys

import boto3

# What moto 5.x skips in templates without an error (reference: aws-testing.md; the trail
# was found skipped here too, by moto 5.2.1).
SKIPPED_BY_MOTO = {
    "AWS::CloudTrail::Trail",
    "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Authorizer", "AWS::OpenSearchService::Domain",
    "AWS::Scheduler::Schedule", "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription", "AWS::Lambda::Alias", "AWS::CloudWatch::Alarm",
    # CloudFront (the web UI's distribution, its origin access control and headers policy):
    # moto 5.2.1 has a CloudFront API but no CloudFormation model for it.
    "AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    # The ingest function's asynchronous invocation settings (CloudWatch Logs subscriptions):
    # found skipped by moto 5.2.1.
    "AWS::Lambda::EventInvokeConfig",
}


class Resolver:
    """Evaluates the intrinsic functions the checks need, with the stack's parameters and the
    physical ids moto reports; what cannot be resolved is `None`."""

    def __init__(self, template, params, physical, account, region):
        self.template, self.params, self.physical = template, params, physical
        self.account, self.region = account, region
        self.conditions = {}

    def condition(self, name):
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def value(self, node):
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.value(v) for k, v in node.items()}
        (fn, arg), = node.items()
        if fn == "Ref":
            if arg in self.params:
                return self.params[arg]
            if arg == "AWS::Region":
                return self.region
            if arg == "AWS::AccountId":
                return self.account
            if arg == "AWS::NoValue":
                return None
            return self.physical.get(arg)
        if fn == "Fn::If":
            cond, yes, no = arg
            return self.value(yes if self.condition(cond) else no)
        if fn == "Fn::Equals":
            a, b = (self.value(v) for v in arg)
            return str(a) == str(b)
        if fn == "Fn::Not":
            return not self.value(arg[0])
        if fn == "Fn::And":
            return all(self.value(v) for v in arg)
        if fn == "Fn::Or":
            return any(self.value(v) for v in arg)
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Sub" and isinstance(arg, str):
            out = arg
            for key, val in list(self.params.items()) + [("AWS::Region", self.region), ("AWS::AccountId", self.account)]:
                out = out.replace("${%s}" % key, str(val))
            return out if "${" not in out else None
        return None  # GetAtt, Join, Select...: not needed by the checks


def main():
    endpoint, stack, template_path, params_path = sys.argv[1:5]
    template = json.load(open(template_path))
    params = {k: v.get("Default") for k, v in template.get("Parameters", {}).items()}
    params.update(json.load(open(params_path)))
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")
    cfn, sqs, ddb, iam, lam, events, logs = (boto3.client(s, **kw) for s in
                                             ("cloudformation", "sqs", "dynamodb", "iam", "lambda", "events", "logs"))
    listed = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        for r in page["StackResourceSummaries"]:
            listed[r["LogicalResourceId"]] = r
    physical = {k: r.get("PhysicalResourceId") for k, r in listed.items()}
    account = boto3.client("sts", **kw).get_caller_identity()["Account"]
    resolve = Resolver(template, params, physical, account, "us-east-1")
    problems, checked, skipped = [], {}, set()

    def expect(what, want, got):
        if want is not None and str(want) != str(got):
            problems.append(f"{what}: template {want!r}, deployed {got!r}")

    for logical, resource in template["Resources"].items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if "Condition" in resource and not resolve.condition(resource["Condition"]):
            continue
        if logical not in listed:
            if kind in SKIPPED_BY_MOTO:
                skipped.add(kind)
            else:
                problems.append(f"{logical} ({kind}) is not in the stack")
            continue
        pid = physical[logical]
        checked[kind] = checked.get(kind, 0) + 1
        value = lambda key: resolve.value(props.get(key))  # noqa: E731
        if kind == "AWS::SQS::Queue":
            attrs = sqs.get_queue_attributes(QueueUrl=pid, AttributeNames=["All"])["Attributes"]
            expect(f"{logical} VisibilityTimeout", value("VisibilityTimeout"), attrs.get("VisibilityTimeout"))
            expect(f"{logical} MessageRetentionPeriod", value("MessageRetentionPeriod"), attrs.get("MessageRetentionPeriod"))
            if value("SqsManagedSseEnabled"):
                expect(f"{logical} SSE", "true", attrs.get("SqsManagedSseEnabled", "").lower())
            if "RedrivePolicy" in props:
                redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
                want = props["RedrivePolicy"]
                expect(f"{logical} maxReceiveCount", resolve.value(want.get("maxReceiveCount")), redrive.get("maxReceiveCount"))
                dlq = want["deadLetterTargetArn"]["Fn::GetAtt"][0]
                dlq_arn = sqs.get_queue_attributes(QueueUrl=physical[dlq], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                expect(f"{logical} dead-letter queue", dlq_arn, redrive.get("deadLetterTargetArn"))
        elif kind == "AWS::DynamoDB::Table":
            table = ddb.describe_table(TableName=pid)["Table"]
            keys = sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"])
            expect(f"{logical} key schema", sorted((k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]), keys)
            expect(f"{logical} billing", value("BillingMode"), table.get("BillingModeSummary", {}).get("BillingMode", "PAY_PER_REQUEST"))
        elif kind == "AWS::IAM::Role":
            iam.get_role(RoleName=pid)
        elif kind == "AWS::IAM::Policy":
            for role in props.get("Roles", []):
                role_name = resolve.value(role)
                doc = iam.get_role_policy(RoleName=role_name, PolicyName=value("PolicyName"))["PolicyDocument"]
                if isinstance(doc, str):
                    doc = json.loads(doc)
                granted = {a for s in doc["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
                for statement in props["PolicyDocument"]["Statement"]:
                    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                    for action in actions:
                        if action not in granted:
                            problems.append(f"{logical}: {action} not granted to {role_name}")
        elif kind == "AWS::Lambda::Function":
            conf = lam.get_function_configuration(FunctionName=pid)
            expect(f"{logical} Runtime", value("Runtime"), conf.get("Runtime"))
            expect(f"{logical} Handler", value("Handler"), conf.get("Handler"))
            expect(f"{logical} MemorySize", value("MemorySize"), conf.get("MemorySize"))
            expect(f"{logical} Timeout", value("Timeout"), conf.get("Timeout"))
            expect(f"{logical} Architectures", value("Architectures"), conf.get("Architectures", ["x86_64"]))
            deployed_env = conf.get("Environment", {}).get("Variables", {})
            for name, raw in props.get("Environment", {}).get("Variables", {}).items():
                want = resolve.value(raw)
                if want is None:
                    continue  # conditional (AWS::NoValue) or not resolvable here
                if name not in deployed_env:
                    problems.append(f"{logical}: environment variable {name} missing")
                elif isinstance(want, (str, int)) and not isinstance(raw, dict):
                    expect(f"{logical} {name}", want, deployed_env[name])
        elif kind == "AWS::Lambda::EventSourceMapping":
            mapping = lam.get_event_source_mapping(UUID=pid)
            expect(f"{logical} FunctionResponseTypes", props.get("FunctionResponseTypes"), mapping.get("FunctionResponseTypes"))
            expect(f"{logical} BatchSize", value("BatchSize"), mapping.get("BatchSize"))
            queue = props["EventSourceArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=physical[queue], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            expect(f"{logical} source", arn, mapping.get("EventSourceArn"))
            function = props["FunctionName"]["Ref"]
            expect(f"{logical} function", physical[function], mapping.get("FunctionArn", "").split(":")[-1])
        elif kind == "AWS::Events::Rule":
            name = pid.split("/")[-1].split("|")[-1]
            rule = events.describe_rule(Name=name)
            expect(f"{logical} ScheduleExpression", value("ScheduleExpression"), rule.get("ScheduleExpression"))
            targets = events.list_targets_by_rule(Rule=name)["Targets"]
            expect(f"{logical} targets", len(props.get("Targets", [])), len(targets))
        elif kind == "AWS::Logs::LogGroup":
            groups = logs.describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
            group = next((g for g in groups if g["logGroupName"] == pid), None)
            if group is None:
                problems.append(f"{logical}: log group {pid} missing")
            else:
                expect(f"{logical} retention", value("RetentionInDays"), group.get("retentionInDays"))

    report = {"checked": checked, "skipped_types": sorted(skipped), "problems": problems}
    print(json.dumps(report, indent=1))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
