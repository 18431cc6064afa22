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
            let Some(rate) = book.rate(&meter, Where { cloud, from: &resource.scope.region, to: None }) else {
                if !unpriced.contains(&meter) {
                    unpriced.push(meter);
                }
                continue;
            };
            let per_month = match billing.per {
                Period::Hour => HOURS_PER_MONTH,
                Period::Month => 1.0,
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
