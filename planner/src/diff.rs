//! The diff: desired resources against observed ones, resource by resource, attribute by
//! attribute. Only resources the stack owns are compared; everything else is invisible to it.

use crate::lower::Desired;
use isopod_catalog::{AttrSpec, Attrs, Name, ObservedResource, Resource, ResourceId, ResourceKind, Scope, Value};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What happens to one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Already as desired.
    NoOp,
    /// Does not exist yet.
    Create,
    /// Changed in place.
    Update,
    /// Deleted, then created again (an attribute cannot change in place).
    DeleteThenCreate,
    /// Owned by the stack but no longer in the configuration.
    Delete,
}

impl Action {
    /// The symbol plans show, as in Terraform.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::Delete => "-",
        }
    }
}

/// One attribute that differs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    /// The attribute.
    pub name: Name,
    /// Its live value, if any.
    pub before: Option<Value>,
    /// Its desired value, if any.
    pub after: Option<Value>,
    /// Whether this difference is why the resource is replaced.
    pub forces_replacement: bool,
}

/// The change to one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The resource.
    pub id: ResourceId,
    /// What happens to it.
    pub action: Action,
    /// Where it lives.
    pub scope: Scope,
    /// The logical object it belongs to (empty for deletes: the configuration no longer has it).
    pub object: String,
    /// The cloud's id of the live resource, if it exists.
    pub provider_id: Option<String>,
    /// The desired attributes (none for deletes), shared with the desired resource.
    pub after: Arc<Attrs>,
    /// The attributes that differ (all of them for creates and deletes).
    pub attrs: Vec<AttrChange>,
}

/// Compares `desired` with what the providers observed.
///
/// Two live resources that carry the same ownership (a create retried after its reply was lost
/// can leave one) are one too many: the one with the lowest cloud id is kept and compared, the
/// others are deleted.
pub fn diff(desired: &Desired, observed: &[ObservedResource]) -> Changes {
    let (mut owned, duplicates) = owned_copies(desired, observed);
    adopt_by_natural_key(desired, &mut owned);
    // Each desired resource's live copy, by the desired resource's position, which the live
    // copy learns.
    let live_copies: Vec<Option<&ObservedResource>> = (desired.resources.keys().enumerate())
        .map(|(position, id)| {
            owned.get_mut(id).map(|held| {
                held.desired = position;
                held.live
            })
        })
        .collect();
    // Most plans of a large estate create and replace nothing: then no resource's outputs are
    // unknown, every resource compares on its own, and they are compared on every core. Only
    // when one is created or replaced are they compared again in dependency order, which
    // passes that on. (The plan's order does not depend on the order of `changes`.)
    let Changes { list: mut changes, dependencies } =
        compare_alone(desired, &owned, &live_copies).unwrap_or_else(|| compare_in_order(desired, &owned).into());
    // Every change but a creation found its resource among the owned ones (ids are unique), so
    // when there are no more owned than that, nothing is gone and the desired ids need no set.
    let found_live = changes.iter().filter(|change| change.action != Action::Create).count();
    if owned.len() > found_live {
        let wanted: HashSet<&ResourceId> = desired.resources.keys().collect();
        let mut gone: Vec<(&ResourceId, &ObservedResource)> =
            owned.iter().filter(|(id, _)| !wanted.contains(*id)).map(|(id, held)| (*id, held.live)).collect();
        gone.sort_by_key(|(id, _)| *id);
        changes.extend(gone.into_iter().map(|(id, live)| deletion(id, live)));
    }
    for (id, copy, kept) in duplicates {
        let mut change = deletion(id, copy);
        change.attrs.insert(
            0,
            AttrChange {
                name: "(duplicate of)".into(),
                before: Some(Value::string(kept)),
                after: None,
                forces_replacement: false,
            },
        );
        changes.push(change);
    }
    Changes { list: changes, dependencies }
}

/// The changes of a diff, and, when it found them on its way, the dependencies among them that
/// the plan's order needs, which name the changes by position: [`Changes::into_vec`] gives the
/// changes up to be reordered or changed, without them.
#[derive(Clone, Debug)]
pub struct Changes {
    /// The changes.
    pub(crate) list: Vec<Change>,
    /// (dependency, dependent) by the changes' positions in `list`, repeats included: each
    /// desired resource's dependencies on the others, as [`Resource::for_each_dependency`] finds
    /// them.
    pub(crate) dependencies: Option<Vec<(usize, usize)>>,
}

