//! The command-line interface: clap types only, no behaviour. The book's option tables are
//! generated from them (`cli/reference.rs`).

#[cfg(test)]
mod reference;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Declarative cloud networking: IPsec tunnels, private endpoints and relays across AWS, Azure,
/// GCP and Linux hosts
#[derive(Debug, Parser)]
#[command(name = "isopod", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a configuration without contacting any cloud
    Validate(ValidateArgs),
    /// Rewrite .iso files in the canonical layout
    Fmt(FmtArgs),
    /// Show the changes that would make the live resources match the configuration
    Plan(PlanArgs),
    /// Make the live resources match the configuration (plans, asks, then applies)
    Apply(ApplyArgs),
    /// Delete every resource the stack owns
    Destroy(DestroyArgs),
    /// Print the dependency graph of the configuration's resources in Graphviz's DOT language
    Graph(GraphArgs),
    /// Write the networks that exist in the configuration's AWS accounts, Azure subscriptions and GCP projects as editable .iso files
    Discover(DiscoverArgs),
    /// Show whether each tunnel is up, where its ends report it (hosts' strongSwan, AWS, GCP, Azure)
    Status(StatusArgs),
    /// Post the plan on a GitHub pull request, updating its comment in place on every push
    Comment(CommentArgs),
    /// Follow a branch of a git repository: plan every new commit, apply it by policy, and
    /// correct drift
    Watch(WatchArgs),
    /// Manage the pre-shared keys of the encrypted secret store (DIR/.isopod/secrets.json, or the stack's in a shared state)
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Run the language server for editors, speaking the Language Server Protocol on standard
    /// input and output
    Lsp(LspArgs),
    /// Show who talks to whom, from the clouds' flow logs: each pair of places with the path the
    /// topology gives their traffic (a zone, a peering, a tunnel, a relay, a NAT gateway, the
    /// internet), bytes, packets and top ports
    Flows(FlowsArgs),
    /// Show what the topology costs each month: the fixed costs of its resources and, with flow
    /// logs, the traffic path by path, with the changes that would save money
    Cost(CostArgs),
}

/// Where the flow logs are.
#[derive(Debug, Args)]
pub struct FlowSourceArgs {
    /// A flow-log file or folder (read recursively, gzip or not), or `s3://BUCKET/PREFIX` (read
    /// through the AWS SDK with the credentials of the cloud block whose network logs to that
    /// bucket): AWS VPC Flow Logs as S3 delivers them, GCP VPC Flow Logs entries as exported (JSON
    /// lines or an array), Azure virtual network flow logs (JSON). Repeat for more
    #[arg(long = "flows", value_name = "SOURCE")]
    pub flows: Vec<PathBuf>,
    /// The flow sampling of the GCP subnetworks logged (above 0, at most 1): GCP's counts are
    /// divided by it. Default: the `sampling` of the configuration's GCP `flow_logs` blocks when
    /// they agree, else 1
    #[arg(long, value_name = "RATE")]
    pub gcp_sampling: Option<f64>,
}

/// The traffic a plan prices, before and after.
#[derive(Debug, Args)]
pub struct TrafficArgs {
    /// Flow logs whose traffic the cost line prices on this configuration.
    #[command(flatten)]
    pub source: FlowSourceArgs,
    /// The configuration before the change (a checkout of the target branch): with --flows, the
    /// traffic is priced on it too, and the cost line says what the change does to the bill
    #[arg(long, value_name = "DIR")]
    pub base: Option<PathBuf>,
}

/// `isopod flows`
#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The flow logs.
    #[command(flatten)]
    pub source: FlowSourceArgs,
    /// Print the flows as JSON on stdout, instead of the table
    #[arg(long)]
    pub json: bool,
}

/// `isopod cost`
#[derive(Debug, Args)]
pub struct CostArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The flow logs whose traffic to price (without them, only fixed costs).
    #[command(flatten)]
    pub source: FlowSourceArgs,
    /// A price book of your own rates, over the built-in one and the stack's `prices` file
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// List every price used, with the row of the price book it comes from and its source
    #[arg(long)]
    pub explain: bool,
    /// Print the report as JSON on stdout, instead of the text
    #[arg(long)]
    pub json: bool,
}

