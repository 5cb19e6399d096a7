//! The on-demand build of the web UI: whether `dist/` is older than its sources, and, in the
//! background, `npm ci` (when `node_modules` is older than `package-lock.json`) then `npm run
//! build` into a private directory that replaces `dist/` only once complete. One `mozdef dev` at
//! a time builds a given source directory (a lock file naming its process); the others wait for
//! it.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use mozdef_api::web::{BuildState, BuildStatus};
use sha2::{Digest, Sha256};

/// The files of the source directory's top a build reads (with everything under
/// [`SOURCE_DIRS`]).
const SOURCE_FILES: [&str; 4] = ["index.html", "package.json", "package-lock.json", "vite.config.ts"];

/// The directories whose files a build reads.
const SOURCE_DIRS: [&str; 2] = ["src", "public"];

/// The oldest Node.js the UI builds with (`package.json`'s `engines`).
const NODE_MIN: (u64, u64) = (20, 19);

/// The longest `npm ci` or `npm run build` may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// How often a `mozdef dev` waiting for another one's build looks again.
const WAIT_POLL: Duration = Duration::from_secs(2);

/// How many lines of a failed step's output are kept.
const OUTPUT_LINES: usize = 40;

/// The prefix of the private output directories, in `node_modules` (ignored by git and the
/// linter, on the file system of `dist/`).
const PARTIAL_PREFIX: &str = ".mozdef-dist-";

/// Whether `dist/index.html` exists and is at least as new as every source file of `source`
/// (a directory under `src/` or `public/` counts too: a file removed changes it).
pub fn up_to_date(source: &Path, dist: &Path) -> bool {
    let Some(built) = modified(&dist.join("index.html")) else {
        return false;
    };
    let mut newest = SOURCE_FILES.iter().filter_map(|f| modified(&source.join(f))).max();
    for dir in SOURCE_DIRS {
        newest = newest.max(newest_under(&source.join(dir)));
    }
    newest.is_none_or(|newest| newest <= built)
}

/// The modification time of `path`, if it exists.
fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `dir` and everything under it (symbolic links not
/// followed into directories).
fn newest_under(dir: &Path) -> Option<SystemTime> {
    let mut newest = modified(dir)?;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if let Some(time) = modified(&path) {
                newest = newest.max(time);
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            }
        }
    }
    Some(newest)
}

/// Where `program` is on `PATH`.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let suffixes: &[&str] = if cfg!(windows) { &[".cmd", ".exe", ""] } else { &[""] };
    std::env::split_paths(&path).find_map(|dir| {
        suffixes.iter().map(|s| dir.join(format!("{program}{s}"))).find(|candidate| is_executable(candidate))
    })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A build of the web UI, to run in the background; its progress is [`Build::status`].
#[derive(Debug)]
pub struct Build {
    source: PathBuf,
    dist: PathBuf,
    npm: PathBuf,
    status: BuildStatus,
}

impl Build {
    /// A build of `source` into `dist`, its state [`BuildState::Building`] from now on; what
    /// is missing to build here (Node.js, npm) when it cannot be.
    pub fn new(source: &Path, dist: &Path) -> Result<Build, String> {
        which("node").ok_or("Node.js (node) was not found on PATH")?;
        let npm = which("npm").ok_or("npm was not found on PATH")?;
        let status = BuildStatus::new(BuildState::Building { source: source.to_path_buf() });
        Ok(Build { source: source.to_path_buf(), dist: dist.to_path_buf(), npm, status })
    }

    /// The build's state, shared with the server.
    pub fn status(&self) -> &BuildStatus {
        &self.status
    }

    /// Builds, then moves the state to [`BuildState::Ready`] or [`BuildState::Failed`].
    pub async fn run(self) {
        let started = Instant::now();
        tracing::info!(source = %self.source.display(), "web UI: building (npm run build); / says so until it is done");
        match self.build().await {
            Ok(()) => {
                self.status.set(BuildState::Ready);
                tracing::info!(dist = %self.dist.display(), elapsed_ms = started.elapsed().as_millis() as u64, "web UI: built");
            }
            Err(failure) => {
                tracing::warn!(source = %self.source.display(), elapsed_ms = started.elapsed().as_millis() as u64, failure = %failure, "web UI: build failed; / shows why");
                self.status.set(BuildState::Failed(failure));
            }
        }
    }

