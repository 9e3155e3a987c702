//! Rendering outcomes for people (text) and programs (JSON).
//!
//! Everything shown speaks the user's language: real dates in the
//! scenario's time zone, durations like `2d 4h`, apps by name.

mod compare;
mod data;
mod explain;
mod export;
mod html;
mod json;
mod text;

pub use compare::{CompareJson, compare_json, render_compare, render_sweep, sweep_csv, verdict};
pub use data::{AppRow, app_rows, apps_csv, curve_csv, milestones_csv, tasks_csv};
pub use explain::{
    AppExplainJson, ChainJson, EXPLAIN_SCHEMA, ExplainJson, GroupJson, IntervalJson, MethodJson,
    OutageJson, ReasonJson, SkippedJson, chain_phrase, chart_groups, explain_json, grouped,
    method_phrase, render_explain, shares_sentence,
};
pub use explain::{ReasonShareJson, StrategyReasonsJson, reason_study_json, render_reason_study};
pub use export::{NamedFile, compare_csvs, compare_svgs, run_csvs, run_svgs, sweep_svgs};
pub use html::{HtmlReport, assumption_comments, render_html};
pub use json::{RunJson, run_json};
pub use text::{count_by_reason, render_run};

pub use crate::chart::clock::Clock;

use crate::sim::SimTime;

/// `+1d 3h` relative to `from`.
pub fn since(from: SimTime, t: SimTime) -> String {
    format!("+{}", t.saturating_since(from))
}
