//! Authentication and authorization of the REST API: OIDC bearer tokens and three roles.
//!
//! * [`OidcSettings`] name the issuer, the audience, the claims to read and which groups grant
//!   which [`Role`] ([`RoleGroups`]);
//! * [`OidcVerifier::discover`] reads the issuer's discovery document and its JWKS once, and
//!   [`OidcVerifier::verify`] checks one token (allowed algorithms RS256 and ES256, the key by
//!   `kid` with a refetch of the JWKS on an unknown one, the signature, `iss`, `aud`, `exp`,
//!   `nbf`) and maps its groups to the caller's [`Identity`];
//! * [`authenticate`] is the axum middleware in front of the routes: with
//!   [`Authentication::Oidc`] it needs `Authorization: Bearer <token>`, with
//!   [`Authentication::Open`] (`mozdef dev` on a loopback listener) every caller is an
//!   anonymous admin. Handlers take the [`Identity`] as an argument and call
//!   [`Identity::require`] with the role they need.
//!
//! A refused token is a 401 with `WWW-Authenticate: Bearer`, a token without a role a 403, an
//! issuer that cannot be reached a 503 ([`AuthError`] into [`ApiError`](crate::ApiError)).
//! Tokens are never logged.

mod error;
mod fetch;
mod identity;
mod jwks;
mod middleware;
mod settings;
mod verifier;

pub use error::AuthError;
pub use identity::{Identity, Role, RoleGroups};
pub use middleware::{Authentication, authenticate};
pub use settings::OidcSettings;
pub use verifier::OidcVerifier;
