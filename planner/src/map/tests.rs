use super::*;
use crate::{Live, lower};
use isopod_catalog::ResourceKind;
use isopod_test_support::topology;

/// The topology and lowering of the example `name`.
fn example(name: &str) -> (Topology, Desired) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name);
    let text = std::fs::read_to_string(dir.join("main.iso")).unwrap();
    let topology = topology(&text);
    let desired = lower(&topology, &Live::default()).unwrap();
    (topology, desired)
}

const PEERED: &str = r#"
stack "s" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
}
network "a" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "b" {
  cloud = cloud.aws.west
  cidr  = "10.2.0.0/16"
}
tunnel "a-b" {
  between = [network.a, network.b]
}
"#;

#[test]
fn networks_are_grouped_by_cloud_and_region_and_every_tunnel_is_a_link_with_its_carriers() {
    let (topology, desired) = example("three-cloud-mesh");
    let map = TopologyMap::new(&topology, &desired);
    let clouds: Vec<(&str, usize)> = map.clouds.iter().map(|c| (c.id.as_str(), c.regions.len())).collect();
    assert_eq!(clouds, [("aws.prod", 1), ("azure.corp", 1), ("gcp.data", 1)]);
    assert_eq!(map.networks().count(), topology.networks.len());
    assert_eq!(map.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["dc1"]);
    // 4 members: 6 tunnels, all planned, each carried by resources that report a state.
    assert_eq!(map.links.len(), 6);
    for link in &map.links {
        assert!(matches!(link.kind, LinkKind::Tunnel { routing: Routing::Bgp, .. }), "{link:?}");
        assert_eq!(link.status, LinkStatus::Planned);
        assert!(link.carriers().count() >= 1, "{} has no carrier", link.name);
        // A link's resources are its own: no two links share one.
        for other in map.links.iter().filter(|o| o.name != link.name) {
            assert!(link.resources.iter().all(|id| !other.resources.contains(id)), "{} and {}", link.name, other.name);
        }
    }
    // The host's connections are carriers of the tunnels to it.
    let to_host = map.links.iter().find(|l| l.ends.contains(&End::Host("dc1".into()))).unwrap();
    assert!(to_host.carriers().any(|id| id.kind == ResourceKind::HostIpsecTunnel), "{to_host:?}");
}

#[test]
fn two_networks_of_one_cloud_are_a_peering_live_once_applied() {
    let topology = topology(PEERED);
    let (plan, desired) = crate::plan(&topology, &[]).unwrap();
    let mut map = TopologyMap::new(&topology, &desired);
    let link = &map.links[0];
    assert_eq!(link.kind, LinkKind::Peering);
    assert_eq!(link.carriers().count(), 0, "a peering reports no tunnel state");
    assert!(link.resources.iter().any(|id| id.kind == ResourceKind::AwsVpcPeeringConnection), "{link:?}");
    map.mark_live(&desired, &[]);
    assert_eq!(map.links[0].status, LinkStatus::Pending);
    let live = crate::tests::applied(&plan, &[]);
    let mut map = TopologyMap::new(&topology, &desired);
    map.mark_live(&desired, &live);
    assert_eq!(map.links[0].status, LinkStatus::Live);
    // One resource gone: not live any more.
    let vpc_peering = |r: &&ObservedResource| r.kind == ResourceKind::AwsVpcPeeringConnection;
    let fewer: Vec<ObservedResource> = live.iter().filter(|r| !vpc_peering(r)).cloned().collect();
    let mut map = TopologyMap::new(&topology, &desired);
    map.mark_live(&desired, &fewer);
    assert_eq!(map.links[0].status, LinkStatus::Pending);
}

