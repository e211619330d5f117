//! The terminal's output, written by a thread of its own. A write to a
//! terminal blocks when the terminal stops taking bytes: an SSH
//! connection whose network died without sshd noticing fills the pty's
//! buffer, and sshd may not notice for hours. Drawing on the event loop
//! would then freeze it — no signal, no deadline, no drill cleanup would
//! run. Here a frame goes into a short queue; a full queue is an error
//! the loop can tell from a terminal that is gone (`WouldBlock` against
//! `BrokenPipe`), and it stops drawing until the terminal catches up.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Frames that may wait for the terminal. A frame is a few kilobytes; a
/// terminal this far behind is stalled, not slow.
const QUEUE: usize = 8;

/// The writing end the terminal backend holds.
pub struct Output {
    shared: Arc<Shared>,
    /// The frame being written, sent as one on flush.
    buf: Vec<u8>,
}

/// What the event loop holds: how far behind the terminal is, and the
/// last wait at exit.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

struct Shared {
    tx: Mutex<Option<SyncSender<Vec<u8>>>>,
    /// Frames sent and not yet written.
    queued: AtomicUsize,
    /// A write failed: the terminal is gone.
    dead: AtomicBool,
    /// Hears when the writer has written everything and stopped.
    done: Mutex<Receiver<()>>,
}

impl Output {
    /// Starts the writer on standard output.
    pub fn start() -> io::Result<(Output, Handle)> {
        Output::to(io::stdout())
    }

    pub fn to(mut out: impl Write + Send + 'static) -> io::Result<(Output, Handle)> {
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let (done_tx, done) = sync_channel(1);
        let shared = Arc::new(Shared {
            tx: Mutex::new(Some(tx)),
            queued: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            done: Mutex::new(done),
        });
        let s = shared.clone();
        std::thread::Builder::new()
            .name("ecsdeck-output".into())
            .spawn(move || {
                for chunk in rx {
                    let r = out.write_all(&chunk).and_then(|()| out.flush());
                    s.queued.fetch_sub(1, Ordering::SeqCst);
                    if r.is_err() {
                        s.dead.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                let _ = done_tx.send(());
            })?;
        let handle = Handle {
            shared: shared.clone(),
        };
        Ok((
            Output {
                shared,
                buf: Vec::new(),
            },
            handle,
        ))
    }
}

impl Handle {
    /// Frames still waiting for the terminal.
    pub fn backlog(&self) -> usize {
        self.shared.queued.load(Ordering::SeqCst)
    }

    /// Stops taking frames and waits, at most `wait`, for those queued to
    /// be written. False: the terminal did not take them in time.
    pub fn finish(&self, wait: Duration) -> bool {
        lock(&self.shared.tx).take();
        lock(&self.shared.done).recv_timeout(wait).is_ok()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let gone = || io::Error::new(io::ErrorKind::BrokenPipe, "the terminal is gone");
        if self.shared.dead.load(Ordering::SeqCst) {
            self.buf.clear();
            return Err(gone());
        }
        let tx = lock(&self.shared.tx);
        let Some(tx) = tx.as_ref() else {
            self.buf.clear();
            return Err(gone());
        };
        // A frame that cannot be queued is dropped whole: the next one
        // after the stall is drawn in full.
        let frame = std::mem::take(&mut self.buf);
        self.shared.queued.fetch_add(1, Ordering::SeqCst);
        match tx.try_send(frame) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.shared.queued.fetch_sub(1, Ordering::SeqCst);
                Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "the terminal is not taking output",
                ))
            }
            Err(TrySendError::Disconnected(_)) => {
                self.shared.queued.fetch_sub(1, Ordering::SeqCst);
                Err(gone())
            }
        }
    }
}

#[cfg(test)]
mod tests;
