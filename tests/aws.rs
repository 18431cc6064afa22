//! `isopod plan`, `apply` and `destroy` run as processes against moto's EC2 server, through the
//! real AWS provider (aws-sdk-ec2, aws-sdk-route53): two regions, a VPC peering between them, an
//! interface endpoint relayed to the other region (its name in a Route 53 private zone), someone
//! else's VPC that Isopod must never touch, and `discover`.

use aws_sdk_ec2::Client;
use isopod_test_support::Moto;
use std::path::Path;
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `isopod ARGS DIR` with moto's credentials (moto takes any) and the folder's own secret key.
fn isopod(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isopod"))
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs")
}

fn configuration(moto: &Moto, extra: &str) -> String {
    format!(
        r#"stack "e2e" {{}}

cloud "aws" "east" {{
  region   = "us-east-1"
  endpoint = "{url}"
}}

cloud "aws" "west" {{
  region   = "us-west-2"
  endpoint = "{url}"
}}

network "app" {{
  cloud = cloud.aws.east
  cidr  = "10.30.0.0/16"

  subnet "a" {{
    cidr = "10.30.1.0/24"
    zone = "us-east-1a"
  }}
}}

network "data" {{
  cloud = cloud.aws.west
  cidr  = "10.31.0.0/16"
}}

tunnel "app-data" {{
  between = [network.app, network.data]
}}

endpoint "warehouse" {{
  network  = network.app
  service  = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnets  = ["a"]
  dns_name = "warehouse.partner.example.com"
}}

relay "warehouse-west" {{
  endpoint = endpoint.warehouse
  to       = [network.data]
}}
{extra}"#,
        url = moto.url
    )
}

fn client(moto: &Moto, region: &str) -> Client {
    let config = aws_sdk_ec2::Config::builder()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .region(aws_sdk_ec2::config::Region::new(region.to_string()))
        .endpoint_url(&moto.url)
        .credentials_provider(aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "test"))
        .build();
    Client::from_conf(config)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Someone else's VPC (with a subnet, and tags of their own) in us-east-1.
fn foreign_vpc(moto: &Moto) -> String {
    let ec2 = client(moto, "us-east-1");
    let tag = |key: &str, value: &str| aws_sdk_ec2::types::Tag::builder().key(key).value(value).build();
    runtime().block_on(async {
        let vpc = ec2.create_vpc().cidr_block("172.16.0.0/16").send().await.unwrap();
        let id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&id)
            .cidr_block("172.16.1.0/24")
            .availability_zone("us-east-1a")
            .send()
            .await
            .unwrap();
        let subnet = subnet.subnet().and_then(|s| s.subnet_id()).unwrap().to_string();
        ec2.create_tags()
            .resources(&id)
            .tags(tag("team", "payments"))
            .tags(tag("Name", "Payments"))
            .send()
            .await
            .unwrap();
        ec2.create_tags().resources(&subnet).tags(tag("Name", "payments-a")).send().await.unwrap();
        id
    })
}

/// The foreign VPC's CIDR and tags, as EC2 reports them now.
fn foreign_state(moto: &Moto, id: &str) -> String {
    let ec2 = client(moto, "us-east-1");
    runtime().block_on(async {
        let found = ec2.describe_vpcs().vpc_ids(id).send().await.unwrap();
        let subnets = ec2
            .describe_subnets()
            .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(id).build())
            .send()
            .await
            .unwrap();
        format!("{:?} {:?}", found.vpcs()[0].tags(), subnets.subnets().len())
    })
}

