use super::*;

/// A terminal that stops taking bytes until `release` is sent.
struct Stalled(std::sync::mpsc::Receiver<()>);

impl Write for Stalled {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let _ = self.0.recv();
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A terminal that is gone: every write fails with EIO.
struct Gone;

impl Write for Gone {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from_raw_os_error(5))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn frame(out: &mut Output) -> io::Result<()> {
    out.write_all(b"\x1b[1;1Hframe")?;
    out.flush()
}

#[test]
fn a_stalled_terminal_makes_a_frame_wait_never_the_caller() {
    let (release, rx) = std::sync::mpsc::channel();
    let (mut out, handle) = Output::to(Stalled(rx)).expect("writer");
    let start = std::time::Instant::now();
    let mut refused = None;
    for i in 0..(QUEUE + 3) {
        if let Err(e) = frame(&mut out) {
            refused = Some((i, e.kind()));
            break;
        }
    }
    assert!(start.elapsed() < Duration::from_secs(1), "never blocked");
    let (i, kind) = refused.expect("a full queue is refused");
    assert_eq!(kind, io::ErrorKind::WouldBlock, "stalled, not gone");
    assert!(i >= QUEUE, "{i} frames queued first");
    assert!(handle.backlog() >= QUEUE);
    // The terminal takes its bytes again: the queue drains.
    for _ in 0..(QUEUE + 3) {
        let _ = release.send(());
    }
    drop(release);
    assert!(handle.finish(Duration::from_secs(5)), "drained");
    assert_eq!(handle.backlog(), 0);
}

#[test]
fn a_terminal_that_is_gone_is_told_apart_from_a_stalled_one() {
    let (mut out, handle) = Output::to(Gone).expect("writer");
    frame(&mut out).expect("queued");
    // The writer stops at the first failed write.
    let start = std::time::Instant::now();
    while handle.backlog() > 0 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let e = frame(&mut out).expect_err("gone");
    assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
}
