//! The parent template (`cloudformation/mozdef.json`) passes every check, and each check
//! catches the breakage it is there for: every test below breaks a parsed copy of the real
//! template in one way and asserts the check reports exactly that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mozdef_cloudformation_tests::checks::{self, Check, api, functions, queues, roles, sources, storage, web, wiring};
use mozdef_cloudformation_tests::expectations::CACHING_OPTIMIZED;
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

/// Removes the resource `id`.
fn without_resource(id: &str) -> Template {
    broken("/Resources", |v| {
        v.as_object_mut().unwrap().remove(id).unwrap_or_else(|| panic!("the template has no resource {id}"));
    })
}

/// Removes the statements with Sid `sid` from the statement list at `pointer`.
fn without_statement(pointer: &str, sid: &str) -> Template {
    broken(pointer, |v| {
        let statements = v.as_array_mut().unwrap();
        let before = statements.len();
        statements.retain(|s| s["Sid"] != sid);
        assert_eq!(statements.len() + 1, before, "{pointer} has no statement {sid}");
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
        ("AWS::S3::Bucket", 4),
        ("AWS::DynamoDB::Table", 4),
        ("AWS::ApiGatewayV2::Route", 18),
        ("AWS::CloudWatch::Alarm", 4),
        ("AWS::CloudFront::Distribution", 1),
        ("AWS::CloudFront::ResponseHeadersPolicy", 1),
        ("AWS::CloudFront::OriginAccessControl", 1),
        ("Custom::MozDefWebConfig", 1),
        ("AWS::Events::Rule", 4),
        ("AWS::SQS::QueuePolicy", 1),
        ("AWS::Lambda::Permission", 5),
        ("AWS::Lambda::EventInvokeConfig", 1),
        ("Custom::MozDefCollectorSchedules", 1),
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

const WEB_POLICY: &str = "/Resources/WebBucketPolicy/Properties/PolicyDocument/Statement";
const DISTRIBUTION: &str = "/Resources/WebDistribution/Properties/DistributionConfig";
const HEADERS: &str =
    "/Resources/WebResponseHeadersPolicy/Properties/ResponseHeadersPolicyConfig/SecurityHeadersConfig";
const CSP_PARTS: &str = "/Resources/WebResponseHeadersPolicy/Properties/ResponseHeadersPolicyConfig/SecurityHeadersConfig/ContentSecurityPolicy/ContentSecurityPolicy/Fn::Join/1";

#[test]
fn a_web_bucket_others_may_read_is_reported() {
    // The bucket is private: public access blocked (the buckets check), ACLs off, and read by
    // this distribution alone through its origin access control.
    let t = broken(&format!("{WEB_POLICY}/1/Principal"), |v| *v = json!({"AWS": "arn:aws:iam::111122223333:root"}));
    assert_found(web::bucket, &t, "WebBucketPolicy", "only CloudFront may read");
    let t = broken(&format!("{WEB_POLICY}/1"), |v| {
        v.as_object_mut().unwrap().remove("Condition");
    });
    assert_found(web::bucket, &t, "WebBucketPolicy", "any distribution could read the bucket");
    let t = broken(&format!("{WEB_POLICY}/1/Action"), |v| *v = json!(["s3:GetObject", "s3:ListBucket"]));
    assert_found(web::bucket, &t, "WebBucketPolicy", "it needs s3:GetObject only");
    let t = without("/Resources/WebBucket/Properties", "OwnershipControls");
    assert_found(web::bucket, &t, "WebBucket", "BucketOwnerEnforced");
    let t = broken("/Resources/WebBucket/Properties/PublicAccessBlockConfiguration/RestrictPublicBuckets", |v| {
        *v = json!(false);
    });
    assert_found(storage::buckets, &t, "WebBucket", "RestrictPublicBuckets");
}

#[test]
fn a_distribution_around_its_access_control_headers_or_routing_is_reported() {
    let t = without(&format!("{DISTRIBUTION}/Origins/0"), "OriginAccessControlId");
    assert_found(web::distribution, &t, "WebDistribution", "does not go through an origin access control");
    let t = broken("/Resources/WebOriginAccessControl/Properties/OriginAccessControlConfig/SigningBehavior", |v| {
        *v = json!("no-override");
    });
    assert_found(web::distribution, &t, "WebDistribution", "(s3, sigv4, always)");
    let t = without(&format!("{DISTRIBUTION}/CacheBehaviors/1"), "ResponseHeadersPolicyId");
    assert_found(web::distribution, &t, "WebDistribution", "behaviour /index.html has no response headers policy");
    let t = broken(&format!("{DISTRIBUTION}/DefaultCacheBehavior/ViewerProtocolPolicy"), |v| *v = json!("allow-all"));
    assert_found(web::distribution, &t, "WebDistribution", "plain HTTP");
    let t = broken(&format!("{DISTRIBUTION}/CustomErrorResponses/1/ResponseCode"), |v| *v = json!(404));
    assert_found(web::distribution, &t, "WebDistribution", "404 is not answered with /index.html and 200");
    let t = broken(&format!("{DISTRIBUTION}/CacheBehaviors/0/CachePolicyId"), |v| *v = json!(CACHING_OPTIMIZED));
    assert_found(
        web::distribution,
        &t,
        "WebDistribution",
        "no behaviour for /config.json with Managed-CachingDisabled",
    );
    let t = broken(&format!("{DISTRIBUTION}/ViewerCertificate/Fn::If/1/MinimumProtocolVersion"), |v| {
        *v = json!("TLSv1");
    });
    assert_found(web::distribution, &t, "WebDistribution", "TLSv1.2_2021");
}

#[test]
fn a_loose_content_security_policy_or_missing_security_headers_are_reported() {
    let t = broken(&format!("{CSP_PARTS}/0"), |v| {
        *v = json!(v.as_str().unwrap().replace("script-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'"));
    });
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "script-src allows 'unsafe-inline'");
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "script-src allows 'unsafe-eval'");
    let t = broken(&format!("{CSP_PARTS}/0"), |v| {
        *v = json!(v.as_str().unwrap().replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
    });
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "style-src allows 'unsafe-inline'");
    let t = broken(CSP_PARTS, |v| {
        let last = v.as_array_mut().unwrap().pop().unwrap();
        assert_eq!(last, json!("; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"));
    });
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "no frame-ancestors 'none'");
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "no require-trusted-types-for 'script'");
    // connect-src without the API (the part after "connect-src 'self' " is the API's origin).
    let t = broken(&format!("{CSP_PARTS}/1"), |v| *v = json!("https://example.com"));
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "connect-src lacks the REST API's origin");
    let t = broken(&format!("{HEADERS}/StrictTransportSecurity/AccessControlMaxAgeSec"), |v| *v = json!(86400));
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "two years");
    let t = broken(&format!("{HEADERS}/FrameOptions/FrameOption"), |v| *v = json!("SAMEORIGIN"));
    assert_found(web::headers, &t, "WebResponseHeadersPolicy", "X-Frame-Options is not DENY");
}

