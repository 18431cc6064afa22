//! The contract every provider keeps, as one suite each provider's tests run against it (the
//! simulator in memory, AWS against moto; Azure and GCP against their emulators), in the spirit
//! of OpenStack's DefCore: one must-pass list, every implementation passes it.
//!
//! The suite is driven by configurations, not by hand-written resources: each [`Case`] is an
//! `.iso` text, planned by the planner, so every kind is exercised with the attributes the
//! lowering really gives it. For each case, against a scope that holds nothing of its stack:
//!
//! 1. **Created** in the plan's order ([`carry`]), with ownership written in the create call;
//!    each create returns a cloud id and every output the catalogue lists for its kind, and a
//!    kind the cloud provisions asynchronously becomes ready.
//! 2. **Discovered** back: one resource per planned one, owned by the stack, in its scope, in
//!    the catalogue's vocabulary, never with a secret's value, and the plan made from it has
//!    no changes.
//! 3. **Updated in place**: every tagged resource's tags (GCP's labels) changed, read back with the same
//!    ownership; and the case's `changed` text, if any, applied over it (its updates in place,
//!    its replacements as the plan orders them), after which it plans no changes either.
//! 4. **Refused, classified**: deleting a resource that another holds is a conflict (and
//!    deletes nothing); after the destroy, creating a resource again into its deleted parent
//!    is not found (and creates nothing).
//! 5. **Deleted** in the destroy plan's order, each deletion repeated (the second succeeds),
//!    gone to the executor's waits, and nothing of the stack is left.
//!
//! [`throttled_must_pass`] then replays the calls against the same provider made to talk to a
//! cloud that throttles every call: each is classified as throttled.

mod carry;

