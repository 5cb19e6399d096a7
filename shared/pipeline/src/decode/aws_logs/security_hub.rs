//! Security Hub findings (AWS Security Finding Format, ASFF) delivered by an EventBridge rule
//! to SQS → MozDef events, one per finding. Security Hub aggregates the findings of
//! Inspector, Macie, IAM Access Analyzer, Config, GuardDuty, its own security standards and
//! partner products, so one rule brings all of them in one shape.
//!
//! # Input
//!
//! The EventBridge event as the SQS body — `{"version": "0", "id", "detail-type": "Security
//! Hub Findings - Imported", "source": "aws.securityhub", "account", "time", "region",
//! "resources": [<finding ARNs>], "detail": {"findings": [<ASFF finding>, ...]}}` — or the
//! same event in an SNS envelope (rule → SNS topic → SQS). `source` must be
//! `aws.securityhub` and `detail-type` `Security Hub Findings - Imported`: the other two
//! types Security Hub sends, `Security Hub Findings - Custom Action` (a person sent findings
//! to a custom action: they were already imported) and `Security Hub Insight Results`, are
//! refused as [`DecodeError::Unrecognized`]. An empty `findings` list gives no event.
//!
//! # Event
//!
//! | key | value |
//! |---|---|
//! | `utctimestamp`, `timestamp` | the finding's `UpdatedAt`, else `CreatedAt`, else the event's `time`, else the receive time (`toUTC`) |
//! | `category`, `source` | `securityhub` |
//! | `tags` | `[<queue>, "aws", "securityhub", <product>]`: the product name lower-cased, white space as `-` (`inspector`, `macie`, `iam-access-analyzer`, `guardduty`); the queue when not empty, the product when known |
//! | `severity` | from `Severity.Label`: `CRITICAL` → `CRITICAL`, `HIGH` → `ERROR`, `MEDIUM` → `WARNING`, `LOW` → `NOTICE`, `INFORMATIONAL` → `INFO`; without a known label, the label of `Severity.Normalized` (0 → INFORMATIONAL, 1–39 LOW, 40–69 MEDIUM, 70–89 HIGH, 90–100 CRITICAL); else `INFO` |
//! | `hostname` | for a first resource of type `AwsEc2Instance`, the instance id (the end of its ARN, `.../instance/<id>`); else the first resource's `Id`; absent without resources |
//! | `summary` | `Security Hub <label> (<product>): <Title>` (e.g. `Security Hub CRITICAL (Inspector): CVE-2021-44228 - log4j`); the label and product left out when unknown, `Description` or `Id` when there is no title |
//!
//! # `details`
//!
//! In this order, each only when present (and not `null`): `findingid` (`Id`), `productarn`,
//! `productname` (`ProductName`, else `ProductFields."aws/securityhub/ProductName"`, else
//! the last part of `ProductArn`), `companyname` (`CompanyName`, else
//! `ProductFields."aws/securityhub/CompanyName"`), `generatorid`, `awsaccountid` (else the
//! event's `account`), `region` (else the event's `region`), `types`, `title`,
//! `description`, `severitylabel` (`Severity.Label` as given, else the label of
//! `Severity.Normalized`), `severitynormalized`, `workflowstatus` (`Workflow.Status`, else
//! `WorkflowState`), `recordstate`, `compliancestatus` (`Compliance.Status`), `resources`
//! (each `{type, id, partition, region, details}`, the resource's `Details` as given),
//! `remediation` (`{text, url}` of `Remediation.Recommendation`), `sourceurl`,
//! `sourceipaddress` (`Network.SourceIpV4`, else `SourceIpV6`), `sourceport`,
//! `destinationipaddress` (`Network.DestinationIpV4`, else `DestinationIpV6`),
//! `destinationport`, `network` (`Network` as given), `vulnerabilities` (the `Id`s of
//! `Vulnerabilities`, e.g. `["CVE-2021-44228"]`), `productfields` (as given) and last
//! `finding`: the whole ASFF finding as given, so nothing is lost.
//!
//! # Errors
//!
//! [`DecodeError`] for a body that is not such an event: not a JSON object (or an SNS
//! envelope whose `Message` is not one), the wrong `source` or `detail-type`, no `detail`
//! object or no `detail.findings` list, a finding that is not an object or has no `Id`
//! (`detail.findings[1].Id`), or a field read above with the wrong JSON type.

use chrono::{DateTime, Utc};
use mozdef_model::{Document, to_utc};
use serde_json::{Value, json};

