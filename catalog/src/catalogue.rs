//! The shape of a catalogue entry: what one kind of resource is, its attributes with their types
//! and flags, and its outputs. The entries themselves are in [`crate::table`].
//!
//! Everything the planner, the executor and the providers need to know of a kind without its
//! cloud's API comes from here: which attributes force a replacement, which hold secrets, which
//! lists are unordered, which values the cloud keeps unique, what identifies an untaggable
//! resource, what must exist first, how long provisioning takes, and which outputs it has.

use crate::attrs::Attrs;
use crate::kind::{Cloud, ResourceKind};
use crate::value::Value;

/// What an attribute holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// A string.
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// An address range (`10.0.0.0/16`).
    Cidr,
    /// An IP address.
    Address,
    /// A map of strings (tags, labels).
    Tags,
    /// A secret, by its name in Isopod's secret store: never compared by value, never shown.
    Secret,
    /// Another resource, by its cloud id, its name or one of its outputs.
    Ref(Ref),
    /// A list of values of one type.
    List(&'static AttrType),
    /// A map with these fields.
    Fields(&'static [AttrSpec]),
}

impl AttrType {
    /// The same reference, which the cloud refuses to delete while the referrer exists.
    pub const fn holding(self) -> AttrType {
        match self {
            AttrType::Ref(target) => AttrType::Ref(Ref { holds: true, ..target }),
            other => other,
        }
    }

    /// Whether a value of this type can hold a reference to another resource.
    pub fn refers(self) -> bool {
        match self {
            AttrType::Ref(_) => true,
            AttrType::List(item) => item.refers(),
            AttrType::Fields(fields) => fields.iter().any(|field| field.ty.refers()),
            _ => false,
        }
    }

    /// How the type is written in the reference.
    pub fn describe(self) -> String {
        match self {
            AttrType::String => "string".into(),
            AttrType::Integer => "whole number".into(),
            AttrType::Bool => "bool".into(),
            AttrType::Cidr => "CIDR string".into(),
            AttrType::Address => "IP address".into(),
            AttrType::Tags => "map of strings".into(),
            AttrType::Secret => "secret".into(),
            AttrType::Ref(target) => target.describe(),
            AttrType::List(item) => format!("list of {}", item.describe()),
            AttrType::Fields(fields) => {
                let names: Vec<String> = fields.iter().map(|field| format!("`{}`", field.name)).collect();
                format!("map of {}", names.join(", "))
            }
        }
    }
}

/// A reference from an attribute to another resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ref {
    /// The kind referred to.
    pub kind: ResourceKind,
    /// What of it the value is: `id` (its cloud id), `name` (its `name` attribute) or one of its
    /// outputs (`main_route_table_id`).
    pub by: &'static str,
    /// Whether the resource referred to may be in another account or region (peerings).
    pub anywhere: bool,
    /// Whether the cloud refuses to delete the resource referred to while this one exists.
    pub holds: bool,
}

impl Ref {
    /// How the reference is written in the reference pages.
    pub fn describe(self) -> String {
        let what = match self.by {
            "id" => "id".to_string(),
            "name" => "name".to_string(),
            output => format!("`{output}`"),
        };
        let name = self.kind.name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{what} of {article} `{name}`")
    }
}

/// A reference to `kind` by its cloud id, in the same cloud account, which `kind` cannot be
/// deleted before.
pub const fn id_of(kind: ResourceKind) -> AttrType {
    AttrType::Ref(Ref { kind, by: "id", anywhere: false, holds: true })
}

/// A reference to `kind` by its name, in the same cloud account, which `kind` cannot be deleted
/// before.
pub const fn name_of(kind: ResourceKind) -> AttrType {
    AttrType::Ref(Ref { kind, by: "name", anywhere: false, holds: true })
}

/// A reference to `kind` by its output `output`, which does not hold it.
pub const fn output_of(kind: ResourceKind, output: &'static str) -> AttrType {
    AttrType::Ref(Ref { kind, by: output, anywhere: false, holds: false })
}

/// A reference to `kind` by `by` (`id`, `name` or an output), in the same cloud account, which
/// does not hold it.
pub const fn ref_to(kind: ResourceKind, by: &'static str) -> AttrType {
    AttrType::Ref(Ref { kind, by, anywhere: false, holds: false })
}

/// A reference to `kind` by its cloud id in any account or region, which does not hold it.
pub const fn id_anywhere(kind: ResourceKind) -> AttrType {
    AttrType::Ref(Ref { kind, by: "id", anywhere: true, holds: false })
}