impl Changes {
    /// The changes alone.
    pub fn into_vec(self) -> Vec<Change> {
        self.list
    }
}

impl From<Vec<Change>> for Changes {
    /// Changes in any order, whose dependencies the plan's order finds itself.
    fn from(list: Vec<Change>) -> Changes {
        Changes { list, dependencies: None }
    }
}

/// Every desired resource compared with its live one (`live_copies`, by the desired resources'
/// positions) as if no output were unknown, on every core, with the dependencies among them
/// that the comparisons find on the way (each output's resource is looked up once, for both);
/// `None` as soon as one is created or replaced (whose outputs others may use).
fn compare_alone(desired: &Desired, owned: &Owned<'_>, live_copies: &[Option<&ObservedResource>]) -> Option<Changes> {
    use std::sync::atomic::Ordering::Relaxed;
    let resources: Vec<(usize, &Resource)> = desired.resources.values().enumerate().collect();
    let none = HashSet::default();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let compare = |run: &[(usize, &Resource)]| -> Option<Changes> {
        let mut out = Vec::with_capacity(run.len());
        let mut dependencies = Vec::with_capacity(run.len() * 3);
        let mut specs = Specs::default();
        for &(position, resource) in run {
            let mut found = |dependency: usize| dependencies.push((dependency, position));
            // What it depends on by name, then by the outputs it reads: all that
            // `Resource::for_each_dependency` finds.
            for dependency in &resource.depends_on {
                if let Some(held) = owned.get(dependency) {
                    held.report(&mut found);
                }
            }
            let change = live_copies[position]
                .map(|live| comparison(resource, live, owned, &none, &desired.rotated, &mut specs, &mut found));
            match change {
                Some(change) if change.action != Action::DeleteThenCreate && !stop.load(Relaxed) => out.push(change),
                _ => {
                    stop.store(true, Relaxed);
                    return None;
                }
            }
        }
        Some(Changes { list: out, dependencies: Some(dependencies) })
    };
    let mut changes = Vec::with_capacity(resources.len());
    let mut dependencies = Vec::new();
    for run in crate::parallel::in_runs(&resources, compare) {
        let run = run?;
        changes.extend(run.list);
        dependencies.extend(run.dependencies.into_iter().flatten());
    }
    Some(Changes { list: changes, dependencies: Some(dependencies) })
}

/// Every desired resource compared with its live one, each after those it depends on: the
/// outputs of what is created or replaced are unknown to what uses them, and what depends on a
/// replaced resource is replaced too.
fn compare_in_order(desired: &Desired, owned: &Owned<'_>) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::with_capacity(desired.resources.len());
    // Resources replaced or created: their outputs are unknown until applied.
    let mut unknown_outputs: HashSet<&ResourceId> = HashSet::default();
    // Resources replaced: deleted, then created anew.
    let mut replaced: HashSet<&ResourceId> = HashSet::default();
    let mut specs = Specs::default();
    for (resource, dependencies) in order_by_dependencies(desired) {
        let mut change = match owned.get(&resource.id) {
            None => creation(resource),
            Some(held) => {
                comparison(resource, held.live, owned, &unknown_outputs, &desired.rotated, &mut specs, &mut |_| {})
            }
        };
        // What depends on a replaced resource (by its outputs, or by its name) is replaced too:
        // the old resource is deleted before the new one exists, and no cloud deletes what is
        // still in use.
        if matches!(change.action, Action::NoOp | Action::Update) && !replaced.is_empty() {
            for dependency in dependencies.into_iter().filter(|dependency| replaced.contains(dependency)) {
                change.action = Action::DeleteThenCreate;
                change.attrs.push(AttrChange {
                    name: "(depends on)".into(),
                    before: None,
                    after: Some(Value::string(format!("{dependency}, replaced"))),
                    forces_replacement: true,
                });
            }
        }
        if matches!(change.action, Action::Create | Action::DeleteThenCreate) {
            unknown_outputs.insert(&resource.id);
        }
        if change.action == Action::DeleteThenCreate {
            replaced.insert(&resource.id);
        }
        changes.push(change);
    }
    changes
}

