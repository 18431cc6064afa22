//! Plans as data, like the language's `tests/ui/`: every `planner/tests/plans/*.iso` (one
//! tunnel of each layout, with each `routing` and `ha` that can be planned) and every example is
//! planned from nothing and compared with its snapshot (what cannot be planned first), then
//! planned again against what it created: no changes.

use super::*;

/// The text snapshotted for a plan from nothing: what cannot be planned, then the plan.
fn planned_from_nothing(name: &str, text: &str) -> String {
    let topology = topology(text);
    let (plan, desired) = crate::plan(&topology, &[]).unwrap_or_else(|err| panic!("{name}: {err}"));
    let unplanned: Vec<String> =
        desired.unplanned.iter().map(|(object, reason)| format!("# not planned: {object}: {reason}\n")).collect();
    let again = crate::plan(&topology, &applied(&plan, &[])).unwrap_or_else(|err| panic!("{name}: {err}")).0;
    assert!(again.is_empty(), "{name} does not converge:\n{}", render::text(&again));
    format!("{}{}", unplanned.concat(), render::text(&plan))
}

#[test]
fn every_plan_in_the_folder_matches_its_snapshot_and_converges() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../tests/plans/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../../tests/plans", "*.iso", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            insta::assert_snapshot!("plan", planned_from_nothing(&name, &text));
        });
    });
}

/// The plans of the examples (a mesh of three clouds and a host, endpoints with a relay and its
/// private DNS) and of a VPC on a transit gateway, in full.
#[test]
fn example_plans_are_snapshotted() {
    let examples = [
        ("two_cloud_tunnel", include_str!("../../../examples/two-cloud-tunnel/main.iso").to_string()),
        ("three_cloud_mesh", include_str!("../../../examples/three-cloud-mesh/main.iso").to_string()),
        ("endpoint_relay", include_str!("../../../examples/endpoint-relay/main.iso").to_string()),
        ("host_mesh", include_str!("../../../examples/host-mesh/main.iso").to_string()),
        ("gitops", include_str!("../../../examples/gitops/main.iso").to_string()),
        ("transit_gateway", super::layouts::aws_vpc_with_tunnels("  transit_gateway = true", 2)),
    ];
    for (name, text) in examples {
        insta::assert_snapshot!(format!("example_{name}"), planned_from_nothing(name, &text));
    }
}
