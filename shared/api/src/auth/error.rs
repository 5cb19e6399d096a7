//! Why a caller or a configuration was refused, and how that is answered over HTTP.

use crate::ApiError;

/// Why a token (or an OIDC configuration) was refused.
///
/// [`AuthError::NoRole`] is answered 403, [`AuthError::Unavailable`] 503, every other variant
/// 401 with its message (`From<AuthError> for ApiError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("missing bearer token: send it as \"Authorization: Bearer <token>\"")]
    MissingToken,
    /// The `Authorization` header is not `Bearer <token>`.
    #[error("malformed Authorization header: expected \"Bearer <token>\"")]
    MalformedAuthorization,
    /// The token is longer than the limit.
    #[error("token longer than {limit} bytes")]
    TokenTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The token is not a JWT of a shape this verifier reads.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The token's header names an algorithm outside the allow-list (RS256, ES256).
    #[error("token algorithm {0} is not allowed (allowed: RS256, ES256)")]
    DisallowedAlgorithm(String),
    /// The token's header has no `kid`.
    #[error("token header has no key id (kid)")]
    MissingKeyId,
    /// The issuer's JWKS has no key with the token's `kid`, even after a refetch.
    #[error("unknown signing key {kid:?}")]
    UnknownKey {
        /// The token's `kid`.
        kid: String,
    },
    /// The key with the token's `kid` cannot verify the token's algorithm.
    #[error("signing key {kid:?} does not fit algorithm {alg}: {reason}")]
    KeyMismatch {
        /// The token's `kid`.
        kid: String,
        /// The token's algorithm.
        alg: String,
        /// What does not fit.
        reason: String,
    },
    /// The signature does not verify.
    #[error("invalid token signature")]
    InvalidSignature,
    /// `exp` is past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("token issuer is not the configured one")]
    WrongIssuer,
    /// `aud` does not contain the configured audience.
    #[error("token audience does not contain the configured one")]
    WrongAudience,
    /// A required claim is absent.
    #[error("token lacks the {0:?} claim")]
    MissingClaim(String),
    /// A claim has the wrong type or an empty value.
    #[error("token claim {claim:?} is invalid: {reason}")]
    InvalidClaim {
        /// The claim's name.
        claim: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The token is valid but none of its groups grants a role (answered 403).
    #[error("{email} has no MozDef role: none of their groups grants one")]
    NoRole {
        /// The caller's email claim.
        email: String,
    },
    /// The issuer or its JWKS cannot be reached or gave no usable answer (answered 503).
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
    /// The OIDC settings are invalid.
    #[error("invalid OIDC settings: {0}")]
    Config(String),
    /// The issuer's discovery document or JWKS does not fit the settings.
    #[error("OIDC discovery failed: {0}")]
    Discovery(String),
}

impl AuthError {
    /// Whether the refusal looks like an attack or a server-side problem (logged at warn)
    /// rather than an ordinary client mistake such as an expired token (logged at debug).
    pub(super) fn is_notable(&self) -> bool {
        matches!(
            self,
            AuthError::DisallowedAlgorithm(_)
                | AuthError::KeyMismatch { .. }
                | AuthError::InvalidSignature
                | AuthError::WrongIssuer
                | AuthError::TokenTooLong { .. }
                | AuthError::Unavailable(_)
        )
    }

    /// The refusal's name, for structured logs.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "missing_token",
            AuthError::MalformedAuthorization => "malformed_authorization",
            AuthError::TokenTooLong { .. } => "token_too_long",
            AuthError::Malformed(_) => "malformed_token",
            AuthError::DisallowedAlgorithm(_) => "disallowed_algorithm",
            AuthError::MissingKeyId => "missing_kid",
            AuthError::UnknownKey { .. } => "unknown_key",
            AuthError::KeyMismatch { .. } => "key_mismatch",
            AuthError::InvalidSignature => "invalid_signature",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::WrongIssuer => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::MissingClaim(_) => "missing_claim",
            AuthError::InvalidClaim { .. } => "invalid_claim",
            AuthError::NoRole { .. } => "no_role",
            AuthError::Unavailable(_) => "unavailable",
            AuthError::Config(_) => "config",
            AuthError::Discovery(_) => "discovery",
        }
    }

    /// The refusal for a `jsonwebtoken` decoding or validation error.
    pub(super) fn from_jwt(error: &jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature => AuthError::InvalidSignature,
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::ImmatureSignature => AuthError::NotYetValid,
            ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
            ErrorKind::InvalidAudience => AuthError::WrongAudience,
            ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
            ErrorKind::InvalidClaimFormat(claim) => {
                AuthError::InvalidClaim { claim: claim.clone(), reason: "wrong type".to_owned() }
            }
            ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidKeyFormat => {
                AuthError::InvalidSignature
            }
            _ => AuthError::Malformed(error.to_string()),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::NoRole { .. } => ApiError::Forbidden(error.to_string()),
            AuthError::Unavailable(_) => ApiError::Unavailable(error.to_string()),
            other => ApiError::Unauthorized(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_401_403_503() {
        assert!(matches!(ApiError::from(AuthError::Expired), ApiError::Unauthorized(m) if m == "token expired"));
        assert!(matches!(ApiError::from(AuthError::NoRole { email: "a@b".into() }), ApiError::Forbidden(_)));
        assert!(matches!(ApiError::from(AuthError::Unavailable("down".into())), ApiError::Unavailable(_)));
        assert!(matches!(ApiError::from(AuthError::MissingToken), ApiError::Unauthorized(_)));
    }
}