/// The live resources the stack owns, by id.
type Owned<'a> = HashMap<&'a ResourceId, Held<'a>>;

/// A live resource the stack owns, and the position among the desired resources of the one with
/// its id ([`NOT_DESIRED`] when none has it).
#[derive(Clone, Copy, Debug)]
struct Held<'a> {
    live: &'a ObservedResource,
    desired: usize,
}

/// The position of a live resource that no desired resource has the id of.
const NOT_DESIRED: usize = usize::MAX;

impl<'a> Held<'a> {
    fn new(live: &'a ObservedResource) -> Held<'a> {
        Held { live, desired: NOT_DESIRED }
    }

    /// Tells `found` the position of the desired resource with this one's id, if there is one.
    fn report(&self, found: &mut impl FnMut(usize)) {
        if self.desired != NOT_DESIRED {
            found(self.desired);
        }
    }
}

/// What the stack owns, one live resource per id, and the other copies of an id (the one with
/// the lowest cloud id is kept), each with the cloud id of the copy kept, by id.
fn owned_copies<'a>(
    desired: &Desired,
    observed: &'a [ObservedResource],
) -> (Owned<'a>, Vec<(&'a ResourceId, &'a ObservedResource, &'a str)>) {
    let mut owned: Owned<'a> = HashMap::with_capacity_and_hasher(observed.len(), Default::default());
    let mut copies: BTreeMap<&ResourceId, Vec<&ObservedResource>> = BTreeMap::new();
    for resource in observed {
        let Some(id) = resource.owned_by(&desired.stack) else { continue };
        if let Some(first) = owned.insert(id, Held::new(resource)) {
            copies.entry(id).or_insert_with(|| vec![first.live]).push(resource);
            owned.insert(id, first);
        }
    }
    let mut duplicates = Vec::new();
    for (id, mut copies) in copies {
        copies.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
        let kept = copies[0];
        duplicates.extend(copies[1..].iter().map(|copy| (id, *copy, kept.provider_id.as_str())));
        owned.insert(id, Held::new(kept));
    }
    (owned, duplicates)
}

/// `observed`, each live untaggable resource that the diff takes for a desired one (it is
/// reported under its natural address) owned under that one's address: what refers to it then
/// finds its cloud id and outputs, as the executor looks them up.
pub fn adopted(desired: &Desired, observed: &[ObservedResource]) -> Vec<ObservedResource> {
    let mut owned: Owned<'_> = observed
        .iter()
        .filter_map(|resource| Some((resource.owned_by(&desired.stack)?, Held::new(resource))))
        .collect();
    adopt_by_natural_key(desired, &mut owned);
    let renamed: BTreeMap<(&str, ResourceKind), ResourceId> = owned
        .iter()
        .filter(|(id, held)| held.live.owned_by(&desired.stack) != Some(**id))
        .map(|(id, held)| ((held.live.provider_id.as_str(), held.live.kind), (*id).clone()))
        .collect();
    observed
        .iter()
        .map(|resource| {
            let mut resource = resource.clone();
            if let (Some(id), Some(owner)) =
                (renamed.get(&(resource.provider_id.as_str(), resource.kind)), resource.owner.as_mut())
            {
                owner.id = id.clone();
            }
            resource
        })
        .collect()
}

/// Files the live untaggable resources (reported under their natural address, see
/// [`ResourceKind::natural_key`]) under the address of the desired resource with the same key
/// in the same place; those left unmatched keep their natural address and are deleted.
fn adopt_by_natural_key<'a>(desired: &'a Desired, owned: &mut Owned<'a>) {
    let none = HashSet::default();
    let mut matches = Vec::new();
    // Only the kinds that have a natural key, each a run of the desired resources (ordered by
    // kind first), in the order of the resources.
    let keyed_kinds = ResourceKind::all().filter(|kind| kind.natural_key().next().is_some());
    let of_kind = |kind: ResourceKind| {
        let first = ResourceId::new(kind, String::new());
        desired.resources.range(first..).map(|(_, resource)| resource).take_while(move |r| r.id.kind == kind)
    };
    for resource in keyed_kinds.flat_map(of_kind) {
        let kind = resource.id.kind;
        if owned.contains_key(&resource.id) {
            continue;
        }
        let key: Option<Attrs> = kind
            .natural_key()
            .map(|name| Some((Name::new(name), resolve(resource.attrs.get(name)?, owned, &none)?)))
            .collect();
        let Some(address) = key.and_then(|key| kind.natural_address(&key)) else { continue };
        let natural = ResourceId::new(kind, address);
        if let Some((&live_id, &held)) = owned.get_key_value(&natural)
            && held.live.scope == resource.scope
        {
            matches.push((live_id, &resource.id, held));
        }
    }
    for (natural, id, live) in matches {
        owned.remove(natural);
        owned.insert(id, live);
    }
}

