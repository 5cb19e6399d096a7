//! [`S3Objects`]: the CloudTrail decoder's [`ObjectSource`] on aws-sdk-s3. The object's body
//! is streamed — bridged from the SDK's async byte stream to a blocking [`Read`] — so an
//! object of any size passes through the decoder's capped gunzip without being held whole.

use std::io::Read;

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_object::GetObjectError;
use mozdef_pipeline::decode::{DecodeError, ObjectSource};
use tokio::runtime::Handle;
use tokio_util::io::SyncIoBridge;

/// S3 objects through the SDK. `open` blocks on the runtime behind `handle`, so call the
/// decoder from a blocking context (`tokio::task::spawn_blocking`), never from async code.
#[derive(Debug, Clone)]
pub struct S3Objects {
    client: Client,
    handle: Handle,
}

impl S3Objects {
    /// Objects read with `client`, on the runtime of `handle`.
    pub fn new(client: Client, handle: Handle) -> Self {
        S3Objects { client, handle }
    }
}

impl ObjectSource for S3Objects {
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, DecodeError> {
        let request = self.client.get_object().bucket(bucket).key(key).send();
        match self.handle.block_on(request) {
            Ok(output) => {
                let body = output.body.into_async_read();
                Ok(Box::new(SyncIoBridge::new_with_handle(body, self.handle.clone())))
            }
            Err(e) => {
                let not_found = e.as_service_error().is_some_and(GetObjectError::is_no_such_key);
                if not_found {
                    Err(DecodeError::ObjectNotFound { bucket: bucket.to_owned(), key: key.to_owned() })
                } else {
                    let source = std::io::Error::other(aws_sdk_s3::error::DisplayErrorContext(e).to_string());
                    Err(DecodeError::ObjectRead { bucket: bucket.to_owned(), key: key.to_owned(), source })
                }
            }
        }
    }
}
