//! The REST API's settings ([`RestOptions`], read by `mozdef dev` from flags and by the `api`
//! Lambda from its environment) turned into what the router needs: the authentication (the
//! OIDC issuer discovered once, at start) and the lookups' client.

use std::sync::Arc;
use std::time::Duration;

use mozdef_service::RestOptions;

use crate::ApiError;
use crate::auth::{AuthError, Authentication, OidcSettings, OidcVerifier, RoleGroups};
use crate::lookups::{LookupSettings, Lookups};

/// OIDC when `options` name an issuer (its discovery document and keys fetched now; an
/// audience is then required); `None` without one.
pub async fn oidc(options: &RestOptions) -> Result<Option<Authentication>, AuthError> {
    let Some(issuer) = options.oidc_issuer.as_deref().filter(|i| !i.trim().is_empty()) else {
        if options.oidc_audience.is_some() {
            return Err(AuthError::Config("an OIDC audience is set without an issuer (MOZDEF_OIDC_ISSUER)".into()));
        }
        return Ok(None);
    };
    let audience = options
        .oidc_audience
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| AuthError::Config("an OIDC issuer needs an audience (MOZDEF_OIDC_AUDIENCE)".into()))?;
    let mut settings = OidcSettings::new(issuer, audience);
    settings.groups_claim = options.oidc_groups_claim.clone();
    settings.email_claim = options.oidc_email_claim.clone();
    settings.role_groups = RoleGroups {
        viewer: options.viewer_groups.clone(),
        responder: options.responder_groups.clone(),
        admin: options.admin_groups.clone(),
    };
    let verifier = OidcVerifier::discover(settings).await?;
    tracing::info!(issuer, audience, "REST API: OIDC bearer tokens required");
    Ok(Some(Authentication::Oidc(Arc::new(verifier))))
}

/// The lookups of `/ipwhois` and `/ipdshieldquery`.
pub fn lookups(options: &RestOptions) -> Result<Lookups, ApiError> {
    if options.lookup_timeout_seconds == 0 {
        return Err(ApiError::bad_request("MOZDEF_LOOKUP_TIMEOUT_SECONDS: must be at least 1"));
    }
    Lookups::new(LookupSettings {
        whois_url: options.whois_url.clone(),
        dshield_url: options.dshield_url.clone(),
        user_agent: options.user_agent.clone(),
        timeout: Duration::from_secs(options.lookup_timeout_seconds),
        reverse_dns: true,
    })
}
