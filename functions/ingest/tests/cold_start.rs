//! The `ingest` binary's cold start: a bad or missing setting stops it before the Lambda
//! runtime starts, naming the variable; a good configuration gets as far as the runtime (which
//! then misses the Lambda environment this test does not provide).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// Runs the binary with only `vars` (and `PATH`) set; returns (success, stderr).
fn cold_start(vars: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ingest"));
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("AWS_REGION", "us-east-1");
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().expect("run the ingest binary");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

const URL: (&str, &str) = ("MOZDEF_OPENSEARCH_URL", "http://127.0.0.1:9");

#[test]
fn a_bad_configuration_fails_the_cold_start_naming_the_variable() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "MOZDEF_OPENSEARCH_URL: is not set"),
        (
            &[URL, ("MOZDEF_MAX_DECOMPRESSED_BYTES", "lots")],
            "MOZDEF_MAX_DECOMPRESSED_BYTES: \\\"lots\\\" is not a positive",
        ),
        (&[URL, ("MOZDEF_OPENSEARCH_SIGV4", "s3")], "MOZDEF_OPENSEARCH_SIGV4"),
        (
            &[URL, ("OPTIONS_GEOIP", "/nonexistent/city.mmdb")],
            "OPTIONS_GEOIP: cannot read GeoIP database /nonexistent/city.mmdb",
        ),
    ];
    for (vars, expected) in cases {
        let (success, stderr) = cold_start(vars);
        assert!(!success, "{vars:?} must fail");
        assert!(stderr.contains(expected), "{vars:?}: expected {expected:?} in {stderr}");
    }
}

#[test]
fn a_good_configuration_reaches_the_lambda_runtime() {
    let (success, stderr) = cold_start(&[URL, ("MOZDEF_MAX_DECOMPRESSED_BYTES", "1048576")]);
    assert!(!success, "there is no Lambda runtime API here");
    assert!(stderr.contains("AWS_LAMBDA_FUNCTION_NAME"), "past the configuration, into the runtime: {stderr}");
}
