//! The first check: every block and attribute against the schema, and the table of declared
//! names that references resolve against.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::{self, BlockSchema, Synonym};
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, Block, Body, Item};
use std::collections::HashMap;

/// One declared top-level object (a block, or a `locals` attribute).
#[derive(Debug)]
pub(crate) struct Decl<'a> {
    /// The namespace references use: `network`, `cloud.aws`, `var`, `local`, `stack`...
    pub namespace: String,
    /// The name within the namespace.
    pub name: String,
    /// The block; for a local, its `locals` block.
    pub block: &'a Block,
    /// The block's schema.
    pub schema: &'static BlockSchema,
    /// For a local, the attribute.
    pub local: Option<&'a ast::Attribute>,
}

impl Decl<'_> {
    /// How a reference to this declaration is written, e.g. `network.app`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }

    /// Where the declaration's name is written.
    pub fn name_span(&self) -> Span {
        match self.local {
            Some(attr) => attr.name.span,
            None => self.block.labels.last().map_or(self.block.kind.span, |label| label.span),
        }
    }
}

/// The declarations of a configuration.
#[derive(Debug, Default)]
pub(crate) struct Decls<'a> {
    pub list: Vec<Decl<'a>>,
    /// Namespace, then name, to index: two levels so that lookups need no allocation.
    by_name: HashMap<String, HashMap<String, u32>>,
}

impl<'a> Decls<'a> {
    /// The declaration `namespace.name`.
    pub fn find(&self, namespace: &str, name: &str) -> Option<u32> {
        self.by_name.get(namespace)?.get(name).copied()
    }

    /// The names declared in a namespace, for suggestions.
    pub fn names_in<'s>(&'s self, namespace: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.list.iter().filter(move |decl| decl.namespace == namespace).map(|decl| decl.name.as_str())
    }

    /// The declaration with this index.
    pub fn get(&self, idx: u32) -> &Decl<'a> {
        &self.list[idx as usize]
    }

    fn add(&mut self, decl: Decl<'a>, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(first) = self.find(&decl.namespace, &decl.name) {
            let first = &self.list[first as usize];
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    decl.name_span(),
                    format!("`{}` is defined again here", decl.address()),
                )
                .with_label(first.name_span(), "first defined here"),
            );
            return;
        }
        let index = self.list.len() as u32;
        self.by_name.entry(decl.namespace.clone()).or_default().insert(decl.name.clone(), index);
        self.list.push(decl);
    }
}

/// Checks the structure of all files and collects their declarations.
pub(crate) fn check<'a>(files: &'a [ast::File], diagnostics: &mut Vec<Diagnostic>) -> Decls<'a> {
    let mut decls = Decls::default();
    let mut stack: Option<&Block> = None;
    for file in files {
        for item in &file.body.items {
            let block = match item {
                Item::Block(block) => block,
                Item::Attribute(attr) => {
                    diagnostics.push(
                        Diagnostic::error(Code::AttributeOrBlock, attr.name.span, "attributes belong inside a block")
                            .with_help(
                                "top-level items are blocks such as `network \"NAME\" { ... }` or `locals { ... }`",
                            ),
                    );
                    continue;
                }
            };
            let Some(schema) = top_level_schema(block, diagnostics) else { continue };
            if !check_labels(block, schema, diagnostics) {
                check_body(&block.body, schema, block, diagnostics);
                continue;
            }
            check_body(&block.body, schema, block, diagnostics);
            declare(block, schema, &mut decls, &mut stack, diagnostics);
        }
    }
    if stack.is_none() {
        let span = files.first().map_or(Span::new(crate::FileId(0), 0, 0), |file| Span::new(file.id, 0, 0));
        diagnostics.push(
            Diagnostic::error(Code::MissingStack, span, "no file of the configuration has a `stack` block")
                .with_help("add `stack \"NAME\" {}`: the stack's name owns the resources Isopod creates"),
        );
    }
    decls
}

