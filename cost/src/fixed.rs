//! Fixed costs: what keeping the resources costs each month, from the catalogue's billing of
//! each kind and the price book. The same for the resources a plan wants and those that are
//! live, so that a plan can say what it changes.

use crate::prices::{PriceBook, Unit, Where};
use isopod_catalog::{Attrs, Cloud, Period, ResourceKind, Scope};
use isopod_lang::topology::CloudKind;
use serde::Serialize;

/// Hours in the month prices are quoted for (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// What one resource costs to keep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixedCost {
    /// The logical object it realises (`network.app`, `tunnel.app-dc`).
    pub object: String,
    /// The resource (`aws_vpn_connection.app-dc`).
    pub resource: String,
    /// The meter.
    pub meter: String,
    /// Units billed (zones of an endpoint, one otherwise).
    pub units: u64,
    /// The price of a unit.
    pub unit_usd: f64,
    /// Its unit.
    pub unit: Unit,
    /// The monthly cost.
    pub monthly_usd: f64,
    /// The price book row.
    pub price_row: String,
}

/// A resource as fixed costs need it.
#[derive(Clone, Debug)]
pub struct Billed<'a> {
    /// Its kind.
    pub kind: ResourceKind,
    /// Where it is.
    pub scope: &'a Scope,
    /// Its attributes.
    pub attrs: &'a Attrs,
    /// The logical object.
    pub object: &'a str,
    /// Its address.
    pub resource: String,
}

/// The fixed costs of `resources`, and the meters the book has no price for.
pub fn fixed_costs<'a>(
    resources: impl IntoIterator<Item = Billed<'a>>,
    book: &PriceBook,
) -> (Vec<FixedCost>, Vec<String>) {
    let mut costs = Vec::new();
    let mut unpriced = Vec::new();
    for resource in resources {
        let Some(cloud) = cloud_kind(resource.scope) else { continue };
        for billing in resource.kind.spec().billing {
            let units = billing.units(resource.attrs);
            if units == 0 {
                continue;
            }
            let Some(meter) = billing.meter_for(resource.attrs) else { continue };
            let (per_month, unit) = match billing.per {
                Period::Hour => (HOURS_PER_MONTH, Unit::Hour),
                Period::Month => (1.0, Unit::Month),
            };
            // A row in another unit than the kind is billed by is no price for it.
            let rate = book.rate(&meter, Where { cloud, from: &resource.scope.region, to: None });
            let Some(rate) = rate.filter(|rate| rate.unit() == unit) else {
                if !unpriced.contains(&meter) {
                    unpriced.push(meter);
                }
                continue;
            };
            costs.push(FixedCost {
                object: resource.object.to_string(),
                resource: resource.resource.clone(),
                meter,
                units,
                unit_usd: rate.unit_price(),
                unit: rate.unit(),
                monthly_usd: units as f64 * rate.unit_price() * per_month,
                price_row: rate.tiers[0].origin.clone(),
            });
        }
    }
    (costs, unpriced)
}

/// The sum of `costs`.
pub fn total(costs: &[FixedCost]) -> f64 {
    costs.iter().map(|cost| cost.monthly_usd).sum()
}

/// The cloud whose prices a resource in `scope` pays; `None` for hosts.
fn cloud_kind(scope: &Scope) -> Option<CloudKind> {
    match scope.cloud_kind()? {
        Cloud::Aws => Some(CloudKind::Aws),
        Cloud::Azure => Some(CloudKind::Azure),
        Cloud::Gcp => Some(CloudKind::Gcp),
        Cloud::Host => None,
    }
}

/// The resources of `observed` that `stack` owns, as fixed costs take them.
pub fn observed_billed<'a>(
    observed: &'a [isopod_catalog::ObservedResource],
    stack: &'a str,
) -> impl Iterator<Item = Billed<'a>> {
    observed.iter().filter_map(move |resource| {
        let id = resource.owned_by(stack)?;
        Some(Billed {
            kind: resource.kind,
            scope: &resource.scope,
            attrs: &resource.attrs,
            object: "",
            resource: id.to_string(),
        })
    })
}

