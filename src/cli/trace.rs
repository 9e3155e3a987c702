//! `--trace`: the engine's timeline through `tracing`, each line stamped
//! with the simulated instant as a date in the scenario's time zone.
//!
//! The engine records the instant in the field `t` (milliseconds since the
//! start); this formatter turns it into `2018-12-26 01:40 +11:00`.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};

use hvsim::report::Clock;
use hvsim::sim::SimTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
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

/// Where the trace goes: standard error, until a write fails. The first
/// failure is kept for the command to report, and later events are dropped
/// instead of failing again (or panicking, as printing to a full stderr
/// would).
#[derive(Clone, Default)]
pub(super) struct TraceSink {
    failed: Arc<Mutex<Option<io::Error>>>,
}

impl TraceSink {
    /// The first write that failed, if one did.
    pub(super) fn failure(&self) -> Option<io::Error> {
        self.failed.lock().ok().and_then(|mut f| f.take())
    }
}

impl io::Write for TraceSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Ok(mut failed) = self.failed.lock() else {
            return Ok(buf.len());
        };
        if failed.is_none() {
            let mut err = io::stderr().lock();
            if let Err(e) = err.write_all(buf).and_then(|()| err.flush()) {
                *failed = Some(e);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for TraceSink {
    type Writer = TraceSink;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs the trace subscriber for the rest of the process; the sink
/// tells afterwards whether every line was written.
pub(super) fn install(clock: Clock) -> (tracing::dispatcher::DefaultGuard, TraceSink) {
    let sink = TraceSink::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(sink.clone())
        .log_internal_errors(false)
        .with_max_level(tracing::Level::DEBUG)
        .event_format(SimTimeFormat { clock })
        .finish();
    (tracing::subscriber::set_default(subscriber), sink)
}
