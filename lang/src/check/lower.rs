//! Lowering declarations into the typed [`Topology`], instance by instance.

use super::read::{Reader, instance_name, quoted};
use super::structure::{Decl, Decls};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::eval::{BlockRef, Eval, Evaluator};
use crate::host::Inputs;
use crate::schema::AttrType;
use crate::span::Spanned;
use crate::topology::*;

/// Below this many declarations, lowering stays on the caller's thread.
const PARALLEL_DECLARATIONS: usize = 2_000;

/// Everything that lowered, and the diagnostics of evaluating it; objects whose values had
/// errors are left out (their errors were reported). Without a `stack` block (also reported),
/// the stack's name is empty.
///
/// A large configuration is lowered on `threads` threads, each with an evaluator of its own over
/// a contiguous run of declarations, the parts joined in declaration order: the result is the
/// one thread's. A value that runs need in common is evaluated by each (and an error in it
/// reported by each, which the caller's deduplication makes one).
pub(crate) fn lower_all(
    decls: &Decls<'_>,
    inputs: &Inputs,
    host: &dyn crate::host::Host,
    threads: usize,
) -> (Lowered, Vec<Diagnostic>) {
    let count = decls.list.len();
    let lower_run = |range: std::ops::Range<usize>| {
        let mut ev = Evaluator::new(decls, inputs, host);
        let lowered = lower(&mut ev, range);
        (lowered, std::mem::take(&mut ev.diagnostics))
    };
    if threads < 2 || count < PARALLEL_DECLARATIONS {
        return lower_run(0..count);
    }
    let runs: Vec<(Lowered, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|part| count * part / threads..count * (part + 1) / threads)
            .map(|range| scope.spawn(move || lower_run(range)))
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("lowering does not panic")).collect()
    });
    let mut runs = runs.into_iter();
    let (Lowered { mut topology, mut values }, mut diagnostics) = runs.next().expect("at least one run");
    for (Lowered { topology: part, values: more_values }, mut more) in runs {
        values.extend(more_values);
        if topology.stack.name.value.is_empty() {
            topology.stack = part.stack;
        }
        topology.clouds.extend(part.clouds);
        topology.networks.extend(part.networks);
        topology.hosts.extend(part.hosts);
        topology.tunnels.extend(part.tunnels);
        topology.meshes.extend(part.meshes);
        topology.endpoints.extend(part.endpoints);
        topology.relays.extend(part.relays);
        diagnostics.append(&mut more);
    }
    (Lowered { topology, values }, diagnostics)
}

/// What lowering made: the topology, and the value of every local and variable that has one,
/// as `.iso` text by reference (`local.base`), in declaration order.
pub(crate) struct Lowered {
    pub topology: Topology,
    pub values: Vec<(String, String)>,
}