#[test]
fn a_sign_in_client_the_ui_cannot_use_is_reported() {
    let t = broken("/Resources/UserPoolClient/Properties/GenerateSecret", |v| *v = json!(true));
    assert_found(web::sign_in, &t, "UserPoolClient", "a browser cannot keep a secret");
    let t = broken("/Resources/UserPoolClient/Properties/AllowedOAuthFlows", |v| *v = json!(["code", "implicit"]));
    assert_found(web::sign_in, &t, "UserPoolClient", "authorization code flow alone");
    let t = broken("/Resources/UserPoolClient/Properties/CallbackURLs/0/Fn::If/2", |v| {
        *v = json!({"Fn::Sub": "https://${WebDistribution.DomainName}/callback"});
    });
    assert_found(web::sign_in, &t, "UserPoolClient", "CallbackURLs are not https://<the UI's domain>/auth/callback");
    // The UI signing in with a client the API does not accept.
    let t = broken("/Resources/WebConfig/Properties/OidcClientId", |v| *v = json!({"Ref": "OidcAudience"}));
    assert_found(web::sign_in, &t, "ApiFunction", "MOZDEF_OIDC_AUDIENCE is not the UI's client");
    // The hosted sign-in page only with Dashboards' Cognito, as it was before the UI.
    let t = broken("/Resources/UserPoolDomain/Condition", |v| *v = json!("DashboardsCognito"));
    assert_found(web::sign_in, &t, "UserPoolClient", "no AWS::Cognito::UserPoolDomain");
}