/// One attribute of a kind, in the planner's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrSpec {
    /// The name.
    pub name: &'static str,
    /// What it holds.
    pub ty: AttrType,
    /// A different value replaces the resource: the cloud cannot change it in place.
    pub replaces: bool,
    /// A list whose order means nothing to the cloud (it may list it in any order): compared
    /// as a set.
    pub unordered: bool,
    /// The cloud keeps the value unique among the resources of the kind in one account (names,
    /// the ranges of subnets and routes): a resource that takes a value another is giving up
    /// waits for that one's deletion.
    pub unique: bool,
    /// Part of what identifies a resource of a kind the cloud cannot tag, in this order.
    pub natural_key: bool,
    /// The cloud fills it in when the configuration leaves it out (a subnet's zone).
    pub computed: bool,
    /// What it is (one line, Markdown).
    pub doc: &'static str,
}

/// An attribute called `name` that holds `ty`, changeable in place, with no flag.
pub const fn attr(name: &'static str, ty: AttrType, doc: &'static str) -> AttrSpec {
    AttrSpec { name, ty, replaces: false, unordered: false, unique: false, natural_key: false, computed: false, doc }
}

impl AttrSpec {
    /// The same attribute, which the cloud cannot change in place.
    pub const fn replaces(mut self) -> Self {
        self.replaces = true;
        self
    }

    /// The same attribute, an unordered list.
    pub const fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// The same attribute, unique among the kind's resources in one account.
    pub const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// The same attribute, part of the natural key (which cannot change, so it replaces).
    pub const fn natural_key(mut self) -> Self {
        self.natural_key = true;
        self.replaces = true;
        self
    }

    /// The same attribute, filled in by the cloud when left out.
    pub const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Whether it holds a secret.
    pub fn sensitive(&self) -> bool {
        self.ty == AttrType::Secret
    }
}

/// One output of a kind: what the cloud assigns at creation and dependent resources use. Every
/// kind also has `id`, its cloud id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    /// The name.
    pub name: &'static str,
    /// What it holds.
    pub ty: AttrType,
    /// What it is.
    pub doc: &'static str,
}

/// An output called `name`.
pub const fn output(name: &'static str, ty: AttrType, doc: &'static str) -> OutputSpec {
    OutputSpec { name, ty, doc }
}

/// One kind of resource.
#[derive(Debug)]
pub struct KindSpec {
    /// The kind.
    pub kind: ResourceKind,
    /// Its name in addresses and plans, e.g. `aws_vpc`.
    pub name: &'static str,
    /// Its cloud.
    pub cloud: Cloud,
    /// The cloud's API object it is (Markdown), e.g. "EC2 `Vpc` (`CreateVpc`)".
    pub api: &'static str,
    /// What it is (Markdown).
    pub doc: &'static str,
    /// How long the cloud typically takes to provision one after its create call, in seconds;
    /// zero for what is ready when the call returns.
    pub provisioning_seconds: u64,
    /// Its attributes.
    pub attrs: &'static [AttrSpec],
    /// Its outputs besides `id`.
    pub outputs: &'static [OutputSpec],
    /// What keeping one costs, by the meters of the price book (`cost/prices.csv`); empty for
    /// what is free to keep (traffic through it is priced by the path it takes, not here).
    pub billing: &'static [Billing],
}

/// One meter a resource is billed by while it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Billing {
    /// The meter; `{ATTR}` stands for the value of attribute `ATTR` (`azure.vpn_gateway.{sku}`).
    pub meter: &'static str,
    /// How often it is billed.
    pub per: Period,
    /// How many units one resource is billed.
    pub count: BilledCount,
}

/// The period a meter bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Per hour the resource exists.
    Hour,
    /// Per month.
    Month,
}

