//! The `quantreplica` command line: a thin layer over the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so a closed stdout (`| head`) would make every print fail (a panic
    // in println!). Restored to the default, the process ends quietly like any Unix filter.
    // SAFETY: called first, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match quantreplica::cli::parse_from(std::env::args_os()) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("{}", quantreplica::cli::one_line(&e.to_string()));
                    ExitCode::from(2)
                }
            };
        }
    };
    // Ctrl-C cancels the job through the library's watch: maps stop taking items, long loops
    // stop at their next poll, nothing is written and the exit status is 130. A job that has
    // not stopped 3 s later, or a second Ctrl-C, ends the process at once (files are only ever
    // replaced by a rename, so even then none is half-written).
    let watch = quantreplica::parallel::Watch::with_bars();
    let w = watch.clone();
    let _ = ctrlc::set_handler(move || {
        if w.is_cancelled() {
            std::process::exit(130);
        }
        w.cancel();
        std::thread::spawn(|| {
            std::thread::sleep(std::time::Duration::from_secs(3));
            eprintln!("error: interrupted");
            std::process::exit(130);
        });
    });
    match quantreplica::parallel::watched(&watch, || quantreplica::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", quantreplica::cli::one_line(&e.to_string()));
            match e {
                quantreplica::Error::Input(_) => ExitCode::from(2),
                quantreplica::Error::Interrupted => ExitCode::from(130),
                _ => ExitCode::from(1),
            }
        }
    }
}
