//! Traffic and cost: what the flow logs say talks to whom, along which path of the topology, and
//! what it costs each month, with the resources' fixed costs and the changes that would save
//! money.
//!
//! The pipeline, each step its own module: [`flows`] reads the clouds' flow logs (streamed, on
//! every core) into a [`tally::Tally`] keyed by [`places`] (where each address is in the
//! configuration); [`traffic`] joins the tally into rows with their [`paths`]; [`estimate`] prices
//! the paths from the [`prices`] book; [`fixed`] prices the resources a plan keeps; [`suggest`]
//! proposes changes; [`render`] shows it all. Pure apart from reading the flow files named (the
//! user's price book comes in as text): no cloud is called.

pub mod change;
pub mod estimate;
pub mod fixed;
pub mod flows;
pub mod paths;
pub mod places;
pub mod prices;
pub mod render;
pub mod suggest;
pub mod tally;
pub mod traffic;

use estimate::PricedPath;
use fixed::{Billed, FixedCost};
use isopod_lang::Topology;
use isopod_planner::Desired;
use paths::Routes;
use places::Places;
use prices::PriceBook;
use serde::Serialize;
use std::path::PathBuf;
use suggest::Suggestion;
use traffic::Traffic;

/// The traffic of the flow logs under `sources`, attributed to `topology` (its AWS networks on
/// transit gateways as `desired` has them).
pub fn read_traffic(
    topology: &Topology,
    desired: &Desired,
    sources: &[PathBuf],
    options: &flows::ReadOptions,
) -> Result<Traffic, String> {
    let places = Places::new(topology);
    let (tally, read) = flows::read_all(sources, options, || tally::Tally::new(&places))?;
    let routes = Routes { topology, aws_transit: &desired.aws_transit };
    Ok(Traffic::new(&tally, &places, routes, read))
}

/// What the topology costs each month.
#[derive(Clone, Debug, Serialize)]
pub struct CostReport {
    /// The hours of flow logs read (0 without flows).
    pub window_hours: f64,
    /// The hours each source's flow logs span, by which its traffic is scaled to a month.
    pub windows: std::collections::BTreeMap<flows::Format, f64>,
    /// The traffic's paths, priced.
    pub paths: Vec<PricedPath>,
    /// The resources' fixed costs.
    pub fixed: Vec<FixedCost>,
    /// The traffic's monthly cost.
    pub traffic_monthly_usd: f64,
    /// The fixed costs' sum.
    pub fixed_monthly_usd: f64,
    /// Both.
    pub total_monthly_usd: f64,
    /// Changes that would save money, best first.
    pub suggestions: Vec<Suggestion>,
    /// Meters the price book has no price for (their costs are left out).
    pub unpriced: Vec<String>,
    /// What reading the flows found, when there were flows.
    pub read: Option<flows::ReadReport>,
}

/// The cost of the resources `desired` wants and, when given, of the traffic.
pub fn cost(topology: &Topology, desired: &Desired, traffic: Option<&Traffic>, book: &PriceBook) -> CostReport {
    let (fixed, mut unpriced) = fixed::fixed_costs(desired_billed(desired), book);
    let (paths, traffic_unpriced) = match traffic {
        Some(traffic) => estimate::price(traffic, book),
        None => (Vec::new(), Vec::new()),
    };
    for meter in traffic_unpriced {
        if !unpriced.contains(&meter) {
            unpriced.push(meter);
        }
    }
    let suggestions = suggest::suggest(&paths, topology, book);
    let traffic_monthly_usd = paths.iter().map(|path| path.monthly_usd).sum();
    let fixed_monthly_usd = fixed::total(&fixed);
    CostReport {
        window_hours: traffic.map_or(0.0, |t| t.window_hours),
        windows: traffic.map(|t| t.windows.clone()).unwrap_or_default(),
        paths,
        fixed,
        traffic_monthly_usd,
        fixed_monthly_usd,
        total_monthly_usd: traffic_monthly_usd + fixed_monthly_usd,
        suggestions,
        unpriced,
        read: traffic.map(|t| t.read.clone()),
    }
}

/// The monthly cost of `traffic` on the topology it was read against (paths priced, no fixed
/// costs), and the gigabytes a month of it that topology gives no path (not priced).
pub fn traffic_cost(traffic: &Traffic, book: &PriceBook) -> (f64, f64) {
    let paths = estimate::price(traffic, book).0;
    let usd = paths.iter().map(|path| path.monthly_usd).sum();
    let unconnected =
        paths.iter().filter(|path| path.row.path.kind == paths::PathKind::Unconnected).map(|p| p.monthly_gb).sum();
    (usd, unconnected)
}

/// The resources of `desired`, as fixed costs take them.
pub fn desired_billed(desired: &Desired) -> impl Iterator<Item = Billed<'_>> {
    desired.resources.values().map(|resource| Billed {
        kind: resource.id.kind,
        scope: &resource.scope,
        attrs: &resource.attrs,
        object: &resource.object,
        resource: resource.id.to_string(),
    })
}
