//! The large configuration of the language's benchmarks (parsing and checking, the language
//! server's keystroke): 10,000 networks in three AWS regions, each with tags and two subnets whose
//! ranges are computed with `cidrsubnet(self.cidr, ...)`, and a mesh of 100 of them (4,950
//! tunnels); 2.94 MB in one file, valid HCL.

use std::fmt::Write as _;

/// The networks of the configuration.
pub const NETWORKS: usize = 10_000;
/// The members of its mesh.
pub const MESH_MEMBERS: usize = 100;

/// The configuration's text.
pub fn configuration() -> String {
    let mut out = String::new();
    out.push_str("stack \"bench\" {\n  description = \"generated\"\n}\n\n");
    let regions = [("aws", "us-east-1"), ("aws", "eu-west-1"), ("aws", "ap-south-1")];
    for (idx, (kind, region)) in regions.iter().enumerate() {
        writeln!(out, "cloud \"{kind}\" \"c{idx}\" {{\n  region = \"{region}\"\n}}\n").unwrap();
    }
    for n in 0..NETWORKS {
        let (cloud, (_, region)) = (n % regions.len(), regions[n % regions.len()]);
        let cidr = format!("10.{}.{}.0/24", n / 256, n % 256);
        writeln!(
            out,
            "# network {n}\nnetwork \"n{n}\" {{\n  cloud = cloud.aws.c{cloud}\n  cidr  = \"{cidr}\"\n  tags  = {{ team = \"t{}\", index = \"{n}\" }}\n\n  subnet \"a\" {{\n    cidr = cidrsubnet(self.cidr, 2, 0)\n    zone = \"{region}a\"\n  }}\n\n  subnet \"b\" {{\n    cidr = cidrsubnet(self.cidr, 2, 1)\n    zone = \"{region}b\"\n  }}\n}}\n",
            n % 7
        )
        .unwrap();
    }
    let members: Vec<String> =
        (0..MESH_MEMBERS).map(|n| format!("network.n{}", n * (NETWORKS / MESH_MEMBERS))).collect();
    writeln!(out, "mesh \"core\" {{\n  members = [\n    {},\n  ]\n  routing = \"bgp\"\n}}", members.join(",\n    "))
        .unwrap();
    out
}
