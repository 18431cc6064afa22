//! The secret store: pre-shared keys, encrypted, in `.isopod/secrets.json` beside the
//! configuration, or, with a shared state (`ISOPOD_STATE`), as the stack's document in its
//! database, sealed the same way: the key never goes there.
//!
//! Each value is sealed on its own with XChaCha20-Poly1305 under a 256-bit key kept apart from
//! the store, with the secret's name as associated data (a value cannot be moved to another
//! name). Names stay readable, so `plan` can tell which secrets are set without the key, and the
//! file can be committed: only the key must stay private. The key comes from
//! `ISOPOD_SECRET_KEY` (base64), else the file `ISOPOD_SECRET_KEY_FILE`, else
//! `$XDG_CONFIG_HOME/isopod/secret.key` (`~/.config/isopod/secret.key`), which is created, readable
//! by its owner only, the first time a secret is stored.

use crate::config;
use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use isopod_state::{Document, StackState};
use rand::TryRng as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The environment variable holding the key itself, base64-encoded.
const KEY_ENV: &str = "ISOPOD_SECRET_KEY";
/// The environment variable naming the key file.
const KEY_FILE_ENV: &str = "ISOPOD_SECRET_KEY_FILE";

/// The store as written on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoreFile {
    /// The file format's version.
    format: u32,
    /// Sealed values by name.
    secrets: BTreeMap<String, Sealed>,
}

/// One sealed value.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sealed {
    /// The 24-byte nonce, base64.
    nonce: String,
    /// Ciphertext and tag, base64.
    sealed: String,
}

/// Where a store is kept.
enum Place {
    /// A file of its own (the one committed with a configuration).
    File(PathBuf),
    /// The stack's state: a folder's `secrets.json`, or a database's document of the stack.
    State {
        /// The state.
        state: Arc<dyn StackState>,
        /// The stack, which names its documents in a shared state.
        stack: String,
        /// The version read (`None`: there was none): a shared state refuses a write over
        /// another run's.
        version: Option<u64>,
    },
}

/// The secret store of one configuration.
pub struct SecretStore {
    place: Place,
    file: StoreFile,
}

impl SecretStore {
    /// Opens the store of stack `stack`, configured at `config`, where its state is (empty when
    /// it does not exist yet).
    pub fn open(config: &Path, stack: &str) -> Result<SecretStore> {
        let state = crate::state::open(config)?;
        let read = state.read(stack, Document::Secrets)?;
        let origin = format!("the secret store of `{stack}` in {}", crate::state::location(config)?.redacted());
        let file = SecretStore::parse(read.as_ref().map(|read| read.text.as_str()), &origin)?;
        let version = read.map(|read| read.version);
        Ok(SecretStore { place: Place::State { state, stack: stack.to_string(), version }, file })
    }

    /// Opens the store in the file `path` (empty when it does not exist yet).
    pub fn open_file(path: PathBuf) -> Result<SecretStore> {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        let file = SecretStore::parse(text.as_deref(), &path.display().to_string())?;
        Ok(SecretStore { place: Place::File(path), file })
    }

    /// A store's text (`None`: there is none yet), read from `origin`.
    fn parse(text: Option<&str>, origin: &str) -> Result<StoreFile> {
        let file: StoreFile = match text {
            Some(text) => serde_json::from_str(text).with_context(|| format!("{origin} is not a secret store"))?,
            None => StoreFile { format: 1, ..StoreFile::default() },
        };
        if file.format != 1 {
            bail!("{origin} has format {}; this version of isopod reads format 1", file.format);
        }
        Ok(file)
    }

    /// Takes every secret of `other` (sealed as they are, under the same key): those of both
    /// stores get `other`'s value. The number taken that were missing or different.
    pub fn take_from(&mut self, other: &SecretStore) -> usize {
        let mut changed = 0;
        for (name, sealed) in &other.file.secrets {
            let same = self.file.secrets.get(name).is_some_and(|mine| mine.sealed == sealed.sealed);
            if !same {
                self.file.secrets.insert(name.clone(), sealed.clone());
                changed += 1;
            }
        }
        changed
    }

