//! The paths moto does not exercise (pagination, pending and deleted states, throttling with
//! its request id, ModifyVpnTunnelOptions), against a server on 127.0.0.1 that answers each EC2
//! action with a response shaped like the EC2 API reference's examples and records every request
//! the SDK sends.

use super::*;
use isopod_catalog::{ResourceId, Value};
use isopod_provider::ErrorKind;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// How the server answers one action: the HTTP status and the XML body, given the request's
/// form parameters.
type Answer = Box<dyn Fn(&HashMap<String, String>) -> (u16, String) + Send + Sync>;

/// A server answering EC2 actions from `answers`, recording the form of every request.
struct Replay {
    url: String,
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Replay {
    fn start(answers: HashMap<&'static str, Answer>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let form = read_form(&mut stream);
                recorded.lock().unwrap().push(form.clone());
                let action = form.get("Action").cloned().unwrap_or_default();
                let (status, body) = match answers.get(action.as_str()) {
                    Some(answer) => answer(&form),
                    None => (400, error("InvalidAction", &format!("no answer for {action}"))),
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
        });
        Replay { url, requests }
    }

    fn provider(&self) -> AwsProvider {
        let credentials = Some(("testing".into(), "testing".to_string()));
        AwsProvider::new(AwsSettings {
            endpoint: Some(self.url.clone()),
            static_credentials: credentials,
            ..AwsSettings::default()
        })
    }

    fn requests(&self, action: &str) -> Vec<HashMap<String, String>> {
        let all = self.requests.lock().unwrap();
        all.iter().filter(|form| form.get("Action").map(String::as_str) == Some(action)).cloned().collect()
    }
}

/// The form parameters of one HTTP request (EC2's query protocol posts them as its body).
fn read_form(stream: &mut std::net::TcpStream) -> HashMap<String, String> {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    String::from_utf8_lossy(&body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (decode(name), decode(value)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn ok(action: &str, inner: &str) -> (u16, String) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>{inner}</{action}Response>"
    );
    (200, body)
}

fn error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"
    )
}

fn owned_tags(id: &str) -> String {
    format!(
        "<tagSet><item><key>isopod:stack</key><value>demo</value></item><item><key>isopod:resource</key><value>{id}</value></item></tagSet>"
    )
}

fn answer(f: impl Fn(&HashMap<String, String>) -> (u16, String) + Send + Sync + 'static) -> Answer {
    Box::new(f)
}

