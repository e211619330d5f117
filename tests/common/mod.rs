//! The real binary in a pseudo-terminal, read back as screen text
//! through a terminal emulator: what the end-to-end tests share.

// Each test binary uses a part of it.
#![allow(dead_code)]

pub mod aws;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    pub writer: Box<dyn Write + Send>,
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub _home: tempfile::TempDir,
}

impl Session {
    pub fn start(args: &[&str], extra_env: &[(&str, &str)]) -> Session {
        let (cols, rows) = (120, 40);
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let home = tempfile::tempdir().expect("home");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ecsdeck"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // A clean home: no config file or AWS profile of this machine leaks in.
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env_remove("NO_COLOR");
        // Files the run writes (saved logs, drill reports) land here.
        cmd.cwd(home.path());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        Session {
            child,
            master: pty.master,
            writer,
            parser,
            raw,
            _home: home,
        }
    }

    pub fn home(&self) -> &std::path::Path {
        self._home.path()
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn wait_for(&self, what: &[&str], timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if what.iter().all(|w| s.contains(w)) {
                return s;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write");
        self.writer.flush().expect("flush");
    }

    /// `y` in a dialog, as an operator answers: after reading it (a `y`
    /// within 300 ms of the dialog is not taken as the answer).
    pub fn confirm(&mut self) {
        std::thread::sleep(Duration::from_millis(400));
        self.send("y");
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The pty's line discipline as the program left it, from `stty`.
    pub fn stty(&self) -> String {
        let tty: PathBuf = self.master.tty_name().expect("tty name");
        let out = Command::new("stty")
            .arg("-a")
            .arg("-F")
            .arg(&tty)
            .output()
            .expect("stty");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn assert_restored(&self) {
        // Give the reader thread a moment to take the last bytes.
        std::thread::sleep(Duration::from_millis(200));
        let stty = self.stty();
        let words: Vec<&str> = stty.split_whitespace().collect();
        assert!(words.contains(&"icanon"), "raw mode left on:\n{stty}");
        assert!(words.contains(&"echo"), "echo left off:\n{stty}");
        let raw = self.raw.lock().expect("raw");
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("\x1b[?1049l"), "alternate screen not left");
    }
}

/// The drill's report files in `dir`, sorted.
pub fn reports(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ecsdeck-drill-"))
        })
        .collect();
    v.sort();
    v
}

/// The journal's lines in the session's home, checked private (0600).
pub fn journal(home: &std::path::Path) -> Vec<serde_json::Value> {
    use std::os::unix::fs::PermissionsExt;
    let path = home.join("state").join("ecsdeck").join("journal.jsonl");
    let mode = std::fs::metadata(&path)
        .expect("the journal")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    std::fs::read_to_string(&path)
        .expect("read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}