    /// The names of the secrets set.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.file.secrets.keys().map(String::as_str)
    }

    /// Whether `name` is set.
    pub fn contains(&self, name: &str) -> bool {
        self.file.secrets.contains_key(name)
    }

    /// Every value, decrypted with `key`; wiped from memory when dropped.
    pub fn reveal_all(&self, key: &SecretKey) -> Result<BTreeMap<String, Zeroizing<String>>> {
        let mut values = BTreeMap::new();
        for (name, sealed) in &self.file.secrets {
            values.insert(name.clone(), key.open(name, sealed)?);
        }
        Ok(values)
    }

    /// Sets `name` to `value`, sealed with `key`.
    pub fn set(&mut self, key: &SecretKey, name: &str, value: &str) -> Result<()> {
        self.file.secrets.insert(name.to_string(), key.seal(name, value)?);
        Ok(())
    }

    /// Removes `name`; whether it was set.
    pub fn remove(&mut self, name: &str) -> bool {
        self.file.secrets.remove(name).is_some()
    }

    /// Writes the store: a file atomically and readable by its owner only, or to the state.
    pub fn save(&mut self) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.file)?;
        match &mut self.place {
            Place::File(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                }
                config::write_private(path, &text)
            }
            Place::State { state, stack, version } => {
                *version = Some(state.write(stack, Document::Secrets, &text, *version)?);
                Ok(())
            }
        }
    }
}

/// The key that seals the store's values.
pub struct SecretKey {
    cipher: XChaCha20Poly1305,
    /// Where the key came from, for messages.
    origin: String,
}

impl SecretKey {
    /// The key from the environment or the key file; `create` makes the default key file when
    /// there is none.
    pub fn load(create: bool) -> Result<SecretKey> {
        if let Ok(text) = std::env::var(KEY_ENV) {
            return SecretKey::decode(text.trim(), KEY_ENV.to_string());
        }
        let path = match std::env::var_os(KEY_FILE_ENV) {
            Some(path) => PathBuf::from(path),
            None => default_key_file()?,
        };
        let origin = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretKey::decode(Zeroizing::new(text).trim(), origin),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && create => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                rand::rngs::SysRng.try_fill_bytes(bytes.as_mut()).context("the system's random generator failed")?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                }
                let encoded = Zeroizing::new(format!("{}\n", BASE64.encode(bytes.as_ref())));
                if !config::create_private(&path, &encoded)? {
                    // Another process created it first: use theirs, never replace a key.
                    let text = Zeroizing::new(
                        std::fs::read_to_string(&path).with_context(|| format!("cannot read {origin}"))?,
                    );
                    return SecretKey::decode(text.trim(), origin);
                }
                eprintln!("created the secret key {origin}: keep it safe, the secret store cannot be read without it");
                SecretKey::decode(encoded.trim(), origin)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(anyhow!("no secret key: set {KEY_ENV} or create {origin} (`isopod secret set` does)"))
            }
            Err(err) => Err(err).with_context(|| format!("cannot read the secret key {origin}")),
        }
    }

    fn decode(text: &str, origin: String) -> Result<SecretKey> {
        let bytes =
            Zeroizing::new(BASE64.decode(text).map_err(|_| anyhow!("the secret key in {origin} is not base64"))?);
        if bytes.len() != 32 {
            bail!("the secret key in {origin} must be 32 bytes, base64-encoded (it has {})", bytes.len());
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| anyhow!("invalid secret key"))?;
        Ok(SecretKey { cipher, origin })
    }

    fn seal(&self, name: &str, value: &str) -> Result<Sealed> {
        let mut nonce = [0u8; 24];
        rand::rngs::SysRng.try_fill_bytes(&mut nonce).context("the system's random generator failed")?;
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: value.as_bytes(), aad: name.as_bytes() })
            .map_err(|_| anyhow!("cannot encrypt secret `{name}`"))?;
        Ok(Sealed { nonce: BASE64.encode(nonce), sealed: BASE64.encode(sealed) })
    }

    fn open(&self, name: &str, sealed: &Sealed) -> Result<Zeroizing<String>> {
        let refused = || {
            anyhow!(
                "secret `{name}` cannot be decrypted with the key from {}: the store was sealed with another key, or altered",
                self.origin
            )
        };
        let nonce = BASE64.decode(&sealed.nonce).ok().filter(|n| n.len() == 24).ok_or_else(refused)?;
        let ciphertext = BASE64.decode(&sealed.sealed).map_err(|_| refused())?;
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: name.as_bytes() })
            .map_err(|_| refused())?;
        String::from_utf8(plain).map(Zeroizing::new).map_err(|_| refused())
    }
}

/// `$XDG_CONFIG_HOME/isopod/secret.key`, else `~/.config/isopod/secret.key`.
fn default_key_file() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home =
                std::env::var_os("HOME").ok_or_else(|| anyhow!("neither {KEY_ENV}, {KEY_FILE_ENV} nor HOME is set"))?;
            PathBuf::from(home).join(".config")
        }
    };
    Ok(base.join("isopod").join("secret.key"))
}