#[test]
fn cors_that_misses_the_ui_or_opens_the_api_is_reported() {
    let t = without("/Resources/HttpApi/Properties", "CorsConfiguration");
    assert_found(web::cors, &t, "HttpApi", "no CorsConfiguration");
    let t = broken("/Resources/HttpApi/Properties/CorsConfiguration/AllowOrigins/Fn::If/2", |v| *v = json!(["*"]));
    assert_found(web::cors, &t, "HttpApi", "allows \"*\", which is not the web UI's https origin");
    let t = broken("/Resources/HttpApi/Properties/CorsConfiguration/AllowHeaders", |v| *v = json!(["content-type"]));
    assert_found(web::cors, &t, "HttpApi", "AllowHeaders lacks authorization");
    let t = broken("/Resources/HttpApi/Properties/CorsConfiguration/AllowCredentials", |v| *v = json!(true));
    assert_found(web::cors, &t, "HttpApi", "never cookies");
    // An ANY route under /api sends preflights to the JWT authorizer.
    let t = broken("/Resources/ApiRoute/Properties/RouteKey", |v| *v = json!("ANY /api/{proxy+}"));
    assert_found(web::cors, &t, "ApiRoute", "takes CORS preflights");
    assert_found(web::cors, &t, "HttpApi", "no GET /api/{proxy+} route");
}