fn declare<'a>(
    block: &'a Block,
    schema: &'static BlockSchema,
    decls: &mut Decls<'a>,
    stack: &mut Option<&'a Block>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let label = |idx: usize| block.labels[idx].text.clone();
    let (namespace, name) = match block.kind.text.as_str() {
        "locals" => {
            for attr in block.body.attributes() {
                let decl =
                    Decl { namespace: "local".into(), name: attr.name.text.clone(), block, schema, local: Some(attr) };
                decls.add(decl, diagnostics);
            }
            return;
        }
        "stack" => {
            if let Some(first) = stack {
                diagnostics.push(
                    Diagnostic::error(Code::DuplicateName, block.labels[0].span, "a configuration has one stack")
                        .with_label(first.labels[0].span, "the stack is already defined here"),
                );
                return;
            }
            *stack = Some(block);
            ("stack".into(), label(0))
        }
        "variable" => ("var".into(), label(0)),
        "cloud" => (format!("cloud.{}", label(0)), label(1)),
        kind => (kind.to_string(), label(0)),
    };
    decls.add(Decl { namespace, name, block, schema, local: None }, diagnostics);
}

fn top_level_schema(block: &Block, diagnostics: &mut Vec<Diagnostic>) -> Option<&'static BlockSchema> {
    let kind = block.kind.text.as_str();
    if kind == "cloud" {
        let Some(first) = block.labels.first() else {
            diagnostics.push(
                Diagnostic::error(Code::WrongLabelCount, block.kind.span, "expected the cloud's kind and name")
                    .with_help("write `cloud \"aws\" \"NAME\" { ... }`"),
            );
            return None;
        };
        let schema = schema::top_level(kind, Some(&first.text));
        if schema.is_none() {
            let kinds = schema::CLOUD_KINDS.iter().map(|(name, _)| *name);
            let help = schema::synonym(schema::CLOUD_KIND_SYNONYMS, &first.text)
                .map(Synonym::hint)
                .or_else(|| did_you_mean(&first.text, kinds.clone()))
                .unwrap_or_else(|| format!("the kinds are {}", backticked(kinds)));
            diagnostics.push(
                Diagnostic::error(Code::UnknownCloudKind, first.span, format!("`{}` is not a cloud kind", first.text))
                    .with_help(help),
            );
        }
        return schema;
    }
    let schema = schema::top_level(kind, None);
    if schema.is_none() {
        let kinds = schema::top_level_kinds();
        let help = schema::synonym(schema::TOP_LEVEL_SYNONYMS, kind)
            .map(Synonym::hint)
            .or_else(|| did_you_mean(kind, kinds.iter().copied()))
            .unwrap_or_else(|| format!("top-level blocks are {}", backticked(kinds.iter().copied())));
        diagnostics.push(
            Diagnostic::error(Code::UnknownBlock, block.kind.span, format!("`{kind}` is not a block type"))
                .with_help(help),
        );
    }
    schema
}

/// Checks the number and form of labels; false when the block cannot be declared.
fn check_labels(block: &Block, schema: &BlockSchema, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let expected = schema.labels.len();
    if block.labels.len() != expected {
        let span = block.labels.get(expected).map_or(block.kind.span, |extra| extra.span);
        let wanted = match schema.labels {
            [] => "no labels".to_string(),
            labels => labels.iter().map(|l| format!("`{}`", l.to_uppercase())).collect::<Vec<_>>().join(" and "),
        };
        let form =
            schema.labels.iter().fold(schema.kind.to_string(), |acc, l| format!("{acc} \"{}\"", l.to_uppercase()));
        diagnostics.push(
            Diagnostic::error(Code::WrongLabelCount, span, format!("`{}` takes {wanted}", schema.kind))
                .with_help(format!("write `{form} {{ ... }}`")),
        );
        return false;
    }
    let mut valid = true;
    for label in &block.labels {
        if !is_valid_name(&label.text) {
            diagnostics.push(
                Diagnostic::error(Code::InvalidName, label.span, "not a valid name")
                    .with_help("names use letters, digits, `_` and `-`, and start with a letter or `_`"),
            );
            valid = false;
        }
    }
    valid
}

