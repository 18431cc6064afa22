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
    for key in keys.into_iter().filter(|key| !key.ends_with('/')) {
        // A key is a relative path: no `..` may climb out of the folder.
        let relative: PathBuf = key.split('/').filter(|part| !part.is_empty() && *part != "..").collect();
        let path = into.join(relative);
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
