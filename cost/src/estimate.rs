//! The monthly cost of the traffic: each path's meters priced from the book, the window scaled
//! to a month, tiers applied to each meter's monthly total (as the clouds bill them) and the cost
//! shared back among the paths by their gigabytes.

use crate::paths::Charge;
use crate::prices::{PriceBook, Rate, Unit, Where};
use crate::traffic::{Traffic, TrafficRow};
use serde::Serialize;
use std::collections::BTreeMap;

/// Bytes in a gigabyte as the clouds bill them (2^30).
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// One path's traffic and what it costs in a month.
#[derive(Clone, Debug, Serialize)]
pub struct PricedPath {
    /// The traffic.
    #[serde(flatten)]
    pub row: TrafficRow,
    /// Gigabytes in a month at the window's rate.
    pub monthly_gb: f64,
    /// The monthly cost.
    pub monthly_usd: f64,
    /// The cost by meter.
    pub charges: Vec<PricedCharge>,
}

/// One meter of one path.
#[derive(Clone, Debug, Serialize)]
pub struct PricedCharge {
    /// The meter and where.
    #[serde(flatten)]
    pub charge: Charge,
    /// The monthly cost.
    pub monthly_usd: f64,
    /// The average price paid per gigabyte, tiers applied to the meter's monthly total.
    pub usd_per_gb: f64,
    /// The book rows of its tiers.
    pub price_rows: Vec<String>,
}

/// The monthly cost of `traffic`'s paths, and the meters the book has no price for.
pub fn price(traffic: &Traffic, book: &PriceBook) -> (Vec<PricedPath>, Vec<String>) {
    // The rate of each charge, and each rate's monthly total (keyed by its first row).
    let mut unpriced = Vec::new();
    let mut totals: BTreeMap<String, (Rate<'_>, f64)> = BTreeMap::new();
    let mut rated: Vec<Vec<Option<String>>> = Vec::new();
    for row in &traffic.rows {
        let gb = row.monthly_gb;
        let mut keys = Vec::new();
        for charge in &row.path.charges {
            let place = Where { cloud: charge.cloud, from: &charge.region, to: charge.to_region.as_deref() };
            match book.rate(&charge.meter, place).filter(|rate| rate.unit() == Unit::Gigabyte) {
                Some(rate) => {
                    let key = format!("{} {}", charge.meter, rate.tiers[0].origin);
                    totals.entry(key.clone()).or_insert((rate, 0.0)).1 += gb;
                    keys.push(Some(key));
                }
                None => {
                    if !unpriced.contains(&charge.meter) {
                        unpriced.push(charge.meter.clone());
                    }
                    keys.push(None);
                }
            }
        }
        rated.push(keys);
    }
    let per_gb: BTreeMap<&String, f64> = totals
        .iter()
        .map(|(key, (rate, gb))| (key, if *gb > 0.0 { rate.cost(*gb) / gb } else { rate.unit_price() }))
        .collect();
    let paths = traffic
        .rows
        .iter()
        .zip(rated)
        .map(|(row, keys)| {
            let gb = row.monthly_gb;
            let charges: Vec<PricedCharge> = row
                .path
                .charges
                .iter()
                .zip(keys)
                .filter_map(|(charge, key)| {
                    let key = key?;
                    let usd_per_gb = per_gb[&key];
                    let rows = totals[&key].0.tiers.iter().map(|tier| tier.origin.clone()).collect();
                    Some(PricedCharge {
                        charge: charge.clone(),
                        monthly_usd: gb * usd_per_gb,
                        usd_per_gb,
                        price_rows: rows,
                    })
                })
                .collect();
            let monthly_usd = charges.iter().map(|charge| charge.monthly_usd).sum();
            PricedPath { row: row.clone(), monthly_gb: gb, monthly_usd, charges }
        })
        .collect();
    (paths, unpriced)
}
