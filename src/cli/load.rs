//! The scenario a command line names: its file (or the embedded default),
//! the fault campaign that replaces its faults, and the strategies asked
//! for; each problem becomes the command's [`Failure`].

use std::path::PathBuf;

use hvsim::scenario::{self, Document, ScenarioError};
use hvsim::sweep::{SetSpec, parse_set_value, show};
use serde_json::Value;

use super::args::{MonteCarloArgs, shell_quote};
use hvsim::{Scenario, Strategy};

use super::Failure;

/// A scenario or fault campaign file's text, name and format, recorded
/// as one of the command's inputs (no output of it may replace it).
pub(super) fn read_file(
    path: &std::path::Path,
) -> Result<(String, String, scenario::Format), ScenarioError> {
    super::output::reads(path);
    scenario::read_file(path)
}

/// The scenario's text, name and format (the embedded default without a path).
pub(super) fn scenario_text(
    path: Option<&PathBuf>,
) -> Result<(String, String, scenario::Format), Failure> {
    match path {
        Some(p) => read_file(p).map_err(load_failure),
        None => Ok((
            scenario::DEFAULT_SCENARIO_YAML.to_string(),
            scenario::DEFAULT_SCENARIO_NAME.to_string(),
            scenario::Format::Yaml,
        )),
    }
}

/// A file that cannot be read is the machine's problem; anything else in
/// it is the user's to fix.
pub(super) fn load_failure(e: ScenarioError) -> Failure {
    match e {
        ScenarioError::Read { .. } => Failure::Other(e.to_string()),
        _ => Failure::Input(e.to_string()),
    }
}

/// Loads the scenario, with the faults of a campaign file if one is given.
pub(super) fn load(path: Option<&PathBuf>, faults: Option<&PathBuf>) -> Result<Scenario, Failure> {
    let (text, file, format) = scenario_text(path)?;
    let mut s = match faults {
        None => scenario::load_str(&text, &file, format),
        Some(f) => {
            let (ftext, ffile, fformat) = read_file(f).map_err(load_failure)?;
            scenario::load_with_faults(scenario::WithFaults {
                scenario: (&text, &file, format),
                faults: (&ftext, &ffile, fformat),
            })
            .map(|mut s| {
                s.source = format!("{file} with faults from {ffile}");
                s
            })
        }
    }
    .map_err(load_failure)?;
    if faults.is_none() {
        s.source = file;
    }
    Ok(s)
}

/// The strategies named (all of the scenario's when none is), in the order
/// named; an unknown name is bad input that lists the known ones.
pub(super) fn pick_strategies<'a>(
    scenario: &'a Scenario,
    names: &[String],
) -> Result<Vec<&'a Strategy>, Failure> {
    if names.is_empty() {
        return Ok(scenario.strategies.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            scenario.strategy(name).ok_or_else(|| {
                let known: Vec<_> = scenario.strategies.iter().map(|s| s.id.as_str()).collect();
                Failure::Input(format!(
                    "scenario {} has no strategy `{name}`: expected one of {}",
                    scenario.source,
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// The scenario file (or the embedded default) as a document, with the
/// faults of the campaign file if one is given.
pub(super) fn document(common: &MonteCarloArgs) -> Result<Document, Failure> {
    super::advise::scenario_document(common.scenario.as_ref(), common.faults.as_ref())
}

/// `--set PATH=VALUE`, repeatable: the changes to the scenario that `run`,
/// `explain` and `compare` make before simulating.
#[derive(clap::Args, Clone, Debug, Default)]
pub(super) struct SetArgs {
    /// PATH=VALUE: one change to the scenario before simulating, in the
    /// path syntax of `sweep` (e.g. `teams.ops.members=8`; a part with a
    /// dot in double quotes: `'bugs."hv-9.1-defect".fix=2018-12-30'`);
    /// the value is taken whole, commas included. May be repeated. See
    /// docs/set.md.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_set_value)]
    pub(super) sets: Vec<SetSpec>,
}

impl SetArgs {
    /// The scenario file (or the embedded default) with the faults of the
    /// campaign file if one is given, and these changes made.
    pub(super) fn load(
        &self,
        path: Option<&PathBuf>,
        faults: Option<&PathBuf>,
    ) -> Result<Scenario, Failure> {
        if self.sets.is_empty() {
            return load(path, faults);
        }
        let doc = super::advise::scenario_document(path, faults)?;
        let values: Vec<Value> = self.sets.iter().map(|s| s.values[0].clone()).collect();
        at_point(&doc, &self.sets, &values)
    }

    /// ` --set ...` for a command line that reproduces the result, each
    /// change quoted for a shell.
    pub(super) fn command(&self) -> String {
        self.sets
            .iter()
            .map(|set| format!(" --set {}", shell_quote(&set.text)))
            .collect()
    }
}

/// The scenario at one point of the grid, named after the file and the
/// values set (`FILE with a=1 b=x`).
pub(super) fn at_point(
    doc: &Document,
    sets: &[SetSpec],
    point: &[Value],
) -> Result<hvsim::Scenario, Failure> {
    let mut d = doc.clone();
    let mut label = Vec::new();
    for (set, v) in sets.iter().zip(point) {
        d.set(&set.path, v.clone())
            .map_err(|e| Failure::Input(format!("--set {}: {e}", set.text)))?;
        label.push(format!("{}={}", set.name(), show(v)));
    }
    let file = format!("{} with {}", doc.file(), label.join(" "));
    d.load(&file).map_err(|e| Failure::Input(e.to_string()))
}
