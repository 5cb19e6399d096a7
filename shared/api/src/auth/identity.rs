//! Who is calling and what they may do: roles, the identity handlers receive, and the
//! mapping of identity-provider groups to roles.

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::ApiError;

/// A role, ordered: Viewer < Responder < Admin; a higher one includes the lower ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads events, alerts and schedules.
    Viewer,
    /// A viewer who also acts on alerts and events.
    Responder,
    /// A responder who also changes the configuration.
    Admin,
}

impl Role {
    /// The role's name, as serialized ("viewer", "responder", "admin").
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: the email claim and the highest role their groups grant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// The caller's email claim.
    pub email: String,
    /// The highest role the caller's groups grant.
    pub role: Role,
}

impl Identity {
    /// The caller of an API without authentication ([`Authentication::Open`](super::Authentication::Open)).
    pub(super) fn anonymous() -> Self {
        Identity { email: "anonymous@localhost".to_owned(), role: Role::Admin }
    }

    /// Ok when the identity has at least `role`, else [`ApiError::Forbidden`] naming the
    /// role needed.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            tracing::debug!(email = %self.email, role = %self.role, required = %role, "role refused");
            Err(ApiError::Forbidden(format!("this needs the {role} role; {} has {}", self.email, self.role)))
        }
    }
}

/// The [`Identity`] [`authenticate`](super::authenticate) put in the request's extensions;
/// without one (a route the middleware does not cover), a 401.
impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Identity>().cloned().ok_or_else(|| ApiError::Unauthorized("no identity".to_owned()))
    }
}

/// Which group names grant which role (defaults: "viewer", "responder", "admin").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGroups {
    /// Groups that grant [`Role::Viewer`].
    pub viewer: Vec<String>,
    /// Groups that grant [`Role::Responder`].
    pub responder: Vec<String>,
    /// Groups that grant [`Role::Admin`].
    pub admin: Vec<String>,
}

impl Default for RoleGroups {
    fn default() -> Self {
        RoleGroups {
            viewer: vec!["viewer".to_owned()],
            responder: vec!["responder".to_owned()],
            admin: vec!["admin".to_owned()],
        }
    }
}

impl RoleGroups {
    /// The highest role any of `groups` grants (names compared exactly), if any.
    pub(super) fn role_for<'a>(&self, groups: impl IntoIterator<Item = &'a str>) -> Option<Role> {
        groups.into_iter().filter_map(|group| self.role_of(group)).max()
    }

    fn role_of(&self, group: &str) -> Option<Role> {
        let grants = |names: &[String]| names.iter().any(|name| name == group);
        if grants(&self.admin) {
            Some(Role::Admin)
        } else if grants(&self.responder) {
            Some(Role::Responder)
        } else if grants(&self.viewer) {
            Some(Role::Viewer)
        } else {
            None
        }
    }

    /// Whether no group grants any role.
    pub(super) fn is_empty(&self) -> bool {
        self.viewer.is_empty() && self.responder.is_empty() && self.admin.is_empty()
    }

    /// Every configured group name.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.viewer.iter().chain(&self.responder).chain(&self.admin).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_the_highest_group_wins() {
        assert!(Role::Viewer < Role::Responder && Role::Responder < Role::Admin);
        let groups = RoleGroups::default();
        assert_eq!(groups.role_for(["viewer", "admin", "responder"]), Some(Role::Admin));
        assert_eq!(groups.role_for(["other", "viewer"]), Some(Role::Viewer));
        assert_eq!(groups.role_for(["Admin"]), None);
        let identity = Identity { email: "a@b".into(), role: Role::Responder };
        assert!(identity.require(Role::Viewer).is_ok() && identity.require(Role::Responder).is_ok());
        assert!(matches!(identity.require(Role::Admin), Err(ApiError::Forbidden(m)) if m.contains("admin role")));
    }
}