use super::schema::{Details, FieldError, Fields, Head};
use crate::NormalizeContext;
use crate::decode::DecodeError;
use crate::decode::body::{into_object, is_sns_envelope, parse_object, sns_message};
use crate::python::json_type;

/// The event, named in errors.
const WHAT: &str = "the Security Hub EventBridge event";
/// The one `detail-type` that carries findings to ingest.
const IMPORTED: &str = "Security Hub Findings - Imported";
/// Why a custom action or insight results event is refused.
const NOT_FINDINGS: &str = "only \"Security Hub Findings - Imported\" events are ingested: custom actions \
                            and insight results carry no new findings";
/// Security Hub's labels and MozDef's severities, from the lowest.
const LEVELS: [(&str, &str); 5] =
    [("INFORMATIONAL", "INFO"), ("LOW", "NOTICE"), ("MEDIUM", "WARNING"), ("HIGH", "ERROR"), ("CRITICAL", "CRITICAL")];

/// The events of one EventBridge event of Security Hub findings, one per finding (see the
/// module documentation).
///
/// # Errors
///
/// [`DecodeError`] when the body is not a `Security Hub Findings - Imported` event or a
/// finding is unusable; the error names the field (e.g. `detail.findings[0].Id`).
pub fn decode(body: &[u8], queue: &str, ctx: &NormalizeContext) -> Result<Vec<Document>, DecodeError> {
    let mut event = parse_object(body, WHAT)?;
    if is_sns_envelope(&event) {
        const INNER: &str = "the SNS Message of the Security Hub event";
        let message = sns_message(&event, "the SNS envelope")?;
        let inner = serde_json::from_str(message)
            .map_err(|e| DecodeError::InvalidJson { what: INNER, reason: e.to_string() })?;
        event = into_object(inner, INNER)?;
    }
    let envelope = Envelope::of(&event)?;
    let findings = take_findings(event)?;
    findings.into_iter().enumerate().map(|(n, finding)| finding_event(n, finding, &envelope, queue, ctx)).collect()
}

/// What the findings take from the EventBridge event.
struct Envelope {
    time: Option<Value>,
    account: Option<String>,
    region: Option<String>,
}

impl Envelope {
    /// Checks `source` and `detail-type`, and reads the rest.
    fn of(event: &Document) -> Result<Self, DecodeError> {
        let fields = Fields::new(event, "");
        let source = fields.require_str("source").map_err(|e| e.into_decode(WHAT))?;
        if source != "aws.securityhub" {
            let problem = format!("must be \"aws.securityhub\", got {source:?}");
            return Err(FieldError::invalid("source", problem).into_decode(WHAT));
        }
        match fields.require_str("detail-type").map_err(|e| e.into_decode(WHAT))? {
            IMPORTED => {}
            "Security Hub Findings - Custom Action" | "Security Hub Insight Results" => {
                return Err(DecodeError::Unrecognized { what: WHAT, expected: NOT_FINDINGS });
            }
            other => {
                let problem = format!("must be {IMPORTED:?}, got {other:?}");
                return Err(FieldError::invalid("detail-type", problem).into_decode(WHAT));
            }
        }
        let text = |key: &str| fields.text(key).map(|v| v.map(str::to_owned)).map_err(|e| e.into_decode(WHAT));
        Ok(Envelope { time: fields.get("time").cloned(), account: text("account")?, region: text("region")? })
    }
}

/// `detail.findings`, taken out of the event.
fn take_findings(mut event: Document) -> Result<Vec<Value>, DecodeError> {
    let mut detail = match event.remove("detail") {
        Some(Value::Object(detail)) => detail,
        None | Some(Value::Null) => return Err(DecodeError::MissingField { what: WHAT, field: "detail".to_owned() }),
        Some(other) => return Err(DecodeError::wrong_type(WHAT, "detail", "an object", json_type(&other))),
    };
    match detail.remove("findings") {
        Some(Value::Array(findings)) => Ok(findings),
        None | Some(Value::Null) => Err(DecodeError::MissingField { what: WHAT, field: "detail.findings".to_owned() }),
        Some(other) => Err(DecodeError::wrong_type(WHAT, "detail.findings", "an array", json_type(&other))),
    }
}