/// Lowers the declarations `range` (indices into the evaluator's table) on this thread.
fn lower(ev: &mut Evaluator<'_>, range: std::ops::Range<usize>) -> Lowered {
    let mut stack = None;
    let mut values = Vec::new();
    let mut topology = Topology {
        stack: Stack {
            name: Spanned::new(String::new(), crate::Span::new(crate::FileId(0), 0, 0)),
            description: None,
            tags: Default::default(),
            prices: None,
        },
        clouds: Vec::new(),
        networks: Vec::new(),
        hosts: Vec::new(),
        tunnels: Vec::new(),
        meshes: Vec::new(),
        endpoints: Vec::new(),
        relays: Vec::new(),
    };
    for idx in range.start as u32..range.end as u32 {
        let decl: &Decl<'_> = ev.decls.get(idx);
        let namespace = decl.namespace.clone();
        let owner = BlockRef { decl: idx, key: None, nested: None };
        match namespace.as_str() {
            "local" | "var" => {
                let reference = format!("{namespace}.{}", decl.name);
                if let Ok(value) = ev.declared_value(idx) {
                    values.push((reference, value.to_string()));
                }
                continue;
            }
            "stack" => {
                let name = Spanned::new(decl.name.clone(), decl.name_span());
                let mut reader = Reader::new(ev, owner);
                let description = reader.plain_string("description").ok().flatten();
                let tags = reader.string_map("tags").unwrap_or_default();
                let prices = reader.string("prices").ok().flatten();
                stack = Some(Stack { name, description, tags, prices });
                continue;
            }
            _ => {}
        }
        let Ok(instances) = ev.instances(&owner) else { continue };
        let keys: Vec<Option<crate::eval::Key>> = match instances {
            None => vec![None],
            Some(map) => map.keys().cloned().map(Some).collect(),
        };
        for key in keys {
            let block = BlockRef { decl: idx, key, nested: None };
            let mut reader = Reader::new(ev, block);
            let _ = match namespace.as_str() {
                ns if ns.starts_with("cloud.") => cloud(&mut reader, ns).map(|c| topology.clouds.push(c)),
                "network" => network(&mut reader).map(|n| topology.networks.push(n)),
                "host" => host(&mut reader).map(|h| topology.hosts.push(h)),
                "tunnel" => tunnel(&mut reader).map(|t| topology.tunnels.push(t)),
                "mesh" => mesh(&mut reader).map(|(mesh, tunnels)| {
                    topology.meshes.push(mesh);
                    topology.tunnels.extend(tunnels);
                }),
                "endpoint" => endpoint(&mut reader).map(|e| topology.endpoints.push(e)),
                "relay" => relay(&mut reader).map(|r| topology.relays.push(r)),
                other => unreachable!("no lowering for namespace {other}"),
            };
        }
    }
    if let Some(stack) = stack {
        topology.stack = stack;
    }
    Lowered { topology, values }
}

fn name_of(reader: &Reader<'_, '_>) -> String {
    let decl = reader.ev.decl_of(&reader.block);
    instance_name(&decl.name, reader.block.key.as_deref())
}

fn cloud(reader: &mut Reader<'_, '_>, namespace: &str) -> Eval<Cloud> {
    let kind = CloudKind::parse(namespace.trim_start_matches("cloud.")).expect("cloud kinds passed the schema check");
    let region = Reader::required(reader.string("region"))?;
    let account = match kind {
        CloudKind::Aws => CloudAccount::Aws {
            account: formatted(reader, "account", is_aws_account, "a 12-digit AWS account id")?,
            profile: reader.plain_string("profile")?,
            role_arn: reader.plain_string("role_arn")?,
        },
        CloudKind::Azure => CloudAccount::Azure {
            subscription: Reader::required(formatted(reader, "subscription", is_uuid, "a subscription id (a UUID)"))?,
            resource_group: reader.plain_string("resource_group")?,
            tenant: reader.plain_string("tenant")?,
        },
        CloudKind::Gcp => CloudAccount::Gcp {
            project: Reader::required(formatted(reader, "project", is_gcp_project, "a GCP project id"))?,
            impersonate_service_account: formatted(
                reader,
                "impersonate_service_account",
                is_service_account,
                "a service account email (NAME@PROJECT.iam.gserviceaccount.com)",
            )?,
        },
    };
    Ok(Cloud {
        id: format!("{}.{}", kind.as_str(), name_of(reader)),
        kind,
        region,
        account,
        endpoint: reader.plain_string("endpoint")?,
        tags: reader.string_map("tags")?,
        span: reader.header,
    })
}

/// A string attribute that must have a format; `expected` names it in the diagnostic.
fn formatted(reader: &mut Reader<'_, '_>, name: &str, valid: fn(&str) -> bool, expected: &str) -> Eval<Option<String>> {
    let Some(text) = reader.string(name)? else { return Ok(None) };
    if valid(&text.value) {
        return Ok(Some(text.value));
    }
    let label = format!("`{}` is not {expected}", text.value);
    Err(reader.ev.report(Diagnostic::error(Code::InvalidValue, text.span, label)))
}

fn is_aws_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 6 to 30 lowercase letters, digits and hyphens, starting with a letter, not ending with `-`.
fn is_gcp_project(text: &str) -> bool {
    (6..=30).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && !text.ends_with('-')
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A service account's email: `NAME@PROJECT.iam.gserviceaccount.com` (or another domain for
/// Google-managed accounts): one `@`, a name and a dotted domain.
fn is_service_account(text: &str) -> bool {
    match text.split_once('@') {
        Some((name, domain)) => {
            !name.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace) && !domain.contains('@')
        }
        None => false,
    }
}

