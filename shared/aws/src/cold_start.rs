//! Test support (feature `testing`): a Lambda binary's cold start as a process, for the
//! functions' tests that a bad configuration stops it before it asks the runtime for work,
//! naming the variable.

use std::process::Command;

/// Runs `binary` (a function's `CARGO_BIN_EXE_<name>`) with nothing in its environment but
/// `AWS_REGION=us-east-1` and `variables`, and returns its standard error. Without the Lambda
/// runtime's variables a cold start that gets past the configuration stops there (naming
/// `AWS_LAMBDA_...`), so every run fails.
///
/// # Panics
/// When the binary cannot be run, or succeeds.
#[allow(clippy::expect_used)]
pub fn failed_cold_start(binary: &str, variables: &[(&str, &str)]) -> String {
    let output = Command::new(binary)
        .env_clear()
        .env("AWS_REGION", "us-east-1")
        .envs(variables.iter().copied())
        .output()
        .expect("run the function's binary");
    assert!(!output.status.success(), "the cold start of {binary} should fail: {variables:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}