/// The event of the `n`th finding.
fn finding_event(
    n: usize,
    finding: Value,
    envelope: &Envelope,
    queue: &str,
    ctx: &NormalizeContext,
) -> Result<Document, DecodeError> {
    let path = format!("detail.findings[{n}]");
    let finding = match finding {
        Value::Object(finding) => finding,
        other => return Err(DecodeError::wrong_type(WHAT, path, "an object", json_type(&other))),
    };
    let (head, mut details) =
        read(&Fields::new(&finding, path), envelope, queue, ctx).map_err(|e| e.into_decode(WHAT))?;
    details.put("finding", Some(Value::Object(finding)));
    Ok(head.event(details.into_document(), ctx))
}

/// The head of the event and `details` without `finding`.
fn read(
    f: &Fields<'_>,
    envelope: &Envelope,
    queue: &str,
    ctx: &NormalizeContext,
) -> Result<(Head, Details), FieldError> {
    let id = f.text("Id")?.ok_or_else(|| FieldError::missing(f.name("Id")))?;
    let product_fields = f.object("ProductFields")?;
    let from_product_fields = |key: &str| product_fields.as_ref().map(|p| p.text(key)).transpose().map(Option::flatten);
    let product = match f.text("ProductName")? {
        Some(name) => Some(name),
        None => from_product_fields("aws/securityhub/ProductName")?.or(f.text("ProductArn")?.and_then(arn_product)),
    };
    let level = Level::of(f.object("Severity")?.as_ref())?;
    let title = f.text("Title")?;
    let description = f.text("Description")?;
    let resources = f.objects("Resources")?;

    let mut tags: Vec<String> =
        [queue, "aws", "securityhub"].into_iter().filter(|t| !t.is_empty()).map(str::to_owned).collect();
    tags.extend(product.map(product_tag));
    let head = Head {
        when: finding_time(f, envelope, ctx),
        category: "securityhub",
        source: "securityhub",
        tags,
        severity: level.severity,
        hostname: resources.first().map(hostname).transpose()?.flatten(),
        summary: summary(level.label, product, title.or(description).unwrap_or(id)),
    };

    let mut details = Details::default();
    details.put_str("findingid", Some(id));
    details.put_str("productarn", f.str("ProductArn")?);
    details.put_str("productname", product);
    let company = match f.text("CompanyName")? {
        Some(company) => Some(company),
        None => from_product_fields("aws/securityhub/CompanyName")?,
    };
    details.put_str("companyname", company);
    details.put_str("generatorid", f.str("GeneratorId")?);
    details.put_str("awsaccountid", f.text("AwsAccountId")?.or(envelope.account.as_deref()));
    details.put_str("region", f.text("Region")?.or(envelope.region.as_deref()));
    details.put("types", f.get("Types").cloned());
    details.put_str("title", title);
    details.put_str("description", description);
    details.put_str("severitylabel", level.given.or(level.label));
    details.put("severitynormalized", level.normalized.cloned());
    let workflow = match f.object("Workflow")? {
        Some(workflow) => workflow.text("Status")?,
        None => None,
    };
    details.put_str("workflowstatus", workflow.or(f.text("WorkflowState")?));
    details.put_str("recordstate", f.str("RecordState")?);
    details.put_str("compliancestatus", f.object("Compliance")?.map(|c| c.str("Status")).transpose()?.flatten());
    if f.get("Resources").is_some() {
        details.put("resources", Some(Value::Array(resources.iter().map(resource).collect())));
    }
    details.put("remediation", remediation(f)?);
    details.put_str("sourceurl", f.str("SourceUrl")?);
    network(f, &mut details)?;
    details.put("vulnerabilities", vulnerabilities(f)?);
    details.put("productfields", f.get("ProductFields").cloned());
    Ok((head, details))
}

/// A finding's severity: MozDef's, and Security Hub's label.
struct Level<'a> {
    /// MozDef's severity.
    severity: &'static str,
    /// The known label it comes from (given, or of `Normalized`).
    label: Option<&'static str>,
    /// `Severity.Label` as given.
    given: Option<&'a str>,
    /// `Severity.Normalized` as given.
    normalized: Option<&'a Value>,
}

impl<'a> Level<'a> {
    fn of(severity: Option<&Fields<'a>>) -> Result<Self, FieldError> {
        let Some(severity) = severity else {
            return Ok(Level { severity: "INFO", label: None, given: None, normalized: None });
        };
        let given = severity.text("Label")?;
        let normalized = severity.get("Normalized");
        let score = match normalized {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(other) => return Err(FieldError::wrong_type(severity.name("Normalized"), "a number", other)),
        };
        let known = given.and_then(|g| LEVELS.iter().find(|(label, _)| *label == g));
        let level = known.or_else(|| score.map(|s| &LEVELS[normalized_level(s)]));
        Ok(Level {
            severity: level.map_or("INFO", |(_, severity)| severity),
            label: level.map(|(label, _)| *label),
            given,
            normalized,
        })
    }
}

