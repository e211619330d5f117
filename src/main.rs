use clap::Parser;

fn main() -> color_eyre::Result<()> {
    // color-eyre's hooks first; ratatui's panic hook (installed when the
    // terminal is set up) wraps them, so the terminal is restored before
    // any report is printed.
    color_eyre::install()?;
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
            eprintln!("ecsdeck: {e:#}");
            ecsdeck::EXIT_ERROR
        }
    };
    // Servers of the demo may still hold the runtime; do not wait on them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    std::process::exit(code);
}
