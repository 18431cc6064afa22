//! The syntax tree of `.iso` files: what was written, with spans, before any evaluation.

use crate::span::{FileId, Span};

/// One parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// The file.
    pub id: FileId,
    /// The top-level attributes and blocks, in source order.
    pub body: Body,
    /// Every comment of the file, in source order (for the formatter).
    pub comments: Vec<Comment>,
}

/// A comment and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The comment including its delimiters.
    pub span: Span,
}

/// The contents of a file or block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// Attributes and blocks in source order.
    pub items: Vec<Item>,
}

impl Body {
    /// The attributes of this body.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|item| match item {
            Item::Attribute(attr) => Some(attr),
            Item::Block(_) => None,
        })
    }

    /// The nested blocks of this body.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|item| match item {
            Item::Block(block) => Some(block),
            Item::Attribute(_) => None,
        })
    }

    /// The first attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|attr| attr.name.text == name)
    }
}

/// An entry of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `name = value`
    Attribute(Attribute),
    /// `kind "label" { ... }`
    Block(Block),
}

impl Item {
    /// The whole item's span.
    pub fn span(&self) -> Span {
        match self {
            Item::Attribute(attr) => attr.span,
            Item::Block(block) => block.span,
        }
    }
}

/// An identifier and its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// `name = value`
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name.
    pub name: Ident,
    /// Its expression.
    pub value: Expr,
    /// From the name to the end of the value.
    pub span: Span,
}

/// `kind "label" ... { body }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The block type, e.g. `network`.
    pub kind: Ident,
    /// The labels, quoted or bare.
    pub labels: Vec<BlockLabel>,
    /// The contents.
    pub body: Body,
    /// From the kind to the closing brace.
    pub span: Span,
}

/// A block label: `"app"` or `app`.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockLabel {
    /// The label's value (unquoted).
    pub text: String,
    /// Where it was written, with quotes if any.
    pub span: Span,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number literal.
    Number(f64),
    /// A quoted string or heredoc, possibly with interpolations.
    Template(Vec<TemplatePart>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ key = value }`
    Object(Vec<ObjectItem>),
    /// A bare name: the root of a reference such as `network` in `network.app`.
    Variable(Ident),
    /// `value.name`
    GetAttr(Box<Expr>, Ident),
    /// `value[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `name(args)`
    Call(Ident, Vec<Expr>),
    /// `!x` or `-x`
    Unary(UnaryOp, Box<Expr>),
    /// `a + b` and the other binary operators.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `cond ? then : else`
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value if cond}`
    For(Box<ForExpr>),
    /// `(expr)`, kept so that the formatter can print what was written.
    Paren(Box<Expr>),
}

/// A piece of a string template.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes already decoded.
    Literal(String),
    /// `${expr}`
    Interpolation(Expr),
}

/// One `key = value` of an object constructor.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectItem {
    /// The key: a bare name is a literal key; a string or parenthesised expression is evaluated.
    pub key: ObjectKey,
    /// The value.
    pub value: Expr,
}

/// The key of an object item.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectKey {
    /// `name = ...`
    Ident(Ident),
    /// `"name" = ...` or `(expr) = ...`
    Expr(Expr),
}

impl ObjectKey {
    /// Where the key was written.
    pub fn span(&self) -> Span {
        match self {
            ObjectKey::Ident(ident) => ident.span,
            ObjectKey::Expr(expr) => expr.span,
        }
    }
}

/// A `for` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    /// The key variable, when two are given (`for k, v in ...`).
    pub key_var: Option<Ident>,
    /// The value variable.
    pub value_var: Ident,
    /// The collection iterated over.
    pub collection: Expr,
    /// For object results, the key expression.
    pub key: Option<Expr>,
    /// The value expression.
    pub value: Expr,
    /// The optional `if` filter.
    pub condition: Option<Expr>,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}