/// The index in [`LEVELS`] of a normalized score: 0, 1–39, 40–69, 70–89, 90–100.
fn normalized_level(score: f64) -> usize {
    match score {
        s if s < 1.0 => 0,
        s if s < 40.0 => 1,
        s if s < 70.0 => 2,
        s if s < 90.0 => 3,
        _ => 4,
    }
}

/// `UpdatedAt`, else `CreatedAt`, else the event's `time`, else the receive time.
fn finding_time(f: &Fields<'_>, envelope: &Envelope, ctx: &NormalizeContext) -> DateTime<Utc> {
    [f.get("UpdatedAt"), f.get("CreatedAt"), envelope.time.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|value| match to_utc(value, ctx.received) {
            Ok(when) => Some(when),
            Err(err) => {
                tracing::warn!(value = %value, error = %err, "securityhub: unreadable finding time, trying the next");
                None
            }
        })
        .unwrap_or(ctx.received)
}

/// The product in a product ARN: `arn:aws:securityhub:us-east-1::product/aws/inspector` →
/// `inspector`.
fn arn_product(arn: &str) -> Option<&str> {
    let (_, path) = arn.split_once(":product/")?;
    path.rsplit('/').next().filter(|name| !name.is_empty())
}

/// The product as a tag: lower case, white space as `-`.
fn product_tag(product: &str) -> String {
    product.split_whitespace().collect::<Vec<_>>().join("-").to_lowercase()
}

/// `Security Hub CRITICAL (Inspector): <title>`.
fn summary(label: Option<&str>, product: Option<&str>, title: &str) -> String {
    let mut summary = "Security Hub".to_owned();
    if let Some(label) = label {
        summary.push(' ');
        summary.push_str(label);
    }
    if let Some(product) = product {
        summary.push_str(&format!(" ({product})"));
    }
    summary.push_str(": ");
    summary.push_str(title);
    summary
}

/// The host of a resource: an EC2 instance's id, else the resource `Id`.
fn hostname(resource: &Fields<'_>) -> Result<Option<String>, FieldError> {
    let id = resource.text("Id")?;
    let instance = resource.text("Type")? == Some("AwsEc2Instance");
    Ok(id
        .map(|id| if instance { id.rsplit_once(":instance/").map_or(id, |(_, instance)| instance) } else { id })
        .map(str::to_owned))
}

/// A resource as `{type, id, partition, region, details}` (those present).
fn resource(resource: &Fields<'_>) -> Value {
    let mut out = Details::default();
    for (from, to) in
        [("Type", "type"), ("Id", "id"), ("Partition", "partition"), ("Region", "region"), ("Details", "details")]
    {
        out.put(to, resource.get(from).cloned());
    }
    Value::Object(out.into_document())
}