/// Desired resources, each after the resources it depends on (the lowering never makes cycles;
/// the planner's graph reports them if it did), with the ids it depends on.
fn order_by_dependencies(desired: &Desired) -> Vec<(&Resource, Vec<&ResourceId>)> {
    let resources: Vec<&Resource> = desired.resources.values().collect();
    let position: HashMap<&ResourceId, usize> =
        resources.iter().enumerate().map(|(idx, resource)| (&resource.id, idx)).collect();
    let mut dependencies: Vec<Option<Vec<&ResourceId>>> = resources.iter().map(|r| Some(r.dependencies())).collect();
    let mut visited = vec![false; resources.len()];
    let mut ordered = Vec::with_capacity(resources.len());
    fn visit<'a>(
        idx: usize,
        resources: &[&'a Resource],
        position: &HashMap<&'a ResourceId, usize>,
        dependencies: &mut [Option<Vec<&'a ResourceId>>],
        visited: &mut [bool],
        out: &mut Vec<(&'a Resource, Vec<&'a ResourceId>)>,
    ) {
        if std::mem::replace(&mut visited[idx], true) {
            return;
        }
        let own = dependencies[idx].take().unwrap_or_default();
        for dependency in &own {
            if let Some(&dep) = position.get(dependency) {
                visit(dep, resources, position, dependencies, visited, out);
            }
        }
        out.push((resources[idx], own));
    }
    for idx in 0..resources.len() {
        visit(idx, &resources, &position, &mut dependencies, &mut visited, &mut ordered);
    }
    ordered
}

fn creation(resource: &Resource) -> Change {
    let attrs = resource
        .attrs
        .iter()
        .map(|(name, value)| AttrChange {
            name: *name,
            before: None,
            after: Some(value.clone()),
            forces_replacement: false,
        })
        .collect();
    Change {
        id: resource.id.clone(),
        action: Action::Create,
        scope: resource.scope.clone(),
        object: resource.object.clone(),
        provider_id: None,
        after: resource.attrs.clone(),
        attrs,
    }
}

/// A live value as a plan may show it: a secret's value never.
fn shown(kind: isopod_catalog::ResourceKind, name: &str, value: &Value) -> Value {
    if kind.is_sensitive(name) { Value::Sensitive("(live)".into()) } else { value.clone() }
}

fn deletion(id: &ResourceId, live: &ObservedResource) -> Change {
    let attrs = live
        .attrs
        .iter()
        .map(|(name, value)| AttrChange {
            name: *name,
            before: Some(shown(id.kind, name, value)),
            after: None,
            forces_replacement: false,
        })
        .collect();
    Change {
        id: id.clone(),
        action: Action::Delete,
        scope: live.scope.clone(),
        object: String::new(),
        provider_id: Some(live.provider_id.clone()),
        after: Arc::default(),
        attrs,
    }
}

/// `value` with its output references replaced by what they are now, if every resource they
/// name exists and keeps its outputs (`None` when one is still unknown).
fn resolve(value: &Value, owned: &Owned<'_>, unknown_outputs: &HashSet<&ResourceId>) -> Option<Value> {
    match value {
        Value::Output(output) if unknown_outputs.contains(&output.resource) => None,
        Value::Output(output) => {
            let live = owned.get(&output.resource)?.live;
            match output.output.as_str() {
                "id" => Some(Value::string(&live.provider_id)),
                name => live.attrs.get(name).cloned(),
            }
        }
        Value::List(items) => {
            items.iter().map(|item| resolve(item, owned, unknown_outputs)).collect::<Option<_>>().map(Value::List)
        }
        Value::Map(entries) => entries
            .iter()
            .map(|(key, item)| Some((key.clone(), resolve(item, owned, unknown_outputs)?)))
            .collect::<Option<_>>()
            .map(Value::Map),
        other => Some(other.clone()),
    }
}

/// Whether `wanted`, with its output references read from the live resources they name, is
/// `now`: what [`resolve`] then `==` says, without building the resolved value. A value known only
/// after apply is never equal. Tells `found` the desired position of each resource whose output
/// it reads (all of `wanted`'s when they are equal).
fn equals_live(
    wanted: &Value,
    now: &Value,
    owned: &Owned<'_>,
    unknown_outputs: &HashSet<&ResourceId>,
    found: &mut impl FnMut(usize),
) -> bool {
    match (wanted, now) {
        (Value::Output(output), _) if unknown_outputs.contains(&output.resource) => false,
        (Value::Output(output), _) => match owned.get(&output.resource) {
            None => false,
            Some(held) => {
                held.report(found);
                match output.output.as_str() {
                    "id" => matches!(now, Value::String(text) if *text == held.live.provider_id),
                    name => held.live.attrs.get(name) == Some(now),
                }
            }
        },
        (Value::List(items), Value::List(live)) => {
            items.len() == live.len()
                && items.iter().zip(live).all(|(item, now)| equals_live(item, now, owned, unknown_outputs, found))
        }
        (Value::Map(entries), Value::Map(live)) => {
            entries.len() == live.len()
                && entries.iter().zip(live).all(|((key, item), (live_key, now))| {
                    key == live_key && equals_live(item, now, owned, unknown_outputs, found)
                })
        }
        (Value::List(_) | Value::Map(_), _) => false,
        _ => wanted == now,
    }
}

/// Tells `found` the desired position of each resource whose output `value` reads.
fn outputs_in(value: &Value, owned: &Owned<'_>, found: &mut impl FnMut(usize)) {
    match value {
        Value::Output(output) => {
            if let Some(held) = owned.get(&output.resource) {
                held.report(found);
            }
        }
        Value::List(items) => items.iter().for_each(|item| outputs_in(item, owned, found)),
        Value::Map(entries) => entries.values().for_each(|item| outputs_in(item, owned, found)),
        Value::String(_) | Value::Integer(_) | Value::Bool(_) | Value::Sensitive(_) => {}
    }
}

/// Whether two values are equal, lists compared as sets (for unordered attributes).
fn same_as_set(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(a), Value::List(b)) => {
            let sorted = |items: &[Value]| {
                let mut texts: Vec<String> = items.iter().map(ToString::to_string).collect();
                texts.sort();
                texts
            };
            sorted(a) == sorted(b)
        }
        _ => a == b,
    }
}

