//! The language server of `.iso` files, run by `isopod lsp`: diagnostics as the user types (the
//! codes and messages of `isopod validate`, across every file of the folder), hover, completion,
//! go to definition, find references, document symbols and formatting.
//!
//! **Architecture invariant:** only [`workspace`] reads files and only [`server`] talks to the
//! client; the features are functions of an [`analysis::Analysis`], so they are tested without a
//! client. A configuration is one folder's `.iso` files, as for every other command.

pub mod analysis;
mod completion;
mod diagnostics;
mod hover;
mod index;
mod navigation;
pub mod position;
mod server;
pub mod workspace;

pub use server::{HostFor, Options, run, run_stdio};
