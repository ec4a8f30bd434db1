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

/// mimalloc's `mi_option_purge_delay` (milliseconds), for which libmimalloc-sys names no
/// constant: its place in `mi_option_e`, 15 in both mimalloc versions the crate can build
/// (v2 and v3; after the 15 options before it, as the crate's own constants for options 6
/// and 16 agree).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Hands the memory that the last stage freed back to the system, on every worker thread
/// and this one. mimalloc keeps freed pages for a while in the heap of the thread that
/// used them, so a stage's working set would otherwise still be resident when the next
/// stage allocates its own: at 1M responses the comparison's peak sat 90 MB above the
/// themes' for that reason alone. Called as each stage begins.
pub(crate) fn return_freed_memory() {
    // SAFETY: mi_collect only frees pages that hold no live allocation.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}

fn main() -> ExitCode {
    // Large (2 MiB) pages where the OS gives them: a run touches hundreds of megabytes of
    // fresh memory, and faulting it in 4 KiB at a time cost about a tenth of a run.
    // Freed memory goes back to the system after 100 ms instead of mimalloc's 1 s: a stage
    // that frees its working set while the next allocates then holds less of both at once
    // (at 1M responses the peak was about 15 MB lower, the run no slower).
    // SAFETY: each call sets one of mimalloc's options, a plain store that later
    // allocations read.
    unsafe {
        libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100);
    }
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