/// What a plan does to the fixed costs: the live resources' now, the configuration's after.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FixedChange {
    /// The monthly fixed cost of the live resources the stack owns.
    pub now_monthly_usd: f64,
    /// The monthly fixed cost of the resources the configuration wants.
    pub after_monthly_usd: f64,
    /// After less now.
    pub delta_monthly_usd: f64,
}

impl FixedChange {
    /// The change between the live resources (`now`) and the wanted ones (`after`).
    pub fn new<'a>(
        now: impl IntoIterator<Item = Billed<'a>>,
        after: impl IntoIterator<Item = Billed<'a>>,
        book: &PriceBook,
    ) -> FixedChange {
        let now = total(&fixed_costs(now, book).0);
        let after = total(&fixed_costs(after, book).0);
        FixedChange { now_monthly_usd: now, after_monthly_usd: after, delta_monthly_usd: after - now }
    }

    /// One line for plans: `Cost: fixed $383.25/month now, $419.75/month after this plan
    /// (+$36.50/month).`
    pub fn line(&self) -> String {
        use crate::render::usd;
        if self.now_monthly_usd < 0.005 && self.after_monthly_usd < 0.005 {
            return "Cost: no fixed costs, before or after this plan.".into();
        }
        if (self.delta_monthly_usd).abs() < 0.005 {
            return format!("Cost: fixed {}/month, unchanged by this plan.", usd(self.after_monthly_usd));
        }
        let sign = if self.delta_monthly_usd > 0.0 { "+" } else { "" };
        format!(
            "Cost: fixed {}/month now, {}/month after this plan ({sign}{}/month).",
            usd(self.now_monthly_usd),
            usd(self.after_monthly_usd),
            usd(self.delta_monthly_usd)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::{ObservedResource, Ownership};

    fn desired() -> isopod_planner::Desired {
        let topology = isopod_test_support::topology(&isopod_test_support::examples::three_cloud_mesh());
        isopod_planner::lower(&topology, &isopod_planner::Live::default()).unwrap()
    }

    /// The live resources as the clouds would report them once the plan is applied.
    fn applied(desired: &isopod_planner::Desired) -> Vec<ObservedResource> {
        desired
            .resources
            .values()
            .map(|resource| ObservedResource {
                provider_id: format!("id-{}", resource.id),
                kind: resource.id.kind,
                scope: resource.scope.clone(),
                attrs: (*resource.attrs).clone(),
                owner: Some(Ownership { stack: desired.stack.clone(), id: resource.id.clone() }),
            })
            .collect()
    }

    #[test]
    fn an_unchanged_topology_has_no_delta_and_a_new_one_costs_all_it_adds() {
        let desired = desired();
        let book = PriceBook::builtin();
        let live = applied(&desired);
        let unchanged =
            FixedChange::new(observed_billed(&live, &desired.stack), crate::desired_billed(&desired), &book);
        assert!(unchanged.now_monthly_usd > 0.0);
        assert_eq!(unchanged.delta_monthly_usd, 0.0);
        assert!(unchanged.line().contains("unchanged by this plan"), "{}", unchanged.line());
        let fresh = FixedChange::new(observed_billed(&[], &desired.stack), crate::desired_billed(&desired), &book);
        assert_eq!(fresh.delta_monthly_usd, fresh.after_monthly_usd);
        assert!(fresh.line().starts_with("Cost: fixed $0.00/month now, $"), "{}", fresh.line());
        // Resources of another stack are not this stack's cost.
        let theirs = FixedChange::new(observed_billed(&live, "another"), std::iter::empty(), &book);
        assert_eq!(theirs.now_monthly_usd, 0.0);
    }
}