fn asn(reader: &mut Reader<'_, '_>) -> Eval<Option<Spanned<u32>>> {
    let Some(asn) = reader.integer("asn", 1, u32::MAX as i64)? else { return Ok(None) };
    let private = (64512..=65534).contains(&asn.value) || (4_200_000_000..=4_294_967_294).contains(&asn.value);
    if !private {
        let label = format!("{} is not a private ASN", asn.value);
        return Err(reader.ev.report(
            Diagnostic::error(Code::InvalidAsn, asn.span, label)
                .with_help("private ASNs are 64512-65534 and 4200000000-4294967294"),
        ));
    }
    Ok(Some(Spanned::new(asn.value as u32, asn.span)))
}

fn network(reader: &mut Reader<'_, '_>) -> Eval<Network> {
    let cloud_ref = Reader::required(reader.reference("cloud", &["cloud"]))?;
    let (namespace, cloud_name) = cloud_ref.value;
    let kind = CloudKind::parse(namespace.trim_start_matches("cloud.")).expect("cloud namespaces name their kind");
    let region = Reader::required(reader.string("region"))?;
    let cidr = Reader::required(reader.cidr("cidr"))?;
    let asn = asn(reader)?;
    let transit_gateway = reader.optional_bool("transit_gateway")?;
    let existing = reader.string("existing")?;
    let tags = reader.string_map("tags")?;
    let mut subnets = Vec::new();
    let mut failed = false;
    let body = &reader.ev.block_of(&reader.block).body;
    let subnet_items: Vec<u32> = body
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item, crate::syntax::ast::Item::Block(b) if b.kind.text == "subnet"))
        .map(|(idx, _)| idx as u32)
        .collect();
    for item in subnet_items {
        let owner = BlockRef { nested: Some((item, None)), ..reader.block.clone() };
        let keys = match reader.ev.instances(&owner) {
            Ok(None) => vec![None],
            Ok(Some(map)) => map.keys().cloned().map(Some).collect(),
            Err(_) => {
                failed = true;
                continue;
            }
        };
        for key in keys {
            let subnet_ref = BlockRef { nested: Some((item, key.clone())), ..reader.block.clone() };
            let label = reader.ev.block_of(&subnet_ref).labels[0].text.clone();
            let mut sub = Reader::new(reader.ev, subnet_ref);
            let result: Eval<Subnet> = (|| {
                Ok(Subnet {
                    name: instance_name(&label, key.as_deref()),
                    cidr: Reader::required(sub.cidr("cidr"))?,
                    zone: sub.string("zone")?,
                    tags: sub.string_map("tags")?,
                    span: sub.header,
                })
            })();
            match result {
                Ok(subnet) => subnets.push(subnet),
                Err(_) => failed = true,
            }
        }
    }
    if failed {
        return Err(crate::eval::Reported);
    }
    let flow_logs = match reader.nested("flow_logs") {
        None => None,
        Some(mut logs) => Some(FlowLogs {
            destination: logs.string("destination")?,
            interval: logs.integer("interval", 5, 900)?,
            sampling: logs.number("sampling")?,
            span: logs.header,
        }),
    };
    Ok(Network {
        name: name_of(reader),
        cloud: format!("{}.{cloud_name}", kind.as_str()),
        kind,
        region,
        cidr,
        asn,
        transit_gateway,
        existing,
        subnets,
        flow_logs,
        tags,
        span: reader.header,
    })
}

