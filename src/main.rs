//! The `stemme` binary: parses the command line, calls the library, prints the error
//! chain and returns the exit code (0 ok, 1 nothing found, 2 error).

mod cli;

use clap::Parser;
use std::process::ExitCode;

// mimalloc: the pipeline allocates millions of small strings and vectors from several
// threads; glibc's allocator spends a tenth of the run in malloc/free and keeps freed
// arenas resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Large (2 MiB) pages where the OS gives them: a run touches hundreds of megabytes of
    // fresh memory, and faulting it in 4 KiB at a time cost about a tenth of a run.
    // SAFETY: sets one of mimalloc's options, a plain store that later allocations read.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
    let args = cli::Cli::parse();
    match cli::execute(args) {
        Ok(found) => ExitCode::from(if found { 0 } else { 1 }),
        // A closed pipe (`stemme search … | head`) is the reader's choice, not an error.
        Err(stemme::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("stemme: error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(2)
        }
    }
}
