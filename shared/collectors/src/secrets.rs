//! Where collectors' credentials come from: AWS Secrets Manager on AWS (the implementation
//! lives with the AWS clients in `mozdef-aws`), a file or the environment locally
//! ([`LocalSecrets`]).

use std::path::PathBuf;

use async_trait::async_trait;

use crate::CollectorError;

/// A source of secrets by name.
#[async_trait]
pub trait SecretSource: Send + Sync {
    /// The secret `name`'s text.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Secret`] naming the secret and why it cannot be read.
    async fn secret(&self, name: &str) -> Result<String, CollectorError>;
}

/// Local secrets: the variable `MOZDEF_SECRET_<NAME>` (the name upper-cased, every character
/// that is not a letter or digit turned into `_`), else the file `<dir>/<name>`.
#[derive(Debug, Clone, Default)]
pub struct LocalSecrets {
    dir: Option<PathBuf>,
}

impl LocalSecrets {
    /// Secrets from the environment, then from files under `dir`.
    pub fn new(dir: Option<PathBuf>) -> Self {
        LocalSecrets { dir }
    }

    /// The variable that holds secret `name`.
    pub fn variable(name: &str) -> String {
        let upper: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("MOZDEF_SECRET_{upper}")
    }
}

#[async_trait]
impl SecretSource for LocalSecrets {
    async fn secret(&self, name: &str) -> Result<String, CollectorError> {
        let fail = |reason: String| CollectorError::Secret { name: name.to_owned(), reason };
        let variable = Self::variable(name);
        if let Ok(value) = std::env::var(&variable) {
            return Ok(value);
        }
        let safe = !name.is_empty() && !name.contains(['/', '\\', '\0']) && name != "." && name != "..";
        let Some(dir) = self.dir.as_ref().filter(|_| safe) else {
            return Err(fail(format!("set {variable}")));
        };
        let path = dir.join(name);
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => Ok(text.trim_end_matches(['\n', '\r']).to_owned()),
            Err(e) => Err(fail(format!("set {variable} or write {} ({e})", path.display()))),
        }
    }
}