/// True for names usable as labels and in references.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_body(body: &Body, schema: &'static BlockSchema, block: &Block, diagnostics: &mut Vec<Diagnostic>) {
    // Blocks hold few items: a linear search beats hashing here.
    let mut seen_attrs: Vec<(&str, Span)> = Vec::new();
    let mut seen_blocks: Vec<((&str, &str), Span)> = Vec::new();
    for item in &body.items {
        match item {
            Item::Attribute(attr) => {
                let name = attr.name.text.as_str();
                if let Some(&(_, first)) = seen_attrs.iter().find(|(seen, _)| *seen == name) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::DuplicateAttribute,
                            attr.name.span,
                            format!("`{name}` is set again here"),
                        )
                        .with_label(first, "first set here"),
                    );
                    continue;
                }
                seen_attrs.push((name, attr.name.span));
                let known =
                    schema.is_open() || schema.attribute(name).is_some() || (name == "for_each" && schema.for_each);
                if known {
                    continue;
                }
                if schema.block(name).is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::AttributeOrBlock,
                            attr.name.span,
                            format!("`{name}` is a block, not an attribute"),
                        )
                        .with_help(format!("write `{name} {}{{ ... }}`", label_hint(schema.block(name)))),
                    );
                    continue;
                }
                let mut names: Vec<&str> = schema.attributes.iter().map(|a| a.name).collect();
                if schema.for_each {
                    names.push("for_each");
                }
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownAttribute,
                        attr.name.span,
                        format!("`{}` has no attribute `{name}`", schema.kind),
                    )
                    .with_optional_help(
                        schema::synonym(schema.synonyms, name).map(Synonym::hint).or_else(|| did_you_mean(name, names)),
                    ),
                );
            }
            Item::Block(nested) => {
                let kind = nested.kind.text.as_str();
                let Some(nested_schema) = schema.block(kind) else {
                    if schema.attribute(kind).is_some() {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::AttributeOrBlock,
                                nested.kind.span,
                                format!("`{kind}` is an attribute, not a block"),
                            )
                            .with_help(format!("write `{kind} = ...`")),
                        );
                    } else {
                        let help = schema::synonym(schema.synonyms, kind)
                            .map(Synonym::hint)
                            .or_else(|| did_you_mean(kind, schema.blocks.iter().map(|b| b.kind)))
                            .or_else(|| match schema.blocks {
                                [] => Some(format!("`{}` takes no nested blocks", schema.kind)),
                                blocks => Some(format!(
                                    "`{}` takes {}",
                                    schema.kind,
                                    backticked(blocks.iter().map(|b| b.kind))
                                )),
                            });
                        diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownBlock,
                                nested.kind.span,
                                format!("`{kind}` is not a block of `{}`", schema.kind),
                            )
                            .with_optional_help(help),
                        );
                    }
                    continue;
                };
                if !check_labels(nested, nested_schema, diagnostics) {
                    continue;
                }
                let label = nested.labels.first().map_or("", |l| l.text.as_str());
                let span = nested.labels.first().map_or(nested.kind.span, |l| l.span);
                if let Some(&(_, first)) = seen_blocks.iter().find(|(seen, _)| *seen == (kind, label)) {
                    let message = if label.is_empty() {
                        format!("`{kind}` is set again here")
                    } else {
                        format!("`{kind}.{label}` is defined again here")
                    };
                    let code = if label.is_empty() { Code::DuplicateAttribute } else { Code::DuplicateName };
                    diagnostics.push(Diagnostic::error(code, span, message).with_label(first, "first defined here"));
                    continue;
                }
                seen_blocks.push(((kind, label), span));
                check_body(&nested.body, nested_schema, nested, diagnostics);
            }
        }
    }
    let seen = |name: &str| seen_attrs.iter().any(|(seen, _)| *seen == name);
    for attr in schema.attributes.iter().filter(|attr| attr.required) {
        // Written under another tool's name: the unknown attribute's hint is the one report.
        let as_synonym = schema.synonyms.iter().any(|synonym| synonym.ours == attr.name && seen(synonym.theirs));
        if !seen(attr.name) && !as_synonym {
            let header = block.labels.last().map_or(block.kind.span, |label| block.kind.span.to(label.span));
            diagnostics.push(Diagnostic::error(
                Code::MissingAttribute,
                header,
                format!("`{}` is required: {}", attr.name, attr.doc.trim_end_matches('.').to_lowercase()),
            ));
        }
    }
}

fn label_hint(schema: Option<&BlockSchema>) -> String {
    schema.map_or(String::new(), |s| s.labels.iter().map(|l| format!("\"{}\" ", l.to_uppercase())).collect())
}

fn backticked<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.map(|item| format!("`{item}`")).collect::<Vec<_>>().join(", ")
}
