//! Flow logs read back from the S3 bucket they are delivered to: every object under a prefix,
//! copied to a local folder a chunk at a time (never a whole object in memory), for
//! `isopod flows` and `isopod cost` to read as files.

use super::errors::classify;
use isopod_provider::{ErrorKind, ProviderError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Copies the objects of `bucket` under `prefix` into `into`, each at its key.
pub(super) async fn download(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    into: &Path,
) -> Result<Vec<PathBuf>, ProviderError> {
    let local = |err: std::io::Error| {
        ProviderError::new(ErrorKind::Invalid, format!("writing under {}: {err}", into.display()))
    };
    let mut keys = Vec::new();
    let mut pages = s3.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(classify)?;
        keys.extend(page.contents().iter().filter_map(|object| object.key()).map(str::to_string));
    }
    let mut written = Vec::new();
    // Keys ending in `/` are the console's folders, not objects.
    for key in keys.into_iter().filter(|key| !key.ends_with('/')) {
        let path = local_path(into, bucket, &key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(local)?;
        }
        let object = s3.get_object().bucket(bucket).key(&key).send().await.map_err(classify)?;
        let mut body = object.body;
        let mut file = std::fs::File::create(&path).map_err(local)?;
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|err| ProviderError::new(ErrorKind::Transient, format!("reading s3://{bucket}/{key}: {err}")))?
        {
            file.write_all(&chunk).map_err(local)?;
        }
        written.push(path);
    }
    Ok(written)
}

/// Where the object `key` is copied under `into`: only a key whose every part is a plain name,
/// so that nothing climbs out of the folder or lands on another key's file.
fn local_path(into: &Path, bucket: &str, key: &str) -> Result<PathBuf, ProviderError> {
    let plain = |part: &str| !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', ':']);
    if !key.split('/').all(plain) {
        let message = format!("s3://{bucket}/{key}: a key with an empty, `.` or `..` part, `\\` or `:` is not copied");
        return Err(ProviderError::new(ErrorKind::Invalid, message));
    }
    Ok(into.join(key.split('/').collect::<PathBuf>()))
}

#[cfg(test)]
mod tests {
    use super::local_path;
    use std::path::Path;

    #[test]
    fn only_keys_of_plain_names_are_copied_under_the_folder() {
        let into = Path::new("/tmp/flows");
        let key = "AWSLogs/1/vpcflowlogs/us-east-1/2026/09/21/f.log.gz";
        assert_eq!(local_path(into, "b", key).unwrap(), into.join(key));
        for key in ["a/../../etc/passwd", "a//b", "./a", "a\\..\\b", "C:x", ""] {
            assert!(local_path(into, "b", key).is_err(), "{key}");
        }
    }
}
