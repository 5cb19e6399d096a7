//! What loginput logs about shippers: the name of an accepted or revoked one, never a secret.
//! Alone in its test binary: the subscriber is this thread's default, and tests running at
//! the same time in one process would race it for tracing's per-callsite interest cache.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shipper;

use std::io::Write;
use std::sync::{Arc, Mutex};

use shipper::{Setup, send};

/// A log sink for one test (the subscriber is the test thread's default).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_shipper_is_logged_and_the_secret_never() {
    let logs = Logs::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let setup = Setup::new();
    let app = setup.app();
    let valid = setup.tokens.create("web1").await.unwrap();
    let revoked = setup.tokens.create("old-shipper").await.unwrap();
    setup.tokens.revoke("old-shipper").await.unwrap();
    for secret in [&valid.secret, &revoked.secret] {
        send(&app, "POST", "/events", Some(&format!("Bearer {secret}")), r#"{"summary": "s"}"#).await;
    }
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("shipper{shipper=web1}") && text.contains("accepted"), "{text}");
    assert!(text.contains("revoked shipper token refused") && text.contains("shipper=old-shipper"), "{text}");
    for secret in [&valid.secret, &revoked.secret] {
        assert!(!text.contains(&secret[4..]), "a secret was logged: {text}");
    }
}
