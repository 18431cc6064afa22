//! The `isopod` command: declarative cloud networking.
//!
//! Each subcommand lives in its own module under `commands/`: it turns its arguments into a call
//! of the library crates and renders the result. Exit codes: 0 success, 1 invalid configuration
//! or failed check, 2 changes planned (`plan --detailed-exitcode`), 64 usage error, 255 internal
//! error.

mod cli;
mod commands;
mod config;
mod diagnostics;
mod discovered;
mod github;
mod output;
mod progress;
mod scopes;
mod secret_store;
mod stack;
mod state;
mod watch;

use clap::Parser as _;
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: a plan of a large estate makes and frees
/// millions of small values, and the no-op plan of the 200-network bench takes about a fifth
/// less time with it (BENCHMARKS.md, planning at scale).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(64),
            };
        }
    };
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            // A state that cannot be used (a database down, a wrong URL) is the user's to fix,
            // not an internal error.
            let state = err.chain().any(|cause| cause.is::<isopod_state::StateError>());
            ExitCode::from(if state { 1 } else { 255 })
        }
    }
}
