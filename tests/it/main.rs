//! The integration tests: one binary (STYLE.md §11), a module per theme.

mod calibration;
mod cli;
mod compare;
mod corpus;
mod r#gen;
mod properties;

/// The built `hvsim` binary, run from the crate root (so relative paths
/// in arguments and messages are stable).
pub fn hvsim() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hvsim"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}
