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
    match quantreplica::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", quantreplica::cli::one_line(&e.to_string()));
            match e {
                quantreplica::Error::Input(_) => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}
