//! One module per subcommand: arguments in, library call, view out.

mod apply;
mod comment;
mod cost;
mod discover;
mod flows;
mod fmt;
mod graph;
mod lsp;
mod plan;
mod secret;
mod status;
mod validate;
mod watch;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, PartialEq)]
pub enum Status {
    /// It did what was asked.
    Success,
    /// The input was invalid or a check failed; the command said why.
    Failure,
    /// The plan has changes (only with `--detailed-exitcode`).
    Changes,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failure => ExitCode::FAILURE,
            Status::Changes => ExitCode::from(2),
        }
    }
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Discover(args) => discover::run(args),
        Command::Status(args) => status::run(args),
        Command::Comment(args) => comment::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Destroy(args) => apply::destroy(args),
        Command::Graph(args) => graph::run(args),
        Command::Secret(command) => secret::run(command),
        Command::Lsp(args) => lsp::run(args),
        Command::Flows(args) => flows::run(args),
        Command::Cost(args) => cost::run(args),
    }
}
