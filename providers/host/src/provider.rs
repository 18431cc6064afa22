//! The provider of a Linux host, reached through a [`Transport`] (locally, or over SSH): each
//! tunnel is a file `conf.d/isopod-NAME.conf` under the host's `swanctl_dir` (written
//! atomically, readable by root only, the key in its `secrets` section), loaded into charon with
//! `swanctl --load-all` through the host's VICI socket.
//!
//! Each file starts with its ownership, its planned attributes (without the key) and the SHA-256
//! of the configuration written (key included: a hand-edited key is drift too; the digest of a
//! random 32-character key does not reveal it) as comment lines; discovery reads those back, and
//! a file whose configuration no longer matches (edited by hand) is reported as such, so that
//! `plan` shows it and `apply` rewrites it.
//!
//! The transport blocks (`ssh`, `swanctl`, file writes), so each call runs on tokio's blocking
//! pool, and a slow or unreachable host does not hold up the other calls in flight on the
//! runtime's thread (the clouds', other hosts'). A host's own calls run one at a time, as they
//! did on that one thread: each ends with `swanctl --load-all`, which unloads the connections
//! whose files it did not see, so two at once could unload each other's.

use super::swanctl::{Connection, connection_name, render};
use super::transport::Transport;
use isopod_catalog::{Attrs, Cloud, ObservedResource, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_provider::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

const STACK_LINE: &str = "# isopod:stack=";
const RESOURCE_LINE: &str = "# isopod:resource=";
const ATTRS_LINE: &str = "# isopod:attrs=";
const DIGEST_LINE: &str = "# isopod:sha256=";
/// What discovery reports as `proposals` of a file edited by hand.
const EDITED: &str = "(edited by hand)";

/// Where a host's strongSwan keeps its configuration and listens.
#[derive(Clone, Debug)]
pub struct HostSettings {
    /// The folder of `swanctl.conf`.
    pub swanctl_dir: PathBuf,
    /// charon's VICI socket URI.
    pub vici_socket: String,
}

/// The provider of one host.
pub struct HostProvider {
    host: Arc<Host>,
}

/// A host as its calls on the blocking pool reach it.
struct Host {
    settings: HostSettings,
    transport: Box<dyn Transport>,
    /// Held through each call: one at a time on a host.
    busy: Mutex<()>,
}

fn failed(kind: ErrorKind, what: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(kind, what.to_string())
}

impl HostProvider {
    /// A provider of the host whose strongSwan `settings` describe, reached through `transport`.
    pub fn new(settings: HostSettings, transport: Box<dyn Transport>) -> HostProvider {
        HostProvider { host: Arc::new(Host { settings, transport, busy: Mutex::new(()) }) }
    }

    /// `call` on the host, on tokio's blocking pool once the host's earlier calls are done.
    fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Host) -> Result<T, ProviderError> + Send + 'static,
    ) -> BoxFuture<'static, Result<T, ProviderError>> {
        let host = self.host.clone();
        Box::pin(async move {
            let task = tokio::task::spawn_blocking(move || {
                // A call that panicked has left nothing half done that the next one relies on.
                let _busy = host.busy.lock().unwrap_or_else(PoisonError::into_inner);
                call(&host)
            });
            match task.await {
                Ok(result) => result,
                // A panic (a bug) is the caller's, as when the call ran on its thread.
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(err) => Err(failed(ErrorKind::Transient, format!("host call not run: {err}"))),
            }
        })
    }
}

impl Host {
    fn conf_dir(&self) -> PathBuf {
        self.settings.swanctl_dir.join("conf.d")
    }

    fn file_of(&self, name: &str) -> PathBuf {
        self.conf_dir().join(format!("{name}.conf"))
    }

    /// Runs `swanctl ARGS` against the host's daemon; its output, or what went wrong.
    fn swanctl(&self, args: &[&str]) -> Result<String, ProviderError> {
        let mut with_uri = args.to_vec();
        with_uri.extend(["--uri", &self.settings.vici_socket]);
        let output = self.transport.run("swanctl", &with_uri).map_err(|err| failed(ErrorKind::Transient, err))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            return Ok(text);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail = stderr.lines().chain(text.lines()).rfind(|l| !l.trim().is_empty()).unwrap_or("");
        Err(failed(ErrorKind::Transient, format!("swanctl {}: {detail}", args.join(" "))))
    }