/// `isopod lsp`
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Speak on standard input and output (the only transport; accepted because editors pass it)
    #[arg(long)]
    pub stdio: bool,
}

/// `isopod secret ...`
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret from standard input (a terminal prompts without echo)
    Set(SecretNameArgs),
    /// List the secrets set (names only; values are never printed)
    List(SecretDirArgs),
    /// Remove a secret (a generated key is generated again by the next apply)
    Rm(SecretNameArgs),
}

/// A secret store.
#[derive(Debug, Args)]
pub struct SecretDirArgs {
    /// The configuration's folder, whose .isopod/ holds the store
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// A shared state (`postgres://...`) that holds the store, by the configuration's stack name
    /// (default: `ISOPOD_STATE`, else the folder)
    #[arg(long, value_name = "URL")]
    pub state: Option<String>,
}

/// Where the stack's state is kept.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// Keep the stack's state (its lock, journal, secret store, record of regions, history of
    /// runs) in a PostgreSQL database shared by several machines (`postgres://USER@HOST/DB`),
    /// rather than in DIR/.isopod/ (default: `ISOPOD_STATE`)
    #[arg(long, value_name = "URL")]
    pub state: Option<String>,
}

/// One secret of a store.
#[derive(Debug, Args)]
pub struct SecretNameArgs {
    /// The secret's name, as in `secret("NAME")`
    pub name: String,
    /// The store.
    #[command(flatten)]
    pub store: SecretDirArgs,
}

/// Options shared by commands that load a configuration.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The folder of .iso files (or a single .iso file)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Set variable NAME, which the configuration must declare; overrides ISOPOD_VAR_NAME
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

/// `isopod validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print the checked topology as JSON on stdout, instead of the summary
    #[arg(long)]
    pub json: bool,
}

/// `isopod status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Start each host tunnel that is down, and report why it fails: the peer refused the
    /// pre-shared key (AUTHENTICATION_FAILED), no proposal both ends accept
    /// (NO_PROPOSAL_CHOSEN), the peer refused the traffic selectors (TS_UNACCEPTABLE), the peer
    /// does not answer. This starts tunnels; it changes no configuration
    #[arg(long)]
    pub probe: bool,
    /// Ask the local simulator's ends instead of the real clouds and hosts
    #[arg(long)]
    pub simulate: bool,
}

/// `isopod discover`
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The configuration whose `cloud` blocks say which accounts and regions to inspect.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Inspect only this cloud block (`aws.east` or `east`); default: every block
    #[arg(long = "cloud", value_name = "NAME")]
    pub clouds: Vec<String>,
    /// Where to write the files (default: the configuration's folder)
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
}

/// `isopod plan`
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Plan against the embedded simulator of the three clouds (state in DIR/.isopod/), not
    /// the real clouds. Without it, AWS, Azure and GCP are reached through their APIs and hosts
    /// through their strongSwan, locally or over SSH
    #[arg(long)]
    pub simulate: bool,
    /// Print the plan as JSON on stdout, instead of the text
    #[arg(long)]
    pub json: bool,
    /// Exit 2 when the plan has changes (0 when it has none, 1 on errors)
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also save the plan to FILE, with fingerprints that let a later apply refuse it once the
    /// configuration or the live resources have moved
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Also write the topology map of this plan as JSON to FILE (`isopod graph --live --format
    /// json`: what is live, and the tunnels' states), from the same discovery
    #[arg(long, value_name = "FILE", conflicts_with = "watch")]
    pub map: Option<std::path::PathBuf>,
    /// Give the live tunnels that use secret NAME its current value from the store (after
    /// `isopod secret set NAME`): updated in place, or replaced where the cloud cannot change a
    /// key
    #[arg(long = "rotate", value_name = "NAME")]
    pub rotate: Vec<String>,
    /// Plan again every time a .iso file of the configuration is saved (debounced), until
    /// interrupted; not with --out or --detailed-exitcode
    #[arg(long, conflicts_with_all = ["out", "detailed_exitcode"])]
    pub watch: bool,
    /// The traffic the cost line prices.
    #[command(flatten)]
    pub traffic: TrafficArgs,
    /// Where the stack's state is kept.
    #[command(flatten)]
    pub stored: StateArgs,
}