fn assert_no_changes(dir: &Path) {
    let out = isopod(&["plan", "--detailed-exitcode"], dir);
    assert_eq!(out.status.code(), Some(0), "plan:\n{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn apply_plan_and_destroy_against_ec2_leave_foreign_resources_alone() {
    let moto = Moto::start();
    let foreign = foreign_vpc(&moto);
    let before = foreign_state(&moto, &foreign);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), configuration(&moto, "")).unwrap();

    let out = isopod(&["plan"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let planned = text(&out.stdout);
    assert!(planned.contains("+ aws_vpc_peering_connection_accepter.app-data (aws.west, us-west-2)"), "{planned}");
    assert!(planned.contains("+ aws_route53_zone.warehouse-west.data (aws.west, us-west-2)"), "{planned}");

    let out = isopod(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let applied = text(&out.stdout);
    assert!(applied.contains(" 0 failed, 0 skipped"), "{applied}");
    assert_no_changes(dir.path());

    // A change of tags is an update in place, and converges.
    let tagged = configuration(&moto, "").replace(
        "cloud \"aws\" \"east\" {\n  region   = \"us-east-1\"",
        "cloud \"aws\" \"east\" {\n  region   = \"us-east-1\"\n  tags     = { team = \"network\" }",
    );
    std::fs::write(dir.path().join("main.iso"), tagged).unwrap();
    let out = isopod(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("0 created,"), "{}", text(&out.stdout));
    assert_no_changes(dir.path());

    let out = isopod(&["destroy", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains(" 0 failed"), "{}", text(&out.stdout));
    let out = isopod(&["plan"], dir.path());
    let replanned = text(&out.stdout);
    assert!(replanned.contains("to create, 0 to update, 0 to replace, 0 to delete."), "{replanned}");
    assert_eq!(foreign_state(&moto, &foreign), before, "the foreign VPC is untouched");
}

/// Two VPCs without subnets in two regions joined by a tunnel: a cross-region peering, whose
/// accepting side must be found again after the apply (it once planned to be created again).
#[test]
fn a_peering_of_two_bare_vpcs_across_regions_converges() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let bare = r#"
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.30.0.0/16"
}

network "data" {
  cloud = cloud.aws.west
  cidr  = "10.31.0.0/16"
}

tunnel "app-data" {
  between = [network.app, network.data]
}
"#;
    let text_of = format!("{}{bare}", clouds(&moto));
    std::fs::write(dir.path().join("main.iso"), text_of).unwrap();
    let out = isopod(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("aws_vpc_peering_connection_accepter.app-data"), "{}", text(&out.stdout));
    assert_no_changes(dir.path());
    let out = isopod(&["destroy", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = isopod(&["plan"], dir.path());
    assert!(text(&out.stdout).contains("0 to delete."), "{}", text(&out.stdout));
}

/// The two cloud blocks alone, for `discover`.
fn clouds(moto: &Moto) -> String {
    let full = configuration(moto, "");
    full[..full.find("network \"app\"").unwrap()].to_string()
}

#[test]
fn discovered_networks_plan_no_changes_and_connect_without_being_changed() {
    let moto = Moto::start();
    let foreign = foreign_vpc(&moto);
    let before = foreign_state(&moto, &foreign);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), clouds(&moto)).unwrap();

    let out = isopod(&["discover"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("discovered-aws-east.iso")).unwrap();
    assert!(written.contains("network \"payments\" {"), "{written}");
    assert!(written.contains(&format!("existing = \"{foreign}\"")), "{written}");
    assert!(written.contains("subnet \"payments-a\" {"), "{written}");
    assert!(dir.path().join("discovered-aws-west.iso").exists());
    let out = isopod(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "the written files are valid: {}", text(&out.stderr));
    assert_no_changes(dir.path());

    // Connect the discovered VPC to a new one in another region, and give it an endpoint.
    let added = r#"
network "data" {
  cloud = cloud.aws.west
  cidr  = "10.31.0.0/16"
}

tunnel "payments-data" {
  between = [network.payments, network.data]
}

endpoint "warehouse" {
  network = network.payments
  service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnets = ["payments-a"]
}
"#;
    std::fs::write(dir.path().join("added.iso"), added).unwrap();
    let out = isopod(&["plan"], dir.path());
    let planned = text(&out.stdout);
    assert!(!planned.contains("aws_vpc.payments"), "the discovered VPC is never planned: {planned}");
    let out = isopod(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains(" 0 failed, 0 skipped"), "{}", text(&out.stdout));
    assert_no_changes(dir.path());
    assert_eq!(foreign_state(&moto, &foreign), before, "the discovered VPC is untouched");

    // Destroy deletes what the stack made (peering, routes in the discovered VPC's main route
    // table, endpoint), and nothing of the discovered VPC itself.
    let out = isopod(&["destroy", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    std::fs::remove_file(dir.path().join("added.iso")).unwrap();
    assert_no_changes(dir.path());
    assert_eq!(foreign_state(&moto, &foreign), before, "the discovered VPC is untouched");
}

#[test]
fn credentials_of_another_account_are_refused_before_any_change() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let other =
        clouds(&moto).replace("region   = \"us-east-1\"", "region   = \"us-east-1\"\n  account  = \"999999999999\"");
    std::fs::write(
        dir.path().join("main.iso"),
        format!("{other}network \"n\" {{\n  cloud = cloud.aws.east\n  cidr  = \"10.0.0.0/16\"\n}}\n"),
    )
    .unwrap();
    let out = isopod(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    // moto's credentials are always account 123456789012.
    assert!(stderr.contains("the credentials are for account 123456789012, not 999999999999"), "{stderr}");
    let vpcs = runtime().block_on(client(&moto, "us-east-1").describe_vpcs().send()).unwrap();
    assert!(vpcs.vpcs().iter().all(|vpc| vpc.cidr_block() != Some("10.0.0.0/16")), "nothing was created");
}
