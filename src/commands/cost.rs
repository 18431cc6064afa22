//! `isopod cost`: the monthly cost of the configuration's resources and, with flow logs, of its
//! traffic, with suggestions. Offline: the configuration is lowered without asking any cloud.

use super::Status;
use crate::cli::{ConfigArgs, CostArgs, FlowSourceArgs, TrafficArgs};
use crate::{config, diagnostics, output};
use isopod_cost::change::{CostChange, TrafficChange};
use isopod_cost::fixed::FixedChange;
use isopod_cost::flows::ReadOptions;
use isopod_cost::prices::PriceBook;
use isopod_cost::traffic::Traffic;
use isopod_lang::Topology;
use isopod_planner::Desired;
use std::path::{Path, PathBuf};

/// A configuration ready to price: its topology, the resources it wants, and the price book.
pub struct Priced {
    /// The checked configuration.
    pub topology: Topology,
    /// The resources it wants, lowered without live state.
    pub desired: Desired,
    /// The built-in book under the stack's `prices` file and `--prices`.
    pub book: PriceBook,
}

impl Priced {
    /// Loads the configuration and its price book (`--prices`, when given, over the stack's
    /// `prices` file); `None` after reporting why it cannot be priced.
    pub fn load(config: &ConfigArgs, prices: Option<&Path>) -> anyhow::Result<Option<Priced>> {
        let Some((_, topology)) = config::load(config) else { return Ok(None) };
        let desired = match isopod_planner::lower(&topology, &isopod_planner::Live::default()) {
            Ok(desired) => desired,
            Err(err) => {
                eprintln!("error: {err}");
                return Ok(None);
            }
        };
        let Some(book) = price_book(stack_prices(config, &topology).as_deref(), prices) else { return Ok(None) };
        Ok(Some(Priced { topology, desired, book }))
    }
}

/// What the plan from `observed` to `desired` does to the bill: the fixed costs, priced from the
/// stack's book, and with flow logs the observed traffic on this configuration and on the one
/// `--base` names; `None` after reporting why it cannot be priced.
pub fn cost_change(
    config: &ConfigArgs,
    traffic: &TrafficArgs,
    topology: &Topology,
    observed: &[isopod_catalog::ObservedResource],
    desired: &Desired,
) -> anyhow::Result<Option<CostChange>> {
    let Some(book) = price_book(stack_prices(config, topology).as_deref(), None) else { return Ok(None) };
    let now = isopod_cost::fixed::observed_billed(observed, &desired.stack);
    let fixed = FixedChange::new(now, isopod_cost::desired_billed(desired), &book);
    if traffic.source.flows.is_empty() {
        return Ok(Some(CostChange { fixed, traffic: None }));
    }
    let Some(files) = FlowFiles::prepare(topology, &traffic.source)? else { return Ok(None) };
    let Some(after) = files.read(topology, desired) else { return Ok(None) };
    let before = match &traffic.base {
        None => None,
        Some(dir) => {
            let base = ConfigArgs { dir: dir.clone(), vars: config.vars.clone() };
            let Some(priced) = Priced::load(&base, None)? else { return Ok(None) };
            let Some(read) = files.read(&priced.topology, &priced.desired) else { return Ok(None) };
            Some(isopod_cost::traffic_cost(&read, &book).0)
        }
    };
    let (after_usd, unconnected) = isopod_cost::traffic_cost(&after, &book);
    let traffic = TrafficChange {
        before_monthly_usd: before,
        after_monthly_usd: after_usd,
        unconnected_after_monthly_gb: unconnected,
        window_hours: after.window_hours,
    };
    Ok(Some(CostChange { fixed, traffic: Some(traffic) }))
}

/// The stack's `prices` file, relative to the configuration's folder.
fn stack_prices(config: &ConfigArgs, topology: &Topology) -> Option<std::path::PathBuf> {
    topology.stack.prices.as_ref().map(|file| config::config_dir(&config.dir).join(&file.value))
}

/// The price book: the built-in rows under each file given, the later over the earlier.
pub fn price_book(stack: Option<&Path>, command_line: Option<&Path>) -> Option<PriceBook> {
    let mut book = PriceBook::builtin();
    for file in [stack, command_line].into_iter().flatten() {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("error: cannot read the price book {}: {err}", file.display());
                return None;
            }
        };
        book = match book.with_overrides(&file.display().to_string(), &text) {
            Ok(book) => book,
            Err(err) => {
                eprint!("{}", diagnostics::render_report(&err, diagnostics::stderr_colored()));
                return None;
            }
        };
    }
    Some(book)
}

/// The traffic of the flow logs `source` names; `None` after reporting why it cannot be read.
pub fn load_traffic(priced: &Priced, source: &FlowSourceArgs) -> anyhow::Result<Option<Traffic>> {
    let Some(files) = FlowFiles::prepare(&priced.topology, source)? else { return Ok(None) };
    Ok(files.read(&priced.topology, &priced.desired))
}

