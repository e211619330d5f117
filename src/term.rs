//! Terminal set-up and restore only: raw mode, the alternate screen and the
//! panic hook. Restoring is idempotent, so every exit path can call it.

use std::io;

use ratatui::DefaultTerminal;

/// Enters raw mode and the alternate screen. ratatui's init also installs
/// a panic hook that restores the terminal before the report is printed;
/// color-eyre's hooks are installed before this, so they run after it.
pub fn init() -> io::Result<DefaultTerminal> {
    ratatui::try_init()
}

pub fn restore() {
    ratatui::restore();
}
