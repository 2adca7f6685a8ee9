//! The `infokoll` binary: a thin shell over [`infokoll::cli`].
fn main() -> std::process::ExitCode {
    infokoll::cli::main()
}
