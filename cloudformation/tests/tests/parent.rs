//! The parent template (`cloudformation/mozdef.json`) passes every check, and each check
//! catches the breakage it is there for: every test below breaks a parsed copy of the real
//! template in one way and asserts the check reports exactly that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mozdef_cloudformation_tests::checks::{self, Check, api, functions, queues, roles, storage, wiring};
use mozdef_cloudformation_tests::{Finding, Template, parent, templates_dir};
use serde_json::{Value, json};

fn template() -> Template {
    parent().expect("cloudformation/mozdef.json")
}

/// A copy of the parent with `change` applied to the value at `pointer`.
fn broken(pointer: &str, change: impl FnOnce(&mut Value)) -> Template {
    let mut root = template().root;
    let target = root.pointer_mut(pointer).unwrap_or_else(|| panic!("the template has no {pointer}"));
    change(target);
    Template::from_value(root).unwrap()
}

/// Removes `key` from the object at `pointer`.
fn without(pointer: &str, key: &str) -> Template {
    broken(pointer, |v| {
        v.as_object_mut().unwrap().remove(key).unwrap_or_else(|| panic!("{pointer} has no {key}"));
    })
}

/// Asserts `check` finds something at `at` whose message contains `text`, and nothing on the
/// unbroken template.
fn assert_found(check: Check, broken: &Template, at: &str, text: &str) {
    assert!(check(&template()).is_empty(), "the real template already fails this check");
    let found = check(broken);
    assert!(
        found.iter().any(|f| f.at == at && f.message.contains(text)),
        "expected a finding at {at} containing {text:?}, got: {found:#?}"
    );
}

#[test]
fn every_template_parses_and_the_parent_passes_every_check() {
    let mut templates = Vec::new();
    for entry in std::fs::read_dir(templates_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            templates.push(Template::load(&path).unwrap_or_else(|e| panic!("{e}")));
        }
    }
    assert!(!templates.is_empty(), "no template in cloudformation/");
    let findings: Vec<Finding> = checks::all(&template());
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(findings.is_empty(), "the parent template fails {} check(s):\n{}", findings.len(), shown.join("\n"));
}

#[test]
fn the_checks_see_what_they_check() {
    // Guard against checks that pass because they find nothing to look at.
    let t = template();
    for (resource_type, at_least) in [
        ("AWS::Lambda::Function", 6),
        ("AWS::IAM::Role", 6),
        ("AWS::SQS::Queue", 4),
        ("AWS::Lambda::EventSourceMapping", 2),
        ("AWS::S3::Bucket", 3),
        ("AWS::DynamoDB::Table", 4),
        ("AWS::ApiGatewayV2::Route", 15),
        ("AWS::CloudWatch::Alarm", 4),
    ] {
        assert!(t.of_type(resource_type).count() >= at_least, "fewer than {at_least} {resource_type}");
    }
    assert!(mozdef_cloudformation_tests::policy::documents(&t).len() > 15);
}

#[test]
fn a_queue_without_a_dead_letter_queue_is_reported() {
    let t = without("/Resources/EventsQueue/Properties", "RedrivePolicy");
    assert_found(queues::dead_letter_queues, &t, "EventsQueue", "no RedrivePolicy");
}

#[test]
fn an_unencrypted_queue_is_reported() {
    let t = without("/Resources/AlertsQueueDeadLetterQueue/Properties", "SqsManagedSseEnabled");
    assert_found(queues::dead_letter_queues, &t, "AlertsQueueDeadLetterQueue", "not encrypted");
}

#[test]
fn a_dead_letter_queue_keeping_messages_shorter_than_its_source_is_reported() {
    let t = broken("/Resources/EventsQueueDeadLetterQueue/Properties/MessageRetentionPeriod", |v| *v = json!(60));
    assert_found(queues::dead_letter_queues, &t, "EventsQueue", "keeps messages for less time");
}

#[test]
fn a_visibility_timeout_under_six_function_timeouts_is_reported() {
    let t = broken("/Resources/AlertsQueue/Properties/VisibilityTimeout", |v| *v = json!(300));
    assert_found(queues::visibility_timeouts, &t, "AlertsQueue", "less than 6 ×");
    // Raising the consumer's timeout instead breaks it just the same.
    let t = broken("/Resources/IngestFunction/Properties/Timeout", |v| *v = json!(600));
    assert_found(queues::visibility_timeouts, &t, "EventsQueue", "less than 6 × 600 s");
}

#[test]
fn a_mapping_without_partial_batch_responses_is_reported() {
    let t = without("/Resources/EventsQueueMapping/Properties", "FunctionResponseTypes");
    assert_found(queues::batch_item_failures, &t, "EventsQueueMapping", "ReportBatchItemFailures");
}

