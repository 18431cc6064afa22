//! What the language may ask of the world outside the configuration, through the caller.

use std::collections::HashMap;

/// Answers the functions that look outside the configuration (`env`, `file`). The binary
/// implements it over the real process and file system; tests use [`MemoryHost`]. It is `Sync`
/// because large configurations are evaluated on several threads.
pub trait Host: Sync {
    /// The value of an environment variable.
    fn env(&self, name: &str) -> Option<String>;
    /// The text of a file, with `path` relative to the configuration's folder.
    fn read_file(&self, path: &str) -> Result<String, String>;
}

/// A host with a fixed environment and file set.
#[derive(Clone, Debug, Default)]
pub struct MemoryHost {
    /// Environment variables.
    pub env: HashMap<String, String>,
    /// Files by path.
    pub files: HashMap<String, String>,
}

impl Host for MemoryHost {
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.files.get(path).cloned().ok_or_else(|| "no such file".to_string())
    }
}

/// Values given for `variable`s, as text: for `string` variables the text is the value; for
/// other types it is read as an `.iso` literal; for untyped ones, as a literal if it reads as
/// one, else as the text.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Variable name to raw value.
    pub vars: HashMap<String, String>,
}
