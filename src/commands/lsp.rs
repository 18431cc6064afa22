//! `isopod lsp`: the language server on standard input and output, seeing variables and the
//! system as `validate` does.

use super::Status;
use crate::cli::LspArgs;
use crate::config;
use isopod_lang::Host;

/// Runs `isopod lsp` until the editor asks it to exit.
pub fn run(_: LspArgs) -> anyhow::Result<Status> {
    let options = isopod_lsp::Options {
        inputs: config::inputs(&[]),
        host: Box::new(|dir| Box::new(config::SystemHost::for_config(dir)) as Box<dyn Host>),
    };
    isopod_lsp::run_stdio(options)?;
    Ok(Status::Success)
}
