//! End-to-end tests of the `isopod` binary, run as a process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn isopod(args: &[&str], dir: &Path) -> Output {
    command(args, dir).output().expect("the binary runs")
}

/// `isopod ARGS` in `dir`, with a secret key file of its own there.
fn command(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env_remove("ISOPOD_VAR_base")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"));
    command
}

/// `isopod ARGS` in `dir` with `input` on standard input.
fn isopod_with_input(args: &[&str], dir: &Path, input: &str) -> Output {
    use std::io::Write as _;
    let mut child = command(args, dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder holding `files`.
fn config(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

const VALID: &str = r#"stack "demo" {}

variable "base" {
  type    = string
  default = "10.0.0.0/16"
}

cloud "aws" "prod" {
  region = "us-east-1"
}

network "app" {
  cloud = cloud.aws.prod
  cidr  = var.base
}
"#;

#[test]
fn validate_prints_a_one_line_summary() {
    let dir = config(&[("main.iso", VALID)]);
    let out = isopod(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "valid: stack `demo` with 1 cloud, 1 network (0 subnets), 0 tunnels\n");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn validate_every_example() {
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let example = entry.unwrap().path();
        if !example.join("main.iso").exists() {
            continue;
        }
        let out = isopod(&["validate", example.to_str().unwrap()], &repo());
        assert_eq!(out.status.code(), Some(0), "{}: {}", example.display(), text(&out.stderr));
        assert!(text(&out.stdout).starts_with("valid: stack"), "{}", text(&out.stdout));
        let out = isopod(&["fmt", "--check", example.to_str().unwrap()], &repo());
        assert_eq!(out.status.code(), Some(0), "{} is not formatted: {}", example.display(), text(&out.stdout));
    }
}

#[test]
fn invalid_configuration_reports_every_error_and_exits_1() {
    let broken = VALID.replace("cidr  = var.base", "cidr  = var.bse\n  regoin = \"x\"");
    let dir = config(&[("main.iso", &broken)]);
    let out = isopod(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    insta::assert_snapshot!(stderr.replace(dir.path().to_str().unwrap(), "DIR"));
}

#[test]
fn json_prints_the_typed_topology() {
    let dir = config(&[("main.iso", VALID)]);
    let out = isopod(&["validate", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let output: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(output["files"][0], "./main.iso");
    let topology = &output["topology"];
    assert_eq!(topology["stack"]["name"]["value"], "demo");
    assert_eq!(topology["networks"][0]["cidr"]["value"], "10.0.0.0/16");
    assert_eq!(topology["networks"][0]["cloud"], "aws.prod");
    assert!(topology["networks"][0]["cidr"]["span"]["start"].as_u64().unwrap() > 0);
}

#[test]
fn variables_come_from_flags_then_environment() {
    let dir = config(&[("main.iso", VALID)]);
    let cidr_of = |out: Output| {
        let output: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        output["topology"]["networks"][0]["cidr"]["value"].as_str().unwrap().to_string()
    };
    let out = isopod(&["validate", "--json", "--var", "base=10.9.0.0/16"], dir.path());
    assert_eq!(cidr_of(out), "10.9.0.0/16");
    let out = Command::new(env!("CARGO_BIN_EXE_isopod"))
        .args(["validate", "--json"])
        .current_dir(dir.path())
        .env("ISOPOD_VAR_base", "10.8.0.0/16")
        .output()
        .unwrap();
    assert_eq!(cidr_of(out), "10.8.0.0/16");
    let out = isopod(&["validate", "--var", "bsae=10.9.0.0/16"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("declares no variable `bsae`"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("did you mean `base`?"), "{}", text(&out.stderr));
}

#[test]
fn fmt_check_lists_files_and_changes_nothing() {
    let messy = "stack \"s\" {}\ncloud \"aws\" \"p\" { region=\"us-east-1\" }\n";
    let dir = config(&[("main.iso", messy), ("ok.iso", "locals {\n  a = 1\n}\n")]);
    let out = isopod(&["fmt", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "./main.iso\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("main.iso")).unwrap(), messy);

    let out = isopod(&["fmt"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.iso")).unwrap(),
        "stack \"s\" {}\ncloud \"aws\" \"p\" {\n  region = \"us-east-1\"\n}\n"
    );
    assert_eq!(isopod(&["fmt", "--check"], dir.path()).status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn fmt_recursive_does_not_follow_a_link_back_to_its_folder() {
    let dir = config(&[("main.iso", "stack \"s\" {}\n")]);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/x.iso"), "locals { a=1 }\n").unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    let out = isopod(&["fmt", "--check", "-r"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "./sub/x.iso\n");
}

#[test]
fn fmt_refuses_files_that_do_not_parse() {
    let dir = config(&[("bad.iso", "locals {\n  a = = 1\n}\n")]);
    let out = isopod(&["fmt"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("iso::parse::unexpected_token"));
    assert_eq!(std::fs::read_to_string(dir.path().join("bad.iso")).unwrap(), "locals {\n  a = = 1\n}\n");
}

#[test]
fn bytes_that_are_not_utf8_are_a_coded_diagnostic_and_fmt_leaves_the_file_alone() {
    let dir = config(&[
        ("main.iso", VALID),
        ("other.iso", "network \"db\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.1.0.0/33\"\n}\n"),
    ]);
    let latin1 = b"# R\xe9seau de production\nlocals {\n  site = \"Z\xfcrich\"\n}\n";
    std::fs::write(dir.path().join("latin1.iso"), latin1).unwrap();
    let out = isopod(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("iso::parse::invalid_utf8"), "{stderr}");
    assert!(stderr.contains("latin1.iso:1:4"), "the position of the first byte: {stderr}");
    assert!(stderr.contains("2 such bytes in this file"), "{stderr}");
    assert!(stderr.contains("iso::check::invalid_cidr"), "the other files are still checked: {stderr}");
    let out = isopod(&["fmt"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("iso::parse::invalid_utf8"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(dir.path().join("latin1.iso")).unwrap(), latin1);
}

#[test]
fn usage_errors_exit_64_and_missing_folders_exit_1() {
    let dir = config(&[]);
    assert_eq!(isopod(&["validate", "--no-such-flag"], dir.path()).status.code(), Some(64));
    let out = isopod(&["validate", "missing"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing"), "{}", text(&out.stderr));
    let out = isopod(&["fmt", "missing.iso"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing.iso does not exist"), "{}", text(&out.stderr));
}

/// [`VALID`] with a GCP network and a tunnel to it whose key is the secret `app-db-psk`.
fn with_named_psk() -> String {
    format!(
        "{VALID}\ncloud \"gcp\" \"data\" {{\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}}\n\nnetwork \"db\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.1.0.0/16\"\n}}\n\ntunnel \"t\" {{\n  between = [network.app, network.db]\n  psk     = secret(\"app-db-psk\")\n}}\n"
    )
}

#[test]
fn secrets_are_referenced_by_name_only() {
    let config_text = with_named_psk();
    let dir = config(&[("main.iso", &config_text)]);
    let out = isopod(&["validate", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let output: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(output["topology"]["tunnels"][0]["psk"]["value"], "app-db-psk");
    // The plan, its JSON and the saved plan name the key's secret and never hold a key.
    let out = isopod(&["plan", "--simulate", "--out", "plan.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let keys: Vec<&str> =
        stdout.lines().filter(|l| l.contains("preshared_key") || l.contains("shared_secret")).map(str::trim).collect();
    assert_eq!(keys.len(), 8, "two AWS connections of two tunnels, four GCP tunnels");
    assert!(keys.iter().all(|line| line.ends_with("= (sensitive)")), "{keys:?}");
    let saved = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let tunnel = saved["plan"]["changes"].as_array().unwrap().iter().find(|c| c["id"]["kind"] == "gcp_vpn_tunnel");
    assert_eq!(tunnel.unwrap()["after"]["shared_secret"], serde_json::json!({ "sensitive": "app-db-psk" }));

    // A key written in the configuration is refused, by validate and plan, without repeating it.
    let leaked = config_text.replace("secret(\"app-db-psk\")", "\"hunter2-hunter2\"");
    let dir = config(&[("main.iso", &leaked)]);
    for command in [&["validate"][..], &["validate", "--json"], &["plan", "--simulate", "--json"]] {
        let out = isopod(command, dir.path());
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("iso::check::plaintext_secret"));
        assert!(!format!("{}{}", text(&out.stdout), text(&out.stderr)).contains("hunter2"), "{command:?}");
    }
}

#[test]
fn the_secret_store_seals_values_and_plan_names_what_apply_would_lack() {
    let dir = config(&[("main.iso", &with_named_psk())]);
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("iso::plan::secret_missing"), "{stderr}");
    assert!(stderr.contains("⚠ secret `app-db-psk` is not set"), "{stderr}");
    assert!(stderr.contains("help: set it with `isopod secret set app-db-psk`"), "{stderr}");
    assert!(stderr.contains("│   psk     = secret(\"app-db-psk\")"), "shown where it is named: {stderr}");
    assert!(!stderr.contains("tunnel/"), "generated keys are not reported missing: {stderr}");

    // AWS refuses `-`: the value is stored, and plan says which rule it breaks.
    let out = isopod_with_input(&["secret", "set", "app-db-psk"], dir.path(), "Sw0rd-fish-1234\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("test-secret.key").exists(), "the key file is created on first use");
    let store = std::fs::read_to_string(dir.path().join(".isopod/secrets.json")).unwrap();
    assert!(store.contains("app-db-psk") && !store.contains("Sw0rd"), "{store}");
    #[cfg(unix)]
    for file in [".isopod/secrets.json", "test-secret.key"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{file} is readable by others: {mode:o}");
    }
    let out = isopod(&["plan", "--simulate"], dir.path());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("iso::plan::secret_refused"), "{stderr}");
    assert!(stderr.contains("secret `app-db-psk` cannot be used: AWS takes only letters, digits"), "{stderr}");
    assert!(!format!("{}{stderr}", text(&out.stdout)).contains("Sw0rd"));

    let key = std::fs::read_to_string(dir.path().join("test-secret.key")).unwrap();
    let out = isopod_with_input(&["secret", "set", "app-db-psk"], dir.path(), "Sw0rd.fish_1234\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("created the secret key"));
    assert_eq!(std::fs::read_to_string(dir.path().join("test-secret.key")).unwrap(), key, "a key is never replaced");
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert!(!text(&out.stderr).contains("iso::plan::secret"), "{}", text(&out.stderr));
    let out = isopod(&["secret", "list"], dir.path());
    assert_eq!(text(&out.stdout), "app-db-psk\tset\n");

    // Another key cannot open the store: plan says so, and names the key's origin.
    std::fs::write(dir.path().join("test-secret.key"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").unwrap();
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert!(text(&out.stderr).contains("cannot be decrypted with the key from"), "{}", text(&out.stderr));

    let out = isopod(&["secret", "rm", "app-db-psk"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = isopod(&["secret", "rm", "app-db-psk"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: secret `app-db-psk` is not set\n");
}

#[test]
fn plan_retries_a_throttling_simulator_and_refuses_unknown_knobs() {
    let dir = config(&[("main.iso", VALID)]);
    let calm = isopod(&["plan", "--simulate"], dir.path());
    let mut throttled = command(&["plan", "--simulate"], dir.path());
    throttled.env("ISOPOD_SIMULATOR", "throttle=0.5,faults=0.2,seed=4,latency=1ms");
    let throttled = throttled.output().unwrap();
    assert_eq!(throttled.status.code(), Some(0), "{}", text(&throttled.stderr));
    assert_eq!(text(&throttled.stdout), text(&calm.stdout));

    let mut wrong = command(&["plan", "--simulate"], dir.path());
    let wrong = wrong.env("ISOPOD_SIMULATOR", "latncy=5ms").output().unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).starts_with("error: ISOPOD_SIMULATOR: unknown knob `latncy`"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn resources_left_in_a_region_the_configuration_no_longer_names_are_deleted() {
    use isopod_catalog::{Cloud, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
    use isopod_provider::Provider as _;
    let old_network =
        "\nnetwork \"old\" {\n  cloud  = cloud.aws.prod\n  region = \"us-west-2\"\n  cidr   = \"10.9.0.0/16\"\n}\n";
    let dir = config(&[("main.iso", &format!("{VALID}{old_network}"))]);
    // What an earlier apply left in us-west-2: the VPC of `network.old`.
    let simulator = isopod_simulator::Simulator::open(dir.path().join(".isopod/simulator.json")).unwrap();
    let scope = Scope { cloud: "aws.prod".into(), region: "us-west-2".into() };
    let vpc = Resource {
        id: ResourceId::new(ResourceKind::AwsVpc, "old"),
        scope: scope.clone(),
        attrs: std::sync::Arc::new([("cidr_block".into(), Value::string("10.9.0.0/16"))].into()),
        depends_on: Vec::new(),
        object: "network.old".into(),
    };
    let owner = Ownership { stack: "demo".into(), id: vpc.id.clone() };
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(simulator.provider(Cloud::Aws).create(&vpc, &owner)).unwrap();
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recorded = std::fs::read_to_string(dir.path().join(".isopod/scopes.json")).unwrap();
    assert!(recorded.contains("us-west-2"), "{recorded}");

    // The configuration drops the network, and with it its region: the VPC is still found.
    std::fs::write(dir.path().join("main.iso"), VALID).unwrap();
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("- aws_vpc.old (aws.prod, us-west-2)"), "{}", text(&out.stdout));

    // Without its cloud block, it cannot be reached: said so, and remembered.
    std::fs::write(
        dir.path().join("main.iso"),
        VALID.replace("\"aws\" \"prod\"", "\"aws\" \"main\"").replace("cloud.aws.prod", "cloud.aws.main"),
    )
    .unwrap();
    let out = isopod(&["plan", "--simulate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("warning: stack `demo` had resources in aws.prod us-west-2, whose cloud block is gone"),
        "{}",
        text(&out.stderr)
    );
    let recorded = std::fs::read_to_string(dir.path().join(".isopod/scopes.json")).unwrap();
    assert!(recorded.contains("us-west-2"), "still recorded: {recorded}");
}

#[test]
fn plan_against_the_simulator() {
    let dir = config(&[("main.iso", VALID)]);
    let out = isopod(&["plan", "--simulate", "--detailed-exitcode"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
    let out = isopod(&["plan", "--simulate", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["stack"], "demo");
    assert_eq!(plan["changes"][0]["action"], "create");
    assert_eq!(plan["changes"][0]["id"]["kind"], "aws_vpc");
}

#[test]
fn plan_names_what_it_skips() {
    let mesh = repo().join("examples/three-cloud-mesh");
    let state = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&mesh).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, state.path().join(path.file_name().unwrap())).unwrap();
    }
    // A second file adds a VPC on a transit gateway without a subnet for its attachment.
    let extra = "network \"edge\" {\n  cloud           = cloud.aws.prod\n  cidr            = \"10.99.0.0/16\"\n  transit_gateway = true\n}\n\ntunnel \"edge-dc1\" {\n  between = [network.edge, host.dc1]\n}\n";
    std::fs::write(state.path().join("extra.iso"), extra).unwrap();
    let out = isopod(&["plan", "--simulate", "--json"], state.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("iso::plan::not_planned") && stderr.contains("tunnel.edge-dc1 is not in this plan"),
        "{stderr}"
    );
    assert!(stderr.contains("extra.iso:7:1]"), "shown at the tunnel's block: {stderr}");
    // The JSON lists the same problem with its code.
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = plan["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|problem| problem["code"] == "iso::plan::not_planned"
            && problem["severity"] == "warning"
            && problem["message"].as_str().is_some_and(|message| message
                .starts_with("tunnel.edge-dc1 is not in this plan: its AWS network uses a transit gateway, whose attachment needs a subnet"))),
        "{problems:?}"
    );
    let planned =
        ["core/aws~gcp", "core/aws~azure", "core/azure~gcp", "core/aws~dc1", "core/gcp~dc1", "core/azure~dc1"];
    assert!(planned.iter().all(|t| !stderr.contains(t)), "the mesh's tunnels are all planned: {stderr}");
}

#[test]
fn a_resource_group_that_does_not_exist_stops_the_plan_before_any_change() {
    let text_of = |group: &str| {
        format!(
            "stack \"s\" {{}}\ncloud \"azure\" \"corp\" {{\n  subscription   = \"00000000-0000-0000-0000-000000000000\"\n  region         = \"westeurope\"\n  resource_group = \"{group}\"\n}}\nnetwork \"hub\" {{\n  cloud = cloud.azure.corp\n  cidr  = \"10.20.0.0/16\"\n}}\n"
        )
    };
    let dir = config(&[("main.iso", &text_of("rg-missing"))]);
    let out = isopod(&["plan", "--simulate", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("iso::plan::existing_not_found"), "{stderr}");
    assert!(stderr.contains("resource group `rg-missing` does not exist"), "{stderr}");
    assert!(stderr.contains("main.iso"), "drawn where the cloud block is: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problems"][0]["code"], "iso::plan::existing_not_found");
    assert_eq!(report["problems"][0]["severity"], "error");
    assert!(report.get("changes").is_none(), "{report}");
    // Apply refuses it the same way, and creates nothing.
    let out = isopod(&["apply", "--simulate", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("iso::plan::existing_not_found"), "{}", text(&out.stderr));
    use isopod_provider::Provider as _;
    let simulator = isopod_simulator::Simulator::open(dir.path().join(".isopod/simulator.json")).unwrap();
    let scope = isopod_catalog::Scope { cloud: "azure.corp".into(), region: "westeurope".into() };
    let kinds: Vec<_> =
        isopod_catalog::ResourceKind::all().filter(|k| k.cloud() == isopod_catalog::Cloud::Azure).collect();
    let live =
        isopod_simulator::ready(simulator.provider(isopod_catalog::Cloud::Azure).discover(&scope, &kinds)).unwrap();
    assert!(live.is_empty(), "nothing was created: {live:?}");
}

#[test]
fn plan_saves_with_fingerprints_and_graph_prints_dot() {
    let dir = config(&[("main.iso", VALID)]);
    let out = isopod(&["plan", "--simulate", "--out", "plan.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format"], 1);
    assert_eq!(saved["desired"].as_str().unwrap().len(), 16);
    assert_eq!(saved["plan"]["changes"][0]["id"]["kind"], "aws_vpc");
    let out = isopod(&["graph", "--resources", "--format", "dot"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn graph_draws_svg_with_a_box_per_resource_and_an_arrow_per_dependency() {
    let example = repo().join("examples/two-cloud-tunnel");
    let out = isopod(&["graph", "--resources", example.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let svg = text(&out.stdout);
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{}", &svg[..svg.len().min(200)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    let dot = text(&isopod(&["graph", "--resources", "--format", "dot", example.to_str().unwrap()], &repo()).stdout);
    // Every resource of the DOT graph is drawn, labelled with its address.
    let resources: Vec<&str> = dot
        .lines()
        .filter(|l| l.starts_with("    \"") && l.ends_with("\";"))
        .map(|l| l.trim().trim_matches([';', '"']))
        .collect();
    assert_eq!(resources.len(), 22);
    for resource in resources {
        assert!(svg.contains(resource), "{resource} is not drawn");
    }
    assert_eq!(svg.matches("<rect").count(), 22, "one box per resource");
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    assert_eq!(svg.matches("<path").count(), edges, "one arrow per dependency");
    let out = isopod(&["graph", "--format", "png", example.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(64));
}

#[test]
fn graph_draws_the_topology_map_and_with_live_what_is_applied() {
    let example = repo().join("examples/three-cloud-mesh");
    let out = isopod(&["graph", example.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let svg = text(&out.stdout);
    for network in ["aws", "azure", "gcp"] {
        assert!(svg.contains(&format!(r#"data-network="{network}""#)), "network {network} is drawn");
    }
    assert!(svg.contains(r#"data-host="dc1""#));
    assert_eq!(svg.matches(r#"class="link""#).count(), 6, "4 members: 6 tunnels");
    let in_book = std::fs::read_to_string(repo().join("book/src/images/three-cloud-mesh-map.svg")).unwrap();
    assert!(
        svg == in_book,
        "the book's map is stale: isopod graph examples/three-cloud-mesh > book/src/images/three-cloud-mesh-map.svg"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&isopod(&["graph", "--format", "json", example.to_str().unwrap()], &repo()).stdout)
            .unwrap();
    assert_eq!(json["links"].as_array().unwrap().len(), 6);
    assert!(json["links"].as_array().unwrap().iter().all(|l| l["status"] == "planned"));
    let dot = text(&isopod(&["graph", "--format", "dot", example.to_str().unwrap()], &repo()).stdout);
    assert_eq!(dot.matches(" -- ").count(), 6);

    // Against the simulator: not applied, then live.
    let tunnel = std::fs::read_to_string(repo().join("examples/two-cloud-tunnel/main.iso")).unwrap();
    let dir = config(&[("main.iso", &tunnel)]);
    let statuses = |dir: &Path| {
        let out = isopod(&["graph", "--live", "--simulate", "--format", "json"], dir);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["links"].as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(statuses(dir.path()), ["pending"]);
    let out = isopod(&["apply", "--simulate", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The simulated ends report every tunnel up.
    assert_eq!(statuses(dir.path()), ["up"]);
    // One of the two VPN connections taken down: the link is degraded, and `status` says so.
    use isopod_provider::Provider as _;
    let simulator = isopod_simulator::Simulator::open(dir.path().join(".isopod/simulator.json")).unwrap();
    let scope = isopod_catalog::Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    let connections = isopod_simulator::ready(
        simulator
            .provider(isopod_catalog::Cloud::Aws)
            .discover(&scope, &[isopod_catalog::ResourceKind::AwsVpnConnection]),
    )
    .unwrap();
    assert_eq!(connections.len(), 2);
    simulator.set_tunnel_down(&connections[0].provider_id, true).unwrap();
    assert_eq!(statuses(dir.path()), ["degraded"]);
    let out = isopod(&["status", "--simulate"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("DOWN (taken down in the simulator)"), "{}", text(&out.stdout));
    // Down at every end that reports it (both AWS connections, the four GCP tunnels): down.
    let gcp = isopod_catalog::Scope { cloud: "gcp.data".into(), region: "us-central1".into() };
    let tunnels = isopod_simulator::ready(
        simulator.provider(isopod_catalog::Cloud::Gcp).discover(&gcp, &[isopod_catalog::ResourceKind::GcpVpnTunnel]),
    )
    .unwrap();
    assert_eq!(tunnels.len(), 4);
    for carrier in connections.iter().skip(1).chain(&tunnels) {
        simulator.set_tunnel_down(&carrier.provider_id, true).unwrap();
    }
    assert_eq!(statuses(dir.path()), ["down"]);
    let out = isopod(&["graph", "--simulate"], dir.path());
    assert_ne!(out.status.code(), Some(0), "--simulate needs --live");
}

#[test]
fn plan_watch_plans_again_when_a_file_is_saved() {
    use std::io::BufRead as _;
    let dir = config(&[("main.iso", VALID)]);
    let mut child = command(&["plan", "--watch", "--simulate"], dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |wanted: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match received.recv_timeout(left) {
                Ok(line) if line.contains(wanted) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no line with `{wanted}` in:\n{}", seen.join("\n"));
    };
    assert_eq!(wait_for("Plan:"), "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.");
    let more = format!("{VALID}\nnetwork \"data\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.9.0.0/16\"\n}}\n");
    std::fs::write(dir.path().join("main.iso"), more).unwrap();
    assert_eq!(wait_for("changed: planning again"), "--- main.iso changed: planning again");
    assert_eq!(wait_for("Plan:"), "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
    let _ = child.kill();
    let _ = child.wait();
}
