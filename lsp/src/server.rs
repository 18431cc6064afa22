//! The server loop: the protocol's messages in, the analyses' answers out.
//!
//! Edits arriving together are applied together and checked once: the configuration is checked
//! again only when no message is waiting, or before answering a request about it.

use crate::analysis::Analysis;
use crate::position::{Encoding, Positions};
use crate::workspace::Workspace;
use crate::{completion, diagnostics, hover, navigation};
use anyhow::{Context as _, Result};
use isopod_lang::{Host, Inputs};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CompletionOptions, InitializeParams, OneOf, Position, PublishDiagnosticsParams, Range, ServerCapabilities,
    ServerInfo, TextDocumentContentChangeEvent, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Url,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Makes the host through which `env()` and `file()` see the system, for a configuration folder.
pub type HostFor = Box<dyn Fn(&Path) -> Box<dyn Host>>;

/// What the server needs from the process that runs it.
pub struct Options {
    /// The values of variables, as `validate` takes them from `ISOPOD_VAR_*`.
    pub inputs: Inputs,
    /// The host through which `env()` and `file()` see the system, for a configuration folder.
    pub host: HostFor,
}

/// Serves one client on standard input and output until it exits.
pub fn run_stdio(options: Options) -> Result<()> {
    let (connection, threads) = Connection::stdio();
    run(&connection, options)?;
    drop(connection);
    threads.join().context("the client's connection failed")?;
    Ok(())
}

/// Serves one client on `connection` until it asks the server to exit.
pub fn run(connection: &Connection, options: Options) -> Result<()> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).context("invalid initialize parameters")?;
    let offered = params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref());
    let encoding = Encoding::negotiate(offered);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo { name: "isopod".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server {
        connection,
        options,
        encoding,
        workspace: Workspace::default(),
        analyses: HashMap::new(),
        dirty: BTreeSet::new(),
    };
    server.serve()
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

struct Server<'a> {
    connection: &'a Connection,
    options: Options,
    encoding: Encoding,
    workspace: Workspace,
    /// The last analysis of each configuration folder.
    analyses: HashMap<PathBuf, Analysis>,
    /// Folders whose texts changed since their last analysis.
    dirty: BTreeSet<PathBuf>,
}

