//! Test support: a real OpenSearch node and isolated stores on it (feature `testing`).
//!
//! [`cluster_url`] is `MOZDEF_TEST_OPENSEARCH_URL` when set (scripts/test starts one node for
//! the whole run); otherwise the first call starts a private node for this test process with
//! `scripts/opensearch` and a watchdog that stops it when the process ends. Every
//! [`isolated_store`] gets its own index prefix, so tests never see each other's data.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use opensearch::http::Method;

use crate::lifecycle::{LifecycleConfig, install_templates};
use crate::{OpenSearchConfig, OpenSearchStore};

mod fault_proxy;

pub use fault_proxy::{FaultProxy, Faults, ProxyStats, STALL, start_fault_proxy};

/// The repository root (scripts live there).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A node started with `scripts/opensearch start`, stopped (and its directory removed) on drop.
#[derive(Debug)]
pub struct Node {
    pub url: String,
    pub dir: PathBuf,
}

impl Node {
    /// Starts a node in `dir` on `port` and waits until it is healthy.
    pub fn start(dir: PathBuf, port: u16) -> Node {
        // Built first, so that a failed start still stops whatever was launched (on drop).
        let mut node = Node { url: String::new(), dir };
        node.url = run_script(&["start", &node.dir.to_string_lossy(), &port.to_string()]).trim().to_owned();
        node
    }

    /// Kills the node with SIGKILL (its data stays; [`restart`](Self::restart) resumes it).
    pub fn kill(&self) {
        run_script(&["kill", &self.dir.to_string_lossy()]);
    }

    /// Starts the node again on the same data and port.
    pub fn restart(&self) {
        let port = self.url.rsplit(':').next().unwrap_or("9200").to_owned();
        run_script(&["start", &self.dir.to_string_lossy(), &port]);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/opensearch")).arg("stop").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run_script(args: &[&str]) -> String {
    let output =
        Command::new(repo_root().join("scripts/opensearch")).args(args).output().expect("run scripts/opensearch");
    assert!(
        output.status.success(),
        "scripts/opensearch {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The URL of the test cluster (see the module documentation).
pub fn cluster_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("MOZDEF_TEST_OPENSEARCH_URL")
            && !url.trim().is_empty()
        {
            return url;
        }
        let dir = std::env::temp_dir().join(format!("mozdef-opensearch-test-{}", std::process::id()));
        let port = free_port();
        let url = run_script(&["start", &dir.to_string_lossy(), &port.to_string()]).trim().to_owned();
        // The node outlives no test process: a watchdog stops it when this process is gone.
        // `setsid -f` forks and returns at once, so there is no child left to wait for.
        let script = repo_root().join("scripts/opensearch");
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; '{script}' stop '{dir}'; rm -rf '{dir}'",
            pid = std::process::id(),
            script = script.display(),
            dir = dir.display()
        );
        let started = Command::new("setsid").args(["-f", "sh", "-c", &watchdog]).status().expect("start the watchdog");
        assert!(started.success(), "the watchdog did not start");
        url
    })
    .clone()
}

/// Deletes the indices and templates of a prefix when dropped.
#[derive(Debug)]
pub struct Cleanup {
    config: OpenSearchConfig,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // A client of its own: the test's runtime (which owns the test client's connections)
        // is blocked in this drop.
        let Ok(store) = OpenSearchStore::open(self.config.clone()) else { return };
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                let client = store.client();
                for template in [crate::lifecycle::TEMPLATE_NAME, crate::lifecycle::QUARANTINE_TEMPLATE_NAME] {
                    let path = format!("/_index_template/{}", client.physical(template));
                    let _ = client.send(Method::Delete, &path, &[], None).await;
                }
                let Ok(indices) = crate::list(client).await else { return };
                if indices.is_empty() {
                    return;
                }
                let names: Vec<String> = indices.iter().map(|i| client.physical(&i.name)).collect();
                let path = format!("/{}", names.join(","));
                let _ = client.send(Method::Delete, &path, &[], None).await;
            });
        })
        .join();
    }
}

/// A unique index prefix for this process.
pub fn unique_prefix() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("t{}-{}-", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The lifecycle settings of tests: one node, so no replicas.
pub fn test_lifecycle() -> LifecycleConfig {
    LifecycleConfig { replicas: 0, ..LifecycleConfig::default() }
}

/// A store on `url` under a fresh prefix, with MozDef's templates installed.
pub async fn isolated_store_at(url: &str) -> (OpenSearchStore, Cleanup) {
    let mut config = OpenSearchConfig::from_url(url).expect("test URL");
    config.index_prefix = unique_prefix();
    let cleanup = Cleanup { config: config.clone() };
    let store = OpenSearchStore::connect(config, std::time::Duration::from_secs(60)).await.expect("test cluster");
    install_templates(store.client(), &test_lifecycle()).await.expect("install templates");
    (store, cleanup)
}

/// A store on the test cluster under a fresh prefix, with MozDef's templates installed.
pub async fn isolated_store() -> (OpenSearchStore, Cleanup) {
    let url = tokio::task::spawn_blocking(cluster_url).await.expect("cluster");
    isolated_store_at(&url).await
}
