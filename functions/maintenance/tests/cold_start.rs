//! The `maintenance` binary's cold start: a bad configuration stops it before it asks the
//! Lambda runtime for work, naming the variable.

use mozdef_aws::cold_start::failed_cold_start;

fn cold_start(variables: &[(&str, &str)]) -> String {
    failed_cold_start(env!("CARGO_BIN_EXE_maintenance"), variables)
}

#[test]
fn bad_settings_stop_the_cold_start_naming_the_variable() {
    let url = ("MOZDEF_OPENSEARCH_URL", "http://127.0.0.1:9");
    assert!(cold_start(&[]).contains("MOZDEF_OPENSEARCH_URL"));
    let stderr = cold_start(&[url, ("MOZDEF_EVENTS_PRUNE_DAYS", "soon")]);
    assert!(stderr.contains("MOZDEF_EVENTS_PRUNE_DAYS") && stderr.contains("soon"), "{stderr}");
    let stderr = cold_start(&[url, ("MOZDEF_ALERTS_PRUNE_MONTHS", "-1")]);
    assert!(stderr.contains("MOZDEF_ALERTS_PRUNE_MONTHS"), "{stderr}");
    let stderr = cold_start(&[url, ("MOZDEF_OPENSEARCH_REPLICAS", "two")]);
    assert!(stderr.contains("MOZDEF_OPENSEARCH_REPLICAS"), "{stderr}");
    let stderr = cold_start(&[url, ("MOZDEF_DASHBOARDS_URL", "dashboards")]);
    assert!(stderr.contains("MOZDEF_DASHBOARDS_URL") && stderr.contains("does not parse"), "{stderr}");
    // A good configuration gets past the settings and stops only for want of a runtime API.
    let stderr = cold_start(&[url, ("MOZDEF_EVENTS_PRUNE_DAYS", "180"), ("MOZDEF_DASHBOARDS_URL", "none")]);
    assert!(stderr.contains("AWS_LAMBDA_") && !stderr.contains("MOZDEF_"), "{stderr}");
}
