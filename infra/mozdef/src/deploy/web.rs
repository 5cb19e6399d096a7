//! The web UI on AWS: the built `web/dist` (built first, with `mozdef dev`'s build, when its
//! `index.html` is missing and npm is there) uploaded into the stack's `WebBucket` once the
//! stack is up: every file but `config.json` (the stack writes that one), each with its
//! content type, the content-hashed `assets/` cached for a year and everything else
//! revalidated; `index.html` last, so that it never names assets not there yet. Then a
//! CloudFront invalidation of `/` and `/index.html`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use aws_sdk_cloudfront::error::ProvideErrorMetadata;
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
use aws_sdk_s3::primitives::ByteStream;
use mozdef_api::web::BuildState;

use super::artefacts::put_object;
use super::stack::{Clients, stack_resources};

/// The stack's bucket of the UI's files.
pub const WEB_BUCKET: &str = "WebBucket";
/// The stack's distribution of the UI.
pub const WEB_DISTRIBUTION: &str = "WebDistribution";
/// The file the stack writes (`Custom::MozDefWebConfig`): never uploaded.
const CONFIG: &str = "config.json";
/// What CloudFront forgets after an upload.
const INVALIDATED: [&str; 2] = ["/", "/index.html"];

/// Makes sure `dist` holds a built UI: as it is when it has an `index.html`; else, when it is
/// a source directory's `dist/` (its parent has a `package.json`) and Node.js and npm are
/// there, built now (`npm ci`, `npm run build`); else an error saying how to build it.
pub async fn ensure_built(dist: &Path) -> anyhow::Result<()> {
    if dist.join("index.html").is_file() {
        return Ok(());
    }
    let how = "build it with `cd web && npm ci && npm run build` (Node.js 20.19+ with npm), pass --web-dist <a built dist directory>, or --no-web to deploy without the UI";
    let source = dist.parent().filter(|s| s.join("package.json").is_file()).map(Path::to_path_buf);
    let Some(source) = source else {
        bail!("the web UI is not built: {} has no index.html; {how}", dist.display());
    };
    let build = crate::web::Build::new(&source, dist).map_err(|missing| {
        anyhow::anyhow!(
            "the web UI is not built ({} has no index.html) and cannot be built here: {missing}; {how}",
            dist.display()
        )
    })?;
    println!("building the web UI in {} (npm ci, npm run build)", source.display());
    let status = build.status().clone();
    build.run().await;
    match status.get() {
        BuildState::Ready if dist.join("index.html").is_file() => Ok(()),
        BuildState::Failed(failure) => bail!("building the web UI failed: {failure}"),
        other => bail!("the web UI was not built ({other:?}); {how}"),
    }
}

/// The content type of a file of the UI, by its extension.
pub fn content_type(key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/vnd.microsoft.icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// How long browsers and CloudFront keep a file: Vite's content-hashed `assets/` for a year
/// (a new build has new names), the rest (`index.html` above all) revalidated every time.
pub fn cache_control(key: &str) -> &'static str {
    if key.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" }
}

/// The files of `dist` to upload, as (key, path): every file but `config.json`, `assets/`
/// first and `index.html` last.
pub fn files(dist: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut pending = vec![dist.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(dist).unwrap_or(&path);
            let key: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let key = key.join("/");
            if key != CONFIG {
                found.push((key, path));
            }
        }
    }
    let rank = |key: &str| match key {
        _ if key.starts_with("assets/") => 0,
        "index.html" => 2,
        _ => 1,
    };
    found.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    if !found.iter().any(|(key, _)| key == "index.html") {
        bail!("{} has no index.html: not a built web UI", dist.display());
    }
    Ok(found)
}

/// The physical ids of the stack's web bucket and distribution (`None` when the stack has
/// none, as in an emulator that skips its type). (moto 5.2.1 answers `DescribeStackResource`
/// with HTTP 500, so the stack's resources are listed.)
pub async fn stack_web(clients: &Clients, stack: &str) -> anyhow::Result<(Option<String>, Option<String>)> {
    let resources = stack_resources(&clients.cloudformation, stack).await?;
    let physical = |logical: &str| {
        resources
            .iter()
            .find(|r| r.logical_resource_id() == Some(logical))
            .and_then(|r| r.physical_resource_id())
            .map(str::to_owned)
    };
    Ok((physical(WEB_BUCKET), physical(WEB_DISTRIBUTION)))
}

/// Uploads the UI of `dist` into `bucket`; returns how many files.
pub async fn upload(clients: &Clients, bucket: &str, dist: &Path) -> anyhow::Result<usize> {
    let files = files(dist)?;
    for (key, path) in &files {
        let body = ByteStream::from_path(path).await.with_context(|| format!("cannot read {}", path.display()))?;
        put_object(&clients.s3, bucket, key, body, Some(content_type(key)), Some(cache_control(key))).await?;
    }
    println!("uploaded the web UI ({} files from {}) to s3://{bucket}", files.len(), dist.display());
    Ok(files.len())
}

/// Asks CloudFront to forget `/` and `/index.html` of `distribution`; returns the
/// invalidation's id.
pub async fn invalidate(clients: &Clients, distribution: &str) -> anyhow::Result<String> {
    let paths = Paths::builder()
        .quantity(INVALIDATED.len() as i32)
        .set_items(Some(INVALIDATED.iter().map(|p| (*p).to_owned()).collect()))
        .build()
        .context("invalidation paths")?;
    let reference = format!("mozdef-deploy-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"));
    let batch =
        InvalidationBatch::builder().paths(paths).caller_reference(reference).build().context("invalidation")?;
    let out = clients
        .cloudfront
        .create_invalidation()
        .distribution_id(distribution)
        .invalidation_batch(batch)
        .send()
        .await
        .map_err(|e| match (e.code(), e.message()) {
            (Some(code), Some(message)) => anyhow::anyhow!("{code}: {message}"),
            _ => anyhow::anyhow!("{}", aws_sdk_cloudfront::error::DisplayErrorContext(e)),
        })
        .with_context(|| format!("cannot invalidate /index.html on the CloudFront distribution {distribution}"))?;
    let id = out.invalidation().map(|i| i.id().to_owned()).unwrap_or_default();
    println!("invalidated {} on the CloudFront distribution {distribution} ({id})", INVALIDATED.join(" and "));
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_caching_follow_the_file() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/index-D5FTh1qE.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("assets/index-C9H-NNl_.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(cache_control("assets/index-D5FTh1qE.js"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("index.html"), "no-cache");
        assert_eq!(cache_control("favicon.svg"), "no-cache");
    }

    #[test]
    fn files_leave_config_json_out_and_put_index_html_last() {
        let dir = std::env::temp_dir().join(format!("mozdef-web-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("assets/fonts")).unwrap_or_default();
        for file in ["index.html", "config.json", "favicon.svg", "assets/app-1.js", "assets/fonts/a.woff2"] {
            std::fs::write(dir.join(file), "x").unwrap_or_default();
        }
        let keys: Vec<String> = files(&dir).unwrap_or_default().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["assets/app-1.js", "assets/fonts/a.woff2", "favicon.svg", "index.html"]);
        std::fs::remove_file(dir.join("index.html")).unwrap_or_default();
        assert!(files(&dir).is_err(), "no index.html, no UI");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
