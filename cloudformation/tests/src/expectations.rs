//! What the parent template must give each function and table: the contract with the code in
//! `functions/` and `shared/` (the variables each function reads, the IAM actions its calls
//! need, the keys the stores use), written once here and checked against the template.

/// The variables every function on OpenSearch reads
/// (`mozdef_aws::lambda_env::opensearch_from_env`).
const OPENSEARCH: [&str; 3] = ["MOZDEF_OPENSEARCH_URL", "MOZDEF_OPENSEARCH_SIGV4", "MOZDEF_OPENSEARCH_PREFIX"];

/// What it takes to write CloudWatch Logs (each function, its own log group only).
const LOGS: [&str; 2] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/// OpenSearch: reading (search is a POST), writing, administering; and a Serverless collection.
const ES_READ: [&str; 3] = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"];
const ES_WRITE: [&str; 4] = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"];
const ES_ADMIN: [&str; 5] = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"];
const AOSS: [&str; 1] = ["aoss:APIAccessAll"];

/// The maintenance function's custom resource `Custom::MozDefWebConfig`: it writes and
/// deletes the web bucket's `config.json` (and nothing else: `checks::web`).
const WEB_CONFIG: [&str; 2] = ["s3:PutObject", "s3:DeleteObject"];

/// The maintenance function's custom resource `Custom::MozDefCollectorSchedules`: one
/// EventBridge rule per pull collector source, under the stack's `<stack>-collector-` prefix.
pub const COLLECTOR_SCHEDULES: [&str; 6] = [
    "events:PutRule",
    "events:PutTargets",
    "events:RemoveTargets",
    "events:DeleteRule",
    "events:DescribeRule",
    "events:ListTargetsByRule",
];

/// What an SQS event source mapping needs of the function's role.
const SQS_CONSUMER: [&str; 3] = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/// `mozdef_store_dynamodb::DynamoSchedules` (update, scan, put, delete; get for one schedule).
const SCHEDULES: [&str; 5] =
    ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Scan"];

/// `mozdef_store_dynamodb::DynamoRecords`: consistent gets, the feed counter's update,
/// transactions of puts, deletes and condition checks, queries of listings, history and feed.
const RECORDS: [&str; 6] = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
];

/// One function of the parent template.
#[derive(Debug)]
pub struct FunctionSpec {
    /// Its logical id.
    pub logical_id: &'static str,
    /// The parameter naming its zip (`mozdef deploy`: `<Function>CodeKey`).
    pub code_key: &'static str,
    /// The IAM actions its role may allow, and no others.
    pub actions: &'static [&'static [&'static str]],
    /// The variables it must be given.
    pub required_env: &'static [&'static [&'static str]],
    /// The variables it may be given besides.
    pub optional_env: &'static [&'static str],
    /// Whether `MOZDEF_ALERT_<MODULE>__<KEY>` settings may be given too.
    pub alert_module_settings: bool,
    /// Whether it must have reserved concurrency (it protects OpenSearch).
    pub reserved_concurrency: bool,
}

impl FunctionSpec {
    /// Whether its role may allow `action`.
    pub fn allows(&self, action: &str) -> bool {
        self.actions.iter().any(|group| group.contains(&action))
    }

    /// Every variable it must be given.
    pub fn required(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.required_env.iter().flat_map(|group| group.iter().copied())
    }