#[test]
fn a_queue_without_its_alarm_is_reported() {
    let t = broken("/Resources/EventsDeadLetterAlarm/Properties/MetricName", |v| *v = json!("NumberOfMessagesSent"));
    assert_found(queues::queue_alarms, &t, "EventsQueueDeadLetterQueue", "ApproximateNumberOfMessagesVisible");
}

#[test]
fn an_action_outside_a_functions_allow_list_is_reported() {
    let t = broken("/Resources/LoginputRole/Properties/Policies/0/PolicyDocument/Statement", |v| {
        v.as_array_mut().unwrap().push(json!({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": {"Fn::GetAtt": ["LargeEventsBucket", "Arn"]}}));
    });
    assert_found(roles::function_roles, &t, "LoginputRole.loginput", "allows s3:DeleteObject");
    // An attached policy counts as the role's too.
    let t = broken("/Resources/ApiRunAlertsPolicy/Properties/PolicyDocument/Statement/0/Action", |v| {
        *v = json!("lambda:UpdateFunctionCode");
    });
    assert_found(roles::function_roles, &t, "ApiRunAlertsPolicy", "allows lambda:UpdateFunctionCode");
}

#[test]
fn a_role_shared_by_two_functions_is_reported() {
    let t = broken("/Resources/AlertActionsFunction/Properties/Role", |v| {
        *v = json!({"Fn::GetAtt": ["AlertsRole", "Arn"]})
    });
    assert_found(roles::function_roles, &t, "AlertsRole", "each function needs its own");
}

#[test]
fn a_managed_policy_outside_the_template_is_reported() {
    let t = broken("/Resources/IngestRole/Properties", |v| {
        v["ManagedPolicyArns"] = json!(["arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
    });
    assert_found(roles::function_roles, &t, "IngestRole", "cannot be checked");
}

#[test]
fn wildcard_actions_resources_and_open_principals_are_reported() {
    let t = broken("/Resources/IngestRole/Properties/Policies/0/PolicyDocument/Statement/0/Action", |v| {
        *v = json!("logs:*");
    });
    assert_found(roles::wildcards, &t, "IngestRole.ingest", "wildcard action logs:*");
    let t =
        broken("/Resources/AlertsRole/Properties/Policies/0/PolicyDocument/Statement/0/Resource", |v| *v = json!("*"));
    assert_found(roles::wildcards, &t, "AlertsRole.alerts", "every resource");
    let t = broken("/Resources/OpenSearchDomain/Properties/AccessPolicies/Statement/0/Principal", |v| {
        *v = json!({"AWS": "*"});
    });
    assert_found(roles::wildcards, &t, "OpenSearchDomain.AccessPolicies", "everyone");
}

#[test]
fn a_bucket_without_protection_is_reported() {
    let t = without("/Resources/LargeEventsBucket/Properties", "PublicAccessBlockConfiguration");
    assert_found(storage::buckets, &t, "LargeEventsBucket", "BlockPublicAcls");
    let t = without("/Resources/SnapshotBucket/Properties", "BucketEncryption");
    assert_found(storage::buckets, &t, "SnapshotBucket", "no default encryption");
    let t = without("/Resources/CloudTrailBucket/Properties", "LifecycleConfiguration");
    assert_found(storage::buckets, &t, "CloudTrailBucket", "lifecycle");
    let t = broken("/Resources/LargeEventsBucketPolicy/Properties/PolicyDocument/Statement", |v| {
        v.as_array_mut().unwrap().retain(|s| s["Sid"] != "DenyInsecureTransport");
    });
    assert_found(storage::buckets, &t, "LargeEventsBucket", "without TLS");
}

#[test]
fn tables_without_recovery_ttl_or_their_keys_are_reported() {
    let t = broken(
        "/Resources/SchedulesTable/Properties/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled",
        |v| {
            *v = json!(false);
        },
    );
    assert_found(storage::tables, &t, "SchedulesTable", "point-in-time recovery");
    let t = without("/Resources/LocalitiesTable/Properties", "TimeToLiveSpecification");
    assert_found(storage::tables, &t, "LocalitiesTable", "TTL on None");
    let t = broken("/Resources/ShipperTokensTable/Properties/KeySchema/0/AttributeName", |v| *v = json!("name"));
    assert_found(storage::tables, &t, "ShipperTokensTable", "the code uses \"hash\"");
    let t = broken("/Resources/RecordsTable/Properties/DeletionProtectionEnabled", |v| *v = json!(false));
    assert_found(storage::tables, &t, "RecordsTable", "DeletionProtectionEnabled");
}

#[test]
fn an_api_route_without_the_jwt_authorizer_is_reported() {
    let t = without("/Resources/ApiRoute/Properties", "AuthorizationType");
    assert_found(api::api_routes, &t, "ApiRoute", "not behind a JWT authorizer");
    // The REST API reached by another path, even with the authorizer, is refused too.
    let t = broken("/Resources/ApiRoute/Properties/RouteKey", |v| *v = json!("ANY /{proxy+}"));
    assert_found(api::api_routes, &t, "ApiRoute", "outside /api");
}

#[test]
fn a_missing_loginput_route_is_reported() {
    let t = broken("/Resources", |v| {
        v.as_object_mut().unwrap().remove("LoginputBulkSlashRoute");
    });
    assert_found(api::api_routes, &t, "HttpApi", "/_bulk/ to loginput");
    let t = broken("/Resources/LoginputCefRoute/Properties/RouteKey", |v| *v = json!("POST /cef"));
    assert_found(api::api_routes, &t, "HttpApi", "no ANY route takes /cef to loginput");
}

#[test]
fn a_function_off_the_contract_is_reported() {
    let t = broken("/Resources/IngestFunction/Properties/Environment/Variables", |v| {
        let variables = v.as_object_mut().unwrap();
        let url = variables.remove("MOZDEF_OPENSEARCH_URL").unwrap();
        variables.insert("MOZDEF_OPENSEARCH_ULR".into(), url);
    });
    assert_found(functions::functions, &t, "IngestFunction", "MOZDEF_OPENSEARCH_URL is not always set");
    assert_found(functions::functions, &t, "IngestFunction", "MOZDEF_OPENSEARCH_ULR is not a variable");
    let t = broken("/Resources/ApiFunction/Properties/Environment/Variables/MOZDEF_OIDC_AUDIENCE", |v| {
        *v = json!({"Fn::If": ["UseCognito", {"Ref": "UserPoolClient"}, {"Ref": "AWS::NoValue"}]});
    });
    assert_found(functions::functions, &t, "ApiFunction", "MOZDEF_OIDC_AUDIENCE is not always set");
    let t = broken("/Resources/AlertsFunction/Properties/Code/S3Key", |v| *v = json!({"Ref": "ApiCodeKey"}));
    assert_found(functions::functions, &t, "AlertsFunction", "AlertsCodeKey");
    let t = broken("/Resources/LoginputFunction/Properties/Runtime", |v| *v = json!("python3.12"));
    assert_found(functions::functions, &t, "LoginputFunction", "provided.al2023");
    let t = without("/Resources/IngestFunction/Properties", "ReservedConcurrentExecutions");
    assert_found(functions::functions, &t, "IngestFunction", "ReservedConcurrentExecutions");
    let t = without("/Resources/AlertsLogGroup/Properties", "RetentionInDays");
    assert_found(functions::functions, &t, "AlertsLogGroup", "RetentionInDays");
}

#[test]
fn unused_parameters_and_dangling_references_are_reported() {
    let t = broken("/Parameters", |v| {
        v["Unused"] = json!({"Type": "String", "Default": ""});
    });
    assert_found(wiring::wiring, &t, "parameter Unused", "not used");
    let t = broken("/Outputs/EventsQueueUrl/Value", |v| *v = json!({"Ref": "EventQueue"}));
    assert_found(wiring::wiring, &t, "output EventsQueueUrl", "EventQueue, which is no parameter or resource");
    let t = broken("/Outputs/DashboardsUrl/Value", |v| {
        *v = json!({"Fn::Sub": "https://${OpenSearchDomain.DomainEndpoint}/_dashboards"});
    });
    assert_found(wiring::wiring, &t, "output DashboardsUrl", "exists only when CreateDomain");
    let t = without("/Outputs/UserPoolId", "Condition");
    assert_found(wiring::wiring, &t, "output UserPoolId", "exists only when UseCognito");
    let t = broken("/Conditions", |v| {
        v["Orphan"] = json!({"Fn::Equals": ["a", "b"]});
    });
    assert_found(wiring::wiring, &t, "condition Orphan", "defined but not used");
}

#[test]
fn serverless_is_refused_unless_a_search_collection() {
    // The deploy-time refusal of OpenSearch Serverless time-series collections exists and
    // says why (CloudFormation evaluates it; the emulator does not).
    let t = template();
    let rule = &t.section("Rules")["ServerlessNeedsASearchCollection"];
    assert_eq!(rule["RuleCondition"], json!({"Fn::Equals": [{"Ref": "OpenSearchServiceType"}, "aoss"]}));
    let asserted: Vec<&Value> = rule["Assertions"].as_array().unwrap().iter().map(|a| &a["Assert"]).collect();
    assert!(asserted.contains(&&json!({"Fn::Equals": [{"Ref": "OpenSearchServerlessCollectionType"}, "SEARCH"]})));
    let description = rule["Assertions"][0]["AssertDescription"].as_str().unwrap();
    assert!(description.contains("SEARCH") && description.contains("updates"), "{description}");
}
