//! How Isopod reaches a host's files and commands: directly when it runs on the host
//! ([`Local`]), or through the system's OpenSSH client ([`Ssh`]: key authentication, batch
//! mode, `ssh_config` honoured).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A host's files and commands.
pub trait Transport: Send + Sync {
    /// Runs `program` with `args` on the host.
    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String>;
    /// Writes `path` atomically, readable as `mode` says, creating its folder.
    fn write(&self, path: &Path, text: &str, mode: u32) -> Result<(), String>;
    /// Removes `path`; whether it was there.
    fn remove(&self, path: &Path) -> Result<bool, String>;
    /// The contents of `path`, if it exists.
    fn read(&self, path: &Path) -> Result<Option<String>, String>;
    /// The files of `dir` whose names start with `prefix`: name and contents, by name.
    fn files(&self, dir: &Path, prefix: &str) -> Result<Vec<(String, String)>, String>;
}

/// The host Isopod runs on.
pub struct Local;

impl Transport for Local {
    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        Command::new(program).args(args).output().map_err(|err| format!("cannot run {program}: {err}"))
    }

    fn write(&self, path: &Path, text: &str, mode: u32) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|err| err.to_string())?;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|err| err.to_string())?;
        file.write_all(text.as_bytes()).map_err(|err| err.to_string())?;
        file.as_file().sync_all().map_err(|err| err.to_string())?;
        file.persist(path).map_err(|err| err.to_string())?;
        Ok(())
    }

    fn remove(&self, path: &Path) -> Result<bool, String> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(format!("{}: {err}", path.display())),
        }
    }

    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(format!("{}: {err}", path.display())),
        }
    }

    fn files(&self, dir: &Path, prefix: &str) -> Result<Vec<(String, String)>, String> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(format!("{}: {err}", dir.display())),
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) && entry.path().is_file() {
                let text = std::fs::read_to_string(entry.path()).map_err(|err| format!("{name}: {err}"))?;
                files.push((name, text));
            }
        }
        files.sort();
        Ok(files)
    }
}

/// A host reached with `ssh`, as a `host` block's `ssh` settings say; `ISOPOD_SSH_CONFIG`
/// names an `ssh_config` file to use instead of the user's.
pub struct Ssh {
    /// Where to connect (an address or an `ssh_config` alias).
    pub host: String,
    /// The login user.
    pub user: Option<String>,
    /// The port.
    pub port: Option<u16>,
    /// A private key file.
    pub identity_file: Option<String>,
}

/// `text` quoted for a POSIX shell.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The marker line between files that [`Ssh::files`] lists.
const FILE_MARKER: &str = "==isopod-file== ";

impl Ssh {
    /// `ssh` to the host running the shell command `script`, with `input` on its stdin.
    fn shell(&self, script: &str, input: Option<&str>) -> Result<Output, String> {
        let mut command = Command::new("ssh");
        command.args(["-o", "BatchMode=yes"]);
        if let Some(config) = std::env::var_os("ISOPOD_SSH_CONFIG") {
            command.arg("-F").arg(config);
        }
        if let Some(user) = &self.user {
            command.args(["-l", user]);
        }
        if let Some(port) = self.port {
            command.args(["-p", &port.to_string()]);
        }
        if let Some(identity) = &self.identity_file {
            command.args(["-i", identity]);
        }
        command.arg(&self.host).arg("--").arg(script);
        command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|err| format!("cannot run ssh: {err}"))?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(input.as_bytes()).map_err(|err| format!("ssh {}: {err}", self.host))?;
        }
        let output = child.wait_with_output().map_err(|err| format!("ssh {}: {err}", self.host))?;
        // 255 is ssh's own failure (unreachable, refused key), not the command's.
        if output.status.code() == Some(255) {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!("ssh {}: {}", self.host, stderr.trim()));
        }
        Ok(output)
    }

    fn checked(&self, script: &str, input: Option<&str>) -> Result<String, String> {
        let output = self.shell(script, input)?;
        if !output.status.success() {
            return Err(format!("on {}: {}", self.host, String::from_utf8_lossy(&output.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Transport for Ssh {
    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let line: Vec<String> = std::iter::once(program).chain(args.iter().copied()).map(quoted).collect();
        self.shell(&line.join(" "), None)
    }

    fn write(&self, path: &Path, text: &str, mode: u32) -> Result<(), String> {
        let path = path.to_string_lossy();
        let dir = Path::new(path.as_ref()).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or(".".into());
        let temporary = quoted(&format!("{path}.isopod-tmp"));
        let script = format!(
            "umask 077 && mkdir -p {} && cat > {temporary} && chmod {mode:o} {temporary} && sync {temporary} && mv -f {temporary} {}",
            quoted(&dir),
            quoted(&path)
        );
        self.checked(&script, Some(text)).map(drop)
    }

    fn remove(&self, path: &Path) -> Result<bool, String> {
        let path = quoted(&path.to_string_lossy());
        let output = self.checked(&format!("if [ -e {path} ]; then rm -f {path} && echo removed; fi"), None)?;
        Ok(output.trim() == "removed")
    }

    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        let path = quoted(&path.to_string_lossy());
        let output = self.checked(&format!("if [ -e {path} ]; then echo present; cat {path}; fi"), None)?;
        Ok(output.strip_prefix("present\n").map(str::to_string))
    }

    fn files(&self, dir: &Path, prefix: &str) -> Result<Vec<(String, String)>, String> {
        let pattern = format!("{}/{}", quoted(&dir.to_string_lossy()), quoted(prefix));
        let script = format!(
            "for f in {pattern}*; do [ -f \"$f\" ] && printf '\\n{FILE_MARKER}%s\\n' \"$(basename \"$f\")\" && cat \"$f\"; done; true"
        );
        let listed = self.checked(&script, None)?;
        let mut files = Vec::new();
        for chunk in listed.split(&format!("\n{FILE_MARKER}")).skip(1) {
            if let Some((name, text)) = chunk.split_once('\n') {
                files.push((name.to_string(), text.to_string()));
            }
        }
        files.sort();
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_survive_the_remote_shell() {
        assert_eq!(quoted("plain"), "'plain'");
        assert_eq!(quoted("it's; rm -rf /"), "'it'\\''s; rm -rf /'");
    }
}
