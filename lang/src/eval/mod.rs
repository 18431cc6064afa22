//! Evaluation: expressions to values, on demand and memoised, with reference cycles detected.
//!
//! Every attribute of every block instance is a node evaluated at most once. A node asked for
//! while it is being evaluated closes a cycle, which is reported with its full path.

pub mod functions;
mod operators;
pub mod value;
mod variables;

use crate::check::structure::{Decl, Decls};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::{Host, Inputs};
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, Block, Expr, ExprKind, Item, ObjectKey, TemplatePart};
use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use std::rc::Rc;
pub use value::{BlockRef, Key, Value};

/// True for expressions made only of literals (strings without interpolation, numbers, bools,
/// null, and lists and objects of those).
fn is_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) => true,
        ExprKind::Template(parts) => parts.iter().all(|part| matches!(part, TemplatePart::Literal(_))),
        ExprKind::List(items) => items.iter().all(is_literal),
        ExprKind::Object(items) => {
            items.iter().all(|item| matches!(item.key, ObjectKey::Ident(_)) && is_literal(&item.value))
        }
        _ => false,
    }
}

/// An error that has already been reported as a diagnostic; evaluation of what depends on it
/// stops quietly, so that one mistake gives one diagnostic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reported;

/// The result of evaluating something.
pub(crate) type Eval<T = Value> = Result<T, Reported>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Node {
    /// An attribute (by item index) of a block instance.
    Attr(BlockRef, u32),
    /// A `locals` attribute.
    Local(u32),
    /// A variable's value.
    Var(u32),
    /// The `for_each` of a declaration, or of a nested block of one instance.
    ForEach(BlockRef),
}

enum Slot {
    InProgress,
    Done(Eval),
}

/// What names mean inside an expression.
#[derive(Clone, Default)]
pub(crate) struct Scope {
    /// The top-level block instance, for `self`.
    this: Option<BlockRef>,
    /// `each.key` and `each.value`.
    each: Option<(Value, Value)>,
    /// Variables of enclosing `for` expressions, innermost last.
    vars: Vec<(Rc<str>, Value)>,
}

/// Evaluates the expressions of one configuration.
pub(crate) struct Evaluator<'a> {
    pub decls: &'a Decls<'a>,
    inputs: &'a Inputs,
    host: &'a dyn Host,
    pub diagnostics: Vec<Diagnostic>,
    memo: FxHashMap<Node, Slot>,
    stack: Vec<Node>,
}

const ROOTS: &[&str] =
    &["var", "local", "cloud", "network", "host", "tunnel", "mesh", "endpoint", "relay", "self", "each"];

impl<'a> Evaluator<'a> {
    pub fn new(decls: &'a Decls<'a>, inputs: &'a Inputs, host: &'a dyn Host) -> Self {
        Evaluator {
            decls,
            inputs,
            host,
            diagnostics: Vec::new(),
            memo: FxHashMap::with_capacity_and_hasher(decls.list.len() * 8, Default::default()),
            stack: Vec::new(),
        }
    }

    pub(crate) fn report(&mut self, diagnostic: Diagnostic) -> Reported {
        self.diagnostics.push(diagnostic);
        Reported
    }

    fn error(&mut self, code: Code, span: Span, label: impl Into<String>) -> Reported {
        self.report(Diagnostic::error(code, span, label))
    }

