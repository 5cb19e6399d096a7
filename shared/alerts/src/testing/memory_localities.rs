//! [`MemoryLocalities`]: GeoModel's state ([`LocalityStore`]) in memory, for tests that need
//! a locality store but no database; it passes
//! [`check_locality_store`](super::check_locality_store) as SQLite and DynamoDB do.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;

use crate::error::BackendError;
use crate::localities::{LocalityStore, Versioned};

/// A [`LocalityStore`] in memory: versioned per user, conditional writes, execution times.
#[derive(Debug, Default)]
pub struct MemoryLocalities {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    users: HashMap<String, Versioned>,
    executions: HashMap<String, DateTime<Utc>>,
}

impl MemoryLocalities {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // Every change is one map operation: a panic elsewhere cannot leave it half done.
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl LocalityStore for MemoryLocalities {
    async fn get(&self, username: &str) -> Result<Option<Versioned>, BackendError> {
        Ok(self.state().users.get(username).cloned())
    }

    async fn put(&self, username: &str, document: &Document, expected: Option<u64>) -> Result<bool, BackendError> {
        let mut state = self.state();
        let current = state.users.get(username).map(|v| v.version);
        if current != expected {
            return Ok(false);
        }
        let version = current.unwrap_or(0) + 1;
        state.users.insert(username.to_owned(), Versioned { document: document.clone(), version });
        Ok(true)
    }

    async fn execution_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, BackendError> {
        Ok(self.state().executions.get(name).copied())
    }

    async fn set_execution_time(&self, name: &str, at: DateTime<Utc>) -> Result<(), BackendError> {
        self.state().executions.insert(name.to_owned(), at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_locality_store_check() {
        super::super::check_locality_store(&MemoryLocalities::new()).await;
    }
}