    async fn build(&self) -> Result<(), String> {
        let Some(_lock) = BuildLock::acquire(&self.source, &self.dist).await else {
            tracing::info!(dist = %self.dist.display(), "web UI: built by another mozdef dev");
            return Ok(());
        };
        self.check_node().await?;
        let modules = self.source.join("node_modules");
        let installed = modified(&modules.join(".package-lock.json")).or_else(|| modified(&modules));
        let locked = modified(&self.source.join("package-lock.json"));
        if installed.is_none() || installed < locked {
            tracing::info!(source = %self.source.display(), "web UI: installing its dependencies (npm ci)");
            self.npm(&["ci", "--no-audit", "--no-fund"]).await?;
        }
        remove_partials(&modules);
        let partial = modules.join(format!("{PARTIAL_PREFIX}{}", std::process::id()));
        let out_dir = partial.as_os_str();
        let built = self
            .npm(&[
                OsStr::new("run"),
                OsStr::new("build"),
                OsStr::new("--"),
                OsStr::new("--outDir"),
                out_dir,
                OsStr::new("--emptyOutDir"),
            ])
            .await;
        let installed = built.and_then(|()| install(&partial, &self.dist));
        if installed.is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
        installed
    }

    /// Refuses a Node.js older than [`NODE_MIN`] (its build would fail less clearly).
    async fn check_node(&self) -> Result<(), String> {
        let output = tokio::process::Command::new("node")
            .arg("--version")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| format!("cannot run node --version: {e}"))?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let mut parts = version.trim_start_matches('v').split('.').map(|p| p.parse::<u64>().ok());
        match (parts.next().flatten(), parts.next().flatten()) {
            (Some(major), Some(minor)) if (major, minor) >= NODE_MIN => Ok(()),
            (Some(_), Some(_)) => {
                Err(format!("Node.js {version} is too old: the web UI needs {}.{}+ (with npm)", NODE_MIN.0, NODE_MIN.1))
            }
            _ => Err(format!("node --version answered {version:?}, not a version")),
        }
    }

    /// Runs `npm <args>` in the source directory, its output kept for a failure.
    async fn npm<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<(), String> {
        let step = format!("npm {}", args.iter().map(|a| a.as_ref().to_string_lossy()).collect::<Vec<_>>().join(" "));
        let started = Instant::now();
        let mut command = tokio::process::Command::new(&self.npm);
        command
            .args(args)
            .current_dir(&self.source)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .env("npm_config_update_notifier", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = tokio::time::timeout(STEP_TIMEOUT, command.output())
            .await
            .map_err(|_| format!("{step} took longer than {} minutes", STEP_TIMEOUT.as_secs() / 60))?
            .map_err(|e| format!("cannot run {step}: {e}"))?;
        if output.status.success() {
            tracing::debug!(step = %step, elapsed_ms = started.elapsed().as_millis() as u64, "web UI: step done");
            return Ok(());
        }
        let mut failure =
            format!("{step} failed ({}) in {}; its output ends with:\n", output.status, self.source.display());
        failure.push_str(&tail(&[&output.stdout, &output.stderr]));
        Err(failure)
    }
}

/// The last [`OUTPUT_LINES`] lines of `outputs`, one after the other.
fn tail(outputs: &[&[u8]]) -> String {
    let text: String = outputs.iter().map(|o| String::from_utf8_lossy(o)).collect::<Vec<_>>().join("\n");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut tail = String::new();
    for line in &lines[lines.len().saturating_sub(OUTPUT_LINES)..] {
        let _ = writeln!(tail, "{line}");
    }
    tail
}

