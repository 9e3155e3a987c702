//! `hvsim schema`: the JSON Schema of scenario or fault campaign files.

use hvsim::scenario::schema::{SchemaKind as Kind, schema_text};

use super::Failure;
use super::output::emit;

#[derive(clap::Args, Debug)]
pub(super) struct SchemaArgs {
    /// Which file: a scenario, or a fault campaign (`--faults FILE`).
    #[arg(value_enum, default_value_t = SchemaKind::Scenario)]
    kind: SchemaKind,
}

/// The file kinds `hvsim schema` describes.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    /// A scenario file.
    Scenario,
    /// A fault campaign file.
    Faults,
}

pub(super) fn schema(args: SchemaArgs) -> Result<(), Failure> {
    // Through `emit`, like every other print: a closed pipe is a quiet
    // exit, a full disk an error (`print!` would panic).
    emit(&schema_text(match args.kind {
        SchemaKind::Scenario => Kind::Scenario,
        SchemaKind::Faults => Kind::Faults,
    }))
}
