//! `isopod secret`: set, list and remove the secrets of the encrypted store.

use super::Status;
use crate::cli::{SecretCommand, SecretNameArgs};
use crate::output;
use crate::secret_store::{SecretKey, SecretStore};
use anyhow::{Context as _, Result, bail};
use isopod_planner::secrets::is_generated;
use std::io::{IsTerminal as _, Read as _};
use zeroize::Zeroizing;

/// Runs `isopod secret ...`.
pub fn run(command: SecretCommand) -> Result<Status> {
    match command {
        SecretCommand::Set(args) => set(args),
        SecretCommand::List(args) => {
            crate::state::select(args.state.as_deref());
            let Some(stack) = stack_of(&args.dir)? else { return Ok(Status::Failure) };
            let store = SecretStore::open(&args.dir, &stack)?;
            for name in store.names() {
                let origin = if is_generated(name) { "generated" } else { "set" };
                output::line(&format!("{name}\t{origin}"))?;
            }
            Ok(Status::Success)
        }
        SecretCommand::Rm(args) => {
            crate::state::select(args.store.state.as_deref());
            let Some(stack) = stack_of(&args.store.dir)? else { return Ok(Status::Failure) };
            let mut store = SecretStore::open(&args.store.dir, &stack)?;
            if !store.remove(&args.name) {
                eprintln!("error: secret `{}` is not set", args.name);
                return Ok(Status::Failure);
            }
            store.save()?;
            eprintln!("removed secret `{}`", args.name);
            Ok(Status::Success)
        }
    }
}

fn set(args: SecretNameArgs) -> Result<Status> {
    if args.name.is_empty() || args.name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        eprintln!("error: a secret's name must be non-empty, without spaces or control characters");
        return Ok(Status::Failure);
    }
    let value = read_value(&args.name)?;
    if value.is_empty() {
        eprintln!("error: the value is empty; nothing was stored");
        return Ok(Status::Failure);
    }
    crate::state::select(args.store.state.as_deref());
    let Some(stack) = stack_of(&args.store.dir)? else { return Ok(Status::Failure) };
    let mut store = SecretStore::open(&args.store.dir, &stack)?;
    let key = SecretKey::load(true)?;
    store.set(&key, &args.name, &value)?;
    store.save()?;
    eprintln!("stored secret `{}`", args.name);
    Ok(Status::Success)
}

/// The stack whose store to use: in a shared state, stores are kept by the stack's name, which
/// the configuration at `dir` gives (its diagnostics are shown when it cannot be read; `None`);
/// a folder holds one stack's store, so no configuration is needed.
fn stack_of(dir: &std::path::Path) -> Result<Option<String>> {
    if !crate::state::is_shared(dir)? {
        return Ok(Some(String::new()));
    }
    let config = crate::cli::ConfigArgs { dir: dir.to_path_buf(), vars: Vec::new() };
    Ok(crate::config::load(&config).map(|(_, topology)| topology.stack.name.value))
}

/// The value: typed at a prompt without echo on a terminal, else all of standard input, without
/// its final line break.
fn read_value(name: &str) -> Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        let value = rpassword::prompt_password(format!("value of secret `{name}`: "))
            .context("cannot read the value from the terminal")?;
        return Ok(Zeroizing::new(value));
    }
    let mut value = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut value).context("cannot read the value from standard input")?;
    let trimmed = value.trim_end_matches(['\n', '\r']).len();
    value.truncate(trimmed);
    if value.len() > 4096 {
        bail!("the value is longer than 4096 bytes; a pre-shared key is at most 128 characters");
    }
    Ok(value)
}
