//! The repository `isopod watch` follows: a local clone (libgit2) whose one branch is fetched,
//! and whose working tree is set to the revision being planned.

use anyhow::{Context as _, Result};
use git2::{Cred, CredentialType, FetchOptions, Oid, RemoteCallbacks, Repository, build::CheckoutBuilder};
use std::path::{Path, PathBuf};

/// A clone of one branch of a repository.
pub struct Mirror {
    repository: Repository,
    branch: String,
}

impl Mirror {
    /// Opens the clone in `dir`, or makes it (no fetch yet); its `origin` is `url`.
    pub fn open(dir: &Path, url: &str, branch: &str) -> Result<Mirror> {
        let repository = match Repository::open(dir) {
            Ok(repository) => repository,
            Err(_) => {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                Repository::init(dir).with_context(|| format!("cannot make a repository in {}", dir.display()))?
            }
        };
        let url = absolute_local(url);
        match repository.find_remote("origin") {
            Ok(remote) if remote.url() == Some(url.as_str()) => {}
            Ok(_) => repository.remote_set_url("origin", &url)?,
            Err(_) => {
                repository.remote("origin", &url)?;
            }
        }
        Ok(Mirror { repository, branch: branch.to_string() })
    }

    /// Fetches the branch; the commit it points at.
    pub fn fetch(&self) -> Result<Oid> {
        let mut remote = self.repository.find_remote("origin")?;
        let refspec = format!("+refs/heads/{0}:refs/remotes/origin/{0}", self.branch);
        let config = self.repository.config()?;
        let mut callbacks = RemoteCallbacks::new();
        let mut tried = CredentialType::empty();
        callbacks.credentials(move |url, username, allowed| {
            // Each kind once: libgit2 asks again while a kind is refused.
            let untried = allowed - tried;
            if untried.contains(CredentialType::SSH_KEY) {
                tried |= CredentialType::SSH_KEY;
                return Cred::ssh_key_from_agent(username.unwrap_or("git"));
            }
            if untried.contains(CredentialType::USER_PASS_PLAINTEXT) {
                tried |= CredentialType::USER_PASS_PLAINTEXT;
                return Cred::credential_helper(&config, url, username);
            }
            if untried.contains(CredentialType::DEFAULT) {
                tried |= CredentialType::DEFAULT;
                return Cred::default();
            }
            Err(git2::Error::from_str("no credentials accepted (ssh-agent, git's credential helpers)"))
        });
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks);
        // The URL may carry credentials: shown only without them, in libgit2's message too.
        let url = remote.url().unwrap_or("origin").to_string();
        let shown = super::fleet::shown(&url);
        remote.fetch(&[refspec.as_str()], Some(&mut options), None).map_err(|err| {
            anyhow::anyhow!("cannot fetch branch `{}` of {shown}: {}", self.branch, err.message().replace(&url, &shown))
        })?;
        let reference = format!("refs/remotes/origin/{}", self.branch);
        let commit = self
            .repository
            .find_reference(&reference)
            .and_then(|r| r.peel_to_commit())
            .with_context(|| format!("the repository has no branch `{}`", self.branch))?;
        Ok(commit.id())
    }

    /// Sets the working tree to `revision` (files it does not track are left alone).
    pub fn checkout(&self, revision: Oid) -> Result<()> {
        let commit = self.repository.find_commit(revision)?;
        self.repository
            .checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().force()))
            .with_context(|| format!("cannot check out {revision}"))?;
        self.repository.set_head_detached(revision)?;
        Ok(())
    }

    /// The id of the tree at `path` in `revision` (the root's for `.`), if it has one: two
    /// revisions with the same id have the same files there.
    pub fn tree_at(&self, revision: Oid, path: &Path) -> Option<Oid> {
        let tree = self.repository.find_commit(revision).ok()?.tree().ok()?;
        let inside: PathBuf = path.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
        if inside.as_os_str().is_empty() {
            return Some(tree.id());
        }
        tree.get_path(&inside).ok().map(|entry| entry.id())
    }

    /// The text of the `.iso` files directly in `path` at `revision` (what a configuration
    /// folder reads).
    pub fn iso_files_at(&self, revision: Oid, path: &Path) -> Vec<String> {
        let Some(id) = self.tree_at(revision, path) else { return Vec::new() };
        let Ok(tree) = self.repository.find_tree(id) else { return Vec::new() };
        tree.iter()
            .filter(|entry| entry.name().is_some_and(|name| name.ends_with(".iso")))
            .filter_map(|entry| self.repository.find_blob(entry.id()).ok())
            .map(|blob| String::from_utf8_lossy(blob.content()).into_owned())
            .collect()
    }

    /// The working tree.
    pub fn workdir(&self) -> PathBuf {
        self.repository.workdir().expect("the clone has a working tree").to_path_buf()
    }

    /// The first line of `revision`'s message.
    pub fn summary(&self, revision: Oid) -> String {
        self.repository
            .find_commit(revision)
            .ok()
            .and_then(|commit| commit.summary().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A local path made absolute (libgit2 resolves a relative one against the clone, not the
/// folder the watcher started in); URLs are left as they are.
fn absolute_local(url: &str) -> String {
    let path = Path::new(url);
    if url.contains("://") || url.contains('@') || !path.exists() {
        return url.to_string();
    }
    std::path::absolute(path).map(|p| p.display().to_string()).unwrap_or_else(|_| url.to_string())
}