#[test]
fn reported_states_make_a_link_up_degraded_or_down() {
    let (topology, desired) = example("two-cloud-tunnel");
    let base = TopologyMap::new(&topology, &desired);
    let carriers: Vec<ResourceId> = base.links[0].carriers().cloned().collect();
    assert!(carriers.len() >= 2, "{carriers:?}");
    let with = |ups: &[bool]| {
        let mut map = base.clone();
        map.mark_states(carriers.iter().zip(ups).map(|(id, up)| (id, *up, "as reported")));
        map.links[0].clone()
    };
    let all = vec![true; carriers.len()];
    assert_eq!(with(&all).status, LinkStatus::Up);
    let mut one_down = all.clone();
    one_down[0] = false;
    let degraded = with(&one_down);
    assert_eq!(degraded.status, LinkStatus::Degraded);
    assert!(degraded.detail[0].starts_with(&format!("{}: down", carriers[0])), "{:?}", degraded.detail);
    assert_eq!(with(&vec![false; carriers.len()]).status, LinkStatus::Down);
    // A carrier that says nothing while the others say up: degraded, and said.
    let silent = with(&all[1..]);
    assert_eq!(silent.status, LinkStatus::Degraded);
    assert!(silent.detail.iter().any(|d| d.ends_with("no report")), "{:?}", silent.detail);
    // A link not applied stays so, whatever is reported of the carriers that exist.
    let mut pending = base.clone();
    pending.mark_live(&desired, &[]);
    pending.mark_states(carriers.iter().map(|id| (id, true, "UP")));
    assert_eq!(pending.links[0].status, LinkStatus::Pending);
    // Reports about resources that carry no link change nothing.
    let mut map = base.clone();
    let stranger = ResourceId::new(ResourceKind::AwsVpnConnection, "elsewhere.0");
    map.mark_states([(&stranger, false, "down")]);
    assert_eq!(map, base);
}

