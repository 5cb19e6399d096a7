//! Streaming gunzip with a cap on the decompressed size, and the sorting of its I/O errors
//! into S3 read failures (retryable), oversized objects and corrupt gzip (permanent).

use std::fmt;
use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

use super::S3ObjectRef;
use crate::decode::DecodeError;

/// The decompressed bytes of `source`, a gzip stream (one or more members), failing with an
/// I/O error as soon as more than `limit` bytes come out: a gzip bomb is refused after
/// `limit` bytes, never expanded in full. Errors of `source` itself are marked so that
/// [`classify`] can tell them from decompression errors.
pub(crate) fn gunzip_capped<R: Read>(source: R, limit: u64) -> impl Read {
    Capped { inner: MultiGzDecoder::new(Marked(source)), produced: 0, limit }
}

/// The bytes of `source` as they are (an object stored without compression), under the same
/// cap and with the same marking of the source's errors as [`gunzip_capped`].
pub(crate) fn plain_capped<R: Read>(source: R, limit: u64) -> impl Read {
    Capped { inner: Marked(source), produced: 0, limit }
}

/// The [`DecodeError`] of an I/O error out of [`gunzip_capped`] while reading `object`.
pub(crate) fn classify(err: io::Error, object: &S3ObjectRef, limit: u64) -> DecodeError {
    let (bucket, key) = (object.bucket.clone(), object.key.clone());
    let kind = err.kind();
    let reason = match err.into_inner() {
        Some(inner) => match inner.downcast::<SourceError>() {
            Ok(source) => return DecodeError::ObjectRead { bucket, key, source: source.0 },
            Err(inner) if inner.is::<CapExceeded>() => return DecodeError::TooLarge { bucket, key, limit },
            Err(inner) => inner.to_string(),
        },
        None => kind.to_string(),
    };
    let reason = if kind == io::ErrorKind::UnexpectedEof { format!("truncated ({reason})") } else { reason };
    DecodeError::Gzip { bucket, key, reason }
}

/// An error of the object source, carried through the decompressor.
#[derive(Debug)]
struct SourceError(io::Error);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The object source, its errors wrapped in [`SourceError`].
struct Marked<R>(R);

impl<R: Read> Read for Marked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match e.kind() {
            // Retried by the readers above; not a failure.
            io::ErrorKind::Interrupted => e,
            kind => io::Error::new(kind, SourceError(e)),
        })
    }
}

/// The decompressed size went over the cap.
#[derive(Debug)]
struct CapExceeded;

impl fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decompressed size over the cap")
    }
}

impl std::error::Error for CapExceeded {}

/// A reader that fails once more than `limit` bytes have come out of `inner`.
struct Capped<R> {
    inner: R,
    produced: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Never ask for more than one byte past the cap: that byte proves the excess.
        let room = self.limit.saturating_sub(self.produced).saturating_add(1);
        let want = usize::try_from(room).map_or(buf.len(), |room| room.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        self.produced = self.produced.saturating_add(n as u64);
        if self.produced > self.limit {
            return Err(io::Error::other(CapExceeded));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn object() -> S3ObjectRef {
        S3ObjectRef { bucket: "trail".into(), key: "log.json.gz".into() }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        let _ = enc.write_all(data);
        enc.finish().unwrap_or_default()
    }

    fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
        let mut out = Vec::new();
        gunzip_capped(data, limit).read_to_end(&mut out).map_err(|e| classify(e, &object(), limit))?;
        Ok(out)
    }

    #[test]
    fn round_trips_within_the_cap() {
        let data = br#"{"Records": []}"#;
        assert_eq!(gunzip(&gzip(data), data.len() as u64).ok().as_deref(), Some(&data[..]));
        // Two members, as S3 concatenation can produce.
        let mut two = gzip(b"ab");
        two.extend(gzip(b"cd"));
        assert_eq!(gunzip(&two, 4).ok().as_deref(), Some(&b"abcd"[..]));
    }

    #[test]
    fn one_byte_over_the_cap_is_refused() {
        let err = gunzip(&gzip(b"12345"), 4).err();
        assert!(matches!(err, Some(DecodeError::TooLarge { limit: 4, .. })), "{err:?}");
        assert!(err.is_some_and(|e| e.is_permanent()));
    }

    #[test]
    fn truncated_and_corrupt_streams_are_gzip_errors() {
        let whole = gzip(&[b'x'; 10_000]);
        for cut in [1, 5, 10, whole.len() / 2, whole.len() - 4, whole.len() - 1] {
            let err = gunzip(&whole[..cut], u64::MAX).err();
            assert!(matches!(err, Some(DecodeError::Gzip { .. })), "cut at {cut}: {err:?}");
        }
        let err = gunzip(b"not gzip at all", u64::MAX).err();
        assert!(matches!(err, Some(DecodeError::Gzip { .. })), "{err:?}");
        let mut corrupt = whole.clone();
        corrupt[whole.len() / 2] ^= 0xff;
        let err = gunzip(&corrupt, u64::MAX).err();
        assert!(matches!(err, Some(DecodeError::Gzip { .. })), "{err:?}");
    }

    #[test]
    fn source_failures_are_retryable_reads() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer"))
            }
        }
        let mut out = Vec::new();
        let err = gunzip_capped(Failing, 10).read_to_end(&mut out).map_err(|e| classify(e, &object(), 10)).err();
        assert!(matches!(err, Some(DecodeError::ObjectRead { .. })), "{err:?}");
        assert!(err.is_some_and(|e| e.is_retryable() && e.to_string().contains("connection reset by peer")));
    }
}