    /// Whether it may be given `name`.
    pub fn accepts(&self, name: &str) -> bool {
        self.required().any(|r| r == name)
            || self.optional_env.contains(&name)
            || (self.alert_module_settings && name.starts_with("MOZDEF_ALERT_") && name.contains("__"))
    }
}

/// The functions of the parent template.
pub const FUNCTIONS: [FunctionSpec; 7] = [
    FunctionSpec {
        logical_id: "LoginputFunction",
        code_key: "LoginputCodeKey",
        actions: &[&LOGS, &["sqs:SendMessage", "s3:PutObject", "dynamodb:GetItem"]],
        required_env: &[&[
            "MOZDEF_EVENTS_QUEUE_URL",
            "MOZDEF_LARGE_EVENTS_BUCKET",
            "MOZDEF_SHIPPER_TOKENS_TABLE",
            "MOZDEF_LOGINPUT_OPEN",
            "OPTIONS_MAX_EVENT_BYTES",
            "OPTIONS_MAX_BULK_BYTES",
            "RUST_LOG",
        ]],
        optional_env: &[],
        alert_module_settings: false,
        reserved_concurrency: false,
    },
    FunctionSpec {
        logical_id: "IngestFunction",
        code_key: "IngestCodeKey",
        // sqs:SendMessage: the dead-letter queue of asynchronous invocations (CloudWatch Logs
        // subscriptions) that failed every retry.
        actions: &[&LOGS, &SQS_CONSUMER, &["s3:GetObject", "kms:Decrypt", "sqs:SendMessage"], &ES_WRITE, &AOSS],
        required_env: &[&OPENSEARCH, &["OPTIONS_MOZDEFHOSTNAME", "RUST_LOG"]],
        optional_env: &[
            "OPTIONS_GEOIP",
            "OPTIONS_PLUGINS_DIR",
            "OPTIONS_PLUGIN_CONFIG_DIR",
            "MOZDEF_MAX_DECOMPRESSED_BYTES",
            "MOZDEF_CLOUDWATCH_PARSERS",
        ],
        alert_module_settings: false,
        reserved_concurrency: true,
    },
    FunctionSpec {
        logical_id: "ApiFunction",
        code_key: "ApiCodeKey",
        actions: &[
            &LOGS,
            &ES_READ,
            &AOSS,
            &SCHEDULES,
            &RECORDS,
            &["lambda:InvokeFunction", "dynamodb:Scan", "sqs:GetQueueAttributes"],
        ],
        required_env: &[
            &OPENSEARCH,
            &[
                "MOZDEF_SCHEDULES_TABLE",
                "MOZDEF_RECORDS_TABLE",
                "MOZDEF_SHIPPER_TOKENS_TABLE",
                "MOZDEF_QUEUE_URLS",
                "MOZDEF_ALERTS_FUNCTION",
                "MOZDEF_OIDC_ISSUER",
                "MOZDEF_OIDC_AUDIENCE",
                "MOZDEF_OIDC_GROUPS_CLAIM",
                "RUST_LOG",
            ],
        ],
        optional_env: &[],
        alert_module_settings: false,
        reserved_concurrency: false,
    },
    FunctionSpec {
        logical_id: "MaintenanceFunction",
        code_key: "MaintenanceCodeKey",
        actions: &[&LOGS, &ES_ADMIN, &AOSS, &WEB_CONFIG, &COLLECTOR_SCHEDULES],
        required_env: &[&OPENSEARCH, &["MOZDEF_OPENSEARCH_REPLICAS", "RUST_LOG"]],
        optional_env: &[
            "MOZDEF_EVENTS_PRUNE_DAYS",
            "MOZDEF_EVENTS_CLOSE_DAYS",
            "MOZDEF_ALERTS_PRUNE_MONTHS",
            "MOZDEF_DASHBOARDS_URL",
        ],
        alert_module_settings: false,
        reserved_concurrency: false,
    },
    FunctionSpec {
        logical_id: "AlertsFunction",
        code_key: "AlertsCodeKey",
        actions: &[&LOGS, &ES_WRITE, &AOSS, &SCHEDULES, &RECORDS, &["sqs:SendMessage"]],
        required_env: &[
            &OPENSEARCH,
            &[
                "MOZDEF_SCHEDULES_TABLE",
                "MOZDEF_ALERTS_QUEUE_URL",
                "MOZDEF_LOCALITIES_TABLE",
                "MOZDEF_RECORDS_TABLE",
                "RUST_LOG",
            ],
        ],
        optional_env: &[
            "MOZDEF_ALERT_CONFIG_DIR",
            "MOZDEF_ALERT_RULES_DIR",
            "MOZDEF_ALERT_PLUGINS",
            "MOZDEF_COLLECTORS",
        ],
        alert_module_settings: true,
        reserved_concurrency: true,
    },
    FunctionSpec {
        logical_id: "AlertActionsFunction",
        code_key: "AlertActionsCodeKey",
        actions: &[&LOGS, &SQS_CONSUMER, &ES_WRITE, &AOSS, &["sns:Publish"]],
        required_env: &[&OPENSEARCH, &["RUST_LOG"]],
        optional_env: &["MOZDEF_ALERT_CONFIG_DIR"],
        alert_module_settings: true,
        reserved_concurrency: false,
    },
    FunctionSpec {
        logical_id: "CollectorsFunction",
        code_key: "CollectorsCodeKey",
        // The events queue and the large-events bucket (as loginput), the cursors among the
        // records, the sources' credentials.
        actions: &[&LOGS, &["sqs:SendMessage", "s3:PutObject", "secretsmanager:GetSecretValue"], &RECORDS],
        required_env: &[&[
            "MOZDEF_COLLECTORS",
            "MOZDEF_EVENTS_QUEUE_URL",
            "MOZDEF_LARGE_EVENTS_BUCKET",
            "MOZDEF_RECORDS_TABLE",
            "MOZDEF_SECRETS_PREFIX",
            "RUST_LOG",
        ]],
        optional_env: &[],
        alert_module_settings: false,
        reserved_concurrency: false,
    },
];

/// The spec of a function by logical id.
pub fn function(logical_id: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|f| f.logical_id == logical_id)
}

