//! Loading a configuration from disk: the folder's `.iso` files, variables from the command line
//! and the environment, and the [`Host`] through which `env()` and `file()` see the system.

use crate::cli::ConfigArgs;
use crate::diagnostics;
use anyhow::{Context as _, Result, bail};
use isopod_lang::{Host, Inputs, SourceMap, Topology};
use std::path::{Path, PathBuf};

/// Reads, evaluates and checks the configuration; reports every problem on stderr. `None` when
/// the configuration cannot be used.
pub fn load(args: &ConfigArgs) -> Option<(SourceMap, Topology)> {
    let checked = check(args, diagnostics::stderr_colored());
    eprint!("{}", checked.report);
    checked.topology
}

/// A configuration, checked.
pub struct Checked {
    /// The sources and the checked topology; `None` when the configuration cannot be used.
    pub topology: Option<(SourceMap, Topology)>,
    /// Every problem found (errors and warnings), rendered for people; empty when there are none.
    pub report: String,
}

/// Reads, evaluates and checks the configuration, rendering its problems (in colour when
/// `color`) instead of printing them: for the commands that report elsewhere (a pull-request
/// comment, the watcher's log).
pub fn check(args: &ConfigArgs, color: bool) -> Checked {
    use std::fmt::Write as _;
    let sources = match read_sources(&args.dir) {
        Ok(sources) => sources,
        Err(err) => return Checked { topology: None, report: format!("error: {err:#}\n") },
    };
    let host = SystemHost::for_config(&args.dir);
    let checked = isopod_lang::load(&sources, &inputs(&args.vars), &host);
    let mut report = diagnostics::render_all(&checked.diagnostics, &sources, color);
    let mut misspelt = false;
    for (name, _) in &args.vars {
        if checked.undeclared_inputs.contains(name) {
            let _ = writeln!(report, "error: `--var {name}=...`: the configuration declares no variable `{name}`");
            if let Some(help) = isopod_lang::suggest::did_you_mean(name, checked.variables.iter().map(String::as_str)) {
                let _ = writeln!(report, "help: {help}");
            }
            misspelt = true;
        }
    }
    let topology = checked.topology.filter(|_| !misspelt).map(|topology| (sources, topology));
    Checked { topology, report }
}

/// Reads the `.iso` files of `path` (a folder, or one file), sorted by name.
pub fn read_sources(path: &Path) -> Result<SourceMap> {
    let files = if path.is_dir() {
        let files = iso_files(path, false)?;
        if files.is_empty() {
            bail!("no .iso files in {}", path.display());
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut sources = SourceMap::new();
    for file in files {
        // Bytes that are not UTF-8 are a diagnostic of the language, with their position.
        let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        sources.add_bytes(file.display().to_string(), &bytes);
    }
    Ok(sources)
}

/// The `.iso` files in `dir`, sorted, optionally with those of its subfolders (hidden folders and
/// symbolic links to folders are not entered, so a link cannot make a loop).
pub fn iso_files(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if path.is_dir() {
            let hidden = path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.'));
            let linked = entry.file_type().is_ok_and(|kind| kind.is_symlink());
            if recursive && !hidden && !linked {
                files.extend(iso_files(&path, true)?);
            }
        } else if path.extension().is_some_and(|ext| ext == "iso") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Replaces `file` through a temporary file beside it, synced before the rename, so that a crash
/// never leaves it half written. An existing file keeps its permissions.
pub fn write_atomically(file: &Path, text: &str) -> Result<()> {
    let permissions = std::fs::metadata(file).ok().map(|m| m.permissions());
    replace(file, text, permissions)
}

/// Like [`write_atomically`], for a file only its owner may read (secrets and their key).
pub fn write_private(file: &Path, text: &str) -> Result<()> {
    replace(file, text, private_permissions())
}

/// Creates `file`, readable by its owner only, unless it exists: whether it was created. A file
/// created at the same moment by another process is never replaced.
pub fn create_private(file: &Path, text: &str) -> Result<bool> {
    let temp = staged(file, text, private_permissions())?;
    match temp.persist_noclobber(file) {
        Ok(_) => Ok(true),
        Err(err) if err.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(err.error).with_context(|| format!("cannot create {}", file.display())),
    }
}

fn private_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    return Some(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    #[cfg(not(unix))]
    None
}

fn replace(file: &Path, text: &str, permissions: Option<std::fs::Permissions>) -> Result<()> {
    staged(file, text, permissions)?.persist(file).with_context(|| format!("cannot replace {}", file.display()))?;
    Ok(())
}

/// `text` in a synced temporary file beside `file`, with `permissions`.
fn staged(file: &Path, text: &str, permissions: Option<std::fs::Permissions>) -> Result<tempfile::NamedTempFile> {
    use std::io::Write as _;
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".isopod-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    if let Some(permissions) = permissions {
        temp.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("cannot set permissions in {}", dir.display()))?;
    }
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(temp)
}

/// The environment variable that puts the state folder elsewhere (`isopod watch` sets it for
/// the plans and applies it runs, so that the state outlives each revision's checkout).
pub const STATE_DIR_ENV: &str = "ISOPOD_STATE_DIR";

/// Where Isopod keeps what it cannot discover for a configuration (the simulator's state, the
/// apply journal and lock, the record of regions used, encrypted secrets): `.isopod/` beside the
/// `.iso` files, or `ISOPOD_STATE_DIR`.
pub fn state_dir(path: &Path) -> PathBuf {
    match std::env::var_os(STATE_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => config_dir(path).join(".isopod"),
    }
}

/// The folder of the configuration at `path` (a folder, or one file in it).
pub fn config_dir(path: &Path) -> &Path {
    if path.is_dir() { path } else { path.parent().unwrap_or(Path::new(".")) }
}

/// Variable values: `ISOPOD_VAR_NAME` from the environment, overridden by `--var`.
pub fn inputs(vars: &[(String, String)]) -> Inputs {
    let mut inputs = Inputs::default();
    for (key, value) in std::env::vars() {
        if let Some(name) = key.strip_prefix("ISOPOD_VAR_") {
            inputs.vars.insert(name.to_string(), value);
        }
    }
    for (name, value) in vars {
        inputs.vars.insert(name.clone(), value.clone());
    }
    inputs
}

/// The process environment and the files beside the configuration.
pub struct SystemHost {
    /// The configuration's folder: `file()` paths are relative to it.
    pub base: PathBuf,
}

impl SystemHost {
    /// The host for a configuration at `path` (a folder or a file).
    pub fn for_config(path: &Path) -> Self {
        SystemHost { base: config_dir(path).to_path_buf() }
    }
}

impl Host for SystemHost {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(self.base.join(path)).map_err(|err| err.to_string())
    }
}
