//! Reading a block instance's attributes as typed values, with a diagnostic for each wrong one.

use crate::cidr::{Cidr, CidrError};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::eval::{BlockRef, Eval, Evaluator, Reported, Value};
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A block instance whose attributes are being read.
pub(crate) struct Reader<'e, 'a> {
    pub ev: &'e mut Evaluator<'a>,
    pub block: BlockRef,
    /// Where to point when a value is missing: the block's header.
    pub header: Span,
}

/// What an evaluated attribute holds, with the span to blame.
struct Raw {
    value: Value,
    span: Span,
}

impl<'e, 'a> Reader<'e, 'a> {
    pub fn new(ev: &'e mut Evaluator<'a>, block: BlockRef) -> Self {
        let target = ev.block_of(&block);
        let header = target.labels.last().map_or(target.kind.span, |label| target.kind.span.to(label.span));
        Reader { ev, block, header }
    }

    /// A reader for a nested block (e.g. `ike`) of this block, if written.
    pub fn nested(&mut self, kind: &str) -> Option<Reader<'_, 'a>> {
        let target = self.ev.block_of(&self.block);
        let idx = target
            .body
            .items
            .iter()
            .position(|item| matches!(item, crate::syntax::ast::Item::Block(b) if b.kind.text == kind))?;
        let nested = BlockRef { nested: Some((idx as u32, None)), ..self.block.clone() };
        Some(Reader::new(self.ev, nested))
    }

    /// The attribute's value, or its default; `None` when neither gives one. A required
    /// attribute written as `null` is reported here (the schema check saw it written).
    fn raw(&mut self, name: &str) -> Eval<Option<Raw>> {
        let written = match self.ev.find_attr(&self.block, name) {
            Some((idx, attr)) => {
                let value = self.ev.written_attr(&self.block, idx, attr, attr.value.span)?;
                Some((value, attr.value.span))
            }
            None => None,
        };
        if let Some((Value::Null, span)) = &written
            && self.ev.schema_of(&self.block).attribute(name).is_some_and(|attr| attr.required)
        {
            let label = format!("`{name}` is required, and `null` leaves it unset");
            return Err(self.ev.report(Diagnostic::error(Code::MissingAttribute, *span, label)));
        }
        let (value, span) = match written {
            Some((value, span)) if value != Value::Null => (value, span),
            _ => (self.ev.default_attr(&self.block, name)?, self.header),
        };
        Ok(match value {
            Value::Null => None,
            value => Some(Raw { value, span }),
        })
    }

    fn wrong_type(&mut self, span: Span, wanted: &str, found: &Value) -> Reported {
        let label = format!("expected {wanted}, found a {}", found.type_name());
        self.ev.report(Diagnostic::error(Code::WrongType, span, label))
    }

    /// Stops quietly when a required attribute is not written: the schema check reported it, and
    /// checking its absent value would only repeat the problem.
    pub fn require_written(&self, name: &str) -> Eval<()> {
        self.ev.find_attr(&self.block, name).map(|_| ()).ok_or(Reported)
    }

    /// A required value: reports nothing more when absent (the schema check did).
    pub fn required<T>(value: Eval<Option<T>>) -> Eval<T> {
        value?.ok_or(Reported)
    }