/// One DynamoDB table: its keys as the code reads them, and its TTL attribute.
#[derive(Debug)]
pub struct TableSpec {
    /// Its logical id.
    pub logical_id: &'static str,
    /// The partition key (a string attribute).
    pub partition_key: &'static str,
    /// The sort key, if any.
    pub sort_key: Option<&'static str>,
    /// The TTL attribute, if items expire.
    pub ttl: Option<&'static str>,
}

/// The tables of the parent template: schedules (`DynamoSchedules`), GeoModel's localities
/// (`DynamoLocalities`, expiring), shipper tokens (`DynamoShipperTokens`), and the two
/// reserved for the REST API's records (issue 13).
pub const TABLES: [TableSpec; 4] = [
    TableSpec { logical_id: "SchedulesTable", partition_key: "name", sort_key: None, ttl: None },
    TableSpec { logical_id: "LocalitiesTable", partition_key: "id", sort_key: None, ttl: Some("expires_at") },
    TableSpec { logical_id: "ShipperTokensTable", partition_key: "hash", sort_key: None, ttl: None },
    TableSpec { logical_id: "RecordsTable", partition_key: "pk", sort_key: Some("sk"), ttl: Some("expires") },
];

/// MozDef's loginput paths (each also reachable with a trailing slash).
pub const LOGINPUT_PATHS: [&str; 7] = ["/events", "/_bulk", "/custom/{app}", "/nxlog", "/cef", "/status", "/test"];

/// The functions API Gateway invokes, by integration: loginput (shipper tokens, checked by the
/// function) and the REST API (behind the JWT authorizer).
pub const LOGINPUT_FUNCTION: &str = "LoginputFunction";
/// The REST API's function.
pub const API_FUNCTION: &str = "ApiFunction";

/// The methods of the REST API's routes (`shared/api/src/routes.rs`): each gets a route of
/// its own under `/api`, so that no route there takes `OPTIONS` and API Gateway answers CORS
/// preflights itself (a route taking them would put them behind the JWT authorizer, and
/// browsers send preflights without a token).
pub const API_METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

/// The web UI's bucket, distribution and custom resource writing its `/config.json`.
pub const WEB_BUCKET: &str = "WebBucket";
/// The CloudFront distribution serving [`WEB_BUCKET`].
pub const WEB_DISTRIBUTION: &str = "WebDistribution";
/// The custom resource type the maintenance function serves for `/config.json`
/// (`functions/maintenance/src/web_config.rs`).
pub const WEB_CONFIG_TYPE: &str = "Custom::MozDefWebConfig";
/// The key the maintenance function writes in [`WEB_BUCKET`].
pub const WEB_CONFIG_KEY: &str = "config.json";
/// The UI's sign-in callback path (`web/src/auth/session.ts`, `CALLBACK_PATH`).
pub const WEB_CALLBACK_PATH: &str = "/auth/callback";
/// Paths CloudFront must never cache: the stack's settings and the page naming the assets.
pub const WEB_UNCACHED_PATHS: [&str; 2] = ["/config.json", "/index.html"];

/// CloudFront's managed cache policies: `Managed-CachingOptimized` (content-hashed assets)
/// and `Managed-CachingDisabled`.
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// `Managed-CachingDisabled`.
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// The queue the event sources feed (S3 notifications, EventBridge rules, loginput, the
/// collectors) and the function that reads it.
pub const EVENTS_QUEUE: &str = "EventsQueue";
/// The function reading [`EVENTS_QUEUE`], also the destination of CloudWatch Logs
/// subscriptions (asynchronous invocations).
pub const INGEST_FUNCTION: &str = "IngestFunction";
/// The function answering the template's custom resources.
pub const MAINTENANCE_FUNCTION: &str = "MaintenanceFunction";
/// The pull collectors' function, invoked by the schedules [`COLLECTOR_SCHEDULES_TYPE`] makes.
pub const COLLECTORS_FUNCTION: &str = "CollectorsFunction";
/// The custom resource type the maintenance function serves for the collectors' schedules:
/// EventBridge rules named `<RulePrefix><source>` invoking `FunctionArn`.
pub const COLLECTOR_SCHEDULES_TYPE: &str = "Custom::MozDefCollectorSchedules";
/// The condition every collectors resource is created under (`Collectors` given).
pub const COLLECTORS_CONDITION: &str = "HasCollectors";