/// Replaces `dist` by the complete build in `partial` (the old one out of the way first, put
/// back if the new one cannot go in).
fn install(partial: &Path, dist: &Path) -> Result<(), String> {
    if !partial.join("index.html").is_file() {
        return Err(format!("npm run build wrote no index.html to {}", partial.display()));
    }
    let old = partial.with_file_name(format!("{PARTIAL_PREFIX}old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&old);
    match std::fs::rename(dist, &old) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot move the old {} out of the way: {e}", dist.display())),
    }
    if let Err(e) = std::fs::rename(partial, dist) {
        let _ = std::fs::rename(&old, dist);
        return Err(format!("cannot move the build into {}: {e}", dist.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Removes what builds of processes that are gone left in `modules`.
fn remove_partials(modules: &Path) {
    let Ok(entries) = std::fs::read_dir(modules) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PARTIAL_PREFIX) else { continue };
        let pid = rest.strip_prefix("old-").unwrap_or(rest);
        if pid.parse::<u32>().is_ok_and(|pid| !alive(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` runs (where `/proc` tells; elsewhere it is assumed to).
fn alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// The lock of one source directory's build: a file in the temporary directory naming the
/// process that builds, removed when dropped.
struct BuildLock {
    path: PathBuf,
}

/// A lock older than this is taken over even if its process seems alive (its id reused).
const LOCK_MAX_AGE: Duration = Duration::from_secs(2 * 15 * 60 + 60);

impl BuildLock {
    /// The lock of `source`, waiting while another live process holds it; `None` when that
    /// process built `dist` meanwhile (nothing left to do). Without a usable lock file (a
    /// read-only temporary directory), builds without one.
    async fn acquire(source: &Path, dist: &Path) -> Option<BuildLock> {
        let path = Self::path(source);
        let mut waiting = false;
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    let lock = BuildLock { path };
                    // Another process may have finished between our look and the lock.
                    return (!waiting || !up_to_date(source, dist)).then_some(lock);
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if Self::stale(&path) {
                        tracing::info!(lock = %path.display(), "web UI: taking over the build lock of a process that is gone");
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if !waiting {
                        tracing::info!(lock = %path.display(), "web UI: another mozdef dev is building it; waiting");
                        waiting = true;
                    }
                    tokio::time::sleep(WAIT_POLL).await;
                }
                Err(e) => {
                    tracing::warn!(lock = %path.display(), error = %e, "web UI: cannot create the build lock; building without it");
                    return Some(BuildLock { path: PathBuf::new() });
                }
            }
        }
    }

    /// The lock file of `source`: named by a digest of its real path.
    fn path(source: &Path) -> PathBuf {
        let real = source.canonicalize().unwrap_or_else(|_| source.to_path_buf());
        let digest = Sha256::digest(real.as_os_str().as_encoded_bytes());
        let mut name = String::from("mozdef-web-build-");
        for byte in &digest[..8] {
            let _ = write!(name, "{byte:02x}");
        }
        name.push_str(".lock");
        std::env::temp_dir().join(name)
    }

    /// Whether the lock at `path` is left over: its process is gone, or it is too old.
    fn stale(path: &Path) -> bool {
        let age = modified(path).and_then(|t| t.elapsed().ok());
        if age.is_some_and(|age| age > LOCK_MAX_AGE) {
            return true;
        }
        match std::fs::read_to_string(path).ok().and_then(|pid| pid.trim().parse::<u32>().ok()) {
            Some(pid) => !alive(pid),
            // Just created, its id not written yet; or garbage that ages out.
            None => false,
        }
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn touch(path: &Path, at: SystemTime) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        file.set_modified(at).unwrap();
    }

    #[test]
    fn dist_is_stale_when_missing_or_older_than_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let (source, dist) = (dir.path(), dir.path().join("dist"));
        let old = SystemTime::now() - Duration::from_secs(3600);
        let now = SystemTime::now();
        for file in ["package.json", "index.html", "src/main.tsx", "src/lib/x.ts", "public/favicon.svg"] {
            touch(&source.join(file), old);
        }
        for dir in ["src", "src/lib", "public"] {
            std::fs::File::open(source.join(dir)).unwrap().set_modified(old).unwrap();
        }
        assert!(!up_to_date(source, &dist), "no dist");
        touch(&dist.join("index.html"), now - Duration::from_secs(60));
        assert!(up_to_date(source, &dist));
        touch(&source.join("src/lib/x.ts"), now);
        assert!(!up_to_date(source, &dist), "a source newer than the build");
        touch(&dist.join("index.html"), now + Duration::from_secs(1));
        assert!(up_to_date(source, &dist));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let many: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let tail = tail(&[many.as_bytes(), b"\nerror: boom\n"]);
        assert_eq!(tail.lines().count(), OUTPUT_LINES);
        assert!(tail.ends_with("line 99\nerror: boom\n"));
    }

    #[test]
    fn install_replaces_dist_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (partial, dist) = (dir.path().join("node_modules/.mozdef-dist-1"), dir.path().join("dist"));
        touch(&dist.join("old.js"), SystemTime::now());
        assert!(install(&partial, &dist).is_err(), "nothing built");
        assert!(dist.join("old.js").exists(), "the old build stays");
        touch(&partial.join("index.html"), SystemTime::now());
        install(&partial, &dist).unwrap();
        assert!(dist.join("index.html").exists());
        assert!(!dist.join("old.js").exists());
        assert!(!partial.exists());
    }
}