pub use carry::SECRET;
use carry::{Carried, carry};
use isopod_catalog::{Cloud, ObservedResource, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_planner::{Desired, Plan};
use isopod_provider::{ErrorKind, Provider};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The provider under test for each cloud a case's resources are in.
pub type Providers<'a> = &'a dyn Fn(Cloud) -> Arc<dyn Provider>;

/// One configuration the suite applies.
pub struct Case {
    /// What it exercises, for the failure messages.
    pub name: String,
    /// The configuration.
    pub text: String,
    /// The same stack changed (attributes that update in place, and ones that replace),
    /// applied over the first.
    pub changed: Option<String>,
}

/// What a provider is known not to enforce (an emulator's gaps), each with the reason, so that
/// the suite skips exactly those checks and says so.
#[derive(Default)]
pub struct Gaps {
    /// `(holder, held)`: deleting a `held` resource that a `holder` refers to is not refused.
    pub deletes_held: Vec<(ResourceKind, ResourceKind, &'static str)>,
    /// Kinds created into a deleted parent without an error.
    pub creates_orphans: Vec<(ResourceKind, &'static str)>,
}

/// What the suite exercised, by kind: the callers check that it is every kind they serve.
#[derive(Default)]
pub struct Report {
    /// The kinds created, discovered, deleted.
    pub kinds: BTreeSet<ResourceKind>,
    /// The kinds updated in place (tags or a changed case).
    pub updated: BTreeSet<ResourceKind>,
    /// The kinds replaced by a changed case.
    pub replaced: BTreeSet<ResourceKind>,
    /// The kinds refused deletion while held.
    pub held: BTreeSet<ResourceKind>,
    /// The kinds refused creation into a deleted parent.
    pub orphans_refused: BTreeSet<ResourceKind>,
    /// One resource per kind as created (outputs resolved), with its cloud id then: for
    /// [`throttled_must_pass`].
    pub samples: BTreeMap<ResourceKind, (Resource, String)>,
}

/// Runs every case against `providers`; panics, naming the case and the resource, at the first
/// broken promise.
pub async fn must_pass(providers: Providers<'_>, cases: &[Case], gaps: &Gaps) -> Report {
    let mut report = Report::default();
    for case in cases {
        must_pass_case(providers, case, gaps, &mut report).await;
    }
    report
}

async fn must_pass_case(providers: Providers<'_>, case: &Case, gaps: &Gaps, report: &mut Report) {
    let name = case.name.as_str();
    let topology = isopod_test_support::topology(&case.text);
    let stack = topology.stack.name.value.clone();
    let (plan, desired) = isopod_planner::plan(&topology, &[]).unwrap_or_else(|err| panic!("{name}: {err}"));
    let mut scopes: BTreeSet<Scope> = plan.changes.iter().map(|change| change.scope.clone()).collect();
    if let Some(changed) = &case.changed {
        let changed = isopod_test_support::topology(changed);
        let (more, _) = isopod_planner::plan(&changed, &[]).unwrap_or_else(|err| panic!("{name}, changed: {err}"));
        scopes.extend(more.changes.iter().map(|change| change.scope.clone()));
    }
    assert!(owned(providers, &scopes, &stack).await.is_empty(), "{name}: the scopes start with nothing of `{stack}`");

    // 1. Created in the plan's order.
    let created = carry(providers, &plan, &desired, &[], name).await;
    for (kind, sample) in created.samples() {
        report.samples.entry(kind).or_insert(sample);
    }

    // 2. Discovered back.
    let live = owned(providers, &scopes, &stack).await;
    // Each created resource, by the ownership discovery must read back: its id, or, for a kind
    // the cloud cannot tag, its natural key (the simulator keeps the id of every kind).
    let mut expected: BTreeMap<ResourceId, &Resource> = BTreeMap::new();
    for (resource, _) in &created.created {
        let kind = resource.id.kind;
        expected.insert(resource.id.clone(), resource);
        if let Some(address) = kind.natural_address(&resource.attrs) {
            expected.insert(ResourceId::new(kind, address), resource);
        }
    }
    let found_ids: BTreeSet<&ResourceId> = live.iter().filter_map(|found| found.owned_by(&stack)).collect();
    let found_resources: BTreeSet<&ResourceId> =
        found_ids.iter().filter_map(|id| expected.get(*id)).map(|resource| &resource.id).collect();
    let unfound: Vec<_> =
        created.created.iter().map(|(r, _)| &r.id).filter(|id| !found_resources.contains(id)).collect();
    let unplanned: Vec<_> = found_ids.iter().filter(|id| !expected.contains_key(**id)).collect();
    assert!(
        unfound.is_empty() && unplanned.is_empty(),
        "{name}: created but not found: {unfound:?}; found but not created: {unplanned:?}"
    );
    assert_eq!(live.len(), desired.resources.len(), "{name}: one live resource per planned one: {live:#?}");
    for found in &live {
        let id = found.owned_by(&stack).expect("owned");
        let planned = expected[id];
        assert_eq!(found.kind, id.kind, "{name}: {id}");
        assert_eq!(found.scope, planned.scope, "{name}: {id} is where it was created");
        report.kinds.insert(found.kind);
    }
    assert_discovered_well(&live, name);
    assert_no_changes(&topology, &live, &format!("{name}, as created"));

    // 3. Updated in place: tags, then the changed case.
    retag(providers, (&expected, &live), (&scopes, &stack), name, report).await;
    let live = owned(providers, &scopes, &stack).await;
    if let Some(changed) = &case.changed {
        let changed = isopod_test_support::topology(changed);
        let (plan, desired) =
            isopod_planner::plan(&changed, &live).unwrap_or_else(|err| panic!("{name}, changed: {err}"));
        let Carried { updated, replaced, .. } = carry(providers, &plan, &desired, &live, name).await;
        assert!(!updated.is_empty() || !replaced.is_empty(), "{name}: the changed case changes nothing");
        report.updated.extend(updated);
        report.replaced.extend(replaced);
        let live = owned(providers, &scopes, &stack).await;
        assert_discovered_well(&live, name);
        assert_no_changes(&changed, &live, &format!("{name}, changed"));
    }

    // 4. Refused: what is held cannot be deleted.
    let live = owned(providers, &scopes, &stack).await;
    refuse_held_deletes(providers, &live, gaps, name, report).await;
    let after = owned(providers, &scopes, &stack).await;
    assert_eq!(after.len(), live.len(), "{name}: a refused deletion deletes nothing");

    // 5. Deleted, holders first, each twice.
    let nothing = Desired { stack: stack.clone(), ..Default::default() };
    let destroy = Plan::new(&nothing, isopod_planner::diff(&nothing, &after), &after)
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    carry(providers, &destroy, &nothing, &after, name).await;
    let left = owned(providers, &scopes, &stack).await;
    assert!(left.is_empty(), "{name}: left after the destroy: {left:#?}");

    // 4, again: creating into a deleted parent is not found.
    refuse_orphans(providers, &created, &stack, gaps, name, report).await;
    let left = owned(providers, &scopes, &stack).await;
    assert!(left.is_empty(), "{name}: a refused creation creates nothing: {left:#?}");
}

/// What `stack` owns in `scopes`, every kind of their clouds.
async fn owned(providers: Providers<'_>, scopes: &BTreeSet<Scope>, stack: &str) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for scope in scopes {
        let provider = providers(scope.cloud_kind().unwrap_or_else(|| panic!("no cloud for the scope {scope:?}")));
        let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|kind| kind.cloud() == provider.cloud()).collect();
        let live = provider.discover(scope, &kinds).await.unwrap_or_else(|err| panic!("discovering {scope:?}: {err}"));
        found.extend(live.into_iter().filter(|resource| resource.owned_by(stack).is_some()));
    }
    found
}

/// What discovery reports: the catalogue's vocabulary, and never a secret's value.
fn assert_discovered_well(live: &[ObservedResource], name: &str) {
    let unknown: Vec<String> = live.iter().flat_map(isopod_catalog::check::observed).collect();
    assert!(unknown.is_empty(), "{name}: discovery outside the catalogue's vocabulary: {unknown:?}");
    for found in live {
        let shown = format!("{found:?}");
        assert!(!shown.contains(SECRET), "{name}: {} {} shows a secret's value", found.kind, found.provider_id);
    }
}

fn assert_no_changes(topology: &isopod_lang::Topology, live: &[ObservedResource], name: &str) {
    let (again, _) = isopod_planner::plan(topology, live).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert!(again.is_empty(), "{name}: planned again:\n{}", isopod_planner::render::text(&again));
}

/// Changes every tagged resource's tags in place: the update keeps its ownership and discovery
/// reads the new tags back.
async fn retag(
    providers: Providers<'_>,
    (sent, live): (&BTreeMap<ResourceId, &Resource>, &[ObservedResource]),
    (scopes, stack): (&BTreeSet<Scope>, &str),
    name: &str,
    report: &mut Report,
) {
    let tagged = || live.iter().filter_map(|found| Some((found, found.kind.tags_attr()?)));
    for (found, tags) in tagged() {
        let owner = found.owner.as_ref().expect("owned");
        // As it was created (references and secrets filled in, as the executor sends an
        // update), with other tags.
        let mut resource = sent[&owner.id].clone();
        let attrs = Arc::make_mut(&mut resource.attrs);
        attrs.insert(tags.into(), Value::Map([("conformance".into(), Value::string("retagged"))].into()));
        let provider = providers(found.kind.cloud());
        provider
            .update(&found.provider_id, &resource)
            .await
            .unwrap_or_else(|err| panic!("{name}: {}: {err}", owner.id));
    }
    let after = owned(providers, scopes, stack).await;
    for (found, tags) in tagged() {
        let again = after.iter().find(|other| other.provider_id == found.provider_id && other.kind == found.kind);
        let again = again.unwrap_or_else(|| {
            panic!("{name}: {} {} is no longer owned after its update", found.kind, found.provider_id)
        });
        let tag = match again.attrs.get(tags) {
            Some(Value::Map(tags)) => tags.get("conformance"),
            _ => None,
        };
        assert_eq!(tag, Some(&Value::string("retagged")), "{name}: {} {}", found.kind, found.provider_id);
        assert_eq!(again.owner, found.owner, "{name}: an update keeps the ownership of {}", found.provider_id);
        report.updated.insert(found.kind);
    }
}

/// For each pair of kinds (holder, held) in `live`, deleting the held one is refused as a
/// conflict.
async fn refuse_held_deletes(
    providers: Providers<'_>,
    live: &[ObservedResource],
    gaps: &Gaps,
    name: &str,
    report: &mut Report,
) {
    let mut tried: BTreeSet<(ResourceKind, ResourceKind)> = BTreeSet::new();
    for holder in live {
        for (attr, reference, value) in holder.kind.spec().references_in(&holder.attrs) {
            let pair = (holder.kind, reference.kind);
            let known_gap = gaps.deletes_held.iter().any(|(a, b, _)| (*a, *b) == pair);
            if !reference.holds || known_gap || tried.contains(&pair) {
                continue;
            }
            let held = live.iter().find(|other| {
                other.kind == reference.kind
                    && match reference.by {
                        "id" => other.provider_id == value,
                        // Names and outputs are unique within one cloud account only.
                        by => {
                            other.scope.cloud == holder.scope.cloud
                                && other.attrs.get(by) == Some(&Value::string(value))
                        }
                    }
            });
            let Some(held) = held else { continue };
            tried.insert(pair);
            let provider = providers(held.kind.cloud());
            let refused = provider.delete(&held.provider_id, held.kind, &held.scope).await;
            let what = format!(
                "{name}: deleting {} {} while {} {} holds it by `{}`",
                held.kind, held.provider_id, holder.kind, holder.provider_id, attr.name
            );
            match refused {
                Err(err) => assert_eq!(err.kind, ErrorKind::Conflict, "{what}: {err}"),
                Ok(()) => panic!("{what} succeeded"),
            }
            report.held.insert(held.kind);
        }
    }
}

/// For one resource of each kind with a holding reference, creating it again (as it was
/// created, its parents' ids now stale) is refused as not found.
async fn refuse_orphans(
    providers: Providers<'_>,
    created: &Carried,
    stack: &str,
    gaps: &Gaps,
    name: &str,
    report: &mut Report,
) {
    let mut tried: BTreeSet<ResourceKind> = BTreeSet::new();
    for (resource, _) in &created.created {
        let kind = resource.id.kind;
        let holds =
            kind.spec().references_in(&resource.attrs).iter().any(|(_, reference, _)| {
                reference.holds && !reference.anywhere && reference.kind.cloud() == kind.cloud()
            });
        let known_gap = gaps.creates_orphans.iter().any(|(gap, _)| *gap == kind);
        if !holds || known_gap || !tried.insert(kind) {
            continue;
        }
        let owner = Ownership { stack: stack.to_string(), id: resource.id.clone() };
        let provider = providers(kind.cloud());
        match provider.create(resource, &owner).await {
            Err(err) => {
                assert_eq!(err.kind, ErrorKind::NotFound, "{name}: {} into deleted parents: {err}", resource.id)
            }
            Ok(made) => panic!("{name}: {} was created into deleted parents as {}", resource.id, made.provider_id),
        }
        report.orphans_refused.insert(kind);
    }
}

/// Replays one call of each kind in `report` against `throttled`, the same provider talking to
/// a cloud that throttles every call: each is classified as throttled (so that the executor
/// backs off and retries it).
pub async fn throttled_must_pass(throttled: Providers<'_>, report: &Report) {
    for (kind, (resource, provider_id)) in &report.samples {
        let provider = throttled(kind.cloud());
        let owner = Ownership { stack: "conformance".into(), id: resource.id.clone() };
        let scope = &resource.scope;
        let mut calls = vec![
            ("discover", provider.discover(scope, &[*kind]).await.err()),
            ("create", provider.create(resource, &owner).await.err()),
            ("delete", provider.delete(provider_id, *kind, scope).await.err()),
        ];
        // Only the kinds the cloud provisions asynchronously are looked at.
        if kind.provisioning_seconds() > 0 {
            calls.push(("provisioning", provider.provisioning(provider_id, *kind, scope).await.err()));
        }
        for (call, err) in calls {
            let err =
                err.unwrap_or_else(|| panic!("{kind}: {call} succeeded against a cloud that throttles every call"));
            assert_eq!(err.kind, ErrorKind::Throttled, "{kind}: {call}: {err}");
        }
    }
}