fn scope() -> Scope {
    Scope { cloud: "aws.prod".into(), region: "us-east-1".into() }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

#[test]
fn discovery_follows_every_page() {
    let answers = HashMap::from([
        (
            "DescribeVpcs",
            answer(|form| {
                let (vpc, next) = match form.get("NextToken").map(String::as_str) {
                    None => ("vpc-1", "<nextToken>page-2</nextToken>"),
                    Some("page-2") => ("vpc-2", ""),
                    Some(other) => panic!("unknown token {other}"),
                };
                let item = format!(
                    "<vpcSet><item><vpcId>{vpc}</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state>{}</item></vpcSet>{next}",
                    owned_tags(&format!("aws_vpc.{vpc}"))
                );
                ok("DescribeVpcs", &item)
            }),
        ),
        ("DescribeRouteTables", answer(|_| ok("DescribeRouteTables", "<routeTableSet/>"))),
        (
            "DescribeVpcAttribute",
            answer(|form| {
                let vpc = form.get("VpcId").cloned().unwrap_or_default();
                let attribute = match form.get("Attribute").map(String::as_str) {
                    Some("enableDnsSupport") => "enableDnsSupport",
                    _ => "enableDnsHostnames",
                };
                ok(
                    "DescribeVpcAttribute",
                    &format!("<vpcId>{vpc}</vpcId><{attribute}><value>true</value></{attribute}>"),
                )
            }),
        ),
    ]);
    let replay = Replay::start(answers);
    let found = run(replay.provider().discover(&scope(), &[ResourceKind::AwsVpc])).unwrap();
    let ids: Vec<&str> = found.iter().map(|r| r.provider_id.as_str()).collect();
    assert_eq!(ids, ["vpc-1", "vpc-2"]);
    assert_eq!(replay.requests("DescribeVpcs").len(), 2, "one call per page");
    assert_eq!(found[1].attrs["enable_dns_hostnames"], Value::Bool(true));
}

#[test]
fn pending_and_deleted_states_reach_the_executor() {
    let states = Arc::new(Mutex::new(vec!["pending", "available", "deleting", "deleted"]));
    let next = states.clone();
    let answers = HashMap::from([(
        "DescribeTransitGateways",
        answer(move |_| {
            let state = next.lock().unwrap().remove(0);
            let item = format!(
                "<transitGatewaySet><item><transitGatewayId>tgw-1</transitGatewayId><state>{state}</state></item></transitGatewaySet>"
            );
            ok("DescribeTransitGateways", &item)
        }),
    )]);
    let replay = Replay::start(answers);
    let aws = replay.provider();
    let look = || run(aws.provisioning("tgw-1", ResourceKind::AwsTransitGateway, &scope()));
    assert_eq!(look().unwrap(), Provisioning::Pending);
    assert_eq!(look().unwrap(), Provisioning::Ready);
    assert_eq!(look().unwrap(), Provisioning::Pending, "being deleted");
    assert_eq!(look().unwrap_err().kind, ErrorKind::NotFound, "deleted is gone");
}

#[test]
fn throttling_is_classified_with_its_request_id() {
    let answers = HashMap::from([(
        "DescribeCustomerGateways",
        answer(|_| (503, error("RequestLimitExceeded", "Request limit exceeded."))),
    )]);
    let replay = Replay::start(answers);
    let err = run(replay.provider().discover(&scope(), &[ResourceKind::AwsCustomerGateway])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttled, "{err}");
    assert_eq!(err.request_id.as_deref(), Some("ea966190-f9aa-478e-9ede-example"));
    assert!(err.message.starts_with("RequestLimitExceeded: "), "{}", err.message);
}

#[test]
fn a_changed_tunnel_is_modified_alone_by_its_outside_address() {
    let tunnel = |address: &str, lifetime: u32| {
        format!(
            "<item><outsideIpAddress>{address}</outsideIpAddress><tunnelInsideCidr>169.254.10.0/30</tunnelInsideCidr><phase1LifetimeSeconds>{lifetime}</phase1LifetimeSeconds></item>"
        )
    };
    let connection = format!(
        "<vpnConnectionSet><item><vpnConnectionId>vpn-1</vpnConnectionId><state>available</state><type>ipsec.1</type><options><staticRoutesOnly>true</staticRoutesOnly><tunnelOptionSet>{}{}</tunnelOptionSet></options>{}</item></vpnConnectionSet>",
        tunnel("52.0.0.1", 28_800),
        tunnel("52.0.0.2", 28_800),
        owned_tags("aws_vpn_connection.t.0")
    );
    let answers = HashMap::from([
        ("DescribeTags", answer(|_| ok("DescribeTags", "<tagSet/>"))),
        ("DescribeVpnConnections", answer(move |_| ok("DescribeVpnConnections", &connection))),
        (
            "ModifyVpnTunnelOptions",
            answer(|_| {
                ok("ModifyVpnTunnelOptions", "<vpnConnection><vpnConnectionId>vpn-1</vpnConnectionId></vpnConnection>")
            }),
        ),
    ]);
    let replay = Replay::start(answers);
    let attrs = [
        ("tunnel1_inside_cidr", Value::string("169.254.10.0/30")),
        ("tunnel1_phase1_lifetime_seconds", Value::Integer(28_800)),
        ("tunnel1_preshared_key", Value::string("Sw0rdfish.one")),
        ("tunnel2_inside_cidr", Value::string("169.254.10.0/30")),
        ("tunnel2_phase1_lifetime_seconds", Value::Integer(14_400)),
        ("tunnel2_preshared_key", Value::string("Sw0rdfish.two")),
    ];
    let resource = Resource {
        id: ResourceId::new(ResourceKind::AwsVpnConnection, "t.0"),
        scope: scope(),
        attrs: Arc::new(attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), v.clone())).collect()),
        depends_on: Vec::new(),
        object: "tunnel.t".into(),
    };
    run(replay.provider().update("vpn-1", &resource)).unwrap();
    let modified = replay.requests("ModifyVpnTunnelOptions");
    assert_eq!(modified.len(), 1, "only the changed tunnel: {modified:?}");
    assert_eq!(modified[0]["VpnConnectionId"], "vpn-1");
    assert_eq!(modified[0]["VpnTunnelOutsideIpAddress"], "52.0.0.2");
    assert_eq!(modified[0]["TunnelOptions.Phase1LifetimeSeconds"], "14400");
    assert!(modified.iter().flat_map(|form| form.values()).all(|value| !value.contains("Sw0rdfish")), "no key sent");
}