fn host(reader: &mut Reader<'_, '_>) -> Eval<Host> {
    let address = Reader::required(reader.address("address"))?;
    reader.require_written("cidrs")?;
    let cidrs = reader.cidr_list("cidrs")?;
    let asn = asn(reader)?;
    let connection = match reader.choice("connection", &["ssh", "local"], "ssh")?.as_str() {
        "local" => Connection::Local,
        _ => match reader.nested("ssh") {
            None => Connection::Ssh { host: None, user: None, port: None, identity_file: None },
            Some(mut ssh) => Connection::Ssh {
                host: ssh.plain_string("host")?,
                user: ssh.plain_string("user")?,
                port: ssh.integer("port", 1, 65535)?.map(|p| p.value as u16),
                identity_file: ssh.plain_string("identity_file")?,
            },
        },
    };
    let strongswan = match reader.nested("strongswan") {
        None => StrongSwan {
            swanctl_dir: "/etc/swanctl".into(),
            vici_socket: "unix:///var/run/charon.vici".into(),
            encap: false,
        },
        Some(mut settings) => StrongSwan {
            swanctl_dir: settings.plain_string("swanctl_dir")?.unwrap_or_else(|| "/etc/swanctl".into()),
            vici_socket: settings.plain_string("vici_socket")?.unwrap_or_else(|| "unix:///var/run/charon.vici".into()),
            encap: settings.bool("encap", false)?,
        },
    };
    Ok(Host { name: name_of(reader), address, cidrs, asn, connection, strongswan, span: reader.header })
}

fn end(reference: Spanned<(String, String)>) -> Spanned<End> {
    let (namespace, name) = reference.value;
    let end = if namespace == "host" { End::Host(name) } else { End::Network(name) };
    Spanned::new(end, reference.span)
}

/// Routing, HA and IKE, shared by tunnels and meshes.
fn link_settings(reader: &mut Reader<'_, '_>) -> Eval<(Routing, bool, Ike)> {
    let routing = match reader.choice("routing", &["bgp", "static"], "bgp")?.as_str() {
        "static" => Routing::Static,
        _ => Routing::Bgp,
    };
    let ha = reader.bool("ha", true)?;
    let ike = match reader.nested("ike") {
        None => Ike::default(),
        Some(mut ike) => read_ike(&mut ike)?,
    };
    Ok((routing, ha, ike))
}

fn tunnel(reader: &mut Reader<'_, '_>) -> Eval<Tunnel> {
    reader.require_written("between")?;
    let between = reader.references("between", &["network", "host"])?;
    let (routing, ha, ike) = link_settings(reader)?;
    let psk = reader.secret("psk")?;
    let [a, b]: [Spanned<(String, String)>; 2] = between.try_into().map_err(|between: Vec<_>| {
        let label = format!("a tunnel connects exactly two ends, found {}", between.len());
        let span = reader.ev.block_of(&reader.block).body.attribute("between").map_or(reader.header, |a| a.value.span);
        reader.ev.report(
            Diagnostic::error(Code::WrongMemberCount, span, label).with_help("use a `mesh` to connect more than two"),
        )
    })?;
    Ok(Tunnel { name: name_of(reader), ends: [end(a), end(b)], routing, ha, psk, ike, mesh: None, span: reader.header })
}

fn mesh(reader: &mut Reader<'_, '_>) -> Eval<(Mesh, Vec<Tunnel>)> {
    reader.require_written("members")?;
    let members: Vec<Spanned<End>> = reader.references("members", &["network", "host"])?.into_iter().map(end).collect();
    let (routing, ha, ike) = link_settings(reader)?;
    let name = name_of(reader);
    if members.len() < 2 {
        let span = reader.ev.block_of(&reader.block).body.attribute("members").map_or(reader.header, |a| a.value.span);
        let label = format!("a mesh needs at least two members, found {}", members.len());
        return Err(reader.ev.report(Diagnostic::error(Code::WrongMemberCount, span, label)));
    }
    for (idx, member) in members.iter().enumerate() {
        if let Some(first) = members[..idx].iter().find(|m| m.value == member.value) {
            let label = format!("`{}` is listed twice", member.value.address());
            return Err(reader.ev.report(
                Diagnostic::error(Code::DuplicateMember, member.span, label)
                    .with_label(first.span, "first listed here"),
            ));
        }
    }
    let mut tunnels = Vec::with_capacity(members.len() * (members.len() - 1) / 2);
    for (idx, a) in members.iter().enumerate() {
        for b in &members[idx + 1..] {
            tunnels.push(Tunnel {
                name: format!("{name}/{}~{}", a.value.name(), b.value.name()),
                ends: [a.clone(), b.clone()],
                routing,
                ha,
                psk: None,
                ike: ike.clone(),
                mesh: Some(name.clone()),
                span: reader.header,
            });
        }
    }
    Ok((Mesh { name, members, span: reader.header }, tunnels))
}