    /// The block (top-level or nested) that `block` points at.
    pub fn block_of(&self, block: &BlockRef) -> &'a Block {
        let decl = self.decls.get(block.decl);
        match &block.nested {
            None => decl.block,
            Some((item, _)) => match &decl.block.body.items[*item as usize] {
                Item::Block(nested) => nested,
                Item::Attribute(_) => unreachable!("nested refs point at blocks"),
            },
        }
    }

    /// The declaration `block` belongs to.
    pub fn decl_of(&self, block: &BlockRef) -> &'a Decl<'a> {
        self.decls.get(block.decl)
    }

    /// The display address of a block instance, e.g. `network.app["eu"].subnet.a`.
    pub fn address_of(&self, block: &BlockRef) -> String {
        let decl = self.decl_of(block);
        let mut address = decl.address();
        if let Some(key) = &block.key {
            address.push_str(&format!("[{key:?}]"));
        }
        if let Some((_, nested_key)) = &block.nested {
            let nested = self.block_of(block);
            address.push('.');
            address.push_str(&nested.kind.text);
            if let Some(label) = nested.labels.first() {
                address.push('.');
                address.push_str(&label.text);
            }
            if let Some(key) = nested_key {
                address.push_str(&format!("[{key:?}]"));
            }
        }
        address
    }

    /// The scope in which the attributes of `block` are evaluated.
    fn scope_of(&mut self, block: &BlockRef) -> Eval<Scope> {
        let this = BlockRef { nested: None, ..block.clone() };
        let each = match (&block.nested, &block.key) {
            (Some((_, Some(key))), _) => Some(self.each_of(block, key)?),
            (_, Some(key)) => Some(self.each_of(&this, key)?),
            _ => None,
        };
        Ok(Scope { this: Some(this), each, vars: Vec::new() })
    }

    fn each_of(&mut self, instance: &BlockRef, key: &Key) -> Eval<(Value, Value)> {
        let for_each_owner = match &instance.nested {
            Some((item, _)) => BlockRef { nested: Some((*item, None)), ..instance.clone() },
            None => BlockRef { key: None, nested: None, decl: instance.decl },
        };
        let instances = self.instances(&for_each_owner)?.expect("keyed instances have for_each");
        let value = instances.get(key).cloned().unwrap_or(Value::Null);
        Ok((Value::String(key.clone()), value))
    }

    /// The instances of a block with `for_each` (key to `each.value`), or `None` without it.
    /// `owner` is the declaration (no key, no nesting) or a nested block with no nested key.
    pub fn instances(&mut self, owner: &BlockRef) -> Eval<Option<Rc<IndexMap<Key, Value>>>> {
        let block = self.block_of(owner);
        let Some(attr) = block.body.attribute("for_each") else { return Ok(None) };
        let node = Node::ForEach(owner.clone());
        let value = self.node(node, attr.value.span, |ev| {
            let scope = match &owner.nested {
                Some(_) => ev.scope_of(&BlockRef { nested: None, ..owner.clone() })?,
                None => Scope::default(),
            };
            let collection = ev.eval(&attr.value, &scope)?;
            ev.for_each_map(collection, attr.value.span)
        })?;
        match value {
            Value::Object(map) => Ok(Some(map)),
            _ => unreachable!("for_each nodes hold objects"),
        }
    }

    fn for_each_map(&mut self, collection: Value, span: Span) -> Eval {
        let mut map = IndexMap::new();
        match collection {
            Value::Object(entries) => {
                for (key, value) in entries.iter() {
                    map.insert(key.clone(), value.clone());
                }
            }
            Value::List(items) => {
                for item in items.iter() {
                    let Value::String(text) = item else {
                        let label = format!("a list for `for_each` must hold strings, found a {}", item.type_name());
                        return Err(self
                            .report(Diagnostic::error(Code::InvalidForEach, span, label).with_help(
                                "use a map to give each instance a key: `{ for x in LIST : x.name => x }`",
                            )));
                    };
                    if map.insert(text.clone(), item.clone()).is_some() {
                        return Err(self.error(Code::InvalidForEach, span, format!("`{text}` appears twice")));
                    }
                }
            }
            other => {
                let label = format!("expected a list of strings or a map, found a {}", other.type_name());
                return Err(self.error(Code::InvalidForEach, span, label));
            }
        }
        Ok(Value::object(map))
    }

    /// Evaluates `node` once, detecting cycles.
    fn node(&mut self, node: Node, span: Span, compute: impl FnOnce(&mut Self) -> Eval) -> Eval {
        match self.memo.get(&node) {
            Some(Slot::Done(result)) => return result.clone(),
            Some(Slot::InProgress) => return Err(self.cycle(&node, span)),
            None => {}
        }
        self.memo.insert(node.clone(), Slot::InProgress);
        self.stack.push(node.clone());
        let result = compute(self);
        self.stack.pop();
        self.memo.insert(node, Slot::Done(result.clone()));
        result
    }

    /// How a node is written in messages, e.g. `network.app.cidr`.
    fn node_address(&self, node: &Node) -> String {
        match node {
            Node::Attr(block, item) => {
                let name = match &self.block_of(block).body.items[*item as usize] {
                    Item::Attribute(attr) => attr.name.text.as_str(),
                    Item::Block(nested) => nested.kind.text.as_str(),
                };
                format!("{}.{name}", self.address_of(block))
            }
            Node::Local(idx) | Node::Var(idx) => self.decls.get(*idx).address(),
            Node::ForEach(block) => format!("{}.for_each", self.address_of(block)),
        }
    }

    fn cycle(&mut self, node: &Node, span: Span) -> Reported {
        let start = self.stack.iter().position(|n| n == node).unwrap_or(0);
        let mut path: Vec<String> = self.stack[start..].iter().map(|n| self.node_address(n)).collect();
        let address = self.node_address(node);
        path.push(address.clone());
        let label = format!("this refers back to `{address}`: {}", path.join(" -> "));
        self.report(
            Diagnostic::error(Code::ReferenceCycle, span, label)
                .with_help("break the cycle by writing one of these values directly"),
        )
    }

    /// The value of an attribute of a block instance: as written, or its default.
    /// A written `null` is the same as not writing the attribute: it reads as the default.
    pub fn attr(&mut self, block: &BlockRef, name: &str, span: Span) -> Eval {
        match self.find_attr(block, name) {
            Some((idx, attr)) => match self.written_attr(block, idx, attr, span)? {
                Value::Null => self.default_attr(block, name),
                value => Ok(value),
            },
            None => self.default_attr(block, name),
        }
    }

    /// The schema of a block instance or nested block.
    pub fn schema_of(&self, block: &BlockRef) -> &'static crate::schema::BlockSchema {
        let decl = self.decl_of(block);
        match &block.nested {
            None => decl.schema,
            Some(_) => decl.schema.block(&self.block_of(block).kind.text).unwrap_or(decl.schema),
        }
    }

    /// The attribute `name` as written in `block`, with its index among the block's items.
    pub fn find_attr(&self, block: &BlockRef, name: &str) -> Option<(u32, &'a ast::Attribute)> {
        let body = &self.block_of(block).body;
        body.items.iter().enumerate().find_map(|(idx, item)| match item {
            Item::Attribute(attr) if attr.name.text == name => Some((idx as u32, attr)),
            _ => None,
        })
    }

    /// The value of an attribute written in `block` (found with [`Self::find_attr`]); `span` is
    /// where it is referred to from, for cycle reports.
    pub fn written_attr(&mut self, block: &BlockRef, idx: u32, attr: &'a ast::Attribute, span: Span) -> Eval {
        // A literal refers to nothing, so it can neither close a cycle nor gain from the memo.
        if is_literal(&attr.value) {
            return self.eval(&attr.value, &Scope::default());
        }
        self.node(Node::Attr(block.clone(), idx), span, |ev| {
            let scope = ev.scope_of(block)?;
            ev.eval(&attr.value, &scope)
        })
    }

    /// The value of an attribute that is not written: a computed or schema default, or null.
    pub fn default_attr(&mut self, block: &BlockRef, name: &str) -> Eval {
        let decl = self.decl_of(block);
        let header = decl.block.kind.span;
        if block.nested.is_none() && decl.namespace == "network" && name == "region" {
            let Value::Block(cloud) = self.attr(block, "cloud", header)? else { return Ok(Value::Null) };
            return self.attr(&cloud, "region", header);
        }
        let default = self.schema_of(block).attribute(name).and_then(|attr| attr.default);
        Ok(default.and_then(variables::literal_value).unwrap_or(Value::Null))
    }

    /// The value of a local.
    fn local(&mut self, idx: u32, span: Span) -> Eval {
        let decl = self.decls.get(idx);
        let attr = decl.local.expect("locals have their attribute");
        self.node(Node::Local(idx), span, |ev| ev.eval(&attr.value, &Scope::default()))
    }

    /// The value of a variable: the input, else the default.
    fn var(&mut self, idx: u32, span: Span) -> Eval {
        self.node(Node::Var(idx), span, |ev| variables::value(ev, idx, ev.inputs))
    }

    /// The value of a local or variable declaration, so that errors in unused ones are reported.
    pub fn declared_value(&mut self, idx: u32) -> Eval {
        let decl = self.decls.get(idx);
        let span = decl.name_span();
        match decl.namespace.as_str() {
            "local" => self.local(idx, span),
            "var" => self.var(idx, span),
            _ => self.decl_value(idx),
        }
    }

    /// The value a reference to a declaration yields: the block, or its instances by key.
    fn decl_value(&mut self, idx: u32) -> Eval {
        let owner = BlockRef { decl: idx, key: None, nested: None };
        Ok(match self.instances(&owner)? {
            None => Value::Block(owner),
            Some(instances) => Value::object(
                instances
                    .keys()
                    .map(|key| {
                        (key.clone(), Value::Block(BlockRef { decl: idx, key: Some(key.clone()), nested: None }))
                    })
                    .collect(),
            ),
        })
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, expr: &Expr, scope: &Scope) -> Eval {
        match &expr.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Number(n) => Ok(Value::Number(*n)),
            ExprKind::Template(parts) => self.template(parts, scope),
            ExprKind::List(items) => {
                let values = items.iter().map(|item| self.eval(item, scope)).collect::<Eval<Vec<_>>>()?;
                Ok(Value::list(values))
            }
            ExprKind::Object(items) => self.object(items, scope),
            ExprKind::Variable(_) | ExprKind::GetAttr(..) => self.traversal(expr, scope),
            ExprKind::Index(collection, index) => {
                let collection = self.eval(collection, scope)?;
                let key = self.eval(index, scope)?;
                self.index(collection, key, index.span)
            }
            ExprKind::Call(name, args) => functions::call(self, name, args, scope, expr.span),
            ExprKind::Unary(op, operand) => {
                let value = self.eval(operand, scope)?;
                operators::unary(self, *op, value, expr.span)
            }
            ExprKind::Binary(op, lhs, rhs) => operators::binary(self, *op, lhs, rhs, scope),
            ExprKind::Conditional(cond, then, otherwise) => match self.eval(cond, scope)? {
                Value::Bool(true) => self.eval(then, scope),
                Value::Bool(false) => self.eval(otherwise, scope),
                other => {
                    let label = format!("the condition must be a bool, found a {}", other.type_name());
                    Err(self.error(Code::TypeMismatch, cond.span, label))
                }
            },
            ExprKind::For(for_expr) => self.for_expr(for_expr, scope, expr.span),
            ExprKind::Paren(inner) => self.eval(inner, scope),
        }
    }

    fn template(&mut self, parts: &[TemplatePart], scope: &Scope) -> Eval {
        if let [TemplatePart::Literal(text)] = parts {
            return Ok(Value::string(text.as_str()));
        }
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Literal(text) => out.push_str(text),
                TemplatePart::Interpolation(expr) => match self.eval(expr, scope)? {
                    Value::String(text) => out.push_str(&text),
                    Value::Number(n) => out.push_str(&value::format_number(n)),
                    Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                    Value::Secret(_) => {
                        return Err(self.report(
                            Diagnostic::error(
                                Code::SecretMisuse,
                                expr.span,
                                "a secret cannot be interpolated into a string",
                            )
                            .with_help("pass the secret to an attribute that takes one, such as a tunnel's `psk`"),
                        ));
                    }
                    other => {
                        let label = format!(
                            "only strings, numbers and bools can be interpolated, found a {}",
                            other.type_name()
                        );
                        return Err(self.error(Code::TypeMismatch, expr.span, label));
                    }
                },
            }
        }
        Ok(Value::string(out))
    }

    fn object(&mut self, items: &[ast::ObjectItem], scope: &Scope) -> Eval {
        let mut map = IndexMap::with_capacity(items.len());
        for item in items {
            let key: Key = match &item.key {
                ObjectKey::Ident(ident) => ident.text.as_str().into(),
                ObjectKey::Expr(expr) => match self.eval(expr, scope)? {
                    Value::String(text) => text,
                    other => {
                        let label = format!("object keys must be strings, found a {}", other.type_name());
                        return Err(self.error(Code::TypeMismatch, expr.span, label));
                    }
                },
            };
            let value = self.eval(&item.value, scope)?;
            if map.insert(key.clone(), value).is_some() {
                return Err(self.error(Code::DuplicateKey, item.key.span(), format!("`{key}` is set twice")));
            }
        }
        Ok(Value::object(map))
    }

    fn for_expr(&mut self, for_expr: &ast::ForExpr, scope: &Scope, span: Span) -> Eval {
        let collection = self.eval(&for_expr.collection, scope)?;
        let pairs: Vec<(Value, Value)> = match collection {
            Value::List(items) => {
                items.iter().enumerate().map(|(idx, v)| (Value::Number(idx as f64), v.clone())).collect()
            }
            Value::Object(entries) => entries.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
            other => {
                let label = format!("`for` iterates over a list or an object, found a {}", other.type_name());
                return Err(self.error(Code::TypeMismatch, for_expr.collection.span, label));
            }
        };
        let mut list = Vec::new();
        let mut map = IndexMap::new();
        for (key, value) in pairs {
            let mut inner = scope.clone();
            if let Some(key_var) = &for_expr.key_var {
                inner.vars.push((key_var.text.as_str().into(), key));
            }
            inner.vars.push((for_expr.value_var.text.as_str().into(), value));
            if let Some(condition) = &for_expr.condition {
                match self.eval(condition, &inner)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    other => {
                        let label = format!("the `if` condition must be a bool, found a {}", other.type_name());
                        return Err(self.error(Code::TypeMismatch, condition.span, label));
                    }
                }
            }
            let value = self.eval(&for_expr.value, &inner)?;
            match &for_expr.key {
                None => list.push(value),
                Some(key_expr) => {
                    let key = match self.eval(key_expr, &inner)? {
                        Value::String(text) => text,
                        other => {
                            let label = format!("object keys must be strings, found a {}", other.type_name());
                            return Err(self.error(Code::TypeMismatch, key_expr.span, label));
                        }
                    };
                    if map.insert(key.clone(), value).is_some() {
                        return Err(self.error(Code::DuplicateKey, span, format!("the key `{key}` is produced twice")));
                    }
                }
            }
        }
        Ok(match for_expr.key {
            None => Value::list(list),
            Some(_) => Value::object(map),
        })
    }

    /// A chain of `.name` and `[index]` from a root name.
    fn traversal(&mut self, expr: &Expr, scope: &Scope) -> Eval {
        match &expr.kind {
            ExprKind::Variable(root) => self.root(root, scope),
            ExprKind::GetAttr(base, name) => {
                if let Some(value) = self.namespaced(base, name, scope)? {
                    return Ok(value);
                }
                let value = self.eval(base, scope)?;
                self.get_attr(value, name, expr.span)
            }
            _ => self.eval(expr, scope),
        }
    }

    /// Resolves `namespace.name` (and `cloud.kind.name`) to a declaration, if `base` is a namespace.
    fn namespaced(&mut self, base: &Expr, name: &ast::Ident, scope: &Scope) -> Eval<Option<Value>> {
        let cloud_namespace;
        let namespace: &str = match &base.kind {
            ExprKind::Variable(root) if !scope.vars.iter().any(|(v, _)| **v == *root.text) => &root.text,
            ExprKind::GetAttr(inner, kind) => match &inner.kind {
                ExprKind::Variable(root) if root.text == "cloud" => {
                    cloud_namespace = format!("cloud.{}", kind.text);
                    &cloud_namespace
                }
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let span = base.span.to(name.span);
        match namespace {
            "self" | "each" => return Ok(None),
            "cloud" => return Ok(None),
            _ => {}
        }
        let is_namespace = ROOTS.contains(&namespace) || namespace.starts_with("cloud.") || namespace == "stack";
        if !is_namespace {
            return Ok(None);
        }
        let Some(idx) = self.decls.find(namespace, &name.text) else {
            let closest = crate::suggest::closest(&name.text, self.decls.names_in(namespace));
            let help = closest.map(|closest| format!("did you mean `{namespace}.{closest}`?"));
            let label = format!("`{namespace}.{}` is not declared", name.text);
            return Err(self.report(Diagnostic::error(Code::UnknownReference, span, label).with_optional_help(help)));
        };
        Ok(Some(match namespace {
            "local" => self.local(idx, span)?,
            "var" => self.var(idx, span)?,
            _ => self.decl_value(idx)?,
        }))
    }

    fn root(&mut self, root: &ast::Ident, scope: &Scope) -> Eval {
        let name = root.text.as_str();
        if let Some((_, value)) = scope.vars.iter().rev().find(|(v, _)| **v == *name) {
            return Ok(value.clone());
        }
        match name {
            "self" => match &scope.this {
                Some(this) => Ok(Value::Block(this.clone())),
                None => Err(self.error(Code::ContextUnavailable, root.span, "`self` is only available inside a block")),
            },
            "each" => match &scope.each {
                Some((key, value)) => {
                    let entries = [("key".into(), key.clone()), ("value".into(), value.clone())];
                    Ok(Value::object(entries.into_iter().collect()))
                }
                None => Err(self.report(
                    Diagnostic::error(
                        Code::ContextUnavailable,
                        root.span,
                        "`each` is only available in a block with `for_each`",
                    )
                    .with_help("add `for_each = ...` to the block, or refer to a value directly"),
                )),
            },
            "cloud" => Err(self.error(
                Code::UnknownReference,
                root.span,
                "`cloud` must be followed by a kind and a name, as in `cloud.aws.NAME`",
            )),
            _ if ROOTS.contains(&name) || name == "stack" => {
                let label = format!("`{name}` must be followed by a name, as in `{name}.NAME`");
                Err(self.error(Code::UnknownReference, root.span, label))
            }
            _ => {
                let mut candidates: Vec<&str> = ROOTS.to_vec();
                candidates.extend(scope.vars.iter().map(|(v, _)| &**v));
                let help = did_you_mean(name, candidates);
                let label = format!("`{name}` is not defined here");
                Err(self.report(Diagnostic::error(Code::UnknownReference, root.span, label).with_optional_help(help)))
            }
        }
    }

    /// `value.name`; `reference` is the whole expression, named in cycle reports.
    fn get_attr(&mut self, value: Value, name: &ast::Ident, reference: Span) -> Eval {
        match value {
            Value::Block(block) => self.block_member(&block, name, reference),
            Value::Object(entries) => match entries.get(name.text.as_str()) {
                Some(value) => Ok(value.clone()),
                None => {
                    let help = did_you_mean(&name.text, entries.keys().map(|k| &**k));
                    let label = format!("the object has no key `{}`", name.text);
                    Err(self.report(Diagnostic::error(Code::UnknownKey, name.span, label).with_optional_help(help)))
                }
            },
            Value::List(_) if name.text.bytes().all(|b| b.is_ascii_digit()) => {
                let index = Value::Number(name.text.parse::<f64>().unwrap_or(f64::MAX));
                self.index(value, index, name.span)
            }
            other => {
                let label = format!("a {} has no attributes", other.type_name());
                Err(self.error(Code::TypeMismatch, name.span, label))
            }
        }
    }

    /// `block.name`: an attribute, the block's `name`, or its nested blocks.
    fn block_member(&mut self, block: &BlockRef, name: &ast::Ident, reference: Span) -> Eval {
        let text = name.text.as_str();
        let target = self.block_of(block);
        let decl = self.decl_of(block);
        let schema = match &block.nested {
            None => decl.schema,
            Some(_) => decl.schema.block(&target.kind.text).expect("nested blocks passed the schema check"),
        };
        if schema.attribute(text).is_some() || target.body.attribute(text).is_some() {
            return self.attr(block, text, reference);
        }
        if text == "name" {
            let label = target.labels.last().map_or(decl.name.as_str(), |l| l.text.as_str());
            return Ok(Value::string(label));
        }
        if let Some(nested_schema) = schema.block(text) {
            return self.nested_blocks(block, text, nested_schema.labels.is_empty());
        }
        let mut candidates: Vec<&str> = schema.attributes.iter().map(|a| a.name).collect();
        candidates.extend(schema.blocks.iter().map(|b| b.kind));
        candidates.push("name");
        let help = did_you_mean(text, candidates);
        let label = format!("`{}` has no attribute `{text}`", self.address_of(block));
        Err(self.report(Diagnostic::error(Code::UnknownKey, name.span, label).with_optional_help(help)))
    }

    /// The nested blocks of a kind: one block (unlabelled kinds) or an object by label.
    fn nested_blocks(&mut self, block: &BlockRef, kind: &str, unlabelled: bool) -> Eval {
        let target = self.block_of(block);
        let mut map = IndexMap::new();
        for (idx, item) in target.body.items.iter().enumerate() {
            let Item::Block(nested) = item else { continue };
            if nested.kind.text != kind {
                continue;
            }
            let owner = BlockRef { nested: Some((idx as u32, None)), ..block.clone() };
            if unlabelled {
                return Ok(Value::Block(owner));
            }
            let label: Key = nested.labels.first().map_or("", |l| l.text.as_str()).into();
            let value = match self.instances(&owner)? {
                None => Value::Block(owner),
                Some(instances) => Value::object(
                    instances
                        .keys()
                        .map(|key| {
                            let nested = Some((idx as u32, Some(key.clone())));
                            (key.clone(), Value::Block(BlockRef { nested, ..block.clone() }))
                        })
                        .collect(),
                ),
            };
            map.insert(label, value);
        }
        Ok(if unlabelled { Value::Null } else { Value::object(map) })
    }

    fn index(&mut self, collection: Value, key: Value, span: Span) -> Eval {
        match (&collection, &key) {
            (Value::List(items), Value::Number(_)) => {
                let Some(idx) = key.as_integer().filter(|i| *i >= 0) else {
                    return Err(self.error(
                        Code::TypeMismatch,
                        span,
                        "a list index must be a whole number of 0 or more",
                    ));
                };
                match items.get(idx as usize) {
                    Some(value) => Ok(value.clone()),
                    None => {
                        let label = format!("index {idx} is out of range for a list of {} items", items.len());
                        Err(self.error(Code::IndexOutOfRange, span, label))
                    }
                }
            }
            (Value::Object(entries), Value::String(name)) => match entries.get(&**name) {
                Some(value) => Ok(value.clone()),
                None => {
                    let help = did_you_mean(name, entries.keys().map(|k| &**k));
                    let label = format!("no key `{name}`");
                    Err(self.report(Diagnostic::error(Code::UnknownKey, span, label).with_optional_help(help)))
                }
            },
            _ => {
                let label = format!("cannot index a {} with a {}", collection.type_name(), key.type_name());
                Err(self.error(Code::TypeMismatch, span, label))
            }
        }
    }
}
