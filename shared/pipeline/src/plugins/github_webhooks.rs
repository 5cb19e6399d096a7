//! MozDef's `github_webhooks` mq plugin (registration githubeventsqs; priority 10). NOT YET PORTED.

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `github_webhooks`.
#[derive(Debug, Default)]
pub struct GithubWebhooks;

impl Plugin for GithubWebhooks {
    fn name(&self) -> &'static str {
        "github_webhooks"
    }

    fn registration(&self) -> &[&str] {
        &["githubeventsqs"]
    }

    fn priority(&self) -> u32 {
        10
    }

    fn on_message(&self, _event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("the github_webhooks plugin is not ported yet"))
    }
}
