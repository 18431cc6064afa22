//! The full-mesh configurations of the scale benchmarks and the ordering test: `n` networks over
//! AWS (three regions; each network with a subnet, for its transit gateway attachment) and GCP
//! (two regions), every pair connected.

use std::fmt::Write as _;

/// The configuration of stack `stack`: a full mesh of `n` networks.
pub fn full_mesh(stack: &str, n: usize) -> String {
    let mut out = format!("stack \"{stack}\" {{}}\n");
    // (kind, name, settings, the zone of an AWS network's subnet)
    let clouds = [
        ("aws", "a1", "region = \"us-east-1\"", "us-east-1a"),
        ("aws", "a2", "region = \"eu-west-1\"", "eu-west-1a"),
        ("aws", "a3", "region = \"ap-south-1\"", "ap-south-1a"),
        ("gcp", "g1", "project = \"acme-scale\"\n  region = \"us-central1\"", ""),
        ("gcp", "g2", "project = \"acme-scale\"\n  region = \"europe-west4\"", ""),
    ];
    for (kind, name, settings, _) in clouds {
        writeln!(out, "cloud \"{kind}\" \"{name}\" {{\n  {settings}\n}}").unwrap();
    }
    let mut members = Vec::new();
    for i in 0..n {
        let (kind, name, _, zone) = clouds[i % clouds.len()];
        let subnet = if kind == "aws" {
            format!("\n  subnet \"a\" {{\n    cidr = \"10.{i}.1.0/24\"\n    zone = \"{zone}\"\n  }}")
        } else {
            String::new()
        };
        writeln!(out, "network \"n{i}\" {{\n  cloud = cloud.{kind}.{name}\n  cidr  = \"10.{i}.0.0/16\"{subnet}\n}}")
            .unwrap();
        members.push(format!("network.n{i}"));
    }
    writeln!(out, "mesh \"all\" {{\n  members = [{}]\n}}", members.join(", ")).unwrap();
    out
}
