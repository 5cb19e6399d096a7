//! The OIDC settings and their validation.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use super::{AuthError, RoleGroups};

/// The most clock skew [`OidcSettings::leeway`] may allow.
const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// OIDC settings, validated by [`OidcSettings::validate`] (and by
/// [`OidcVerifier::discover`](super::OidcVerifier::discover)).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer's URL, exactly as its tokens' `iss` and its discovery document name it:
    /// https, or http only on a loopback host (127.0.0.0/8, ::1, localhost).
    pub issuer: String,
    /// The audience tokens must be for (one of their `aud`).
    pub audience: String,
    /// The claim holding the caller's groups (default "groups").
    pub groups_claim: String,
    /// The claim holding the caller's email (default "email").
    pub email_claim: String,
    /// Which groups grant which role.
    pub role_groups: RoleGroups,
    /// Clock skew allowed for `exp` and `nbf` (default 60 s, at most 300 s).
    pub leeway: Duration,
    /// Timeout of each request to the issuer (default 5 s).
    pub http_timeout: Duration,
    /// The least time between two JWKS refetches forced by unknown key ids (default 30 s).
    pub min_refresh_interval: Duration,
}

impl OidcSettings {
    /// Settings for `issuer` and `audience`, with the defaults for the rest.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        OidcSettings {
            issuer: issuer.into(),
            audience: audience.into(),
            groups_claim: "groups".to_owned(),
            email_claim: "email".to_owned(),
            role_groups: RoleGroups::default(),
            leeway: Duration::from_secs(60),
            http_timeout: Duration::from_secs(5),
            min_refresh_interval: Duration::from_secs(30),
        }
    }

    /// Checks the settings; the error names the first problem.
    pub fn validate(&self) -> Result<(), AuthError> {
        let issuer = check_url("issuer", &self.issuer).map_err(AuthError::Config)?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(AuthError::Config(format!("issuer {:?} must not have a query or a fragment", self.issuer)));
        }
        if self.audience.trim().is_empty() {
            return Err(AuthError::Config("the audience is empty".to_owned()));
        }
        if self.groups_claim.trim().is_empty() {
            return Err(AuthError::Config("the groups claim name is empty".to_owned()));
        }
        if self.email_claim.trim().is_empty() {
            return Err(AuthError::Config("the email claim name is empty".to_owned()));
        }
        if self.role_groups.is_empty() {
            return Err(AuthError::Config("no group grants a role".to_owned()));
        }
        if self.role_groups.names().any(|name| name.trim().is_empty()) {
            return Err(AuthError::Config("a role group name is empty".to_owned()));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(AuthError::Config(format!(
                "leeway of {} s exceeds the limit of {} s",
                self.leeway.as_secs(),
                MAX_LEEWAY.as_secs()
            )));
        }
        if self.http_timeout.is_zero() {
            return Err(AuthError::Config("the HTTP timeout is zero".to_owned()));
        }
        Ok(())
    }

    /// Where the issuer's discovery document is (a trailing slash of the issuer dropped).
    pub(super) fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'))
    }
}

/// `url` parsed, when it is https, or http on a loopback host, without credentials; else
/// what is wrong with it, naming it as `what`.
pub(super) fn check_url(what: &str, url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("{what} {url:?} is not a URL: {e}"))?;
    let Some(host) = parsed.host_str() else {
        return Err(format!("{what} {url:?} has no host"));
    };
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(format!("{what} {url:?} uses http on a host that is not a loopback address: use https"));
        }
        other => return Err(format!("{what} {url:?} has scheme {other:?}: use https")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{what} must not carry credentials"));
    }
    Ok(parsed)
}

/// localhost, or an IPv4 (127.0.0.0/8) or IPv6 (::1) loopback address.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_or_loopback_http() {
        for good in [
            "https://idp.example.com",
            "https://idp.example.com/realms/x/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9000",
            "http://localhost:1",
        ] {
            assert!(OidcSettings::new(good, "mozdef").validate().is_ok(), "{good}");
        }
        for bad in [
            "http://idp.example.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "idp.example.com",
            "https://u:p@idp.example.com",
            "https://idp.example.com/?x=1",
            "http://[::2]",
        ] {
            assert!(matches!(OidcSettings::new(bad, "mozdef").validate(), Err(AuthError::Config(_))), "{bad}");
        }
        let mut settings = OidcSettings::new("https://idp.example.com/", "mozdef");
        assert_eq!(settings.discovery_url(), "https://idp.example.com/.well-known/openid-configuration");
        settings.leeway = Duration::from_secs(301);
        assert!(settings.validate().is_err());
    }
}