impl Server<'_> {
    fn serve(&mut self) -> Result<()> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.respond(request);
                    self.connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) => self.notified(notification)?,
                Message::Response(_) => {}
            }
            if self.connection.receiver.is_empty() {
                self.refresh_dirty()?;
            }
        }
        Ok(())
    }

    /// Checks every folder whose texts changed, and publishes its diagnostics.
    fn refresh_dirty(&mut self) -> Result<()> {
        while let Some(dir) = self.dirty.pop_first() {
            self.analyse(&dir)?;
        }
        Ok(())
    }

    fn analyse(&mut self, dir: &Path) -> Result<()> {
        self.dirty.remove(dir);
        let folder = self.workspace.folder(dir);
        let host = (self.options.host)(dir);
        let previous = self.analyses.remove(dir);
        let before: Vec<PathBuf> = previous.as_ref().map(|p| p.paths.clone()).unwrap_or_default();
        let analysis = Analysis::new(folder, previous, &self.options.inputs, host.as_ref(), self.encoding);
        let mut published = diagnostics::by_file(&analysis);
        // A file that left the folder since the last analysis gets its diagnostics cleared.
        for path in before {
            published.entry(path).or_default();
        }
        for (path, diagnostics) in published {
            let Ok(uri) = Url::from_file_path(&path) else { continue };
            let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
            let note = Notification::new(notification::PublishDiagnostics::METHOD.into(), params);
            self.connection.sender.send(Message::Notification(note))?;
        }
        self.analyses.insert(dir.to_path_buf(), analysis);
        Ok(())
    }

    /// The analysis of the folder holding `uri`, checked again first if its texts changed.
    fn analysis_of(&mut self, uri: &Url) -> Option<(&Analysis, isopod_lang::FileId)> {
        let path = uri.to_file_path().ok()?;
        let dir = path.parent()?.to_path_buf();
        if self.dirty.contains(&dir) || !self.analyses.contains_key(&dir) {
            self.analyse(&dir).ok()?;
        }
        let analysis = self.analyses.get(&dir)?;
        let file = analysis.file_id(&path)?;
        Some((analysis, file))
    }

    fn notified(&mut self, notification: Notification) -> Result<()> {
        match notification.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(notification.params)?;
                self.edited(&params.text_document.uri, |workspace, path| {
                    workspace.open(path.to_path_buf(), params.text_document.text)
                });
            }
            notification::DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(notification.params)?;
                let encoding = self.encoding;
                self.edited(&params.text_document.uri, |workspace, path| {
                    params.content_changes.into_iter().for_each(|change| apply(workspace, path, change, encoding));
                });
            }
            notification::DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(notification.params)?;
                self.edited(&params.text_document.uri, |workspace, path| workspace.close(path));
            }
            notification::DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(notification.params)?;
                self.edited(&params.text_document.uri, |_, _| {});
            }
            notification::DidChangeWatchedFiles::METHOD => {
                let params: lsp_types::DidChangeWatchedFilesParams = serde_json::from_value(notification.params)?;
                for change in params.changes {
                    self.edited(&change.uri, |_, _| {});
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies an edit to the workspace and marks the file's folder for checking.
    fn edited(&mut self, uri: &Url, edit: impl FnOnce(&mut Workspace, &Path)) {
        let Ok(path) = uri.to_file_path() else { return };
        edit(&mut self.workspace, &path);
        if let Some(dir) = path.parent() {
            self.dirty.insert(dir.to_path_buf());
        }
    }

    fn respond(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match self.answer(request) {
            Ok(result) => Response::new_ok(id, result),
            Err(Failure::Unknown(method)) => {
                Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("`{method}` is not supported"))
            }
            Err(Failure::Invalid(err)) => Response::new_err(id, ErrorCode::InvalidParams as i32, err.to_string()),
        }
    }

    fn answer(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        let Request { method, params, .. } = request;
        let json = |value: Result<serde_json::Value, serde_json::Error>| value.map_err(Failure::Invalid);
        match method.as_str() {
            request::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = serde_json::from_value(params).map_err(Failure::Invalid)?;
                let at = &params.text_document_position_params;
                let found = self.at(&at.text_document.uri, at.position, hover::hover);
                json(serde_json::to_value(found.flatten()))
            }
            request::Completion::METHOD => {
                let params: lsp_types::CompletionParams = serde_json::from_value(params).map_err(Failure::Invalid)?;
                let at = &params.text_document_position;
                let items = self.at(&at.text_document.uri, at.position, |a, file, offset| {
                    completion::complete(a.text(file), offset, a.index())
                });
                json(serde_json::to_value(items.unwrap_or_default()))
            }
            request::GotoDefinition::METHOD => {
                let params: lsp_types::GotoDefinitionParams =
                    serde_json::from_value(params).map_err(Failure::Invalid)?;
                let at = &params.text_document_position_params;
                let found = self.at(&at.text_document.uri, at.position, navigation::definition);
                json(serde_json::to_value(found.flatten()))
            }
            request::References::METHOD => {
                let params: lsp_types::ReferenceParams = serde_json::from_value(params).map_err(Failure::Invalid)?;
                let at = &params.text_document_position;
                let with_declaration = params.context.include_declaration;
                let found = self.at(&at.text_document.uri, at.position, |a, file, offset| {
                    navigation::references(a, file, offset, with_declaration)
                });
                json(serde_json::to_value(found.unwrap_or_default()))
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams =
                    serde_json::from_value(params).map_err(Failure::Invalid)?;
                let symbols = self.analysis_of(&params.text_document.uri).map(|(a, file)| navigation::symbols(a, file));
                json(serde_json::to_value(symbols.unwrap_or_default()))
            }
            request::Formatting::METHOD => {
                let params: lsp_types::DocumentFormattingParams =
                    serde_json::from_value(params).map_err(Failure::Invalid)?;
                let edits = self.analysis_of(&params.text_document.uri).and_then(|(a, file)| formatting(a, file));
                json(serde_json::to_value(edits))
            }
            _ => Err(Failure::Unknown(method)),
        }
    }

    /// Runs `f` on the analysis of a document at a position.
    fn at<T>(
        &mut self,
        uri: &Url,
        position: Position,
        f: impl FnOnce(&Analysis, isopod_lang::FileId, usize) -> T,
    ) -> Option<T> {
        let (analysis, file) = self.analysis_of(uri)?;
        let offset = analysis.positions(file).offset(position);
        Some(f(analysis, file, offset))
    }
}

/// Why a request got no result.
enum Failure {
    /// The server does not implement the method.
    Unknown(String),
    /// The parameters do not parse.
    Invalid(serde_json::Error),
}

/// Applies one change of `didChange` to a document's text.
fn apply(workspace: &mut Workspace, path: &Path, change: TextDocumentContentChangeEvent, encoding: Encoding) {
    let range = change.range.zip(workspace.text(path)).map(|(range, text)| {
        let positions = Positions::new(text, encoding);
        let start = positions.offset(range.start);
        (start, positions.offset(range.end).max(start))
    });
    workspace.edit(path, range, &change.text);
}

/// The formatter's text as one edit over the whole file; none when it is formatted already, and
/// no answer for a file that does not parse (its diagnostics say why).
fn formatting(analysis: &Analysis, file: isopod_lang::FileId) -> Option<Vec<TextEdit>> {
    let text = analysis.text(file);
    let formatted = isopod_lang::fmt::format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = analysis.positions(file).position(text.len());
    Some(vec![TextEdit { range: Range { start: Position { line: 0, character: 0 }, end }, new_text: formatted }])
}