impl Default for Ike {
    fn default() -> Self {
        Ike {
            version: 2,
            encryption: vec!["aes256gcm16".into(), "aes256".into()],
            integrity: vec!["sha256".into()],
            dh_groups: vec![20, 14],
            lifetime: 28800,
            child_lifetime: 3600,
            dpd_timeout: 30,
        }
    }
}

/// Algorithms that are refused outright, with the reason.
const WEAK: &[(&str, &str)] = &[
    ("des", "DES is broken"),
    ("3des", "3DES is deprecated (RFC 8247)"),
    ("md5", "MD5 is broken"),
    ("sha1", "SHA-1 is deprecated for IPsec integrity (RFC 8247)"),
];
const WEAK_DH: &[i64] = &[1, 2, 5, 22, 23];

fn read_ike(reader: &mut Reader<'_, '_>) -> Eval<Ike> {
    let defaults = Ike::default();
    let schema = &crate::schema::IKE;
    let allowed = |name: &str| match schema.attribute(name).map(|a| a.ty) {
        Some(AttrType::EnumList(values)) => values,
        _ => &[],
    };
    let algorithms = |reader: &mut Reader<'_, '_>, name: &str, default: Vec<String>| -> Eval<Vec<String>> {
        let values = reader.string_list(name)?;
        if values.is_empty() {
            return Ok(default);
        }
        for value in &values {
            let text = value.value.to_lowercase();
            if allowed(name).contains(&text.as_str()) {
                continue;
            }
            let label = match WEAK.iter().find(|(weak, _)| *weak == text) {
                Some((_, reason)) => format!("`{}` is too weak to allow: {reason}", value.value),
                None => format!("`{}` is not a supported {name} algorithm", value.value),
            };
            let help = format!("use {}", quoted(allowed(name)));
            return Err(reader.ev.report(Diagnostic::error(Code::InvalidIke, value.span, label).with_help(help)));
        }
        Ok(values.into_iter().map(|v| v.value.to_lowercase()).collect())
    };
    let encryption = algorithms(reader, "encryption", defaults.encryption)?;
    let integrity = algorithms(reader, "integrity", defaults.integrity)?;
    let mut dh_groups = Vec::new();
    let allowed_groups = match schema.attribute("dh_groups").map(|a| a.ty) {
        Some(AttrType::IntegerList(groups)) => groups,
        _ => &[],
    };
    for (value, span) in reader.list("dh_groups")? {
        let group = value.as_integer().unwrap_or(-1) as i64;
        if allowed_groups.contains(&group) {
            dh_groups.push(group as u32);
            continue;
        }
        let label = if WEAK_DH.contains(&group) {
            format!("Diffie-Hellman group {group} is too weak to allow")
        } else {
            format!("{value} is not a supported Diffie-Hellman group")
        };
        let groups = allowed_groups.iter().map(|g| g.to_string()).collect::<Vec<_>>().join(", ");
        return Err(reader
            .ev
            .report(Diagnostic::error(Code::InvalidIke, span, label).with_help(format!("use one of {groups}"))));
    }
    if dh_groups.is_empty() {
        dh_groups = defaults.dh_groups;
    }
    let seconds = |reader: &mut Reader<'_, '_>, name: &str, default: u32| -> Eval<u32> {
        let Some(AttrType::Integer(min, max)) = schema.attribute(name).map(|a| a.ty) else { return Ok(default) };
        Ok(reader.integer(name, min, max)?.map_or(default, |v| v.value as u32))
    };
    Ok(Ike {
        version: seconds(reader, "version", defaults.version as u32)? as u8,
        encryption,
        integrity,
        dh_groups,
        lifetime: seconds(reader, "lifetime", defaults.lifetime)?,
        child_lifetime: seconds(reader, "child_lifetime", defaults.child_lifetime)?,
        dpd_timeout: seconds(reader, "dpd_timeout", defaults.dpd_timeout)?,
    })
}

