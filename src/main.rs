use std::io::Write;

use clap::Parser;

fn main() -> color_eyre::Result<()> {
    // color-eyre's reports, through ecsdeck's own panic hook: it restores
    // the terminal first, and never writes to a terminal that is gone.
    let (panic, eyre) = color_eyre::config::HookBuilder::default().into_hooks();
    eyre.install()?;
    ecsdeck::term::install_panic_hook(move |info| panic.panic_report(info).to_string());
    let cli = ecsdeck::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // Errors that reach here are the operator's to fix (no region, no
    // credentials, nothing to watch): one clear line, exit code 2. Panics
    // still get color-eyre's full report.
    let code = match runtime.block_on(ecsdeck::main(cli)) {
        Ok(code) => code,
        Err(e) => {
            // Not eprintln!: it panics when stderr is gone.
            let _ = writeln!(std::io::stderr(), "ecsdeck: {e:#}");
            ecsdeck::EXIT_ERROR
        }
    };
    // Servers of the demo may still hold the runtime; do not wait on them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    std::process::exit(code);
}