    /// Loads every connection and key of the configuration, unloading those no longer in it.
    fn load_all(&self) -> Result<(), ProviderError> {
        let main = self.settings.swanctl_dir.join("swanctl.conf");
        let exists = self.transport.read(&main).map_err(|err| failed(ErrorKind::Transient, err))?.is_some();
        if !exists {
            let include = "include conf.d/*.conf\n";
            self.transport.write(&main, include, 0o644).map_err(|err| failed(ErrorKind::Transient, err))?;
        }
        self.swanctl(&["--load-all", "--noprompt", "--file", &main.to_string_lossy()]).map(drop)
    }

    /// Writes the connection of `resource` and loads it; with `restart`, its IKE SA is closed
    /// and opened again, so that a new key or new proposals take effect at once.
    fn write(&self, resource: &Resource, owner: &Ownership, restart: bool) -> Result<String, ProviderError> {
        let name = connection_name(&resource.id.address);
        let psk = match resource.attrs.get("psk") {
            Some(Value::String(psk)) => psk.clone(),
            _ => return Err(failed(ErrorKind::Invalid, format!("{} has no key", resource.id))),
        };
        let mut planned: Attrs = (*resource.attrs).clone();
        planned.remove("psk");
        let json = serde_json::to_string(&planned).map_err(|err| failed(ErrorKind::Invalid, err))?;
        let body = render(&[Connection { name: name.clone(), attrs: &resource.attrs, psk: &psk }]);
        let digest = digest(&body);
        let text = format!(
            "{STACK_LINE}{}\n{RESOURCE_LINE}{}\n{ATTRS_LINE}{json}\n{DIGEST_LINE}{digest}\n{body}",
            owner.stack, owner.id
        );
        let file = self.file_of(&name);
        self.transport.write(&file, &text, 0o600).map_err(|err| failed(ErrorKind::Transient, err))?;
        self.load_all()?;
        if restart {
            // Not established yet is fine: it is started below.
            let _ = self.swanctl(&["--terminate", "--ike", &name, "--timeout", "5"]);
            let _ = self.swanctl(&["--initiate", "--child", &name, "--timeout", "10"]);
        }
        Ok(name)
    }

    fn discover_tunnels(&self, scope: &Scope) -> Result<Vec<ObservedResource>, ProviderError> {
        let files =
            self.transport.files(&self.conf_dir(), "isopod-").map_err(|err| failed(ErrorKind::Transient, err))?;
        let mut found = Vec::new();
        for (file_name, text) in files {
            let Some(name) = file_name.strip_suffix(".conf") else { continue };
            found.extend(read_file(name, &text, scope));
        }
        found.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
        Ok(found)
    }

    /// Each of Isopod's connections on the host, up when its IKE SA is established with an
    /// installed child SA.
    /// With `probe`, a connection that is down is initiated, and the reason it fails is reported.
    fn states(&self, scope: &Scope, probe: bool) -> Result<Vec<TunnelState>, ProviderError> {
        let listed = self.swanctl(&["--list-sas"])?;
        let sas = parse_sas(&listed);
        let loaded = parse_conns(&self.swanctl(&["--list-conns"])?);
        let mut states = Vec::new();
        for tunnel in self.discover_tunnels(scope)? {
            let (mut up, mut detail) = match sas.get(&tunnel.provider_id) {
                None if !loaded.contains(&tunnel.provider_id) => {
                    (false, "not loaded in charon (restarted without loading its configuration?)".to_string())
                }
                Some((ike, child)) => {
                    let up = established(ike, child.as_deref());
                    (up, format!("IKE {ike}, child {}", child.as_deref().unwrap_or("none")))
                }
                None => (false, "no IKE SA (not established)".to_string()),
            };
            if probe && !up {
                (up, detail) = self.probe(&tunnel.provider_id)?;
            }
            states.push(TunnelState {
                scope: scope.clone(),
                tunnel: tunnel.provider_id,
                up,
                detail,
                owner: tunnel.owner,
            });
        }
        Ok(states)
    }

    /// Loads the configuration (a charon restarted without it has none), starts connection
    /// `name` and says how it went: up, or the reason charon gives.
    fn probe(&self, name: &str) -> Result<(bool, String), ProviderError> {
        self.load_all()?;
        let vici = self.settings.vici_socket.as_str();
        let output = self
            .transport
            .run("swanctl", &["--initiate", "--child", name, "--timeout", "10", "--uri", vici])
            .map_err(|err| failed(ErrorKind::Transient, err))?;
        if output.status.success() {
            return Ok((true, "established when probed".into()));
        }
        // Loading may have started it already (`start_action = start`): charon then refuses a
        // second, duplicate child SA, and the first is what counts.
        let sas = parse_sas(&self.swanctl(&["--list-sas"])?);
        if sas.get(name).is_some_and(|(ike, child)| established(ike, child.as_deref())) {
            return Ok((true, "established when loaded".into()));
        }
        let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        Ok((false, format!("probe failed: {}", failure_reason(&log))))
    }