/// How many units of a meter one resource is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BilledCount {
    /// One.
    One,
    /// One per item of the list attribute named (an interface endpoint per subnet, i.e. zone).
    EachOf(&'static str),
    /// One when the attribute named is set (a VPN connection on a transit gateway is also an
    /// attachment of it).
    IfSet(&'static str),
}

/// Billed `meter` once per hour.
pub const fn hourly(meter: &'static str) -> Billing {
    Billing { meter, per: Period::Hour, count: BilledCount::One }
}

/// Billed `meter` once per month.
pub const fn monthly(meter: &'static str) -> Billing {
    Billing { meter, per: Period::Month, count: BilledCount::One }
}

impl Billing {
    /// The same meter, counted `count` times.
    pub const fn counted(self, count: BilledCount) -> Billing {
        Billing { count, ..self }
    }

    /// The meter's name for a resource with attributes `attrs` (`{ATTR}` replaced by the
    /// attribute's string); `None` when the attribute is not a known string.
    pub fn meter_for(&self, attrs: &crate::attrs::Attrs) -> Option<String> {
        let Some((before, rest)) = self.meter.split_once('{') else { return Some(self.meter.to_string()) };
        let (attr, after) = rest.split_once('}')?;
        match attrs.get(attr)? {
            Value::String(value) => Some(format!("{before}{value}{after}")),
            _ => None,
        }
    }

    /// How many units one resource with attributes `attrs` is billed.
    pub fn units(&self, attrs: &crate::attrs::Attrs) -> u64 {
        match self.count {
            BilledCount::One => 1,
            BilledCount::EachOf(attr) => match attrs.get(attr) {
                Some(Value::List(items)) => items.len() as u64,
                _ => 0,
            },
            BilledCount::IfSet(attr) => match attrs.get(attr) {
                None => 0,
                Some(Value::String(text)) if text.is_empty() => 0,
                Some(_) => 1,
            },
        }
    }
}

impl KindSpec {
    /// The attribute called `name`, by binary search over the kind's attributes sorted by name
    /// once: the diff looks up every attribute of every resource (thirty for an AWS VPN
    /// connection).
    pub fn attr(&self, name: &str) -> Option<&'static AttrSpec> {
        static BY_NAME: std::sync::OnceLock<Vec<Vec<&'static AttrSpec>>> = std::sync::OnceLock::new();
        let by_name = BY_NAME.get_or_init(|| {
            let sorted = |spec: &'static KindSpec| {
                let mut attrs: Vec<&'static AttrSpec> = spec.attrs.iter().collect();
                attrs.sort_by_key(|attr| attr.name);
                attrs
            };
            crate::CATALOGUE.iter().map(sorted).collect()
        });
        let attrs = &by_name[self.kind as usize];
        attrs.binary_search_by(|attr| attr.name.cmp(name)).ok().map(|at| attrs[at])
    }

    /// The output called `name` (`id` included, as a string).
    pub fn output(&self, name: &str) -> Option<AttrType> {
        match name {
            "id" => Some(AttrType::String),
            _ => self.outputs.iter().find(|output| output.name == name).map(|output| output.ty),
        }
    }

    /// Every reference its attributes can hold, nested fields included, with the attribute
    /// (top-level) that holds it.
    pub fn refs(&self) -> Vec<(&'static AttrSpec, Ref)> {
        fn walk(ty: AttrType, out: &mut Vec<Ref>) {
            match ty {
                AttrType::Ref(target) => out.push(target),
                AttrType::List(item) => walk(*item, out),
                AttrType::Fields(fields) => fields.iter().for_each(|field| walk(field.ty, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for attr in self.attrs {
            let mut refs = Vec::new();
            walk(attr.ty, &mut refs);
            out.extend(refs.into_iter().map(|target| (attr, target)));
        }
        out
    }

    /// The references `attrs` (a resource of this kind's) hold, nested fields included: each
    /// with its attribute and the string it names the other resource by.
    pub fn references_in<'a>(&self, attrs: &'a Attrs) -> Vec<(&'static AttrSpec, Ref, &'a str)> {
        type Found<'a> = Vec<(&'static AttrSpec, Ref, &'a str)>;
        fn walk<'a>(attr: &'static AttrSpec, ty: AttrType, value: &'a Value, out: &mut Found<'a>) {
            match (ty, value) {
                (AttrType::Ref(target), Value::String(text)) => out.push((attr, target, text)),
                (AttrType::List(item), Value::List(items)) => {
                    items.iter().for_each(|value| walk(attr, *item, value, out));
                }
                (AttrType::Fields(fields), Value::Map(entries)) => {
                    for field in fields {
                        if let Some(value) = entries.get(field.name) {
                            walk(attr, field.ty, value, out);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        // Only the attributes that can hold a reference are looked up (a few of a kind's many).
        for attr in self.attrs.iter().filter(|attr| attr.ty.refers()) {
            if let Some(value) = attrs.get(attr.name) {
                walk(attr, attr.ty, value, &mut out);
            }
        }
        out
    }

    /// The kinds that must exist before one of this kind: those its attributes refer to.
    pub fn parents(&self) -> Vec<ResourceKind> {
        let mut parents: Vec<ResourceKind> =
            self.refs().into_iter().map(|(_, target)| target.kind).filter(|&kind| kind != self.kind).collect();
        parents.sort();
        parents.dedup();
        parents
    }
}
