//! The indices of the embedded store by name, each opened on first use: opening the store
//! lists the index directories and opens none of them, so start-up does not grow with the
//! number of days kept, and an index nobody asks for costs no memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use mozdef_store::indices::is_valid_index_name;

use crate::EmbeddedError;
use crate::footprint::{IndexFigures, committed_documents, dir_bytes};
use crate::index::MozdefIndex;

/// Every index under one directory (`<data-dir>/indices/<name>`).
#[derive(Debug)]
pub(crate) struct IndexCatalog {
    root: PathBuf,
    slots: RwLock<BTreeMap<String, Arc<Slot>>>,
}

/// One index: its directory, and the index once opened.
#[derive(Debug)]
struct Slot {
    name: String,
    dir: PathBuf,
    state: Mutex<SlotState>,
}

#[derive(Debug)]
enum SlotState {
    /// On disk, not opened yet.
    Closed,
    Open(Arc<MozdefIndex>),
    /// Deleted: whoever still holds the slot gets no index from it.
    Removed,
}

impl Slot {
    fn new(name: &str, dir: PathBuf) -> Arc<Self> {
        Arc::new(Slot { name: name.to_owned(), dir, state: Mutex::new(SlotState::Closed) })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SlotState> {
        // The state is replaced in one step, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The index, opened (or created) now if it is not yet; `None` once removed.
    fn index(&self) -> Result<Option<Arc<MozdefIndex>>, EmbeddedError> {
        let mut state = self.state();
        match &*state {
            SlotState::Open(index) => Ok(Some(index.clone())),
            SlotState::Removed => Ok(None),
            SlotState::Closed => {
                let index = Arc::new(MozdefIndex::open_or_create(&self.name, &self.dir)?);
                tracing::debug!(index = %self.name, "index opened");
                *state = SlotState::Open(index.clone());
                Ok(Some(index))
            }
        }
    }

    /// The index if it is open, without opening it.
    fn opened(&self) -> Option<Arc<MozdefIndex>> {
        match &*self.state() {
            SlotState::Open(index) => Some(index.clone()),
            SlotState::Closed | SlotState::Removed => None,
        }
    }

    /// Marks the slot removed and closes its index (its writer and merges), then deletes its
    /// directory. A search holding the index goes on over the mapped files (removing files
    /// that are mapped is safe on Unix); a write into it fails.
    fn remove(&self) -> Result<(), EmbeddedError> {
        let previous = std::mem::replace(&mut *self.state(), SlotState::Removed);
        if let SlotState::Open(index) = previous {
            index.close()?;
        }
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(EmbeddedError::Io { action: "remove index directory", path: self.dir.clone(), source: e }),
        }
    }

    /// This index's figures: `(open, documents, bytes)`.
    fn figures(&self) -> Result<(bool, u64, u64), EmbeddedError> {
        let (open, documents) = match self.opened() {
            Some(index) => (true, index.num_docs()),
            None => (false, committed_documents(&self.dir)?),
        };
        Ok((open, documents, dir_bytes(&self.dir)?))
    }
}

impl IndexCatalog {
    /// The indices found in `root` (created if missing), none of them opened.
    pub fn open(root: &Path) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(root).map_err(EmbeddedError::io("create directory", root))?;
        let mut slots = BTreeMap::new();
        let entries = std::fs::read_dir(root).map_err(EmbeddedError::io("read directory", root))?;
        for entry in entries {
            let entry = entry.map_err(EmbeddedError::io("read directory", root))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
            if is_valid_index_name(&name) && entry.path().join("meta.json").exists() {
                slots.insert(name.clone(), Slot::new(&name, entry.path()));
            }
        }
        Ok(IndexCatalog { root: root.to_owned(), slots: RwLock::new(slots) })
    }

    fn slot(&self, name: &str) -> Option<Arc<Slot>> {
        self.slots.read().unwrap_or_else(PoisonError::into_inner).get(name).cloned()
    }

    fn all(&self) -> Vec<Arc<Slot>> {
        self.slots.read().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }

    /// The names of the indices, sorted.
    pub fn names(&self) -> Vec<String> {
        self.slots.read().unwrap_or_else(PoisonError::into_inner).keys().cloned().collect()
    }

    /// The index `name`, opened now if it is not yet; `None` when there is no such index or it
    /// cannot be opened (which is logged).
    pub fn lookup(&self, name: &str) -> Option<Arc<MozdefIndex>> {
        match self.slot(name)?.index() {
            Ok(index) => index,
            Err(error) => {
                tracing::warn!(index = name, %error, "index cannot be opened; left out");
                None
            }
        }
    }

    /// The index `name`, created when there is none.
    pub fn get_or_create(&self, name: &str) -> Result<Arc<MozdefIndex>, EmbeddedError> {
        if let Some(index) = self.slot(name).map(|slot| slot.index()).transpose()?.flatten() {
            return Ok(index);
        }
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = slots.get(name).map(|slot| slot.index()).transpose()?.flatten() {
            return Ok(index);
        }
        let slot = Slot::new(name, self.root.join(name));
        let index = slot.index()?.ok_or_else(|| EmbeddedError::Index {
            index: name.to_owned(),
            source: tantivy::TantivyError::SystemError("a new index slot was removed while it was created".into()),
        })?;
        tracing::info!(index = name, "index created");
        slots.insert(name.to_owned(), slot);
        Ok(index)
    }

    /// The indices opened so far (the ones that may hold uncommitted writes).
    pub fn opened(&self) -> Vec<Arc<MozdefIndex>> {
        self.all().iter().filter_map(|slot| slot.opened()).collect()
    }

    /// How many indices are open.
    pub fn open_count(&self) -> usize {
        self.opened().len()
    }

    /// Deletes the index `name`: out of the catalog, its writer closed, its directory removed.
    /// `false` when there is no such index.
    pub fn remove(&self, name: &str) -> Result<bool, EmbeddedError> {
        let slot = self.slots.write().unwrap_or_else(PoisonError::into_inner).remove(name);
        match slot {
            Some(slot) => slot.remove().map(|()| true),
            None => Ok(false),
        }
    }

    /// The figures of every index, reading the directories (and the `meta.json` of the
    /// indices not open); opens none.
    pub fn figures(&self) -> Result<IndexFigures, EmbeddedError> {
        let mut figures = IndexFigures::default();
        for slot in self.all() {
            let (open, documents, bytes) = slot.figures()?;
            figures.count += 1;
            figures.open += usize::from(open);
            figures.documents += documents;
            figures.bytes += bytes;
        }
        Ok(figures)
    }
}