    /// Rewrites the connection of `resource` for the stack that owns its file, and restarts it.
    fn update(&self, resource: &Resource) -> Result<(), ProviderError> {
        let file = self.file_of(&connection_name(&resource.id.address));
        let text = self.transport.read(&file).map_err(|err| failed(ErrorKind::Transient, err))?.unwrap_or_default();
        let stack = text.lines().find_map(|line| line.strip_prefix(STACK_LINE)).unwrap_or_default().to_string();
        let owner = Ownership { stack, id: resource.id.clone() };
        self.write(resource, &owner, true).map(drop)
    }

    fn delete_tunnel(&self, provider_id: &str) -> Result<(), ProviderError> {
        let removed =
            self.transport.remove(&self.file_of(provider_id)).map_err(|err| failed(ErrorKind::Transient, err))?;
        if !removed {
            return Ok(());
        }
        self.load_all()?;
        let _ = self.swanctl(&["--terminate", "--ike", provider_id, "--timeout", "5"]);
        Ok(())
    }
}

/// A tunnel file as discovery reports it: its ownership and planned attributes, the key as
/// present, and `proposals` marked when the configuration was edited by hand.
fn read_file(name: &str, text: &str, scope: &Scope) -> Option<ObservedResource> {
    let line = |prefix: &str| text.lines().find_map(|line| line.strip_prefix(prefix));
    let stack = line(STACK_LINE)?;
    let id = line(RESOURCE_LINE)?.strip_prefix("host_ipsec_tunnel.")?;
    let mut attrs: Attrs = serde_json::from_str(line(ATTRS_LINE)?).ok()?;
    let written = line(DIGEST_LINE)?;
    // The configuration follows the digest line.
    let body = text.split_once(&format!("{DIGEST_LINE}{written}\n")).map(|(_, body)| body).unwrap_or_default();
    if digest(body) != written {
        attrs.insert("proposals".into(), Value::string(EDITED));
    }
    if text.lines().any(|line| line.trim().starts_with("secret = ")) {
        attrs.insert("psk".into(), Value::Sensitive("host".into()));
    }
    Some(ObservedResource {
        provider_id: name.to_string(),
        kind: ResourceKind::HostIpsecTunnel,
        scope: scope.clone(),
        attrs,
        owner: Some(Ownership { stack: stack.to_string(), id: ResourceId::new(ResourceKind::HostIpsecTunnel, id) }),
    })
}

/// The IKE SA state of each connection in `swanctl --list-sas` output, with its first child SA's
/// state: a connection line starts at the margin (`NAME: #1, ESTABLISHED, IKEv2, ...`), its
/// child lines are indented (`  NAME: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:...`).
fn parse_sas(listed: &str) -> BTreeMap<String, (String, Option<String>)> {
    let mut sas: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in listed.lines() {
        let Some((name, rest)) = line.trim().split_once(": #") else { continue };
        let state = rest.split(", ").find(|part| part.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        let Some(state) = state.map(str::to_string) else { continue };
        if !line.starts_with(' ') {
            current = Some(name.to_string());
            sas.insert(name.to_string(), (state, None));
        } else if let Some(entry) = current.as_ref().and_then(|ike| sas.get_mut(ike)) {
            entry.1.get_or_insert(state);
        }
    }
    sas
}

/// Whether an IKE SA in state `ike` whose first child SA is in state `child` carries traffic.
fn established(ike: &str, child: Option<&str>) -> bool {
    ike == "ESTABLISHED" && child == Some("INSTALLED")
}

/// The connections `swanctl --list-conns` lists: each starts at the margin (`NAME: IKEv2, ...`),
/// its details are indented.
fn parse_conns(listed: &str) -> std::collections::BTreeSet<String> {
    listed
        .lines()
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.split_once(": IKE").map(|(name, _)| name.to_string()))
        .collect()
}

