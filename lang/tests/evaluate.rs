//! Evaluation through the public API: what valid configurations mean.

use isopod_lang::topology::{End, Topology};
use isopod_lang::{FUNCTIONS, Inputs, MemoryHost, SourceMap};

const PREAMBLE: &str = "stack \"t\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\n";

fn topology_with(text: &str, inputs: &Inputs, host: &MemoryHost) -> Topology {
    let mut sources = SourceMap::new();
    sources.add("main.iso", format!("{PREAMBLE}{text}"));
    let checked = isopod_lang::load(&sources, inputs, host);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    checked.topology.unwrap()
}

fn topology(text: &str) -> Topology {
    topology_with(text, &Inputs::default(), &MemoryHost::default())
}

/// The value of `expr`, seen through a tag of a network.
fn tag(expr: &str) -> String {
    let text = format!(
        "network \"probe\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.99.0.0/16\"\n  tags  = {{ v = {expr} }}\n}}\n"
    );
    topology(&text).network("probe").unwrap().tags["v"].clone()
}

#[test]
fn every_function_example_holds() {
    for function in FUNCTIONS {
        let (call, result) = function.example.split_once(" => ").unwrap();
        if result.starts_with('(') || result.contains("...") {
            continue; // `secret` and `file` have no literal result
        }
        assert_eq!(tag(&format!("tostring({call} == {result})")), "true", "{}", function.example);
    }
}

#[test]
fn operators_and_precedence() {
    assert_eq!(tag("tostring(1 + 2 * 3)"), "7");
    assert_eq!(tag("tostring((1 + 2) * 3)"), "9");
    assert_eq!(tag("tostring(7 % 4 - 1)"), "2");
    assert_eq!(tag("tostring(!false && 1 < 2 || false)"), "true");
    assert_eq!(tag("1 > 2 ? \"yes\" : \"no\""), "no");
    assert_eq!(tag("tostring(-(3))"), "-3");
}

#[test]
fn strings_heredocs_and_for_expressions() {
    assert_eq!(tag("\"a-${upper(\"b\")}-${1 + 1}\""), "a-B-2");
    assert_eq!(tag("join(\",\", [for n in [1, 2, 3] : tostring(n * 10) if n != 2])"), "10,30");
    assert_eq!(tag("join(\",\", keys({ for k, v in { b = 1, a = 2 } : upper(k) => v }))"), "B,A");
    assert_eq!(tag("trimspace(<<-EOT\n      indented\n    EOT\n)"), "indented");
    assert_eq!(tag("[\"x\", \"y\"].1"), "y");
}

#[test]
fn schema_defaults_are_visible_through_references() {
    let text = "network \"a\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n  tags  = { routing = tunnel.t.routing, ha = tostring(tunnel.t.ha), region = network.b.region }\n}\nnetwork \"b\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.1.0.0/16\"\n}\ntunnel \"t\" {\n  between = [network.a, network.b]\n}\n";
    let tags = &topology(text).networks[0].tags;
    assert_eq!(tags["routing"], "bgp");
    let nulls = text.replace("between = [network.a, network.b]", "between = [network.a, network.b]\n  routing = null");
    let topology = topology(&nulls);
    assert_eq!(topology.networks[0].tags["routing"], "bgp", "a written null reads as the default");
    assert_eq!(topology.tunnels[0].routing, isopod_lang::topology::Routing::Bgp);
    assert_eq!(tags["ha"], "true");
    assert_eq!(tags["region"], "us-east-1");
}

#[test]
fn for_each_instances_each_and_self() {
    let text = r#"
network "spoke" {
  for_each = { eu = 1, us = 2 }
  cloud    = cloud.aws.prod
  cidr     = cidrsubnet("10.0.0.0/8", 8, each.value)

  subnet "zone" {
    for_each = ["a", "b"]
    cidr     = cidrsubnet(self.cidr, 8, local.index[each.key])
    zone     = "us-east-1${each.key}"
  }
}

locals {
  index = { a = 0, b = 1 }
}

mesh "all" {
  members = values(network.spoke)
}
"#;
    let topology = topology(text);
    let names: Vec<&str> = topology.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["spoke[eu]", "spoke[us]"]);
    let us = topology.network("spoke[us]").unwrap();
    assert_eq!(us.cidr.value.to_string(), "10.2.0.0/16");
    let subnets: Vec<String> = us.subnets.iter().map(|s| format!("{} {}", s.name, s.cidr.value)).collect();
    assert_eq!(subnets, ["zone[a] 10.2.0.0/24", "zone[b] 10.2.1.0/24"]);
    assert_eq!(topology.tunnels.len(), 1);
    assert_eq!(topology.tunnels[0].name, "all/spoke[eu]~spoke[us]");
    assert_eq!(topology.tunnels[0].ends[1].value, End::Network("spoke[us]".into()));
}

#[test]
fn mesh_expands_to_every_pair() {
    let mut text = String::new();
    for n in 0..5 {
        text.push_str(&format!("network \"n{n}\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.{n}.0.0/16\"\n}}\n"));
    }
    text.push_str("mesh \"m\" {\n  members = [network.n0, network.n1, network.n2, network.n3, network.n4]\n  routing = \"static\"\n}\n");
    let topology = topology(&text);
    assert_eq!(topology.tunnels.len(), 10);
    assert!(topology.tunnels.iter().all(|t| t.mesh.as_deref() == Some("m")));
}

#[test]
fn variables_take_inputs_by_type() {
    let text = "variable \"regions\" {\n  type = list(string)\n}\nvariable \"name\" {}\nnetwork \"a\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n  tags  = { r = join(\",\", var.regions), n = var.name }\n}\n";
    let mut inputs = Inputs::default();
    inputs.vars.insert("regions".into(), "[\"eu-west-1\", \"us-east-1\"]".into());
    inputs.vars.insert("name".into(), "plain-text".into());
    let topology = topology_with(text, &inputs, &MemoryHost::default());
    assert_eq!(topology.networks[0].tags["r"], "eu-west-1,us-east-1");
    assert_eq!(topology.networks[0].tags["n"], "plain-text");
}

#[test]
fn env_and_file_go_through_the_host() {
    let mut host = MemoryHost::default();
    host.env.insert("TEAM".into(), "netops".into());
    host.files.insert("owner.txt".into(), "alice\n".into());
    let text = "network \"a\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n  tags  = { team = env(\"TEAM\"), owner = trimspace(file(\"owner.txt\")) }\n}\n";
    let topology = topology_with(text, &Inputs::default(), &host);
    assert_eq!(topology.networks[0].tags["team"], "netops");
    assert_eq!(topology.networks[0].tags["owner"], "alice");
}

#[test]
fn files_of_a_folder_form_one_configuration() {
    let mut sources = SourceMap::new();
    sources.add("a.iso", PREAMBLE);
    sources.add("b.iso", "network \"x\" {\n  cloud = cloud.aws.prod\n  cidr  = local.cidr\n}\n");
    sources.add("c.iso", "locals {\n  cidr = \"10.5.0.0/16\"\n}\n");
    let checked = isopod_lang::load(&sources, &Inputs::default(), &MemoryHost::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert_eq!(checked.topology.unwrap().networks[0].cidr.value.to_string(), "10.5.0.0/16");
}
