//! The project's examples as the tests and benchmarks that apply them for real use them.

/// The `three-cloud-mesh` example without its host (whose address is a documentation address:
/// nothing may try to reach it): an AWS, an Azure and a GCP network in a full mesh, three
/// tunnels.
pub fn three_cloud_mesh() -> String {
    let text = include_str!("../../examples/three-cloud-mesh/main.iso");
    let start = text.find("host \"dc1\"").expect("the example has its host");
    let end = start + text[start..].find("\n}\n").expect("the host block ends") + 3;
    format!("{}{}", &text[..start], &text[end..]).replace(
        "members = [network.aws, network.azure, network.gcp, host.dc1]",
        "members = [network.aws, network.azure, network.gcp]",
    )
}
