//! What a configuration declares and where it refers to it, read from its syntax trees: the
//! ground of go to definition, find references, hover and completion.

use isopod_lang::Span;
use isopod_lang::syntax::ast::{Block, Body, Expr, ExprKind, File, Item, ObjectKey, TemplatePart};

/// The roots of references to declared objects, besides `cloud.KIND`.
const ROOTS: &[&str] = &["var", "local", "network", "host", "tunnel", "mesh", "endpoint", "relay", "stack"];

/// The name a reference uses for an object: `network` and `app` for `network.app`,
/// `cloud.aws` and `prod` for `cloud.aws.prod`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// `network`, `cloud.aws`, `var`, `local`...
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl Key {
    /// The reference as it is written, e.g. `network.app`.
    pub fn written(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }
}

/// A declared object: a top-level block, a variable or a local.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// How references name it.
    pub key: Key,
    /// The block type (`network`, `cloud`, `variable`...), or `locals` for a local.
    pub kind: String,
    /// The whole declaration (the block, or the local's attribute).
    pub span: Span,
    /// Its name where it is written (the last label, or the local's name).
    pub name_span: Span,
}

/// A reference to a declared object.
#[derive(Clone, Debug)]
pub struct Reference {
    /// What it names.
    pub key: Key,
    /// From its root to the name, e.g. all of `network.app` in `network.app.cidr`.
    pub span: Span,
}

/// A function call's name.
#[derive(Clone, Debug)]
pub struct Call {
    /// The function's name as written.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
}

/// The declarations and references of every file of a configuration.
#[derive(Debug, Default)]
pub struct Index {
    /// Every declaration, in file order.
    pub declarations: Vec<Declaration>,
    /// Every reference, in file order.
    pub references: Vec<Reference>,
    /// Every function call, in file order.
    pub calls: Vec<Call>,
}

impl Index {
    /// Indexes the files' syntax trees.
    pub fn new(files: &[File]) -> Index {
        let mut index = Index::default();
        for file in files {
            for item in &file.body.items {
                if let Item::Block(block) = item {
                    index.declare(block);
                    let mut walker =
                        Walker { shadowed: Vec::new(), references: &mut index.references, calls: &mut index.calls };
                    walker.body(&block.body);
                }
            }
        }
        index
    }

    fn declare(&mut self, block: &Block) {
        let kind = block.kind.text.as_str();
        let Some(last) = block.labels.last() else {
            if kind == "locals" {
                for attr in block.body.attributes() {
                    self.declarations.push(Declaration {
                        key: Key { namespace: "local".into(), name: attr.name.text.clone() },
                        kind: kind.into(),
                        span: attr.span,
                        name_span: attr.name.span,
                    });
                }
            }
            return;
        };
        let namespace = match (kind, block.labels.as_slice()) {
            ("cloud", [cloud_kind, _]) => format!("cloud.{}", cloud_kind.text),
            ("cloud", _) => return,
            ("variable", _) => "var".into(),
            _ => kind.into(),
        };
        self.declarations.push(Declaration {
            key: Key { namespace, name: last.text.clone() },
            kind: kind.into(),
            span: block.span,
            name_span: last.span,
        });
    }

    /// The declaration a key names.
    pub fn declaration(&self, key: &Key) -> Option<&Declaration> {
        self.declarations.iter().find(|d| d.key == *key)
    }

    /// The declarations of one namespace, e.g. every `network`.
    pub fn in_namespace<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Declaration> + 'a {
        self.declarations.iter().filter(move |d| d.key.namespace == namespace)
    }

    /// What is at a byte offset of a file: a reference, or a declaration's name.
    pub fn key_at(&self, file: isopod_lang::FileId, offset: usize) -> Option<&Key> {
        let within = |span: &Span| span.file == file && span.start as usize <= offset && offset <= span.end as usize;
        let reference = self.references.iter().find(|r| within(&r.span)).map(|r| &r.key);
        reference.or_else(|| self.declarations.iter().find(|d| within(&d.name_span)).map(|d| &d.key))
    }

    /// Every reference to `key`.
    pub fn references_to<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a Reference> + 'a {
        self.references.iter().filter(move |r| r.key == *key)
    }
}