/// What the catalogue says of each attribute of the last resource of each kind compared, by
/// position: a large plan's resources of one kind carry the same names, each the same static
/// text, so most find their attributes' descriptions without a search by name.
#[derive(Default)]
struct Specs {
    by_kind: HashMap<ResourceKind, (Vec<&'static str>, Vec<Option<&'static AttrSpec>>)>,
}

impl Specs {
    /// The descriptions of `attrs`, attributes of `kind`, in their order.
    fn of(&mut self, kind: ResourceKind, attrs: &Attrs) -> &[Option<&'static AttrSpec>] {
        let (names, specs) = self.by_kind.entry(kind).or_default();
        let same =
            names.len() == attrs.len() && names.iter().zip(attrs.keys()).all(|(a, b)| std::ptr::eq(*a, b.as_str()));
        if !same {
            *names = attrs.keys().map(Name::as_str).collect();
            *specs = attrs.keys().map(|name| kind.attr(name)).collect();
        }
        specs
    }
}

/// `resource` compared with `live`, its live copy; tells `found` the desired position of each
/// resource whose outputs its attributes read (repeats included).
fn comparison(
    resource: &Resource,
    live: &ObservedResource,
    owned: &Owned<'_>,
    unknown_outputs: &HashSet<&ResourceId>,
    rotated: &BTreeSet<String>,
    specs: &mut Specs,
    found: &mut impl FnMut(usize),
) -> Change {
    let kind = resource.id.kind;
    let specs = specs.of(kind, &resource.attrs);
    let mut attrs = Vec::new();
    if live.scope != resource.scope {
        // A resource cannot move between regions or accounts: it is created anew.
        let place = |scope: &isopod_catalog::Scope| Value::string(format!("{} {}", scope.cloud, scope.region));
        attrs.push(AttrChange {
            name: "(location)".into(),
            before: Some(place(&live.scope)),
            after: Some(place(&resource.scope)),
            forces_replacement: true,
        });
    }
    // Both sides are sorted by name: each live attribute is found by walking along.
    let mut live_attrs = live.attrs.iter().peekable();
    for ((name, wanted), &spec) in resource.attrs.iter().zip(specs) {
        while live_attrs.next_if(|(live_name, _)| *live_name < name).is_some() {}
        let now = live_attrs.next_if(|(live_name, _)| *live_name == name).map(|(_, value)| value);
        let forces_replacement = spec.is_some_and(|spec| spec.replaces);
        // A key is compared by presence only: clouds return keys to few callers, if at all, and
        // a plan never shows one. Rotating a key is an explicit act, not a difference.
        if matches!(wanted, Value::Sensitive(_)) || spec.is_some_and(|spec| spec.sensitive()) {
            let rotating = matches!(wanted, Value::Sensitive(secret) if rotated.contains(secret));
            if now.is_none() || rotating {
                attrs.push(AttrChange {
                    name: *name,
                    before: now.map(|value| shown(kind, name, value)),
                    after: Some(wanted.clone()),
                    forces_replacement,
                });
            }
            outputs_in(wanted, owned, found);
            continue;
        }
        // A value known only after apply (an output of a resource to be created or replaced)
        // is a change: the live value cannot be shown to match it.
        let unordered = spec.is_some_and(|spec| spec.unordered);
        let equal = now.map(|now| equals_live(wanted, now, owned, unknown_outputs, found));
        if equal != Some(true) {
            // Not every output was read on the way.
            outputs_in(wanted, owned, found);
        }
        let matches = match (now, equal) {
            // The same order is the same set; only a list in another order is sorted to compare.
            (Some(now), Some(false)) if unordered => {
                resolve(wanted, owned, unknown_outputs).is_some_and(|r| same_as_set(&r, now))
            }
            (_, equal) => equal == Some(true),
        };
        if matches {
            continue;
        }
        attrs.push(AttrChange {
            name: *name,
            before: now.map(|value| shown(kind, name, value)),
            after: Some(wanted.clone()),
            forces_replacement,
        });
    }
    let action = if attrs.is_empty() {
        Action::NoOp
    } else if attrs.iter().any(|a| a.forces_replacement) {
        Action::DeleteThenCreate
    } else {
        Action::Update
    };
    Change {
        id: resource.id.clone(),
        action,
        scope: resource.scope.clone(),
        object: resource.object.clone(),
        provider_id: Some(live.provider_id.clone()),
        after: resource.attrs.clone(),
        attrs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_descriptions_follow_each_resource_s_own_names() {
        let kind = ResourceKind::AwsVpc;
        let described =
            |attrs: &Attrs| -> Vec<Option<&'static AttrSpec>> { attrs.keys().map(|name| kind.attr(name)).collect() };
        let full: Attrs = [("cidr_block", Value::string("10.0.0.0/16")), ("tags", Value::Map(Default::default()))]
            .into_iter()
            .map(|(name, value)| (Name::new(name), value))
            .collect();
        let fewer: Attrs = [(Name::new("tags"), Value::Map(Default::default()))].into_iter().collect();
        let unknown: Attrs = [(Name::intern("not_an_attribute"), Value::Bool(true))].into_iter().collect();
        let mut specs = Specs::default();
        for attrs in [&full, &full, &fewer, &unknown, &full] {
            assert_eq!(specs.of(kind, attrs), described(attrs).as_slice(), "{attrs:?}");
        }
        assert!(specs.of(kind, &unknown)[0].is_none());
    }

    #[test]
    fn unordered_lists_compare_as_sets_and_ordered_ones_do_not() {
        let a = Value::List(vec![Value::string("subnet-1"), Value::string("subnet-2")]);
        let b = Value::List(vec![Value::string("subnet-2"), Value::string("subnet-1")]);
        assert!(same_as_set(&a, &b));
        assert!(!equals_live(&a, &b, &Owned::default(), &HashSet::default(), &mut |_| {}));
        let shorter = Value::List(vec![Value::string("subnet-1")]);
        assert!(!same_as_set(&a, &shorter));
    }
}
