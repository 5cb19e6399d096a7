//! The artefacts bucket: created (encrypted, public access blocked) when missing; the Lambda
//! zips of `scripts/build-lambdas` uploaded under their content-hashed names (an unchanged zip
//! keeps its key, so CloudFormation redeploys only what changed) and the templates under a
//! prefix named by their own hash.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use sha2::{Digest, Sha256};

/// What was uploaded: the stack parameters naming the code, and each template's URL.
#[derive(Debug, Default)]
pub struct Uploaded {
    /// `<Function>CodeKey` → the zip's key (e.g. `LoginputCodeKey` → `lambda/loginput-ab12....zip`).
    pub code_keys: BTreeMap<String, String>,
    /// Template file name → its S3 URL.
    pub template_urls: BTreeMap<String, String>,
}

/// The stack parameter that names a function's code: `alert-actions` → `AlertActionsCodeKey`.
pub fn code_key_parameter(function: &str) -> String {
    let camel: String = function
        .split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{camel}CodeKey")
}

/// Creates `bucket` when it does not exist: private, encrypted with S3-managed keys.
pub async fn ensure_bucket(s3: &Client, bucket: &str, region: &str) -> anyhow::Result<()> {
    if s3.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    let mut create = s3.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        let location = BucketLocationConstraint::from(region);
        create = create
            .create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(location).build());
    }
    create
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(e)))
        .with_context(|| format!("cannot create the artefacts bucket {bucket}"))?;
    let block = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .block_public_policy(true)
        .ignore_public_acls(true)
        .restrict_public_buckets(true)
        .build();
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(block)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(e)))
        .with_context(|| format!("cannot block public access to {bucket}"))?;
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .context("encryption settings")?;
    let rule = ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build();
    let encryption = ServerSideEncryptionConfiguration::builder().rules(rule).build().context("encryption settings")?;
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(e)))
        .with_context(|| format!("cannot turn on encryption of {bucket}"))?;
    println!("created the artefacts bucket {bucket}");
    Ok(())
}

/// The manifest `scripts/build-lambdas` writes: `{"functions": {"loginput": "loginput-<hash>.zip", ...}}`.
#[derive(Debug, serde::Deserialize)]
struct Manifest {
    functions: BTreeMap<String, String>,
}

/// Uploads the zips `artefacts/manifest.json` lists and every `*.json` template of `templates`.
pub async fn upload(s3: &Client, bucket: &str, artefacts: &Path, templates: &Path) -> anyhow::Result<Uploaded> {
    let manifest_path = artefacts.join("manifest.json");
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {} (run scripts/build-lambdas first)", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not a build manifest", manifest_path.display()))?;
    let mut uploaded = Uploaded::default();
    for (function, file) in &manifest.functions {
        let key = format!("lambda/{file}");
        let exists = s3.head_object().bucket(bucket).key(&key).send().await.is_ok();
        if !exists {
            let body = ByteStream::from_path(artefacts.join(file))
                .await
                .with_context(|| format!("cannot read the artefact {file}"))?;
            put(s3, bucket, &key, body).await?;
            println!("uploaded {key}");
        }
        uploaded.code_keys.insert(code_key_parameter(function), key);
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(templates).with_context(|| format!("cannot list {}", templates.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            files.push((name, std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?));
        }
    }
    if files.is_empty() {
        bail!("no *.json template in {}", templates.display());
    }
    files.sort();
    let mut digest = Sha256::new();
    for (name, bytes) in &files {
        digest.update(name.as_bytes());
        digest.update(bytes);
    }
    let hash: String = digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    for (name, bytes) in files {
        let key = format!("templates/{hash}/{name}");
        put(s3, bucket, &key, ByteStream::from(bytes)).await?;
        uploaded.template_urls.insert(name, format!("https://{bucket}.s3.amazonaws.com/{key}"));
    }
    Ok(uploaded)
}

async fn put(s3: &Client, bucket: &str, key: &str, body: ByteStream) -> anyhow::Result<()> {
    put_object(s3, bucket, key, body, None, None).await
}

/// Puts one object, encrypted with S3-managed keys, with its content type and cache control
/// when given (the Lambda zips and templates, the web UI's files).
pub async fn put_object(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: ByteStream,
    content_type: Option<&str>,
    cache_control: Option<&str>,
) -> anyhow::Result<()> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(body)
        .server_side_encryption(ServerSideEncryption::Aes256)
        .set_content_type(content_type.map(str::to_owned))
        .set_cache_control(cache_control.map(str::to_owned))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(e)))
        .with_context(|| format!("cannot upload s3://{bucket}/{key}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_key_parameters_are_camel_case() {
        assert_eq!(code_key_parameter("loginput"), "LoginputCodeKey");
        assert_eq!(code_key_parameter("alert-actions"), "AlertActionsCodeKey");
    }
}
