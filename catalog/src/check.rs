//! Resources checked against the catalogue: every attribute known to its kind, every value of
//! the attribute's type, every output referred to one its kind has. Lowering checks each
//! resource it builds in debug builds (so every test does), and the providers' suite checks what
//! discovery reports, so that a misspelt attribute fails a test instead of sending nothing to a
//! cloud and showing as drift forever.

use crate::catalogue::{AttrSpec, AttrType};
use crate::resource::{ObservedResource, Resource};
use crate::value::Value;
use std::net::IpAddr;

/// What is wrong with `resource` against its kind's entry (nothing when it conforms).
pub fn desired(resource: &Resource) -> Vec<String> {
    let spec = resource.id.kind.spec();
    let mut problems = Vec::new();
    for (name, value) in resource.attrs.iter() {
        let place = format!("{}: attribute `{name}`", resource.id);
        match spec.attr(name) {
            Some(attr) => check_value(&place, attr.ty, value, &mut problems),
            None => problems.push(format!("{place} is not in the catalogue's `{}`", spec.name)),
        }
    }
    problems
}

/// What is wrong with what a provider reported of a live resource: attributes its kind has
/// neither as an attribute nor as an output.
pub fn observed(resource: &ObservedResource) -> Vec<String> {
    let spec = resource.kind.spec();
    resource
        .attrs
        .keys()
        .filter(|name| spec.attr(name).is_none() && spec.output(name).is_none())
        .map(|name| format!("{} {}: attribute `{name}` is not in the catalogue", spec.name, resource.provider_id))
        .collect()
}

fn check_value(place: &str, ty: AttrType, value: &Value, problems: &mut Vec<String>) {
    let mut wrong = |what: &str| problems.push(format!("{place} holds {value}, not {what}"));
    match (ty, value) {
        (_, Value::Output(output)) => {
            if output.resource.kind.spec().output(&output.output).is_none() {
                let kind = output.resource.kind;
                problems.push(format!("{place} uses output `{}` of {kind}, which has none such", output.output));
            }
        }
        (AttrType::Secret, Value::Sensitive(_)) => {}
        (AttrType::Secret, _) => wrong("a secret"),
        (_, Value::Sensitive(_)) => wrong(&ty.describe()),
        (AttrType::String | AttrType::Ref(_), Value::String(_)) => {}
        (AttrType::Integer, Value::Integer(_)) | (AttrType::Bool, Value::Bool(_)) => {}
        (AttrType::Address, Value::String(text)) if text.parse::<IpAddr>().is_ok() => {}
        (AttrType::Cidr, Value::String(text)) if is_cidr(text) => {}
        (AttrType::Tags, Value::Map(entries)) if entries.values().all(|v| matches!(v, Value::String(_))) => {}
        (AttrType::List(item), Value::List(items)) => {
            items.iter().for_each(|value| check_value(place, *item, value, problems));
        }
        (AttrType::Fields(fields), Value::Map(entries)) => {
            for (name, value) in entries {
                let place = format!("{place}, field `{name}`");
                match fields.iter().find(|field: &&AttrSpec| field.name == name) {
                    Some(field) => check_value(&place, field.ty, value, problems),
                    None => problems.push(format!("{place} is not a field of the attribute")),
                }
            }
        }
        _ => wrong(&ty.describe()),
    }
}

/// `10.0.0.0/16`, or an interface's address with its prefix (`169.254.0.1/30`).
fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else { return false };
    let Ok(address) = address.parse::<IpAddr>() else { return false };
    let bits = if address.is_ipv4() { 32 } else { 128 };
    prefix.parse::<u8>().is_ok_and(|prefix| prefix <= bits)
}
