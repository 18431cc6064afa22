//! What Isopod's tests share. [`Moto`] runs moto's EC2 server (installed by `scripts/test` into
//! a virtual environment under `~/.cache/isopod`) through `moto_ec2.py`, which fills in the VPN
//! calls moto leaves out, on a free port of 127.0.0.1, and stops it when dropped.

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
    let cache = std::env::var_os("ISOPOD_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/isopod"));
    cache.join("venv/bin/python")
}

impl Moto {
    /// Starts a server and waits until it accepts connections.
    pub fn start() -> Moto {
        let python = python();
        assert!(python.exists(), "{} is missing: scripts/test installs moto into it", python.display());
        let launcher = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("moto_ec2.py");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&python)
            .arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto's server starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Moto { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
