//! The verifier of one issuer's bearer tokens: discovery, then per token the header, the key,
//! the signature, the registered claims, the email and the role.

use std::fmt;

use jsonwebtoken::{Algorithm, Validation};
use reqwest::Client;
use serde_json::{Map, Value};

use super::jwks::KeyCache;
use super::settings::check_url;
use super::{AuthError, Identity, OidcSettings, fetch};

/// The longest token accepted, in bytes.
pub(super) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The claims of a token whose signature verified.
type Claims = Map<String, Value>;

/// Verifies bearer tokens of one issuer.
pub struct OidcVerifier {
    settings: OidcSettings,
    client: Client,
    keys: KeyCache,
}

impl fmt::Debug for OidcVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcVerifier")
            .field("issuer", &self.settings.issuer)
            .field("audience", &self.settings.audience)
            .field("jwks_uri", &self.keys.jwks_uri())
            .finish_non_exhaustive()
    }
}

impl OidcVerifier {
    /// Validates `settings`, fetches `<issuer>/.well-known/openid-configuration` (its `issuer`
    /// must equal the configured one exactly; a trailing slash of the configured issuer is
    /// dropped from the URL fetched) and the JWKS at its `jwks_uri`, which must hold at least
    /// one usable key. Errors name the problem: [`AuthError::Config`] for the settings,
    /// [`AuthError::Unavailable`] naming the URL that could not be fetched,
    /// [`AuthError::Discovery`] for documents that do not fit.
    pub async fn discover(settings: OidcSettings) -> Result<Self, AuthError> {
        settings.validate()?;
        let client = fetch::client(settings.http_timeout)?;
        let url = settings.discovery_url();
        let document = fetch::get_json(&client, "OIDC discovery document", &url).await?;
        let field = |name: &str| {
            document
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| AuthError::Discovery(format!("the discovery document at {url} has no {name:?} string")))
        };
        let issuer = field("issuer")?;
        if issuer != settings.issuer {
            return Err(AuthError::Discovery(format!(
                "the discovery document at {url} names issuer {issuer:?}, not the configured {:?}",
                settings.issuer
            )));
        }
        let jwks_uri = field("jwks_uri")?;
        check_url("jwks_uri", jwks_uri)
            .map_err(|problem| AuthError::Discovery(format!("the discovery document at {url}: {problem}")))?;
        let keys = KeyCache::fetch(&client, jwks_uri).await?;
        if keys.is_empty() {
            return Err(AuthError::Discovery(format!(
                "the JWKS at {jwks_uri} has no usable signing key (RSA or EC P-256, with a kid)"
            )));
        }
        tracing::info!(issuer = %settings.issuer, jwks_uri, keys = keys.len(), "OIDC issuer discovered");
        Ok(OidcVerifier { settings, client, keys })
    }

    /// The settings this verifier checks tokens against.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Verifies one token: header `alg` in the allow-list {RS256, ES256} and consistent with
    /// the key's type and `alg`; the `kid` looked up in the cached JWKS, refetched on an
    /// unknown kid (no more often than `min_refresh_interval`; concurrent callers share one
    /// refetch); the signature; `iss` exactly; `aud` (a string or an array) containing the
    /// audience; `exp` required and in the future, `nbf` if present not in the future, both
    /// with `leeway`; the email claim a non-empty string; the role the groups claim (an array
    /// of strings, or one string) grants, the highest of them ([`AuthError::NoRole`] for none).
    pub async fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::TokenTooLong { limit: MAX_TOKEN_BYTES });
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Malformed(format!("unreadable header: {e}")))?;
        let alg = header.alg;
        if !matches!(alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(AuthError::DisallowedAlgorithm(format!("{alg:?}")));
        }
        if header.crit.as_ref().is_some_and(|crit| !crit.is_empty()) {
            // No header extension is understood here, so none may be critical (RFC 7515 4.1.11).
            return Err(AuthError::Malformed("unsupported critical header parameters".to_owned()));
        }
        let kid = header.kid.filter(|kid| !kid.is_empty()).ok_or(AuthError::MissingKeyId)?;
        let key = self.keys.key(&self.client, &kid, self.settings.min_refresh_interval).await?;
        key.check_algorithm(&kid, alg)?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &self.validation(alg))
            .map_err(|e| AuthError::from_jwt(&e))?
            .claims;
        // jsonwebtoken also accepts an `iss` array containing the issuer: insist on the string.
        if claims.get("iss").and_then(Value::as_str) != Some(self.settings.issuer.as_str()) {
            return Err(AuthError::WrongIssuer);
        }
        let email = self.email(&claims)?;
        let groups = self.groups(&claims)?;
        let Some(role) = self.settings.role_groups.role_for(groups.iter().copied()) else {
            return Err(AuthError::NoRole { email });
        };
        tracing::debug!(email = %email, role = %role, kid = %kid, alg = ?alg, "bearer token verified");
        Ok(Identity { email, role })
    }

    /// What `jsonwebtoken` checks for a token signed with `alg`.
    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.leeway = self.settings.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_audience(&[&self.settings.audience]);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation
    }

    /// The email claim: a non-empty string.
    fn email(&self, claims: &Claims) -> Result<String, AuthError> {
        let name = &self.settings.email_claim;
        match claims.get(name) {
            None | Some(Value::Null) => Err(AuthError::MissingClaim(name.clone())),
            Some(Value::String(email)) if !email.trim().is_empty() => Ok(email.clone()),
            Some(_) => {
                Err(AuthError::InvalidClaim { claim: name.clone(), reason: "not a non-empty string".to_owned() })
            }
        }
    }

    /// The groups claim: an array of strings, or one string; absent, no groups.
    fn groups<'a>(&self, claims: &'a Claims) -> Result<Vec<&'a str>, AuthError> {
        let name = &self.settings.groups_claim;
        let invalid = || AuthError::InvalidClaim {
            claim: name.clone(),
            reason: "not a string or an array of strings".to_owned(),
        };
        match claims.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(group)) => Ok(vec![group.as_str()]),
            Some(Value::Array(groups)) => groups.iter().map(|group| group.as_str().ok_or_else(invalid)).collect(),
            Some(_) => Err(invalid()),
        }
    }
}