/// Why an initiation failed, from swanctl's log of it: the peer's notify (a refused key, no
/// common proposal or selectors) or the lack of an answer.
fn failure_reason(log: &str) -> String {
    const KNOWN: [(&str, &str); 5] = [
        ("AUTHENTICATION_FAILED", "the peer refused the pre-shared key (AUTHENTICATION_FAILED)"),
        ("NO_PROPOSAL_CHOSEN", "no proposal both ends accept (NO_PROPOSAL_CHOSEN)"),
        ("TS_UNACCEPTABLE", "the peer refused the traffic selectors (TS_UNACCEPTABLE)"),
        ("giving up after", "the peer does not answer"),
        ("retransmit", "the peer does not answer"),
    ];
    KNOWN
        .iter()
        .find(|(marker, _)| log.contains(marker))
        .map(|(_, reason)| reason.to_string())
        .unwrap_or_else(|| log.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("unknown").trim().to_string())
}

/// The SHA-256 of `text`, in hex.
fn digest(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Provider for HostProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Host
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        if !kinds.contains(&ResourceKind::HostIpsecTunnel) {
            return Box::pin(async { Ok(Vec::new()) });
        }
        let scope = scope.clone();
        self.blocking(move |host| host.discover_tunnels(&scope))
    }

    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>> {
        let (resource, owner) = (resource.clone(), owner.clone());
        self.blocking(move |host| {
            let name = host.write(&resource, &owner, false)?;
            Ok(Created { provider_id: name, outputs: isopod_catalog::Attrs::new() })
        })
    }

    fn update<'a>(&'a self, _provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        let resource = resource.clone();
        self.blocking(move |host| host.update(&resource))
    }

    fn provisioning<'a>(
        &'a self,
        _provider_id: &'a str,
        _kind: ResourceKind,
        _scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async { Ok(Provisioning::Ready) })
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        _kind: ResourceKind,
        _scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        let provider_id = provider_id.to_string();
        self.blocking(move |host| host.delete_tunnel(&provider_id))
    }

    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        let scope = scope.clone();
        self.blocking(move |host| host.states(&scope, probe))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt as _;
    use std::path::Path;
    use std::process::{ExitStatus, Output};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A host whose first command blocks its thread until the test lets it go (or, should
    /// nothing ever do so, gives up after a while and fails); its other commands succeed with
    /// no output, and it has no files.
    struct Stuck {
        release: Mutex<Option<mpsc::Receiver<()>>>,
        /// Commands running now, and the most ever running at once.
        running: AtomicUsize,
        most: AtomicUsize,
    }

    impl Stuck {
        fn new() -> (Stuck, mpsc::Sender<()>) {
            let (release, receiver) = mpsc::channel();
            let stuck = Stuck { release: Mutex::new(Some(receiver)), running: 0.into(), most: 0.into() };
            (stuck, release)
        }
    }

    impl Transport for Arc<Stuck> {
        fn run(&self, _program: &str, _args: &[&str]) -> Result<Output, String> {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            let waiting = self.release.lock().unwrap().take();
            // A safety net against a hang, not a measure: the test lets it go long before.
            let released = waiting.is_none_or(|release| release.recv_timeout(Duration::from_secs(20)).is_ok());
            self.running.fetch_sub(1, Ordering::SeqCst);
            if !released {
                return Err("nothing let the host go while it was busy".into());
            }
            Ok(Output { status: ExitStatus::from_raw(0), stdout: Vec::new(), stderr: Vec::new() })
        }
        fn write(&self, _path: &Path, _text: &str, _mode: u32) -> Result<(), String> {
            Ok(())
        }
        fn remove(&self, _path: &Path) -> Result<bool, String> {
            Ok(false)
        }
        fn read(&self, _path: &Path) -> Result<Option<String>, String> {
            Ok(None)
        }
        fn files(&self, _dir: &Path, _prefix: &str) -> Result<Vec<(String, String)>, String> {
            Ok(Vec::new())
        }
    }

    fn provider_of(transport: Arc<Stuck>) -> HostProvider {
        let settings = HostSettings { swanctl_dir: "/etc/swanctl".into(), vici_socket: "unix:///nowhere".into() };
        HostProvider::new(settings, Box::new(transport))
    }

    /// As the binary runs providers: one thread, time enabled.
    fn one_thread() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    fn scope() -> Scope {
        Scope { cloud: "host.dc".into(), region: "host".into() }
    }

    #[test]
    fn a_busy_host_does_not_hold_up_the_runtime() {
        let (stuck, release) = Stuck::new();
        let stuck = Arc::new(stuck);
        let provider = provider_of(stuck.clone());
        let scope = scope();
        let (states, ()) = one_thread().block_on(async {
            tokio::join!(provider.tunnel_states(&scope, false), async {
                // The runtime's timer ticks while the host's `swanctl` blocks, then lets it go:
                // only possible if the host call is off the runtime's one thread. Were it on it,
                // the host would give up first, and the call fail.
                for _ in 0..3 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                // A host that gave up already has gone.
                let _ = release.send(());
            })
        });
        let states = states.unwrap_or_else(|err| panic!("the host held up the runtime's thread: {err}"));
        assert_eq!(states, Vec::new());
    }

    #[test]
    fn a_hosts_calls_run_one_at_a_time() {
        let (stuck, release) = Stuck::new();
        let stuck = Arc::new(stuck);
        let provider = provider_of(stuck.clone());
        let scope = scope();
        let (first, second, ()) = one_thread().block_on(async {
            tokio::join!(provider.tunnel_states(&scope, false), provider.tunnel_states(&scope, false), async {
                // Time for the second call to reach the host while the first is stuck there.
                for _ in 0..5 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                // A host that gave up already has gone.
                let _ = release.send(());
            })
        });
        assert!(first.is_ok() && second.is_ok(), "{first:?} {second:?}");
        assert_eq!(stuck.most.load(Ordering::SeqCst), 1, "two swanctl commands at once on one host");
    }

    #[test]
    fn a_host_out_of_reach_is_a_transient_failure() {
        struct Unreachable;
        impl Transport for Unreachable {
            fn run(&self, _program: &str, _args: &[&str]) -> Result<Output, String> {
                Err("ssh dc: Connection timed out".into())
            }
            fn write(&self, _path: &Path, _text: &str, _mode: u32) -> Result<(), String> {
                Err("ssh dc: Connection timed out".into())
            }
            fn remove(&self, _path: &Path) -> Result<bool, String> {
                Err("ssh dc: Connection timed out".into())
            }
            fn read(&self, _path: &Path) -> Result<Option<String>, String> {
                Err("ssh dc: Connection timed out".into())
            }
            fn files(&self, _dir: &Path, _prefix: &str) -> Result<Vec<(String, String)>, String> {
                Err("ssh dc: Connection timed out".into())
            }
        }
        let settings = HostSettings { swanctl_dir: "/etc/swanctl".into(), vici_socket: "unix:///nowhere".into() };
        let provider = HostProvider::new(settings, Box::new(Unreachable));
        let scope = scope();
        let runtime = one_thread();
        let kinds = [ResourceKind::HostIpsecTunnel];
        let discovered = runtime.block_on(provider.discover(&scope, &kinds)).unwrap_err();
        assert_eq!(
            (discovered.kind, discovered.message.as_str()),
            (ErrorKind::Transient, "ssh dc: Connection timed out")
        );
        let deleted = runtime.block_on(provider.delete("isopod-dc-t-0", ResourceKind::HostIpsecTunnel, &scope));
        assert_eq!(deleted.unwrap_err().kind, ErrorKind::Transient);
        // Other kinds are not the host's: nothing to reach.
        assert_eq!(runtime.block_on(provider.discover(&scope, &[ResourceKind::AwsVpc])).unwrap(), Vec::new());
    }

    #[test]
    fn security_associations_are_read_from_swanctl() {
        let listed = "isopod-a-a-b-0: #1, ESTABLISHED, IKEv2, 2f0c1d8e6c1c3c8e_i* 9d3c6a5b1f2e4d7c_r\n  local  '10.250.0.1' @ 10.250.0.1[4500]\n  isopod-a-a-b-0: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256\n    in  c1d2e3f4 (-|0x00000000),    252 bytes,     3 packets\nisopod-a-c-0: #2, CONNECTING, IKEv2, 1a2b3c4d5e6f7a8b_i* 0000000000000000_r\n";
        let sas = parse_sas(listed);
        assert_eq!(sas["isopod-a-a-b-0"], ("ESTABLISHED".to_string(), Some("INSTALLED".to_string())));
        assert_eq!(sas["isopod-a-c-0"], ("CONNECTING".to_string(), None));
    }

    #[test]
    fn loaded_connections_are_read_from_swanctl() {
        let listed = "isopod-a-a-b-0: IKEv2, no reauthentication, rekeying every 14400s, dpd delay 30s\n  local:  10.250.0.1\n  remote: 10.250.0.2\n  isopod-a-a-b-0: TUNNEL, rekeying every 3600s, dpd action is restart\n    local:  192.168.71.0/24\nother: IKEv1/2, no reauthentication\n";
        let conns = parse_conns(listed);
        assert_eq!(conns.into_iter().collect::<Vec<_>>(), ["isopod-a-a-b-0", "other"]);
    }
}
