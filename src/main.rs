//! The `infokoll` binary: a thin shell over [`infokoll::cli`].

/// mimalloc instead of glibc malloc: with 290 crawls on a few worker
/// threads (and block_in_place moving workers to new threads), glibc keeps
/// freed memory in many per-thread arenas, so the audit's resident size was
/// about four times its live heap. Chosen on measurement, see `bench audit`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    infokoll::cli::main()
}