/// Flow logs ready to read, as often as needed: local files and folders (what `s3://` sources
/// name copied into a scratch folder, kept as long as this is) and how to read them.
pub struct FlowFiles {
    _scratch: tempfile::TempDir,
    paths: Vec<PathBuf>,
    options: ReadOptions,
}

impl FlowFiles {
    /// The sources of `source`, copied down when they are in S3; `None` after reporting why
    /// they cannot be.
    pub fn prepare(topology: &Topology, source: &FlowSourceArgs) -> anyhow::Result<Option<FlowFiles>> {
        let sampling = source.gcp_sampling.unwrap_or_else(|| configured_gcp_sampling(topology));
        if !(sampling > 0.0 && sampling <= 1.0) {
            eprintln!("error: --gcp-sampling {sampling} is not a sampling rate: write a number above 0 and at most 1");
            return Ok(None);
        }
        let scratch = tempfile::tempdir()?;
        let paths = match local_sources(topology, &source.flows, scratch.path()) {
            Ok(paths) => paths,
            Err(err) => {
                eprintln!("error: {err}");
                return Ok(None);
            }
        };
        let options = ReadOptions { gcp_scale: 1.0 / sampling, ..ReadOptions::default() };
        Ok(Some(FlowFiles { _scratch: scratch, paths, options }))
    }

    /// The traffic of the files, attributed to `topology`; `None` after reporting why it cannot
    /// be read.
    pub fn read(&self, topology: &Topology, desired: &Desired) -> Option<Traffic> {
        match isopod_cost::read_traffic(topology, desired, &self.paths, &self.options) {
            Ok(traffic) => Some(traffic),
            Err(err) => {
                eprintln!("error: {err}");
                None
            }
        }
    }
}

/// The flow sampling the configuration's GCP `flow_logs` blocks give, when they all give the
/// same; else 1 (counts taken as they are).
fn configured_gcp_sampling(topology: &Topology) -> f64 {
    let mut rates = topology
        .networks
        .iter()
        .filter(|network| network.kind == isopod_lang::topology::CloudKind::Gcp)
        .filter_map(|network| network.flow_logs.as_ref().map(|logs| logs.sampling_rate()));
    match rates.next() {
        Some(first) if rates.all(|rate| rate == first) => first,
        _ => 1.0,
    }
}

/// The flow sources as local files and folders: each `s3://BUCKET/PREFIX` copied into `scratch`
/// through the AWS SDK, with the credentials of the cloud block whose network delivers its flow
/// logs to that bucket (else the first AWS block).
fn local_sources(topology: &Topology, sources: &[PathBuf], scratch: &Path) -> Result<Vec<PathBuf>, String> {
    let mut local = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let text = source.to_string_lossy();
        let Some(rest) = text.strip_prefix("s3://") else {
            local.push(source.clone());
            continue;
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let cloud = bucket_cloud(topology, bucket).ok_or_else(|| {
            format!("{text}: the configuration has no `cloud \"aws\"` block whose credentials could read it")
        })?;
        let into = scratch.join(index.to_string());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        let provider = crate::stack::aws_provider(cloud);
        runtime
            .block_on(provider.download_objects(&cloud.region.value, bucket, prefix, &into))
            .map_err(|err| format!("{text}: {err}"))?;
        local.push(into);
    }
    Ok(local)
}

/// The AWS cloud block of the network whose flow logs go to `bucket`, else the first one.
fn bucket_cloud<'a>(topology: &'a Topology, bucket: &str) -> Option<&'a isopod_lang::topology::Cloud> {
    let delivers = |network: &&isopod_lang::topology::Network| {
        let destination = network.flow_logs.as_ref().and_then(|logs| logs.destination.as_ref());
        destination.is_some_and(|d| d.value.split(":::").nth(1).and_then(|rest| rest.split('/').next()) == Some(bucket))
    };
    let network_cloud = topology.networks.iter().find(delivers).and_then(|network| topology.cloud(&network.cloud));
    network_cloud.or_else(|| topology.clouds.iter().find(|cloud| cloud.kind == isopod_lang::topology::CloudKind::Aws))
}

/// Runs `isopod cost`.
pub fn run(args: CostArgs) -> anyhow::Result<Status> {
    let Some(priced) = Priced::load(&args.config, args.prices.as_deref())? else { return Ok(Status::Failure) };
    let traffic = if args.source.flows.is_empty() {
        None
    } else {
        let Some(traffic) = load_traffic(&priced, &args.source)? else { return Ok(Status::Failure) };
        Some(traffic)
    };
    let report = isopod_cost::cost(&priced.topology, &priced.desired, traffic.as_ref(), &priced.book);
    if args.json {
        output::line(&serde_json::to_string_pretty(&isopod_cost::render::cost_json(&report))?)?;
    } else {
        output::stdout(&isopod_cost::render::cost_text(&report, &priced.book, args.explain))?;
    }
    Ok(Status::Success)
}
