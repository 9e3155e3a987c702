//! Rendering outcomes for people (text) and programs (JSON).
//!
//! Everything shown speaks the user's language: real dates in the
//! scenario's time zone, durations like `2d 4h`, apps by name.

mod advise;
mod chaos;
mod compare;
mod data;
mod explain;
mod export;
mod findings;
mod html;
mod html_findings;
mod html_graphs;
mod html_run;
mod json;
mod text;

pub use advise::{
    AdviseJson, advise_html_section, advise_json, advise_svgs, render_advise,
    verdict as advise_verdict,
};
pub use chaos::{Written, chaos_html, chaos_json, render_chaos, render_single, single_json};
pub use compare::{CompareJson, compare_json, render_compare, render_sweep, sweep_csv, verdict};
pub use data::{AppRow, app_rows, apps_csv, curve_csv, milestones_csv, tasks_csv};
pub use explain::{
    AppExplainJson, ChainJson, EXPLAIN_SCHEMA, ExplainJson, GroupJson, IntervalJson, MethodJson,
    OutageJson, ReasonJson, SkippedJson, chain_phrase, chart_groups, explain_json, method_phrase,
    render_explain, shares_sentence,
};
pub use explain::{
    ReasonShareJson, StrategyReasonsJson, reason_study_json, render_reason_study,
    render_sweep_reasons,
};
pub use export::{
    NamedFile, compare_csvs, compare_run_svgs, compare_svgs, run_csvs, run_svgs, sweep_svgs,
};
pub use findings::{Paired, paired, render_findings};
pub use html::{HtmlReport, REPORT_LEVERS, assumption_comments, render_html};
pub use json::{RunJson, run_json};
pub use text::{AppRows, NOTABLE_ROWS, count_by_reason, render_run, render_run_rows};

pub use crate::chart::clock::Clock;

use crate::sim::SimTime;

/// `+1d 3h` relative to `from`.
pub fn since(from: SimTime, t: SimTime) -> String {
    format!("+{}", t.saturating_since(from))
}
