//! `--trace`: the engine's timeline through `tracing`, each line stamped
//! with the simulated instant as a date in the scenario's time zone.
//!
//! The engine records the instant in the field `t` (milliseconds since the
//! start); this formatter turns it into `2018-12-26 01:40 +11:00`.

use std::fmt;

use hvsim::report::Clock;
use hvsim::sim::SimTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

struct SimTimeFormat {
    clock: Clock,
}

#[derive(Default)]
struct Fields {
    t: Option<u64>,
    message: String,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "t" {
            self.t = Some(value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S, N> FormatEvent<S, N> for SimTimeFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        match fields.t {
            Some(t) => write!(writer, "{} ", self.clock.date(SimTime::from_millis(t)))?,
            None => write!(writer, "{:>22} ", "")?,
        }
        writeln!(writer, "{}", fields.message)
    }
}

/// Installs the trace subscriber for the rest of the process.
pub fn install(clock: Clock) -> tracing::dispatcher::DefaultGuard {
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::DEBUG)
        .event_format(SimTimeFormat { clock })
        .finish();
    tracing::subscriber::set_default(subscriber)
}