/// `{text, url}` of `Remediation.Recommendation`, or `None` when it has neither.
fn remediation(f: &Fields<'_>) -> Result<Option<Value>, FieldError> {
    let Some(recommendation) = f.object("Remediation")?.map(|r| r.object("Recommendation")).transpose()?.flatten()
    else {
        return Ok(None);
    };
    let mut out = Details::default();
    out.put_str("text", recommendation.str("Text")?);
    out.put_str("url", recommendation.str("Url")?);
    let out = out.into_document();
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

/// The addresses and ports of `Network`, then `network` itself.
fn network(f: &Fields<'_>, details: &mut Details) -> Result<(), FieldError> {
    let Some(network) = f.object("Network")? else { return Ok(()) };
    let source = network.text("SourceIpV4")?.map_or_else(|| network.text("SourceIpV6"), |ip| Ok(Some(ip)))?;
    let destination =
        network.text("DestinationIpV4")?.map_or_else(|| network.text("DestinationIpV6"), |ip| Ok(Some(ip)))?;
    details.put_str("sourceipaddress", source);
    details.put("sourceport", network.get("SourcePort").cloned());
    details.put_str("destinationipaddress", destination);
    details.put("destinationport", network.get("DestinationPort").cloned());
    details.put("network", f.get("Network").cloned());
    Ok(())
}

/// The `Id`s of `Vulnerabilities`, or `None` without the list.
fn vulnerabilities(f: &Fields<'_>) -> Result<Option<Value>, FieldError> {
    if f.get("Vulnerabilities").is_none() {
        return Ok(None);
    }
    let ids = f.objects("Vulnerabilities")?.iter().map(|v| v.text("Id")).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(json!(ids.into_iter().flatten().collect::<Vec<_>>())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            received: Utc.with_ymd_and_hms(2026, 12, 7, 10, 6, 0).unwrap(),
            mozdefhostname: "mozdef.test".to_owned(),
        }
    }

    fn body(findings: Value) -> Vec<u8> {
        json!({"version": "0", "id": "e", "detail-type": IMPORTED, "source": "aws.securityhub",
               "account": "123456789012", "time": "2026-12-07T10:00:00Z", "region": "us-east-1",
               "resources": [], "detail": {"findings": findings}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn normalized_scores_map_to_the_documented_labels() {
        let labels: Vec<&str> =
            [0.0, 1.0, 39.0, 40.0, 69.0, 70.0, 89.0, 90.0, 100.0].map(|s| LEVELS[normalized_level(s)].0).to_vec();
        assert_eq!(labels, ["INFORMATIONAL", "LOW", "LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH", "CRITICAL", "CRITICAL"]);
    }

    #[test]
    fn products_come_from_arns_and_become_tags() {
        assert_eq!(arn_product("arn:aws:securityhub:us-east-1::product/aws/inspector"), Some("inspector"));
        assert_eq!(
            arn_product("arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"),
            Some("default")
        );
        assert_eq!(arn_product("inspector"), None);
        assert_eq!(product_tag("IAM Access Analyzer"), "iam-access-analyzer");
        assert_eq!(product_tag("GuardDuty"), "guardduty");
    }

    #[test]
    fn a_minimal_finding_falls_back_on_the_event() {
        let events = decode(&body(json!([{"Id": "f-1", "Severity": {"Normalized": 75}}])), "", &ctx()).unwrap();
        let event = &events[0];
        assert_eq!(event["utctimestamp"], json!("2026-12-07T10:00:00+00:00"));
        assert_eq!(event["tags"], json!(["aws", "securityhub"]));
        assert_eq!(event["severity"], json!("ERROR"));
        assert_eq!(event["summary"], json!("Security Hub HIGH: f-1"));
        assert!(event.get("hostname").is_none());
        assert_eq!(event["details"]["awsaccountid"], json!("123456789012"));
        assert_eq!(event["details"]["severitylabel"], json!("HIGH"));
    }

    #[test]
    fn unusable_findings_are_named() {
        let cases = [
            (json!([{"Id": "a"}, 3]), "`detail.findings[1]` must be an object, got number"),
            (json!([{"Title": "t"}]), "has no `detail.findings[0].Id`"),
            (json!([{"Id": 7}]), "`detail.findings[0].Id` must be a string, got number"),
            (
                json!([{"Id": "a", "Severity": {"Normalized": "high"}}]),
                "`detail.findings[0].Severity.Normalized` must be a number",
            ),
            (json!([{"Id": "a", "Resources": [{"Id": 1}]}]), "`detail.findings[0].Resources[0].Id` must be a string"),
            (json!({"Id": "a"}), "`detail.findings` must be an array, got object"),
        ];
        for (findings, expected) in cases {
            let err = decode(&body(findings.clone()), "q", &ctx()).unwrap_err().to_string();
            assert!(err.contains(expected), "{findings}: {err:?} lacks {expected:?}");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            proptest::sample::select(vec![
                "Id",
                "ProductName",
                "ProductArn",
                "ProductFields",
                "Severity",
                "Label",
                "Normalized",
                "Resources",
                "Type",
                "Details",
                "Network",
                "SourceIpV4",
                "Vulnerabilities",
                "Remediation",
                "Recommendation",
                "UpdatedAt",
                "Workflow",
                "Status",
                "Compliance",
                "detail",
                "findings",
                "source",
                "detail-type",
                "Message",
                "Type",
            ])
            .prop_map(str::to_owned),
            ".{0,6}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".{0,12}".prop_map(Value::String),
            Just(Value::from("AwsEc2Instance")),
            Just(Value::from("CRITICAL")),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), value in json_value()) {
            let _ = decode(&bytes, "q", &ctx());
            let _ = decode(value.to_string().as_bytes(), "q", &ctx());
            let _ = decode(&body(Value::Array(vec![value.clone()])), "q", &ctx());
            let sns = json!({"Type": "Notification", "Message": String::from_utf8_lossy(&body(value)).into_owned()});
            let _ = decode(sns.to_string().as_bytes(), "q", &ctx());
        }
    }
}
