//! `mozdef deploy`: MozDef on AWS from this checkout. It uploads the Lambda artefacts built by
//! `scripts/build-lambdas` (content-hashed zips listed in their manifest) and the templates of
//! `cloudformation/` to the artefacts bucket (created, encrypted and private, when missing),
//! creates or updates the stack through a change set, follows its events (a progress line on
//! a terminal, plain lines otherwise), uploads the web UI (`web/dist`, built first when
//! missing) to the stack's web bucket and invalidates its `index.html` on CloudFront, prints
//! the outputs, and exits non-zero naming the resource that failed and CloudFormation's
//! reason. `--delete` tears the stack down; the buckets that hold data are kept unless
//! `--delete-data` says otherwise.

mod artefacts;
mod progress;
mod stack;
mod web;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use mozdef_aws::AwsOptions;

/// Options of `mozdef deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The stack's name.
    #[arg(long)]
    pub stack: String,
    /// The AWS region (default: the usual chain: `AWS_REGION`, the profile).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint instead (a local emulator such as moto).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// A stack parameter, `Key=Value` (repeatable); the artefact parameters are filled in.
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// Delete the stack instead of deploying it.
    #[arg(long)]
    pub delete: bool,
    /// With `--delete`: also empty and delete the stack's buckets that keep data, and the
    /// artefacts bucket.
    #[arg(long, requires = "delete")]
    pub delete_data: bool,
    /// The directory of the templates (the parent is `mozdef.json`).
    #[arg(long, default_value = "cloudformation")]
    pub templates: PathBuf,
    /// The parent template's file name in `--templates`.
    #[arg(long, default_value = "mozdef.json")]
    pub template: String,
    /// The directory `scripts/build-lambdas` wrote the zips and `manifest.json` to.
    #[arg(long, default_value = "target/lambda-dist")]
    pub artefacts: PathBuf,
    /// The artefacts bucket (default: `mozdef-artefacts-<account>-<region>`).
    #[arg(long)]
    pub artefacts_bucket: Option<String>,
    /// The built web UI uploaded to the stack's web bucket (when it has no index.html and is
    /// the `dist/` of a source directory, it is built first with npm).
    #[arg(long, default_value = "web/dist")]
    pub web_dist: PathBuf,
    /// Do not upload the web UI (the stack serves what its web bucket already holds).
    #[arg(long, conflicts_with = "web_dist")]
    pub no_web: bool,
    /// The CloudFront distribution to invalidate after the upload (default: the stack's
    /// WebDistribution).
    #[arg(long)]
    pub web_distribution_id: Option<String>,
}

fn parse_parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

/// Runs the command.
pub async fn run(args: DeployArgs) -> anyhow::Result<()> {
    // The UI is checked (and built) before anything is asked of AWS, so a missing build stops
    // the deploy before it starts.
    if !args.delete && !args.no_web {
        web::ensure_built(&args.web_dist).await?;
    }
    let options = AwsOptions { region: args.region.clone(), endpoint_url: args.endpoint_url.clone() };
    let sdk = mozdef_aws::load(&options).await;
    let region = sdk.region().map(ToString::to_string).context("no AWS region: pass --region or set AWS_REGION")?;
    let clients = stack::Clients::new(&sdk, args.endpoint_url.is_some());
    let artefacts_bucket = match &args.artefacts_bucket {
        Some(bucket) => bucket.clone(),
        None => format!("mozdef-artefacts-{}-{region}", stack::account_id(&clients).await?),
    };
    if args.delete {
        let artefacts = args.delete_data.then_some(artefacts_bucket.as_str());
        return stack::delete(&clients, &args.stack, args.delete_data, artefacts).await;
    }
    let template_path = args.templates.join(&args.template);
    let template_text = std::fs::read_to_string(&template_path)
        .with_context(|| format!("cannot read the template {}", template_path.display()))?;
    let declared = stack::declared_parameters(&template_text)
        .with_context(|| format!("{} is not a JSON CloudFormation template", template_path.display()))?;
    let bucket = artefacts_bucket;
    artefacts::ensure_bucket(&clients.s3, &bucket, &region).await?;
    let uploaded = artefacts::upload(&clients.s3, &bucket, &args.artefacts, &args.templates).await?;

    let mut parameters: BTreeMap<String, String> = BTreeMap::new();
    parameters.insert("ArtifactsBucket".into(), bucket.clone());
    parameters.extend(uploaded.code_keys.clone());
    for (key, value) in &args.parameters {
        if !declared.contains_key(key) {
            let names: Vec<&str> = declared.keys().map(String::as_str).collect();
            bail!("the template has no parameter {key:?} (it has: {})", names.join(", "));
        }
        parameters.insert(key.clone(), value.clone());
    }
    parameters.retain(|key, _| declared.contains_key(key));
    let template_url =
        uploaded.template_urls.get(&args.template).with_context(|| format!("{} was not uploaded", args.template))?;
    let outputs = stack::create_or_update(&clients, &args.stack, template_url, &parameters, &declared).await?;
    if !args.no_web {
        upload_web(&clients, &args).await?;
    }
    for (key, value) in outputs {
        println!("{key} = {value}");
    }
    Ok(())
}

/// Uploads the web UI to the stack's bucket and invalidates its `index.html`.
async fn upload_web(clients: &stack::Clients, args: &DeployArgs) -> anyhow::Result<()> {
    let (bucket, stack_distribution) = web::stack_web(clients, &args.stack).await?;
    let bucket = bucket
        .with_context(|| format!("stack {} has no {}: the template serves no web UI", args.stack, web::WEB_BUCKET))?;
    web::upload(clients, &bucket, &args.web_dist).await?;
    let distribution = args.web_distribution_id.clone().or(stack_distribution);
    match distribution {
        Some(distribution) => {
            web::invalidate(clients, &distribution).await?;
        }
        // AWS always has it; an emulator that skips CloudFront distributions (moto) does not.
        None => println!("stack {} lists no {}: no CloudFront invalidation", args.stack, web::WEB_DISTRIBUTION),
    }
    Ok(())
}
