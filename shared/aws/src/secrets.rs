//! [`SecretsManagerSecrets`]: the pull collectors' credentials from AWS Secrets Manager (the
//! secret's `SecretString`, by name under the stack's prefix).

use async_trait::async_trait;
use mozdef_collectors::CollectorError;
use mozdef_collectors::secrets::SecretSource;

/// Secrets read from Secrets Manager as `<prefix><name>`.
#[derive(Debug, Clone)]
pub struct SecretsManagerSecrets {
    client: aws_sdk_secretsmanager::Client,
    prefix: String,
}

impl SecretsManagerSecrets {
    /// Secrets named `<prefix><name>`.
    pub fn new(client: aws_sdk_secretsmanager::Client, prefix: impl Into<String>) -> Self {
        SecretsManagerSecrets { client, prefix: prefix.into() }
    }
}

#[async_trait]
impl SecretSource for SecretsManagerSecrets {
    async fn secret(&self, name: &str) -> Result<String, CollectorError> {
        let id = format!("{}{name}", self.prefix);
        let fail = |reason: String| CollectorError::Secret { name: id.clone(), reason };
        let output = self
            .client
            .get_secret_value()
            .secret_id(&id)
            .send()
            .await
            .map_err(|e| fail(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string()))?;
        output
            .secret_string()
            .map(str::to_owned)
            .ok_or_else(|| fail("has no SecretString (binary secrets are not read)".to_owned()))
    }
}
