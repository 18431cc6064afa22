//! Two Linux hosts in network namespaces of their own, each with its own strongSwan daemon
//! (the userspace `kernel-libipsec` data plane: this kernel has no ESP), configured by `isopod
//! apply` from one `.iso`, one locally and one over SSH (an `sshd` the test starts on
//! 127.0.0.1): traffic between the sites crosses the tunnel as ESP, a file edited by hand is
//! drift that apply repairs, a rotated key re-establishes the tunnel, and destroy unloads it.
//!
//! Needs root, network namespaces, `swanctl`, `charon-systemd` and `sshd` (`scripts/test`
//! installs them); skips, saying so loudly, only where namespaces cannot be made.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sh(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|err| panic!("{program}: {err}"))
}

fn must(program: &str, args: &[&str]) {
    let out = sh(program, args);
    assert!(out.status.success(), "{program} {args:?}: {}", text(&out.stderr));
}

/// One host: a network namespace, a veth end, a site address, and a charon daemon.
struct Site {
    namespace: String,
    dir: PathBuf,
    charon: Option<Child>,
}

impl Site {
    fn vici(&self) -> String {
        format!("unix://{}", self.dir.join("charon.vici").display())
    }

    fn start_charon(&mut self) {
        let config = format!(
            "charon-systemd {{\n  load = random nonce openssl pem pkcs1 x509 pubkey hmac kdf kernel-libipsec kernel-netlink socket-default vici updown\n  filelog {{ f {{ path = {log}\n default = 1\n ike = 1\n flush_line = yes }} }}\n  journal {{ default = -1 }}\n  plugins {{\n    vici {{ socket = {vici} }}\n    kernel-libipsec {{ allow_peer_ts = no }}\n  }}\n}}\n",
            log = self.dir.join("charon.log").display(),
            vici = self.vici()
        );
        std::fs::write(self.dir.join("strongswan.conf"), config).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.namespace, "setsid", "/usr/sbin/charon-systemd"])
            .env("STRONGSWAN_CONF", self.dir.join("strongswan.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("charon-systemd starts");
        self.charon = Some(child);
        let started = Instant::now();
        while !self.dir.join("charon.vici").exists() {
            assert!(started.elapsed() < Duration::from_secs(10), "charon did not open its socket");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills charon and starts it again, with nothing loaded (as after a reboot whose service
    /// does not load the configuration).
    fn restart_charon(&mut self) {
        if let Some(mut child) = self.charon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.dir.join("charon.vici"));
        self.start_charon();
    }

    fn sas(&self) -> String {
        text(&sh("swanctl", &["--list-sas", "--uri", &self.vici()]).stdout)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(mut child) = self.charon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = sh("ip", &["netns", "del", &self.namespace]);
    }
}

/// Sites joined through a bridge in a namespace of their own, as on one network: site `i`
/// (from 1) at 10.250.0.`i` with 192.168.(70+`i`).1 behind it. The sites go before the hub.
struct Lab {
    sites: Vec<Site>,
    hub: String,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.sites.clear();
        let _ = sh("ip", &["netns", "del", &self.hub]);
    }
}

/// The outer address and the site address of site `i` (from 1).
fn addresses(i: usize) -> (String, String) {
    (format!("10.250.0.{i}"), format!("192.168.{}.1", 70 + i))
}

/// `count` sites for the test `label`; `None` (after saying why) where namespaces cannot be made.
fn lab(dir: &Path, label: char, count: usize) -> Option<Lab> {
    let tag = format!("{}{label}", std::process::id() % 100_000);
    let hub = format!("isopod-{tag}-hub");
    if !sh("ip", &["netns", "add", &hub]).status.success() {
        eprintln!("SKIPPED: network namespaces cannot be made here (not root, or not permitted)");
        return None;
    }
    must("ip", &["-n", &hub, "link", "add", "br0", "type", "bridge"]);
    must("ip", &["-n", &hub, "link", "set", "br0", "up"]);
    let mut lab = Lab { sites: Vec::new(), hub: hub.clone() };
    for i in 1..=count {
        let namespace = format!("isopod-{tag}-{i}");
        must("ip", &["netns", "add", &namespace]);
        lab.sites.push(Site { namespace: namespace.clone(), dir: dir.join(format!("site{i}")), charon: None });
        let (inside, outside) = (format!("iv{tag}{i}"), format!("ih{tag}{i}"));
        must(
            "ip",
            &["link", "add", &inside, "netns", &namespace, "type", "veth", "peer", "name", &outside, "netns", &hub],
        );
        must("ip", &["-n", &hub, "link", "set", &outside, "master", "br0"]);
        must("ip", &["-n", &hub, "link", "set", &outside, "up"]);
        let (outer, site) = addresses(i);
        must("ip", &["-n", &namespace, "addr", "add", &format!("{outer}/24"), "dev", &inside]);
        must("ip", &["-n", &namespace, "addr", "add", &format!("{site}/32"), "dev", "lo"]);
        must("ip", &["-n", &namespace, "link", "set", "lo", "up"]);
        must("ip", &["-n", &namespace, "link", "set", &inside, "up"]);
    }
    for site in &mut lab.sites {
        std::fs::create_dir_all(&site.dir).unwrap();
        site.start_charon();
    }
    Some(lab)
}

/// An `sshd` on 127.0.0.1 that lets root in with a key of the test's own.
struct SshServer {
    child: Child,
    port: u16,
    key: PathBuf,
}

impl SshServer {
    /// Starts the server with its files in `dir`, and writes the client's `DIR/ssh_config`
    /// (no host-key prompts), which [`isopod`] passes as `ISOPOD_SSH_CONFIG`.
    fn start(dir: &Path) -> SshServer {
        std::fs::create_dir_all("/run/sshd").unwrap();
        let key = dir.join("id");
        for file in [dir.join("host_key"), key.clone()] {
            must("ssh-keygen", &["-q", "-t", "ed25519", "-N", "", "-f", &file.to_string_lossy()]);
        }
        std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile none\n",
            dir.join("host_key").display(),
            dir.join("authorized_keys").display()
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        let client_config = dir.join("ssh_config");
        std::fs::write(
            &client_config,
            "Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
        )
        .unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f", &dir.join("sshd_config").to_string_lossy()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd starts (scripts/test installs openssh-server)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "sshd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        SshServer { child, port, key }
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Host `a` configured locally, host `b` over SSH through `ssh`.
fn configuration(a: &Site, b: &Site, ssh: &SshServer) -> String {
    let host = |name: &str, address: &str, cidr: &str, site: &Site, reach: &str| {
        format!(
            "host \"{name}\" {{\n  address    = \"{address}\"\n  cidrs      = [\"{cidr}\"]\n{reach}\n  strongswan {{\n    swanctl_dir = \"{}\"\n    vici_socket = \"{}\"\n    encap       = true\n  }}\n}}\n\n",
            site.dir.display(),
            site.vici()
        )
    };
    let over_ssh = format!(
        "  connection = \"ssh\"\n\n  ssh {{\n    host          = \"127.0.0.1\"\n    port          = {}\n    user          = \"root\"\n    identity_file = \"{}\"\n  }}\n",
        ssh.port,
        ssh.key.display()
    );
    format!(
        "stack \"sites\" {{}}\n\n{}{}tunnel \"a-b\" {{\n  between = [host.a, host.b]\n  routing = \"static\"\n  ha      = false\n}}\n",
        host("a", "10.250.0.1", "192.168.71.0/24", a, "  connection = \"local\"\n"),
        host("b", "10.250.0.2", "192.168.72.0/24", b, &over_ssh)
    )
}

/// `isopod ARGS` for the configuration in `dir`, with its own secret key there, moto's
/// credentials, and the SSH client configuration of `../ssh/` (see [`SshServer::start`]).
fn isopod(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .env("ISOPOD_SSH_CONFIG", dir.join("../ssh/ssh_config"))
        // moto takes any credentials; no real account is ever reached from these tests.
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .env("NO_COLOR", "1")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// Whether a ping from site `from`'s range (site `i` of the lab) reaches site `to`'s within
/// `limit`.
fn ping_crosses(sites: &[Site], from: usize, to: usize, limit: Duration) -> bool {
    let started = Instant::now();
    let (source, target) = (addresses(from).1, addresses(to).1);
    while started.elapsed() < limit {
        let namespace = &sites[from - 1].namespace;
        let out = sh("ip", &["netns", "exec", namespace, "ping", "-c1", "-W1", "-I", &source, &target]);
        if out.status.success() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn assert_ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn isopod_configures_a_tunnel_between_two_hosts_that_carries_esp() {
    let work = tempfile::tempdir().unwrap();
    let Some(mut lab) = lab(work.path(), 't', 2) else { return };
    let (a, b) = (&lab.sites[0], &lab.sites[1]);
    let dir = work.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(work.path().join("ssh")).unwrap();
    // The folder `isopod` expects beside the configuration's.
    let ssh = SshServer::start(&work.path().join("ssh"));
    std::fs::write(dir.join("main.iso"), configuration(a, b, &ssh)).unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();

    assert!(!ping_crosses(&lab.sites, 1, 2, Duration::from_millis(500)), "no path between the sites before the tunnel");
    let out = isopod(&["apply", "--yes", &dir_arg], &dir, None);
    assert_ok(&out);
    assert!(ping_crosses(&lab.sites, 1, 2, Duration::from_secs(15)), "the tunnel carries traffic:\n{}", a.sas());
    let sas = a.sas();
    assert!(sas.contains("ESTABLISHED") && sas.contains("INSTALLED"), "{sas}");
    assert!(sas.contains("ESP:AES_GCM_16-256") || sas.contains("ESP:AES_CBC-256"), "ESP carries it: {sas}");
    // The ping went through the child SA: its counters moved both ways.
    let counted = |direction: &str| {
        sas.lines().filter(|line| line.trim_start().starts_with(direction)).any(|line| {
            line.split(',').any(|part| {
                part.trim().strip_suffix(" packets").and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n > 0)
            })
        })
    };
    assert!(counted("in ") && counted("out "), "ESP packets counted both ways: {sas}");
    let key = std::fs::read_to_string(b.dir.join("conf.d/isopod-b-a-b-0.conf")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(b.dir.join("conf.d/isopod-b-a-b-0.conf")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only root reads the key");
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "no changes: {}{}", text(&out.stdout), text(&out.stderr));
    let out = isopod(&["status", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("2 tunnel(s) up, 0 down."), "{}", text(&out.stdout));
    // The map colours the link by what both hosts' charons say.
    let link = |dir: &Path| {
        let out = isopod(&["graph", "--live", "--format", "json", &dir.to_string_lossy()], dir, None);
        assert_ok(&out);
        let map: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(map["links"].as_array().unwrap().len(), 1, "{map}");
        map["links"][0].clone()
    };
    let up = link(&dir);
    assert_eq!(up["status"], "up", "{up}");
    assert_eq!(up["detail"].as_array().unwrap().len(), 2, "one report from each host: {up}");

    // A wrong key edited in by hand: the tunnel is refused; plan shows it, apply repairs it.
    let edited = key
        .lines()
        .map(|line| if line.trim().starts_with("secret = ") { "    secret = \"wrong\"" } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(b.dir.join("conf.d/isopod-b-a-b-0.conf"), edited + "\n").unwrap();
    must(
        "swanctl",
        &["--load-all", "--noprompt", "--file", &b.dir.join("swanctl.conf").to_string_lossy(), "--uri", &b.vici()],
    );
    must("swanctl", &["--terminate", "--ike", "isopod-b-a-b-0", "--uri", &b.vici()]);
    let refused = sh("swanctl", &["--initiate", "--child", "isopod-a-a-b-0", "--timeout", "5", "--uri", &a.vici()]);
    assert!(!refused.status.success(), "a wrong key is refused");
    let log = std::fs::read_to_string(b.dir.join("charon.log")).unwrap_or_default();
    assert!(log.contains("AUTHENTICATION_FAILED") || log.contains("authentication of"), "the daemon says why");
    let out = isopod(&["status", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(2), "a tunnel is down: {}", text(&out.stdout));
    assert!(text(&out.stdout).contains("DOWN"), "{}", text(&out.stdout));
    let down = link(&dir);
    assert!(down["status"] == "down" || down["status"] == "degraded", "{down}");
    assert!(down["detail"].as_array().unwrap().iter().any(|d| d.as_str().unwrap().contains(": down (")), "{down}");
    let out = isopod(&["status", "--probe", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("the peer refused the pre-shared key (AUTHENTICATION_FAILED)"),
        "a clear reason: {}",
        text(&out.stdout)
    );
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("(edited by hand)"), "{}", text(&out.stdout));
    assert_ok(&isopod(&["apply", "--yes", &dir_arg], &dir, None));
    assert!(ping_crosses(&lab.sites, 1, 2, Duration::from_secs(15)), "repaired:\n{}", a.sas());

    // Host a's charon restarted with nothing loaded: the tunnel is down with no change to the
    // configuration. Plan says so (and has no changes); apply loads and starts it.
    lab.sites[0].restart_charon();
    let (a, b) = (&lab.sites[0], &lab.sites[1]);
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    assert!(text(&out.stderr).contains("host.a isopod-a-a-b-0 is down: not loaded in charon"), "{}", text_of(&out));
    let out = isopod(&["apply", "--yes", &dir_arg], &dir, None);
    assert_ok(&out);
    let logs = |site: &Site| {
        let log = std::fs::read_to_string(site.dir.join("charon.log")).unwrap_or_default();
        log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    };
    assert!(
        text(&out.stderr).contains("started host.a isopod-a-a-b-0, which was down"),
        "{}\nA:\n{}\nB:\n{}",
        text_of(&out),
        logs(a),
        logs(b)
    );
    assert!(ping_crosses(&lab.sites, 1, 2, Duration::from_secs(15)), "started again:\n{}", a.sas());

    // A rotated key reaches both hosts and the tunnel comes up again with it.
    let out =
        isopod(&["secret", "set", "tunnel/a-b/0", "--dir", &dir_arg], &dir, Some("Rotated.Key.0123456789abcdefghij\n"));
    assert_ok(&out);
    let out = isopod(&["plan", "--rotate", "tunnel/a-b/0", &dir_arg], &dir, None);
    assert!(text(&out.stdout).contains("Plan: 0 to create, 2 to update"), "{}", text(&out.stdout));
    let out = isopod(&["apply", "--yes", "--rotate", "tunnel/a-b/0", &dir_arg], &dir, None);
    assert_ok(&out);
    for site in [a, b] {
        let file = std::fs::read_dir(site.dir.join("conf.d")).unwrap().next().unwrap().unwrap().path();
        assert!(std::fs::read_to_string(file).unwrap().contains("Rotated.Key.0123456789abcdefghij"));
    }
    assert!(ping_crosses(&lab.sites, 1, 2, Duration::from_secs(15)), "re-established with the new key:\n{}", a.sas());
    let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!printed.contains("Rotated.Key"), "keys are never printed: {printed}");

    assert_ok(&isopod(&["destroy", "--yes", &dir_arg], &dir, None));
    assert!(!a.sas().contains("ESTABLISHED"), "unloaded: {}", a.sas());
    assert_eq!(std::fs::read_dir(a.dir.join("conf.d")).unwrap().count(), 0);
}

#[test]
fn a_mesh_of_three_hosts_carries_traffic_between_every_pair() {
    let work = tempfile::tempdir().unwrap();
    let Some(lab) = lab(work.path(), 'm', 3) else { return };
    let dir = work.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("stack \"mesh\" {}\n\n");
    for (i, site) in lab.sites.iter().enumerate() {
        let (outer, _) = addresses(i + 1);
        let range = format!("192.168.{}.0/24", 71 + i);
        text.push_str(&format!(
            "host \"site{}\" {{\n  address    = \"{outer}\"\n  cidrs      = [\"{range}\"]\n  connection = \"local\"\n\n  strongswan {{\n    swanctl_dir = \"{}\"\n    vici_socket = \"{}\"\n    encap       = true\n  }}\n}}\n\n",
            i + 1,
            site.dir.display(),
            site.vici()
        ));
    }
    text.push_str("mesh \"sites\" {\n  members = [host.site1, host.site2, host.site3]\n  routing = \"static\"\n  ha      = false\n}\n");
    std::fs::write(dir.join("main.iso"), text).unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    assert_ok(&isopod(&["apply", "--yes", &dir_arg], &dir, None));
    for (from, to) in [(1, 2), (1, 3), (2, 3), (3, 1)] {
        assert!(
            ping_crosses(&lab.sites, from, to, Duration::from_secs(15)),
            "site{from} to site{to}:\n{}",
            lab.sites[from - 1].sas()
        );
    }
    let out = isopod(&["status", &dir_arg], &dir, None);
    assert!(text_of(&out).contains("6 tunnel(s) up, 0 down."), "{}", text_of(&out));
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    assert_ok(&isopod(&["destroy", "--yes", &dir_arg], &dir, None));
}

fn text_of(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// A tunnel from an AWS network (moto's EC2, through the real provider) to a host: the VPN
/// connection and the host's connections are made together, an IKE option changed in the
/// configuration changes both in place (ModifyVpnTunnelOptions, the host's files rewritten),
/// and nothing is left to change after each apply. moto's tunnel addresses lead nowhere, so the
/// tunnel itself never comes up here: the hosts test above proves the data plane.
#[test]
fn a_tunnel_from_aws_to_a_host_is_applied_and_changed_on_both_ends() {
    let work = tempfile::tempdir().unwrap();
    let Some(lab) = lab(work.path(), 'w', 1) else { return };
    let moto = isopod_test_support::Moto::start();
    let dir = work.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    let site = &lab.sites[0];
    let configuration = |lifetime: u32| {
        format!(
            "stack \"edge\" {{}}\n\ncloud \"aws\" \"east\" {{\n  region   = \"us-east-1\"\n  endpoint = \"{url}\"\n}}\n\nnetwork \"app\" {{\n  cloud = cloud.aws.east\n  cidr  = \"10.30.0.0/16\"\n}}\n\nhost \"dc\" {{\n  address    = \"10.250.0.1\"\n  cidrs      = [\"192.168.71.0/24\"]\n  connection = \"local\"\n\n  strongswan {{\n    swanctl_dir = \"{dir}\"\n    vici_socket = \"{vici}\"\n  }}\n}}\n\ntunnel \"app-dc\" {{\n  between = [network.app, host.dc]\n  routing = \"static\"\n\n  ike {{\n    lifetime = {lifetime}\n  }}\n}}\n",
            url = moto.url,
            dir = site.dir.display(),
            vici = site.vici()
        )
    };
    std::fs::write(dir.join("main.iso"), configuration(28_800)).unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    let out = isopod(&["apply", "--yes", &dir_arg], &dir, None);
    assert_ok(&out);
    assert!(text(&out.stdout).contains(" 0 failed, 0 skipped"), "{}", text_of(&out));
    let files = std::fs::read_dir(site.dir.join("conf.d")).unwrap().count();
    assert_eq!(files, 2, "one connection per AWS tunnel");
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));

    std::fs::write(dir.join("main.iso"), configuration(14_400)).unwrap();
    let out = isopod(&["plan", &dir_arg], &dir, None);
    let planned = text(&out.stdout);
    assert!(planned.contains("~ aws_vpn_connection.app-dc.0"), "{planned}");
    assert!(planned.contains("tunnel1_phase1_lifetime_seconds = 28800 -> 14400"), "{planned}");
    assert!(planned.contains("Plan: 0 to create, 3 to update, 0 to replace, 0 to delete."), "{planned}");
    assert_ok(&isopod(&["apply", "--yes", &dir_arg], &dir, None));
    let out = isopod(&["plan", "--detailed-exitcode", &dir_arg], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    let written = std::fs::read_dir(site.dir.join("conf.d")).unwrap().next().unwrap().unwrap().path();
    assert!(std::fs::read_to_string(written).unwrap().contains("rekey_time = 14400s"));

    assert_ok(&isopod(&["destroy", "--yes", &dir_arg], &dir, None));
    assert_eq!(std::fs::read_dir(site.dir.join("conf.d")).unwrap().count(), 0);
}
