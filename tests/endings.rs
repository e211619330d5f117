//! Every way a dashboard run ends, end to end: the real binary on the
//! demo in a pseudo-terminal, stopped by a CI runner's SIGTERM or a
//! dropped SSH session mid-drill, or by its terminal going away. What an
//! operator checks afterwards: the marker is gone from the API's data, the
//! report is written, the terminal is usable, and the exit code says why.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Session, reports};

const BOOT: Duration = Duration::from_secs(40);

/// The dashboard on the demo, its data in `<home>/data`, a drill under
/// way: its restart done, the replacement serving, the old target still
/// draining (30 s here, AWS's default 300 s): where a CI job's timeout
/// most likely finds a drill.
fn drill_under_way() -> Session {
    let mut s = Session::start(
        &["demo", "--data-dir", "data", "--deregistration-delay", "30"],
        &[],
    );
    s.wait_for(&["UP 200 in ", "● HEALTHY"], BOOT);
    s.send("R");
    s.wait_for(&["nothing is sent before y"], Duration::from_secs(5));
    s.confirm();
    s.wait_for(&["new target healthy"], Duration::from_secs(60));
    s
}

fn kill(s: &Session, signal: &str) {
    let pid = s.child.process_id().expect("pid");
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// The JSON report the run left, and whether its marker is still in the
/// API's data.
fn report_and_marker_left(s: &Session) -> (serde_json::Value, bool) {
    let files = reports(s.home());
    assert_eq!(files.len(), 2, "the JSON and HTML reports: {files:?}");
    let json = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "json"))
        .expect("the JSON report");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("JSON");
    let marker = v["marker"].as_str().expect("marker").to_string();
    let data = std::fs::read_to_string(s.home().join("data/efs/goals.json")).expect("data");
    (v, data.contains(&marker))
}

fn signal_mid_drill(signal: &str, number: i32) {
    let mut s = drill_under_way();
    let t = Instant::now();
    kill(&s, signal);
    let st = s.wait_exit(Duration::from_secs(40));
    let took = t.elapsed();
    assert_eq!(st.exit_code(), (128 + number) as u32, "{signal}: {st:?}");
    s.assert_restored();
    let (v, left) = report_and_marker_left(&s);
    assert!(!left, "the marker is deleted from the API's data: {v:#}");
    assert_eq!(v["verdict"], "ABORTED");
    let reason = v["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(&format!(
            "cancelled by SIG{signal}; the restart had already been requested"
        )),
        "{reason}"
    );
    assert_eq!(v["cleanup"], "deleted");
    assert_eq!(v["cancelled_by"], format!("SIG{signal}"));
    assert_eq!(v["cleanup_limit_s"], 25);
    assert!(took < Duration::from_secs(30), "within the limit: {took:?}");
}

#[test]
fn sigterm_mid_drill_deletes_the_marker_writes_the_report_and_exits_143() {
    signal_mid_drill("TERM", 15);
}

#[test]
fn sighup_mid_drill_deletes_the_marker_writes_the_report_and_exits_129() {
    signal_mid_drill("HUP", 1);
}

/// The dashboard in a pseudo-terminal it controls, the master held here
/// alone, so that closing it is what sshd does when the connection drops:
/// the kernel sends SIGHUP and every later write fails with EIO.
struct Raw {
    master: libc::c_int,
    child: std::process::Child,
    screen: vt100::Parser,
    _home: tempfile::TempDir,
}