#[test]
fn a_link_left_out_says_why_and_ignores_reports() {
    let text = format!(
        "{PEERED}\ncloud \"azure\" \"corp\" {{\n  subscription = \"00000000-0000-0000-0000-000000000000\"\n  region = \"westeurope\"\n}}\nnetwork \"hub\" {{\n  cloud = cloud.azure.corp\n  cidr = \"10.3.0.0/16\"\n  subnet \"w\" {{\n    cidr = \"10.3.1.0/24\"\n  }}\n}}\ntunnel \"y\" {{\n  between = [network.a, network.hub]\n  ike {{\n    integrity = [\"sha512\"]\n  }}\n}}\n"
    );
    let topology = topology(&text);
    let desired = lower(&topology, &Live::default()).unwrap();
    let mut map = TopologyMap::new(&topology, &desired);
    let y = map.links.iter().find(|l| l.name == "tunnel.y").unwrap().clone();
    assert_eq!(y.status, LinkStatus::NotPlanned);
    assert_eq!(y.detail, ["its IKE integrity lists nothing Azure supports"]);
    map.mark_live(&desired, &[]);
    assert_eq!(map.links.iter().find(|l| l.name == "tunnel.y").unwrap().status, LinkStatus::NotPlanned);
    let svg = svg(&map);
    assert!(svg.contains(r#"data-link="tunnel.y" data-kind="tunnel" data-status="not_planned""#), "{svg}");
    assert!(svg.contains("its IKE integrity lists nothing Azure supports"), "the reason is in the tooltip");
}

#[test]
fn relays_are_links_from_the_endpoint_s_network_to_each_consumer() {
    let (topology, desired) = example("endpoint-relay");
    let map = TopologyMap::new(&topology, &desired);
    let relays: Vec<(&str, [String; 2])> = map
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Relay)
        .map(|l| (l.name.as_str(), [l.ends[0].address(), l.ends[1].address()]))
        .collect();
    assert_eq!(
        relays,
        [
            (
                "relay.warehouse-elsewhere (warehouse-elsewhere/app~app-west)",
                ["network.app".into(), "network.app-west".into()]
            ),
            ("relay.warehouse-elsewhere (warehouse-elsewhere/app~bi)", ["network.app".into(), "network.bi".into()]),
        ]
    );
    // The relay to GCP rides a tunnel of its own, which reports its state.
    let to_bi = map.links.iter().find(|l| l.name.ends_with("app~bi)")).unwrap();
    assert!(to_bi.carriers().count() >= 1, "{to_bi:?}");
    let app = map.networks().find(|(_, _, n)| n.name == "app").unwrap().2;
    assert_eq!(app.endpoints.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["warehouse"]);
}

#[test]
fn the_drawing_has_a_box_per_network_and_host_and_a_curve_per_link() {
    for name in ["three-cloud-mesh", "endpoint-relay", "host-mesh", "two-cloud-tunnel", "traffic-cost"] {
        let (topology, desired) = example(name);
        let map = TopologyMap::new(&topology, &desired);
        let drawn = svg(&map);
        assert!(drawn.starts_with("<svg") && drawn.trim_end().ends_with("</svg>"), "{name}");
        for network in &topology.networks {
            assert!(drawn.contains(&format!(r#"data-network="{}""#, network.name)), "{name}: {}", network.name);
        }
        for host in &topology.hosts {
            assert!(drawn.contains(&format!(r#"data-host="{}""#, host.name)), "{name}: {}", host.name);
        }
        assert_eq!(drawn.matches("<path").count(), map.links.len(), "{name}");
        // The JSON a watcher keeps reads back as the same map (the web view draws from it).
        let kept: TopologyMap = serde_json::from_str(&serde_json::to_string(&map).unwrap()).unwrap();
        assert_eq!(kept, map, "{name}");
        assert_eq!(drawn.matches(r#"class="link""#).count(), map.links.len(), "{name}");
        let graph = dot(&map);
        assert_eq!(graph.matches(" -- ").count(), map.links.len(), "{name}");
        assert_eq!(
            graph.matches("subgraph \"cluster_").count(),
            map.clouds.len() + map.clouds.iter().map(|c| c.regions.len()).sum::<usize>()
        );
    }
}

#[test]
fn an_empty_configuration_draws_a_note() {
    let topology = topology("stack \"empty\" {}\n");
    let desired = lower(&topology, &Live::default()).unwrap();
    let drawn = svg(&TopologyMap::new(&topology, &desired));
    assert!(drawn.contains("No networks or hosts."), "{drawn}");
}

#[test]
fn the_two_cloud_tunnel_map_is_stable() {
    let (topology, desired) = example("two-cloud-tunnel");
    let map = TopologyMap::new(&topology, &desired);
    insta::assert_snapshot!(dot(&map));
}

#[test]
fn a_tunnel_named_like_a_network_claims_none_of_the_network_s_resources() {
    let text = PEERED.replace("tunnel \"a-b\"", "tunnel \"a\"");
    let topology = topology(&text);
    let desired = lower(&topology, &Live::default()).unwrap();
    let map = TopologyMap::new(&topology, &desired);
    let link = &map.links[0];
    assert!(!link.resources.is_empty());
    for id in &link.resources {
        assert_eq!(desired.resources[id].object, "tunnel.a", "{id} is not the tunnel's");
    }
    assert!(!link.resources.iter().any(|id| id.kind == ResourceKind::AwsVpc), "{:?}", link.resources);
}

#[test]
fn what_the_clouds_say_cannot_break_the_drawings() {
    let (topology, desired) = example("two-cloud-tunnel");
    let mut map = TopologyMap::new(&topology, &desired);
    let carriers: Vec<ResourceId> = map.links[0].carriers().cloned().collect();
    map.mark_states(carriers.iter().map(|id| (id, false, "DOWN: \u{1b}[31m<peer> & \"gone\"\u{7}")));
    let drawn = svg(&map);
    assert!(!drawn.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "no control character in the SVG");
    assert!(drawn.contains("&lt;peer&gt; &amp; &quot;gone&quot;"), "{drawn}");
    let graph = dot(&map);
    assert!(!graph.chars().any(|c| c.is_control() && c != '\n'), "no control character in the DOT text");
}

#[test]
fn a_second_relay_over_the_same_two_networks_is_carried_by_the_first_one_s_tunnel() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/endpoint-relay");
    let mut text = std::fs::read_to_string(dir.join("main.iso")).unwrap();
    text.push_str("\nrelay \"again\" {\n  endpoint = endpoint.warehouse\n  to       = [network.bi]\n}\n");
    let topology = topology(&text);
    let desired = lower(&topology, &Live::default()).unwrap();
    let map = TopologyMap::new(&topology, &desired);
    let first = map.links.iter().find(|l| l.name.ends_with("warehouse-elsewhere/app~bi)")).unwrap();
    let second = map.links.iter().find(|l| l.name.starts_with("relay.again")).unwrap();
    assert!(first.carriers().count() >= 1, "{first:?}");
    assert_eq!(second.carriers().collect::<Vec<_>>(), first.carriers().collect::<Vec<_>>(), "{second:?}");
}