    pub fn string(&mut self, name: &str) -> Eval<Option<Spanned<String>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        match raw.value {
            Value::String(text) => Ok(Some(Spanned::new(text.to_string(), raw.span))),
            other => Err(self.wrong_type(raw.span, "a string", &other)),
        }
    }

    pub fn plain_string(&mut self, name: &str) -> Eval<Option<String>> {
        Ok(self.string(name)?.map(|s| s.value))
    }

    pub fn bool(&mut self, name: &str, default: bool) -> Eval<bool> {
        let Some(raw) = self.raw(name)? else { return Ok(default) };
        match raw.value {
            Value::Bool(b) => Ok(b),
            other => Err(self.wrong_type(raw.span, "a bool", &other)),
        }
    }

    pub fn optional_bool(&mut self, name: &str) -> Eval<Option<Spanned<bool>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        match raw.value {
            Value::Bool(b) => Ok(Some(Spanned::new(b, raw.span))),
            other => Err(self.wrong_type(raw.span, "a bool", &other)),
        }
    }

    pub fn integer(&mut self, name: &str, min: i64, max: i64) -> Eval<Option<Spanned<i64>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        let Value::Number(_) = raw.value else { return Err(self.wrong_type(raw.span, "a number", &raw.value)) };
        match raw.value.as_integer().filter(|n| (min as i128..=max as i128).contains(n)) {
            Some(n) => Ok(Some(Spanned::new(n as i64, raw.span))),
            None => {
                let label = format!("expected a whole number from {min} to {max}, found {}", raw.value);
                Err(self.ev.report(Diagnostic::error(Code::InvalidValue, raw.span, label)))
            }
        }
    }

    pub fn number(&mut self, name: &str) -> Eval<Option<Spanned<f64>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        match raw.value {
            Value::Number(n) => Ok(Some(Spanned::new(n, raw.span))),
            other => Err(self.wrong_type(raw.span, "a number", &other)),
        }
    }

    pub fn choice(&mut self, name: &str, allowed: &[&str], default: &str) -> Eval<String> {
        let Some(text) = self.string(name)? else { return Ok(default.to_string()) };
        if allowed.contains(&text.value.as_str()) {
            return Ok(text.value);
        }
        let label = format!("`{}` is not one of {}", text.value, quoted(allowed));
        let help = did_you_mean(&text.value, allowed.iter().copied());
        Err(self.ev.report(Diagnostic::error(Code::InvalidValue, text.span, label).with_optional_help(help)))
    }

    pub fn cidr(&mut self, name: &str) -> Eval<Option<Spanned<Cidr>>> {
        let Some(text) = self.string(name)? else { return Ok(None) };
        parse_cidr(self.ev, &text.value, text.span).map(Some)
    }

    pub fn address(&mut self, name: &str) -> Eval<Option<Spanned<IpAddr>>> {
        let Some(text) = self.string(name)? else { return Ok(None) };
        match text.value.parse() {
            Ok(addr) => Ok(Some(Spanned::new(addr, text.span))),
            Err(_) => {
                let label = format!("`{}` is not an IPv4 or IPv6 address", text.value);
                Err(self.ev.report(Diagnostic::error(Code::InvalidAddress, text.span, label)))
            }
        }
    }

    /// A list, each element with the attribute's span (or its own, for list literals).
    pub fn list(&mut self, name: &str) -> Eval<Vec<(Value, Span)>> {
        let Some(raw) = self.raw(name)? else { return Ok(Vec::new()) };
        let Value::List(items) = &raw.value else { return Err(self.wrong_type(raw.span, "a list", &raw.value)) };
        let element_spans = self.element_spans(name, items.len());
        Ok(items
            .iter()
            .enumerate()
            .map(|(idx, item)| (item.clone(), element_spans.as_ref().map_or(raw.span, |s| s[idx])))
            .collect())
    }

    /// The spans of a list literal's elements, when the attribute is written as one.
    fn element_spans(&self, name: &str, len: usize) -> Option<Vec<Span>> {
        let attr = self.ev.block_of(&self.block).body.attribute(name)?;
        match &attr.value.kind {
            crate::syntax::ast::ExprKind::List(items) if items.len() == len => {
                Some(items.iter().map(|i| i.span).collect())
            }
            _ => None,
        }
    }

    pub fn string_list(&mut self, name: &str) -> Eval<Vec<Spanned<String>>> {
        let mut out = Vec::new();
        for (value, span) in self.list(name)? {
            match value {
                Value::String(text) => out.push(Spanned::new(text.to_string(), span)),
                other => return Err(self.wrong_type(span, "a string", &other)),
            }
        }
        Ok(out)
    }

    pub fn cidr_list(&mut self, name: &str) -> Eval<Vec<Spanned<Cidr>>> {
        let mut out = Vec::new();
        for text in self.string_list(name)? {
            out.push(parse_cidr(self.ev, &text.value, text.span)?);
        }
        Ok(out)
    }

    pub fn string_map(&mut self, name: &str) -> Eval<BTreeMap<String, String>> {
        let Some(raw) = self.raw(name)? else { return Ok(BTreeMap::new()) };
        let Value::Object(entries) = &raw.value else {
            return Err(self.wrong_type(raw.span, "a map of strings", &raw.value));
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries.iter() {
            match value {
                Value::String(text) => {
                    out.insert(key.to_string(), text.to_string());
                }
                other => return Err(self.wrong_type(raw.span, &format!("a string for `{key}`"), other)),
            }
        }
        Ok(out)
    }

    /// A reference to a declared object of one of `kinds`: its namespace and instance name.
    pub fn reference(&mut self, name: &str, kinds: &[&str]) -> Eval<Option<Spanned<(String, String)>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        self.as_reference(raw.value, raw.span, kinds).map(Some)
    }

    pub fn references(&mut self, name: &str, kinds: &[&str]) -> Eval<Vec<Spanned<(String, String)>>> {
        let mut out = Vec::new();
        for (value, span) in self.list(name)? {
            out.push(self.as_reference(value, span, kinds)?);
        }
        Ok(out)
    }

    fn as_reference(&mut self, value: Value, span: Span, kinds: &[&str]) -> Eval<Spanned<(String, String)>> {
        let wanted = kinds.iter().map(|k| format!("a `{k}`")).collect::<Vec<_>>().join(" or ");
        match value {
            Value::Block(block) if block.nested.is_none() => {
                let decl = self.ev.decl_of(&block);
                let kind = decl.namespace.split('.').next().unwrap_or_default();
                if !kinds.contains(&kind) {
                    let label = format!("`{}` is a {kind}; expected {wanted}", self.ev.address_of(&block));
                    return Err(self.ev.report(Diagnostic::error(Code::WrongReferenceKind, span, label)));
                }
                Ok(Spanned::new((decl.namespace.clone(), instance_name(&decl.name, block.key.as_deref())), span))
            }
            Value::Object(ref entries)
                if entries.values().all(|v| matches!(v, Value::Block(_))) && !entries.is_empty() =>
            {
                let label = format!("this is a set of `for_each` instances; expected {wanted}");
                let first = entries.keys().next().map_or(String::new(), |k| k.to_string());
                Err(self
                    .ev
                    .report(Diagnostic::error(Code::WrongReferenceKind, span, label).with_help(format!(
                        "pick one instance, as in `[\"{first}\"]`; where a list is expected, `values(...)` gives all of them"
                    ))))
            }
            Value::String(text) => {
                let label = format!("expected a reference to {wanted}, found the string \"{text}\"");
                let example =
                    if kinds[0] == "cloud" { format!("cloud.KIND.{text}") } else { format!("{}.{text}", kinds[0]) };
                let help = format!("write the reference without quotes, as in `{example}`");
                Err(self.ev.report(Diagnostic::error(Code::WrongType, span, label).with_help(help)))
            }
            other => Err(self.wrong_type(span, &format!("a reference to {wanted}"), &other)),
        }
    }

    /// A secret; a plain string is refused so that keys never sit in configuration files.
    pub fn secret(&mut self, name: &str) -> Eval<Option<Spanned<String>>> {
        let Some(raw) = self.raw(name)? else { return Ok(None) };
        match raw.value {
            Value::Secret(secret) => Ok(Some(Spanned::new(secret.to_string(), raw.span))),
            Value::String(_) => Err(self.ev.report(
                Diagnostic::error(Code::PlaintextSecret, raw.span, "this key is written in plain text")
                    .with_help("remove `psk` to have Isopod generate and store a key, or use `secret(\"NAME\")`"),
            )),
            other => Err(self.wrong_type(raw.span, "a secret from `secret(\"NAME\")`", &other)),
        }
    }
}

/// The name of an instance: `NAME`, or `NAME[KEY]` for a `for_each` instance.
pub(crate) fn instance_name(name: &str, key: Option<&str>) -> String {
    match key {
        None => name.to_string(),
        Some(key) => format!("{name}[{key}]"),
    }
}

pub(crate) fn quoted(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn parse_cidr(ev: &mut Evaluator<'_>, text: &str, span: Span) -> Eval<Spanned<Cidr>> {
    match Cidr::parse(text) {
        Ok(cidr) => Ok(Spanned::new(cidr, span)),
        Err(CidrError::Malformed) => {
            let label = format!("`{text}` is not a CIDR");
            Err(ev.report(
                Diagnostic::error(Code::InvalidCidr, span, label)
                    .with_help("write `ADDRESS/PREFIX`, e.g. `10.0.0.0/16`"),
            ))
        }
        Err(CidrError::HostBitsSet(network)) => {
            let label = format!("`{text}` has bits set after the /{} prefix", network.prefix());
            Err(ev.report(
                Diagnostic::error(Code::CidrHostBits, span, label).with_help(format!("did you mean `{network}`?")),
            ))
        }
    }
}