/// Collects references, skipping names a `for` expression binds, and function calls.
struct Walker<'a> {
    shadowed: Vec<String>,
    references: &'a mut Vec<Reference>,
    calls: &'a mut Vec<Call>,
}

impl Walker<'_> {
    fn body(&mut self, body: &Body) {
        for item in &body.items {
            match item {
                Item::Attribute(attr) => self.expr(&attr.value),
                Item::Block(block) => self.body(&block.body),
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::GetAttr(base, name) => {
                if let Some(namespace) = self.namespace_of(base) {
                    let span = base.span.to(name.span);
                    self.references.push(Reference { key: Key { namespace, name: name.text.clone() }, span });
                }
                self.expr(base);
            }
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Interpolation(inner) = part {
                        self.expr(inner);
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(|item| self.expr(item)),
            ExprKind::Call(name, args) => {
                self.calls.push(Call { name: name.text.clone(), span: name.span });
                args.iter().for_each(|arg| self.expr(arg));
            }
            ExprKind::Object(items) => {
                for item in items {
                    if let ObjectKey::Expr(key) = &item.key {
                        self.expr(key);
                    }
                    self.expr(&item.value);
                }
            }
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Unary(_, inner) | ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Binary(_, left, right) => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::Conditional(condition, then, otherwise) => {
                self.expr(condition);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::For(for_expr) => {
                self.expr(&for_expr.collection);
                let bound = for_expr.key_var.iter().chain([&for_expr.value_var]).map(|v| v.text.clone());
                let before = self.shadowed.len();
                self.shadowed.extend(bound);
                for inner in [for_expr.key.as_ref(), Some(&for_expr.value), for_expr.condition.as_ref()] {
                    inner.into_iter().for_each(|inner| self.expr(inner));
                }
                self.shadowed.truncate(before);
            }
        }
    }

    /// The namespace `base.NAME` refers into, when `base` is a root (`network`) or `cloud.KIND`.
    fn namespace_of(&self, base: &Expr) -> Option<String> {
        fn root<'e>(expr: &'e Expr, shadowed: &[String]) -> Option<&'e str> {
            match &expr.kind {
                ExprKind::Variable(root) if !shadowed.contains(&root.text) => Some(root.text.as_str()),
                _ => None,
            }
        }
        let root = |expr| root(expr, &self.shadowed);
        match &base.kind {
            ExprKind::Variable(_) => root(base).filter(|name| ROOTS.contains(name)).map(String::from),
            ExprKind::GetAttr(inner, kind) if root(inner) == Some("cloud") => Some(format!("cloud.{}", kind.text)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_lang::FileId;

    fn index(text: &str) -> Index {
        Index::new(&[isopod_lang::syntax::parse(FileId::default(), text).file])
    }

    #[test]
    fn declarations_and_references_by_the_name_references_use() {
        let text = "cloud \"aws\" \"prod\" {}\nvariable \"base\" {}\nlocals {\n  x = var.base\n}\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr = local.x\n  tags = { n = network.db.cidr, m = [for network in [1] : network.app] }\n}\n";
        let index = index(text);
        let keys: Vec<String> = index.declarations.iter().map(|d| d.key.written()).collect();
        assert_eq!(keys, ["cloud.aws.prod", "var.base", "local.x", "network.app"]);
        let refs: Vec<(String, &str)> =
            index.references.iter().map(|r| (r.key.written(), &text[r.span.range()])).collect();
        assert_eq!(
            refs,
            [
                ("var.base".into(), "var.base"),
                ("cloud.aws.prod".into(), "cloud.aws.prod"),
                ("local.x".into(), "local.x"),
                ("network.db".into(), "network.db"),
            ],
            "`network.app` inside the `for` names its variable, not the network"
        );
        let at = text.find("local.x").unwrap() + 7;
        assert_eq!(index.key_at(FileId::default(), at).map(Key::written).as_deref(), Some("local.x"));
        let label = text.find("\"app\"").unwrap() + 2;
        assert_eq!(index.key_at(FileId::default(), label).map(Key::written).as_deref(), Some("network.app"));
    }
}