fn endpoint(reader: &mut Reader<'_, '_>) -> Eval<Endpoint> {
    let network = Reader::required(reader.reference("network", &["network"]))?;
    Ok(Endpoint {
        name: name_of(reader),
        network: Spanned::new(network.value.1, network.span),
        service: Reader::required(reader.string("service"))?,
        subnets: reader.string_list("subnets")?,
        private_dns: reader.bool("private_dns", true)?,
        dns_name: reader.string("dns_name")?,
        span: reader.header,
    })
}

fn relay(reader: &mut Reader<'_, '_>) -> Eval<Relay> {
    let endpoint = Reader::required(reader.reference("endpoint", &["endpoint"]))?;
    reader.require_written("to")?;
    let to: Vec<Spanned<String>> =
        reader.references("to", &["network"])?.into_iter().map(|r| Spanned::new(r.value.1, r.span)).collect();
    if to.is_empty() {
        let span = reader.ev.block_of(&reader.block).body.attribute("to").map_or(reader.header, |a| a.value.span);
        return Err(reader.ev.report(Diagnostic::error(
            Code::WrongMemberCount,
            span,
            "a relay needs at least one network",
        )));
    }
    for (idx, network) in to.iter().enumerate() {
        if let Some(first) = to[..idx].iter().find(|n| n.value == network.value) {
            let label = format!("`network.{}` is listed twice", network.value);
            return Err(reader.ev.report(
                Diagnostic::error(Code::DuplicateMember, network.span, label)
                    .with_label(first.span, "first listed here"),
            ));
        }
    }
    Ok(Relay {
        name: name_of(reader),
        endpoint: Spanned::new(endpoint.value.1, endpoint.span),
        to,
        private_dns: reader.bool("private_dns", true)?,
        span: reader.header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemoryHost;
    use crate::span::FileId;
    use std::fmt::Write as _;

    /// Enough networks to be lowered in parts, some of them wrong, and references across parts.
    fn configuration() -> String {
        let mut out = String::from(
            "stack \"s\" {}\ncloud \"aws\" \"c\" {\n  region = \"us-east-1\"\n}\nlocals {\n  bad = 1 + \"x\"\n}\n",
        );
        for n in 0..PARALLEL_DECLARATIONS + 500 {
            let cidr =
                if n % 700 == 3 { "10.0.0.0/33".to_string() } else { format!("10.{}.{}.0/24", n / 256, n % 256) };
            let tags = if n % 900 == 5 { "{ x = local.bad }" } else { "{ peer = network.n0.cidr }" };
            writeln!(out, "network \"n{n}\" {{\n  cloud = cloud.aws.c\n  cidr  = \"{cidr}\"\n  tags  = {tags}\n}}")
                .unwrap();
        }
        out.push_str("mesh \"m\" {\n  members = [network.n1, network.n2000, network.n2400]\n}\n");
        out
    }

    #[test]
    fn lowering_in_parts_is_lowering_on_one_thread() {
        let text = configuration();
        let file = crate::syntax::parse(FileId::default(), &text).file;
        let mut diagnostics = Vec::new();
        let files = [file];
        let decls = super::super::structure::check(&files, &mut diagnostics);
        assert!(diagnostics.is_empty());
        let (inputs, host) = (Inputs::default(), MemoryHost::default());
        let (alone, mut alone_diagnostics) = lower_all(&decls, &inputs, &host, 1);
        let (parts, mut parts_diagnostics) = lower_all(&decls, &inputs, &host, 4);
        assert_eq!(alone.values, parts.values);
        let (alone, parts) = (alone.topology, parts.topology);
        assert_eq!(alone, parts);
        assert_eq!(alone.networks.len(), PARALLEL_DECLARATIONS + 500 - 7, "the wrong ones are left out");
        assert_eq!(alone.tunnels.len(), 3);
        for diagnostics in [&mut alone_diagnostics, &mut parts_diagnostics] {
            crate::sort(diagnostics);
        }
        assert_eq!(alone_diagnostics, parts_diagnostics);
        assert_eq!(alone_diagnostics.len(), 5, "4 ranges and the local, once: {alone_diagnostics:#?}");
    }
}
