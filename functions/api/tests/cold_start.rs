//! The `api` binary's cold start: a missing setting stops it before it asks the Lambda
//! runtime for work, naming the variable.

use mozdef_aws::cold_start::failed_cold_start;

fn cold_start(variables: &[(&str, &str)]) -> String {
    failed_cold_start(env!("CARGO_BIN_EXE_api"), variables)
}

#[test]
fn missing_settings_stop_the_cold_start_naming_the_variable() {
    let issuer = ("MOZDEF_OIDC_ISSUER", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E");
    let audience = ("MOZDEF_OIDC_AUDIENCE", "5k2b7q9d1e3f4g6h8j0l2n4p6r");
    let url = ("MOZDEF_OPENSEARCH_URL", "http://127.0.0.1:9");
    let table = ("MOZDEF_SCHEDULES_TABLE", "mozdef-alertschedules");
    assert!(cold_start(&[audience, url, table]).contains("MOZDEF_OIDC_ISSUER is not set"));
    assert!(cold_start(&[issuer, url, table]).contains("MOZDEF_OIDC_AUDIENCE is not set"));
    assert!(cold_start(&[issuer, audience, table]).contains("MOZDEF_OPENSEARCH_URL"));
    assert!(cold_start(&[issuer, audience, url]).contains("MOZDEF_SCHEDULES_TABLE is not set"));
    let stderr = cold_start(&[issuer, audience, url, table, ("MOZDEF_OPENSEARCH_SIGV4", "s3")]);
    assert!(stderr.contains("MOZDEF_OPENSEARCH_SIGV4"), "{stderr}");
    // Complete: past the settings, it stops only for want of a runtime API.
    let stderr = cold_start(&[issuer, audience, url, table, ("MOZDEF_ALERTS_FUNCTION", "mozdef-alerts")]);
    assert!(stderr.contains("AWS_LAMBDA_") && !stderr.contains("MOZDEF_"), "{stderr}");
}