#[test]
fn web_config_rights_beyond_config_json_are_reported() {
    let statement = "/Resources/MaintenanceRole/Properties/Policies/0/PolicyDocument/Statement/1";
    let t = broken(&format!("{statement}/Resource"), |v| *v = json!({"Fn::Sub": "${WebBucket.Arn}/*"}));
    assert_found(web::config, &t, "MaintenanceRole.maintenance", "beyond ${WebBucket.Arn}/config.json");
    let t = broken(&format!("{statement}/Action"), |v| *v = json!(["s3:PutObject", "s3:DeleteObject", "s3:GetObject"]));
    assert_found(roles::function_roles, &t, "MaintenanceRole.maintenance", "allows s3:GetObject");
    let t = broken("/Resources/WebConfig/Properties/Bucket", |v| *v = json!({"Ref": "LargeEventsBucket"}));
    assert_found(web::config, &t, "WebConfig", "Bucket is not WebBucket");
    let t = broken("/Resources/WebConfig/Properties/ApiUrl", |v| {
        *v = json!({"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"});
    });
    assert_found(web::config, &t, "WebConfig", "ApiUrl is not the REST API's origin");
    let t = broken("/Resources/WebConfig/Properties/OidcBearer", |v| *v = json!("access_token"));
    assert_found(web::config, &t, "WebConfig", "OidcBearer is not id_token with Cognito");
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

const QUEUE_POLICY: &str = "/Resources/EventsQueuePolicy/Properties/PolicyDocument/Statement";
const SCHEDULES: &str = "/Resources/CollectorSchedules/Properties";
const MAINTENANCE_POLICY: &str = "/Resources/MaintenanceRole/Properties/Policies/0/PolicyDocument/Statement";

/// The pointer of the events queue policy's statement `sid` (the statement itself, or the
/// `Fn::If` holding it in its true branch).
fn queue_statement(sid: &str) -> String {
    let t = template();
    let list = t.root.pointer(QUEUE_POLICY).unwrap().as_array().unwrap();
    let i = list.iter().position(|s| s["Sid"] == sid || s["Fn::If"][1]["Sid"] == sid).unwrap();
    format!("{QUEUE_POLICY}/{i}")
}

#[test]
fn an_event_rule_the_queue_policy_does_not_let_in_is_reported() {
    let t = without_statement(QUEUE_POLICY, "GuardDutyFindings");
    assert_found(
        sources::event_rules,
        &t,
        "GuardDutyFindingsRule",
        "no policy of EventsQueue lets events.amazonaws.com send to it with aws:SourceArn = this rule's ARN",
    );
    // Security Hub's statement under another condition than its rule: missing when the rule
    // exists, there when it does not.
    let t = broken(&format!("{}/Fn::If/0", queue_statement("SecurityHubFindings")), |v| *v = json!("HasCollectors"));
    assert_found(sources::event_rules, &t, "SecurityHubFindingsRule", "this rule's ARN whenever SecurityHubOn holds");
    assert_found(
        sources::event_rules,
        &t,
        "EventsQueuePolicy",
        "lets SecurityHubFindingsRule send to EventsQueue when the rule does not exist (it exists only when SecurityHubOn)",
    );
    // A statement letting any rule of the account in.
    let t = broken(&format!("{}/Condition/ArnEquals/aws:SourceArn", queue_statement("GuardDutyFindings")), |v| {
        *v = json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"});
    });
    assert_found(
        sources::event_rules,
        &t,
        "EventsQueuePolicy",
        "lets events.amazonaws.com send to EventsQueue without an aws:SourceArn naming a rule of the template",
    );
}

#[test]
fn a_bucket_notifying_the_queue_without_its_grant_is_reported() {
    // The AWS logs bucket's statement only for an existing bucket: S3 refuses the new bucket's
    // notification.
    let t = broken(&format!("{}/Fn::If/0", queue_statement("AwsLogsBucketNotifications")), |v| {
        *v = json!("UseExistingAwsLogsBucket");
    });
    assert_found(
        sources::bucket_notifications,
        &t,
        "AwsLogsBucket",
        "no policy of EventsQueue lets s3.amazonaws.com send to it with aws:SourceArn = this bucket's ARN whenever CreateAwsLogsBucket holds",
    );
    // The trail bucket's statement naming another bucket.
    let name = format!(
        "{}/Fn::If/1/Condition/ArnEquals/aws:SourceArn/Fn::Sub/1/Name/Fn::Sub/0",
        queue_statement("TrailBucketNotifications")
    );
    let t = broken(&name, |v| {
        assert_eq!(*v, json!("mozdef-trail-${AWS::AccountId}-${Id}"));
        *v = json!("mozdef-cloudtrail-${AWS::AccountId}-${Id}");
    });
    assert_found(sources::bucket_notifications, &t, "CloudTrailBucket", "this bucket's ARN whenever CreateTrail holds");
}

#[test]
fn a_bucket_created_before_the_queue_policy_is_reported() {
    let t = without("/Resources/AwsLogsBucket", "DependsOn");
    assert_found(sources::bucket_notifications, &t, "AwsLogsBucket", "does not DependsOn EventsQueuePolicy");
}

#[test]
fn an_ingest_role_that_cannot_read_the_notified_objects_is_reported() {
    let t = broken("/Resources/IngestAwsLogsPolicy/Properties/PolicyDocument/Statement/0/Resource/Fn::Sub/0", |v| {
        *v = json!("arn:${AWS::Partition}:s3:::${Name}/logs/*");
    });
    assert_found(
        sources::bucket_notifications,
        &t,
        "IngestRole",
        "may not s3:GetObject AwsLogsBucket's objects under \"AWSLogs/\" whenever CreateAwsLogsBucket holds",
    );
    // The trail's policy only for an existing trail: the stack's own trail goes unread.
    let t = broken("/Resources/IngestTrailPolicy/Condition", |v| *v = json!("UseExistingTrail"));
    assert_found(sources::bucket_notifications, &t, "IngestRole", "may not s3:GetObject CloudTrailBucket's objects");
}

#[test]
fn an_ingest_function_cloudwatch_logs_cannot_invoke_is_reported() {
    let t = without_resource("IngestCloudWatchLogsPermission");
    assert_found(
        sources::cloudwatch_logs,
        &t,
        "IngestFunction",
        "no AWS::Lambda::Permission lets logs.amazonaws.com invoke it",
    );
    // Subscriptions work with the built-in parsers too: the permission cannot wait for them.
    let t = broken("/Resources/IngestCloudWatchLogsPermission", |v| v["Condition"] = json!("HasCloudWatchParsers"));
    assert_found(
        sources::cloudwatch_logs,
        &t,
        "IngestFunction",
        "no AWS::Lambda::Permission lets logs.amazonaws.com invoke it",
    );
    let t = without("/Resources/IngestCloudWatchLogsPermission/Properties", "SourceAccount");
    assert_found(sources::cloudwatch_logs, &t, "IngestCloudWatchLogsPermission", "SourceAccount is not");
    let t = broken("/Resources/IngestCloudWatchLogsPermission/Properties/SourceArn", |v| {
        *v = json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:*:log-group:*"});
    });
    assert_found(
        sources::cloudwatch_logs,
        &t,
        "IngestCloudWatchLogsPermission",
        "SourceArn is not limited to this account's log groups",
    );
}

#[test]
fn failed_asynchronous_invocations_without_a_dead_letter_queue_are_reported() {
    let t = without_resource("IngestAsyncConfig");
    assert_found(sources::cloudwatch_logs, &t, "IngestFunction", "no AWS::Lambda::EventInvokeConfig");
    let t = broken("/Resources/IngestAsyncConfig/Properties/DestinationConfig/OnFailure/Destination", |v| {
        *v = json!({"Fn::GetAtt": ["EventsQueue", "Arn"]});
    });
    assert_found(
        sources::cloudwatch_logs,
        &t,
        "IngestAsyncConfig",
        "OnFailure.Destination is not Fn::GetAtt [<dead-letter queue",
    );
    let t = without_statement("/Resources/IngestRole/Properties/Policies/0/PolicyDocument/Statement", "AsyncFailures");
    assert_found(sources::cloudwatch_logs, &t, "IngestRole", "may not sqs:SendMessage to EventsQueueDeadLetterQueue");
}

#[test]
fn collector_schedules_answered_or_aimed_elsewhere_are_reported() {
    let t = broken(&format!("{SCHEDULES}/ServiceToken"), |v| *v = json!({"Fn::GetAtt": ["AlertsFunction", "Arn"]}));
    assert_found(sources::collectors, &t, "CollectorSchedules", "ServiceToken is not MaintenanceFunction's ARN");
    let t = broken(&format!("{SCHEDULES}/FunctionArn"), |v| *v = json!({"Fn::GetAtt": ["IngestFunction", "Arn"]}));
    assert_found(sources::collectors, &t, "CollectorSchedules", "FunctionArn is not CollectorsFunction's ARN");
    let t = without_resource("CollectorSchedules");
    assert_found(sources::collectors, &t, "CollectorsFunction", "no Custom::MozDefCollectorSchedules resource");
}

#[test]
fn a_rule_prefix_the_permission_or_the_maintenance_role_does_not_match_is_reported() {
    // Another prefix: neither the invoke permission nor the maintenance role follows.
    let t = broken(&format!("{SCHEDULES}/RulePrefix"), |v| *v = json!({"Fn::Sub": "${AWS::StackName}-pull-"}));
    assert_found(sources::collectors, &t, "CollectorsSchedulePermission", "is not the rules RulePrefix names");
    assert_found(sources::collectors, &t, "MaintenanceRole.maintenance", "beyond the collectors' rules");
    assert_found(
        sources::collectors,
        &t,
        "MaintenanceRole",
        "may not events:PutRule, events:PutTargets, events:RemoveTargets, events:DeleteRule, events:DescribeRule, events:ListTargetsByRule on the collectors' rules",
    );
    let t = without_resource("CollectorsSchedulePermission");
    assert_found(
        sources::collectors,
        &t,
        "CollectorsFunction",
        "no AWS::Lambda::Permission lets events.amazonaws.com invoke it",
    );
}

#[test]
fn a_maintenance_role_managing_other_rules_or_none_is_reported() {
    let t = broken(MAINTENANCE_POLICY, |v| {
        let statement = v.as_array_mut().unwrap().iter_mut().find(|s| s["Sid"] == "CollectorSchedules").unwrap();
        statement["Resource"] =
            json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"});
    });
    assert_found(sources::collectors, &t, "MaintenanceRole.maintenance", "beyond the collectors' rules");
    let t = without_statement(MAINTENANCE_POLICY, "CollectorSchedules");
    assert_found(
        sources::collectors,
        &t,
        "MaintenanceRole",
        "may not events:PutRule, events:PutTargets, events:RemoveTargets, events:DeleteRule, events:DescribeRule, events:ListTargetsByRule on the collectors' rules",
    );
}

#[test]
fn a_collectors_resource_outside_their_condition_is_reported() {
    let t = without("/Resources/CollectorsLogGroup", "Condition");
    assert_found(sources::collectors, &t, "CollectorsLogGroup", "is not under the condition HasCollectors");
    let t = broken("/Resources/CollectorsSchedulePermission/Condition", |v| *v = json!("HasAlertActions"));
    assert_found(sources::collectors, &t, "CollectorsSchedulePermission", "is not under the condition HasCollectors");
}