/// `isopod comment`
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Plan against the embedded simulator (state in DIR/.isopod/)
    #[arg(long)]
    pub simulate: bool,
    /// The pull request (default: the one of the event in GITHUB_EVENT_PATH)
    #[arg(long, value_name = "N")]
    pub pull_request: Option<u64>,
    /// The repository, OWNER/NAME (default: GITHUB_REPOSITORY)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
    /// What finds this configuration's comments again (default: DIR as given): a repository
    /// with several configurations gets one set of comments per folder and pull request
    #[arg(long)]
    pub key: Option<String>,
    /// The commit named in the title (default: the pull request's head, from the event)
    #[arg(long, value_name = "SHA")]
    pub revision: Option<String>,
    /// Print the comments on stdout instead of posting them (no token needed)
    #[arg(long)]
    pub dry_run: bool,
    /// The traffic the cost line prices.
    #[command(flatten)]
    pub traffic: TrafficArgs,
    /// Where the stack's state is kept.
    #[command(flatten)]
    pub stored: StateArgs,
}

/// `isopod watch`
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The repository to follow, for one stack: any URL git understands (`https://`, `ssh://`,
    /// `git@host:path`, `file://`) or a local path. HTTPS credentials come from git's
    /// credential helpers, SSH keys from the SSH agent. Many stacks: --fleet or --stack
    pub repository: Option<String>,
    /// The stack's name, for one repository (default: its configuration's `stack` block)
    #[arg(long, value_name = "NAME", requires = "repository")]
    pub name: Option<String>,
    /// Follow the stacks a TOML file lists (`[[stack]]` tables with `name`, `repository`, and
    /// optionally `branch`, `path`, `apply`, `interval`, `drift_interval`, `vars`); the other
    /// flags are their defaults
    #[arg(long, value_name = "FILE")]
    pub fleet: Option<PathBuf>,
    /// Follow a stack given as `name=N,repository=URL[,branch=B][,path=P][,apply=auto]
    /// [,interval=30s][,drift_interval=10m][,var.NAME=VALUE]`
    #[arg(long = "stack", value_name = "SPEC")]
    pub stacks: Vec<String>,
    /// The branch to follow
    #[arg(long, default_value = "main")]
    pub branch: String,
    /// The configuration's folder inside the repository
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// Where the watcher keeps its clones and the stacks' state (the apply journal and lock,
    /// generated keys, the simulator's state), one folder per stack under `stacks/` (one
    /// repository: `checkout/` and `state/`); one watcher per folder (a second one refuses to
    /// start)
    #[arg(long, default_value = ".isopod-watch")]
    pub workdir: PathBuf,
    /// The stack's state folder: the apply lock and journal, the regions used, generated keys,
    /// the simulator's state (default: WORKDIR/state; with many stacks, DIR/NAME for each, else
    /// WORKDIR/stacks/NAME/state). Watchers that share one (on one machine, or a file system
    /// with working locks) share the apply lock: never two applies at once
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Where the stack's state is kept: with a shared state, watchers on several machines share
    /// the stack's lease, journal and secrets (the state folder keeps the simulator's state).
    #[command(flatten)]
    pub stored: StateArgs,
    /// How often to fetch, e.g. `30s` or `5m`
    #[arg(long, default_value = "1m", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// How often to plan the revision in force again to find drift (`0`: never)
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub drift_interval: std::time::Duration,
    /// Apply every new revision and correct drift (`auto`), or only report plans (`never`)
    #[arg(long, value_enum, default_value_t = ApplyPolicy::Never)]
    pub apply: ApplyPolicy,
    /// Serve GitHub's push webhook at /webhook, /healthz, /metrics, the API under /api/v1/ and
    /// the web view at / on ADDR (a port alone, e.g. `8080`, is on 127.0.0.1; `0.0.0.0:8080` for
    /// every interface)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The API's bearer token, in a file (default: ISOPOD_API_TOKEN_FILE): required for every
    /// write (`POST .../reconcile`, refused without one) and for every read when set
    #[arg(long, value_name = "FILE")]
    pub api_token_file: Option<PathBuf>,
    /// The webhook's secret, in a file (default: ISOPOD_WEBHOOK_SECRET); deliveries not signed
    /// with it are refused
    #[arg(long, value_name = "FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// How to write the log (JSON objects carry `timestamp`, `level`, `message` and fields such
    /// as `revision`, `changes`, `diagnostics`)
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Plan and apply against the embedded simulator (state in the workdir), not the clouds
    #[arg(long)]
    pub simulate: bool,
    /// Set variable NAME, which the configuration must declare; overrides ISOPOD_VAR_NAME
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

/// When `isopod watch` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ApplyPolicy {
    /// Apply every new valid revision, and correct drift
    Auto,
    /// Only plan and report
    Never,
}