impl Raw {
    fn start(args: &[&str]) -> Raw {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills the two descriptors; the name and termios
        // arguments may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty");
        // Tests run side by side: a child another test spawns must not
        // inherit this master, or closing it here would not hang up.
        for fd in [master, slave] {
            // SAFETY: fcntl on a descriptor openpty just returned.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        let home = tempfile::tempdir().expect("home");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecsdeck"));
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .current_dir(home.path());
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls between fork and exec: a
        // new session whose controlling terminal is the pty's slave, on
        // the three standard descriptors.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 || libc::ioctl(slave, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                for fd in 0..3 {
                    if libc::dup2(slave, fd) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                libc::close(master);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn");
        // SAFETY: our copy of the slave; the child has its own.
        unsafe { libc::close(slave) };
        Raw {
            master,
            child,
            screen: vt100::Parser::new(
                std::num::NonZeroU16::new(40).expect("rows"),
                std::num::NonZeroU16::new(120).expect("cols"),
                0,
            ),
            _home: home,
        }
    }

    /// Reads what the program drew until `what` shows up.
    fn wait_for(&mut self, what: &str, timeout: Duration) {
        let start = Instant::now();
        let mut buf = [0u8; 8192];
        while !self.screen.screen().contents().contains(what) {
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {what:?}:\n{}",
                self.screen.screen().contents()
            );
            let mut pfd = libc::pollfd {
                fd: self.master,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; a valid buffer for read.
            let n = unsafe {
                if libc::poll(&mut pfd, 1, 100) <= 0 {
                    continue;
                }
                libc::read(self.master, buf.as_mut_ptr().cast(), buf.len())
            };
            if n > 0 {
                self.screen.process(&buf[..n as usize]);
            }
        }
    }

    fn send(&mut self, keys: &str) {
        // SAFETY: writes the bytes of `keys` to the master.
        let n = unsafe { libc::write(self.master, keys.as_ptr().cast(), keys.len()) };
        assert_eq!(n, keys.len() as isize);
    }

    /// The window changes size, as a terminal emulator tells it: the
    /// dashboard redraws the whole screen.
    fn resize(&mut self, rows: u16, cols: u16) {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ on the master with a valid winsize.
        unsafe { libc::ioctl(self.master, libc::TIOCSWINSZ as _, &size) };
    }

    /// The connection drops.
    fn hang_up(&mut self) {
        // SAFETY: the only descriptor of the master; not used after.
        unsafe { libc::close(self.master) };
        self.master = -1;
    }

    fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("still running {timeout:?} later");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn home(&self) -> &std::path::Path {
        self._home.path()
    }
}

#[test]
fn a_dropped_ssh_session_ends_the_dashboard_with_129_never_a_crash() {
    let mut r = Raw::start(&["demo"]);
    r.wait_for("goals-api", BOOT);
    r.hang_up();
    let st = r.wait_exit(Duration::from_secs(15));
    assert_eq!(
        st.signal(),
        None,
        "killed by a signal (SIGABRT: a panic while restoring): {st:?}"
    );
    let code = st.code().expect("an exit code");
    assert!(code == 129 || code == 1, "exit {code}");
    let log =
        std::fs::read_to_string(r.home().join("state/ecsdeck/ecsdeck.log")).unwrap_or_default();
    assert!(!log.contains("panic"), "{log}");
}

#[test]
fn a_dropped_ssh_session_mid_drill_still_deletes_the_marker_and_writes_the_report() {
    let mut r = Raw::start(&["demo", "--data-dir", "data", "--deregistration-delay", "30"]);
    r.wait_for("HEALTHY", BOOT);
    r.wait_for("UP 200 in", BOOT);
    r.send("R");
    r.wait_for("nothing is sent before y", Duration::from_secs(5));
    // An operator reads the preflight first: y within 300 ms is not taken.
    std::thread::sleep(Duration::from_millis(400));
    r.send("y");
    r.wait_for("new target healthy", Duration::from_secs(60));
    r.hang_up();
    let st = r.wait_exit(Duration::from_secs(40));
    assert_eq!(st.signal(), None, "{st:?}");
    assert_eq!(st.code(), Some(129), "{st:?}");
    let files = reports(r.home());
    let json = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "json"))
        .expect("the JSON report");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("JSON");
    assert_eq!(v["verdict"], "ABORTED");
    // The hangup or the failed write, whichever ecsdeck heard first.
    assert!(
        v["cancelled_by"] == "SIGHUP" || v["cancelled_by"] == "terminal gone",
        "{v:#}"
    );
    assert_eq!(v["cleanup"], "deleted");
    let marker = v["marker"].as_str().expect("marker");
    let data = std::fs::read_to_string(r.home().join("data/efs/goals.json")).expect("data");
    assert!(!data.contains(marker), "the marker is gone");
}

#[test]
fn a_pollers_panic_shows_in_its_pane_the_dashboard_goes_on_and_quit_restores_every_mode() {
    let mut s = Session::start(&["demo"], &[("ECSDECK_TEST_PANIC", "poller")]);
    let screen = s.wait_for(&["internal error in ecsdeck"], BOOT);
    assert!(screen.contains("ECSDECK_TEST_PANIC=poller"), "{screen}");
    // The poller retries with its backoff: the service comes back, and the
    // keys still answer.
    s.wait_for(&["● HEALTHY", "goals-api"], BOOT);
    s.send("?");
    s.wait_for(&["Help: keys"], Duration::from_secs(5));
    s.send("q");
    let st = s.wait_exit(Duration::from_secs(10));
    assert!(st.success(), "{st:?}");
    s.assert_restored();
    let raw = s.raw.lock().expect("raw");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("\x1b[?2004h"), "bracketed paste was on");
    assert!(text.contains("\x1b[?2004l"), "bracketed paste left on");
    assert!(!text.contains("panicked"), "no report over the screen");
}

#[test]
fn a_5xx_answer_to_stop_task_is_an_unknown_outcome_never_a_refusal() {
    // ECS stops the task, then answers 500 ServerException.
    let mut s = Session::start(&["demo", "--stop-task-fault"], &[]);
    s.wait_for(&["UP 200 in ", "● HEALTHY"], BOOT);
    s.send("S");
    s.wait_for(&["nothing is sent before y"], Duration::from_secs(5));
    s.confirm();
    let screen = s.wait_for(&["outcome unknown"], Duration::from_secs(10));
    assert!(!screen.contains("refused"), "{screen}");
    // It did happen: the timeline follows the replacement.
    s.wait_for(&["1 running · 1 stopped"], Duration::from_secs(30));
    s.send("q");
    assert!(s.wait_exit(Duration::from_secs(10)).success());
    s.assert_restored();
}

#[test]
fn a_terminal_that_stops_taking_output_does_not_stop_sigterm() {
    // The network died and sshd has not noticed: nobody reads the pty.
    // Full redraws (resizes) fill its buffer; a write to it then blocks.
    let mut r = Raw::start(&["demo"]);
    r.wait_for("goals-api", BOOT);
    for i in 0..60 {
        if i % 2 == 0 {
            r.resize(39, 119);
        } else {
            r.resize(40, 120);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    // SAFETY: kill(2) on our own child with a valid signal.
    let pid = i32::try_from(r.child.id()).expect("pid");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let st = r.wait_exit(Duration::from_secs(10));
    assert_eq!(st.signal(), None, "{st:?}");
    assert_eq!(st.code(), Some(143), "{st:?}");
}
