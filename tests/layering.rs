//! The crates' layering, as `cargo tree` shows it: no cloud SDK under the planner, the simulator
//! or the providers' core, and no provider that needs the language or the planner to learn the
//! resource vocabulary (the catalogue has it).

use std::process::Command;

/// The normal (not dev or build) dependencies of `package`, one crate name per line.
fn dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--locked", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree -p {package}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

fn is_cloud_sdk(name: &str) -> bool {
    ["aws-sdk-", "aws-config", "aws-smithy", "azure_", "google-cloud-"].iter().any(|prefix| name.starts_with(prefix))
}

#[test]
fn no_cloud_sdk_below_the_planner_the_simulator_or_the_provider_core() {
    for package in ["isopod-catalog", "isopod-planner", "isopod-provider", "isopod-simulator", "isopod-host"] {
        let sdks: Vec<String> = dependencies(package).into_iter().filter(|name| is_cloud_sdk(name)).collect();
        assert!(sdks.is_empty(), "{package} builds {sdks:?}");
    }
    // The check can fail: the AWS provider does build its SDK.
    assert!(dependencies("isopod-aws").iter().any(|name| name == "aws-sdk-ec2"));
}

#[test]
fn providers_learn_the_vocabulary_from_the_catalogue_alone() {
    for package in ["isopod-provider", "isopod-simulator", "isopod-aws", "isopod-host"] {
        let dependencies = dependencies(package);
        for forbidden in ["isopod-lang", "isopod-planner"] {
            assert!(!dependencies.iter().any(|name| name == forbidden), "{package} depends on {forbidden}");
        }
        assert!(dependencies.iter().any(|name| name == "isopod-catalog"), "{package} uses the catalogue");
    }
}
