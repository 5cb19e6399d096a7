//! Where CloudTrail log objects are read from: the [`ObjectSource`] trait and its local
//! directory implementation. The S3 implementation lives with the AWS clients (outside the
//! domain crates), not here.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::decode::DecodeError;

/// A store of objects addressed by bucket and key (S3, or a local mirror of it).
///
/// The trait is synchronous: decompression and JSON streaming read from a blocking
/// [`Read`]. An async client (aws-sdk-s3) implements it by bridging its body stream, e.g.
/// `tokio_util::io::SyncIoBridge` over `ByteStream::into_async_read()`, and the caller runs
/// the decode in `spawn_blocking`.
pub trait ObjectSource: Send + Sync {
    /// Opens `bucket`/`key` for reading from its first byte.
    ///
    /// # Errors
    ///
    /// [`DecodeError::ObjectNotFound`] when there is no such object,
    /// [`DecodeError::InvalidObjectKey`] for a key the source refuses, and
    /// [`DecodeError::ObjectRead`] (retryable) when the store cannot be reached or read. I/O
    /// errors of the returned reader are treated as retryable read failures too.
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError>;
}

impl<T: ObjectSource + ?Sized> ObjectSource for &T {
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        (**self).open(bucket, key)
    }
}

impl<T: ObjectSource + ?Sized> ObjectSource for Arc<T> {
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        (**self).open(bucket, key)
    }
}

impl<T: ObjectSource + ?Sized> ObjectSource for Box<T> {
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        (**self).open(bucket, key)
    }
}

/// Objects as files of a local directory: `<root>/<bucket>/<key>` (the key's `/` are
/// directory separators). Used by local mode and tests.
///
/// A bucket or key that could leave `root` (`..` or `.` components, an absolute key, `\`,
/// NUL) is refused with [`DecodeError::InvalidObjectKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalObjects {
    root: PathBuf,
}

impl LocalObjects {
    /// Objects under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalObjects { root: root.into() }
    }

    /// The directory holding one sub-directory per bucket.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of `bucket`/`key`.
    ///
    /// # Errors
    ///
    /// [`DecodeError::InvalidObjectKey`] for a bucket or key that could leave the root.
    pub fn path_of(&self, bucket: &str, key: &str) -> Result<PathBuf, DecodeError> {
        let refuse = |reason| DecodeError::InvalidObjectKey { bucket: bucket.to_owned(), key: key.to_owned(), reason };
        if bucket.is_empty() || bucket.contains(['/', '\\', '\0']) || bucket == "." || bucket == ".." {
            return Err(refuse("the bucket name is not a single path component"));
        }
        if key.is_empty() || key.starts_with('/') || key.contains(['\\', '\0']) {
            return Err(refuse("the key is empty, absolute or has a backslash or NUL"));
        }
        let mut path = self.root.join(bucket);
        for part in key.split('/').filter(|p| !p.is_empty()) {
            match Path::new(part).components().next() {
                Some(Component::Normal(_)) => path.push(part),
                _ => return Err(refuse("the key has a `.` or `..` component")),
            }
        }
        Ok(path)
    }
}

impl ObjectSource for LocalObjects {
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        let path = self.path_of(bucket, key)?;
        let not_found = || DecodeError::ObjectNotFound { bucket: bucket.to_owned(), key: key.to_owned() };
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(source) => {
                return Err(DecodeError::ObjectRead { bucket: bucket.to_owned(), key: key.to_owned(), source });
            }
        };
        match file.metadata() {
            Ok(meta) if meta.is_file() => Ok(Box::new(file)),
            Ok(_) => Err(not_found()),
            Err(source) => Err(DecodeError::ObjectRead { bucket: bucket.to_owned(), key: key.to_owned(), source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_root() {
        let local = LocalObjects::new("/data");
        assert_eq!(
            local.path_of("trail", "AWSLogs/1/CloudTrail/a b.json.gz").ok(),
            Some(PathBuf::from("/data/trail/AWSLogs/1/CloudTrail/a b.json.gz"))
        );
        assert_eq!(local.path_of("trail", "a//b").ok(), Some(PathBuf::from("/data/trail/a/b")));
        for (bucket, key) in [
            ("trail", "../x"),
            ("trail", "a/../../x"),
            ("trail", "/etc/passwd"),
            ("..", "x"),
            ("a/b", "x"),
            ("t", "./x"),
        ] {
            let err = local.path_of(bucket, key).err();
            assert!(matches!(err, Some(DecodeError::InvalidObjectKey { .. })), "{bucket} {key}: {err:?}");
        }
    }

    #[test]
    fn missing_objects_and_directories_are_not_found() {
        let dir = std::env::temp_dir();
        let local = LocalObjects::new(dir.parent().unwrap_or(&dir));
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("tmp");
        assert!(matches!(local.open(name, "no-such-object-here.json.gz"), Err(DecodeError::ObjectNotFound { .. })));
        let local = LocalObjects::new("/");
        assert!(matches!(local.open("tmp", "."), Err(DecodeError::InvalidObjectKey { .. })));
    }
}