impl ApplyPolicy {
    /// Its name, as the flag and the fleet file write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyPolicy::Auto => "auto",
            ApplyPolicy::Never => "never",
        }
    }
}

/// The format of `isopod watch`'s log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people
    Text,
    /// One JSON object per line
    Json,
}

/// Options of commands that change resources.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Apply to the embedded simulator of the three clouds (state in DIR/.isopod/), not the
    /// real clouds. Without it, AWS, Azure and GCP are changed through their APIs and hosts
    /// through their strongSwan, locally or over SSH
    #[arg(long)]
    pub simulate: bool,
    /// Do not ask for confirmation (required when standard input is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The most provider calls in flight at once, 1 to 256 (a resource the cloud is
    /// provisioning holds no place)
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// The most calls started per second to each cloud, evenly spaced, to stay under its API
    /// rate limits (default: no limit of our own; throttled calls are retried)
    #[arg(long, value_name = "CALLS", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// How long to wait for another apply of the stack to finish, e.g. `30s` or `5m` (default:
    /// do not wait)
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
    /// Print one JSON event per line on stdout instead of the plan and the progress (with
    /// `--yes`: there is no plan on screen to confirm)
    #[arg(long, conflicts_with = "quiet", requires = "yes")]
    pub json: bool,
    /// Print one line per finished change, even on a terminal, and no plan (with `--yes`)
    #[arg(long, short)]
    pub quiet: bool,
    /// Where the stack's state is kept.
    #[command(flatten)]
    pub stored: StateArgs,
}

/// `isopod apply`
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The configuration (DIR may also be a plan saved with `isopod plan --out FILE`, which
    /// records its configuration).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Apply this saved plan (`isopod plan --out FILE`), refused if the configuration or the
    /// live resources moved since it was made
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Give the live tunnels that use secret NAME its current value from the store (after
    /// `isopod secret set NAME`): updated in place, or replaced where the cloud cannot change a
    /// key
    #[arg(long = "rotate", value_name = "NAME")]
    pub rotate: Vec<String>,
    /// How to change.
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `isopod destroy`
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// How to change.
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `isopod graph`
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
    pub format: GraphFormat,
    /// Draw the cloud resources and their dependencies instead of the topology map (for
    /// debugging plans; SVG or DOT)
    #[arg(long)]
    pub resources: bool,
    /// Discover what is live and ask the tunnels' ends for their state: links are drawn as not
    /// applied, live, up, degraded or down (needs the clouds' credentials, or `--simulate`)
    #[arg(long, conflicts_with = "resources")]
    pub live: bool,
    /// Where the stack's state is kept (with `--live`).
    #[command(flatten)]
    pub stored: StateArgs,
    /// With `--live`: read the local simulator instead of the real clouds
    #[arg(long, requires = "live")]
    pub simulate: bool,
}

/// The formats of `isopod graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// An SVG drawing
    Svg,
    /// Graphviz's DOT language (clusters per cloud block and region, or per logical object)
    Dot,
    /// The topology map as JSON: clouds, regions, networks, hosts and links with their status
    Json,
}

/// `isopod fmt`
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders to format (for a folder, its .iso files)
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any
    #[arg(long)]
    pub check: bool,
    /// Also format the .iso files of subfolders (hidden folders, whose names start with `.`,
    /// and symbolic links to folders are skipped)
    #[arg(long, short)]
    pub recursive: bool,
}

/// `30s`, `5m`, `1h` or `0`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let wrong = || format!("`{text}` is not a duration such as 30s, 5m or 1h");
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).ok_or_else(wrong)?);
    let number: u64 = number.parse().map_err(|_| wrong())?;
    let seconds = match unit {
        "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        _ => return Err(wrong()),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once('=').ok_or("expected NAME=VALUE")?;
    if name.is_empty() {
        return Err("the variable name is empty".into());
    }
    Ok((name.to_string(), value.to_string()))
}
