//! Test support (feature `testing`): moto, the AWS emulator from PyPI, on loopback.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::{AwsOptions, load};

/// A moto server: `MOZDEF_TEST_MOTO_URL` when set, else `python3 -m moto.server` started on
/// a free loopback port and stopped on drop.
#[derive(Debug)]
pub struct Moto {
    /// Its endpoint URL.
    pub url: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether moto can be started here.
pub fn moto_installed() -> bool {
    std::env::var("MOZDEF_TEST_MOTO_URL").is_ok()
        || Command::new("python3")
            .args(["-c", "import moto.server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

impl Moto {
    /// An endpoint at `url` that this does not start (a dead port, for failure tests).
    pub fn at(url: impl Into<String>) -> Moto {
        Moto { url: url.into(), child: None }
    }

    /// Starts (or finds) moto and waits until it accepts connections.
    ///
    /// # Panics
    /// When moto cannot be started: tests need it (scripts/test installs `moto[server]`).
    #[allow(clippy::expect_used)]
    pub async fn start() -> Moto {
        if let Ok(url) = std::env::var("MOZDEF_TEST_MOTO_URL") {
            return Moto { url, child: None };
        }
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        // `python3 -m moto.server` rather than the `moto_server` script: a fresh pip install
        // may not have put the script on PATH yet, the module is always there.
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with moto is needed (pip install 'moto[server]'; scripts/test installs it)");
        let moto = Moto { url: format!("http://127.0.0.1:{port}"), child: Some(child) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "moto's server did not start (is moto[server] installed?)");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        moto
    }

    /// SDK configuration for this server: region us-east-1, static test credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        let options = AwsOptions { region: Some("us-east-1".into()), endpoint_url: Some(self.url.clone()) };
        load(&options)
            .await
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "mozdef-test",
            )))
            .build()
    }
}
