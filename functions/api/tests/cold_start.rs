//! The `api` binary's cold start: a missing setting stops it before it asks the Lambda
//! runtime for work, naming the variable; an issuer it cannot reach stops it naming the
//! issuer; with everything in place (an issuer run by this test) it gets as far as the
//! runtime API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../shared/api/tests/issuer/mod.rs"]
mod issuer;

use issuer::{KEYS, TestIssuer, jwks};
use mozdef_aws::cold_start::failed_cold_start;

fn cold_start(variables: &[(&str, &str)]) -> String {
    failed_cold_start(env!("CARGO_BIN_EXE_api"), variables)
}

#[tokio::test]
async fn missing_settings_stop_the_cold_start_naming_the_variable() {
    let test_issuer = TestIssuer::start(jwks(&[&KEYS.ec])).await;
    let unreachable = ("MOZDEF_OIDC_ISSUER", "http://127.0.0.1:9");
    let issuer = ("MOZDEF_OIDC_ISSUER", test_issuer.url.as_str());
    let audience = ("MOZDEF_OIDC_AUDIENCE", "5k2b7q9d1e3f4g6h8j0l2n4p6r");
    let url = ("MOZDEF_OPENSEARCH_URL", "http://127.0.0.1:9");
    let table = ("MOZDEF_SCHEDULES_TABLE", "mozdef-alertschedules");
    let records = ("MOZDEF_RECORDS_TABLE", "mozdef-records");
    let tokens = ("MOZDEF_SHIPPER_TOKENS_TABLE", "mozdef-tokens");
    let all = [issuer, audience, url, table, records, tokens];
    let without = |name: &str| all.iter().copied().filter(|(n, _)| *n != name).collect::<Vec<_>>();
    // The child runs on a blocking thread while this test's runtime serves the issuer.
    let run = |variables: Vec<(&str, &str)>| {
        let owned: Vec<(String, String)> = variables.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        tokio::task::spawn_blocking(move || {
            let borrowed: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            cold_start(&borrowed)
        })
    };
    for name in [
        "MOZDEF_OIDC_ISSUER",
        "MOZDEF_OIDC_AUDIENCE",
        "MOZDEF_SCHEDULES_TABLE",
        "MOZDEF_RECORDS_TABLE",
        "MOZDEF_SHIPPER_TOKENS_TABLE",
    ] {
        let stderr = run(without(name)).await.unwrap();
        assert!(stderr.contains(&format!("{name} is not set")), "{name}: {stderr}");
    }
    let stderr = run(without("MOZDEF_OPENSEARCH_URL")).await.unwrap();
    assert!(stderr.contains("MOZDEF_OPENSEARCH_URL"), "{stderr}");
    let mut sigv4 = all.to_vec();
    sigv4.push(("MOZDEF_OPENSEARCH_SIGV4", "s3"));
    let stderr = run(sigv4).await.unwrap();
    assert!(stderr.contains("MOZDEF_OPENSEARCH_SIGV4"), "{stderr}");
    let mut away = without("MOZDEF_OIDC_ISSUER");
    away.push(unreachable);
    let stderr = run(away).await.unwrap();
    assert!(stderr.contains("MOZDEF_OIDC_ISSUER") && stderr.contains("127.0.0.1:9"), "{stderr}");
    // Complete: past the settings and the issuer, it stops only for want of a runtime API.
    let mut complete = all.to_vec();
    complete.push(("MOZDEF_ALERTS_FUNCTION", "mozdef-alerts"));
    let stderr = run(complete).await.unwrap();
    assert!(stderr.contains("AWS_LAMBDA_") && !stderr.contains("MOZDEF_"), "{stderr}");
}
