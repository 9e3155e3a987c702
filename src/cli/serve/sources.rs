//! The scenarios the page offers (the file given on the command line
//! first, then the bundled ones), the levers derived from each, a request's
//! scenario with its `--set` changes, and saving those changes as a new
//! file beside the given one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hvsim::Scenario;
use hvsim::scenario::{self, Document, Format};
use hvsim::sweep::{SetSpec, parse_set_value};
use serde_json::{Value, json};

use super::state::{AppState, Query, Reject, bad_request};
use crate::cli::Failure;
use crate::cli::args::shell_quote;
use crate::cli::load::{at_point, load_failure};

/// The bundled scenarios: the path a command line run from the crate root
/// names them by, and their text.
const BUNDLED: &[(&str, &str)] = &[
    (
        "scenarios/backup-restore.yaml",
        include_str!("../../../scenarios/backup-restore.yaml"),
    ),
    (
        "scenarios/ha-single-host-crash.yaml",
        include_str!("../../../scenarios/ha-single-host-crash.yaml"),
    ),
    (
        "scenarios/replicated-failover-runbook.yaml",
        include_str!("../../../scenarios/replicated-failover-runbook.yaml"),
    ),
    (
        "scenarios/recurring-bug-rollback.yaml",
        include_str!("../../../scenarios/recurring-bug-rollback.yaml"),
    ),
    (
        "scenarios/friday-evening-time-bomb.toml",
        include_str!("../../../scenarios/friday-evening-time-bomb.toml"),
    ),
    (
        "scenarios/availability-year.yaml",
        include_str!("../../../scenarios/availability-year.yaml"),
    ),
];

/// One scenario on offer.
pub(super) struct Source {
    /// Its key in requests: `default`, `given`, or the bundled file's stem.
    pub(super) key: String,
    /// Its file as messages name it.
    pub(super) file: String,
    /// The path a command line names (none for the embedded default).
    pub(super) path: Option<PathBuf>,
    text: String,
    format: Format,
    /// Only the file given on the command line may have changes saved beside it.
    pub(super) saveable: bool,
}

impl Source {
    /// The file parsed as a document (for `--set` changes).
    pub(super) fn document(&self) -> Result<Document, Failure> {
        Document::parse(&self.text, &self.file, self.format).map_err(load_failure)
    }

    /// The file loaded as it is.
    pub(super) fn load(&self) -> Result<Scenario, Failure> {
        let mut s =
            scenario::load_str(&self.text, &self.file, self.format).map_err(load_failure)?;
        s.source = self.file.clone();
        Ok(s)
    }
}

/// Every scenario on offer, the given file first.
pub(super) struct Sources {
    pub(super) list: Vec<Source>,
    /// What `/api/scenarios` answers, made once.
    described: Value,
}

impl Sources {
    /// The bundled scenarios, after the file `given` (read now: a file that
    /// cannot be read or does not load stops the command, as elsewhere).
    pub(super) fn new(given: Option<&Path>) -> Result<Sources, Failure> {
        let mut list = Vec::new();
        if let Some(p) = given {
            let (text, file, format) = scenario::read_file(p).map_err(load_failure)?;
            let source = Source {
                key: "given".into(),
                file,
                path: Some(p.to_path_buf()),
                text,
                format,
                saveable: true,
            };
            source.load()?;
            list.push(source);
        }
        list.push(Source {
            key: "default".into(),
            file: scenario::DEFAULT_SCENARIO_NAME.into(),
            path: None,
            text: scenario::DEFAULT_SCENARIO_YAML.into(),
            format: Format::Yaml,
            saveable: false,
        });
        for (file, text) in BUNDLED {
            let path = PathBuf::from(file);
            list.push(Source {
                key: path
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
                format: Format::from_path(&path).unwrap_or(Format::Yaml),
                file: (*file).to_string(),
                path: Some(path),
                text: (*text).to_string(),
                saveable: false,
            });
        }
        let items: Vec<Value> = list.iter().map(describe).collect();
        Ok(Sources {
            list,
            described: json!({ "scenarios": items }),
        })
    }

    /// The source a request names (`scenario=KEY`; the first by default).
    pub(super) fn pick(&self, key: Option<&str>) -> Result<&Source, Reject> {
        match key {
            None | Some("") => self
                .list
                .first()
                .ok_or_else(|| bad_request("no scenario on offer")),
            Some(k) => self.list.iter().find(|s| s.key == k).ok_or_else(|| {
                let known: Vec<_> = self.list.iter().map(|s| s.key.as_str()).collect();
                bad_request(format!(
                    "no scenario `{k}`: expected one of {}",
                    known.join(", ")
                ))
            }),
        }
    }
}

/// A request's scenario: the source, its `set=PATH=VALUE` changes applied
/// (as `hvsim compare --set` applies them) and the command line prefix
/// that reproduces it.
pub(super) struct Request {
    pub(super) scenario: Scenario,
    pub(super) sets: Vec<SetSpec>,
    pub(super) path: Option<PathBuf>,
}

impl Request {
    /// Reads `scenario` and every `set` of the query; bad input is a 400
    /// with the CLI's message.
    pub(super) fn read(state: &AppState, q: &Query) -> Result<Request, Reject> {
        let source = state.sources.pick(q.get("scenario"))?;
        let sets = q
            .all("set")
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_set_value(s).map_err(|e| bad_request(format!("--set {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let scenario = if sets.is_empty() {
            source.load()
        } else {
            let values: Vec<Value> = sets.iter().map(|s| s.values[0].clone()).collect();
            source
                .document()
                .and_then(|doc| at_point(&doc, &sets, &values))
        }
        .map_err(failure_response)?;
        Ok(Request {
            scenario,
            sets,
            path: source.path.clone(),
        })
    }

    /// The ` --set ...` arguments of the command line, quoted for a shell.
    pub(super) fn set_args(&self) -> String {
        self.sets
            .iter()
            .map(|s| format!(" --set {}", shell_quote(&s.text)))
            .collect()
    }
}

/// A command's failure as an answer: bad input is 400, the rest 500.
pub(super) fn failure_response(f: Failure) -> Reject {
    match f {
        Failure::Input(m) => bad_request(m),
        Failure::Limit(m) | Failure::Other(m) => {
            Reject(axum::http::StatusCode::INTERNAL_SERVER_ERROR, m)
        }
        Failure::Interrupted | Failure::ClosedPipe => bad_request("interrupted"),
    }
}

/// `GET /api/scenarios`: each scenario on offer with its strategies,
/// objectives and levers.
pub(super) async fn list(State(state): State<Arc<AppState>>) -> Response {
    Json(state.sources.described.clone()).into_response()
}

/// One scenario for the page; one that does not load carries its message.
fn describe(source: &Source) -> Value {
    let loaded = source
        .load()
        .and_then(|s| source.document().map(|d| (s, d)));
    let (scenario, doc) = match loaded {
        Ok(x) => x,
        Err(f) => {
            let error = match f {
                Failure::Input(m) | Failure::Limit(m) | Failure::Other(m) => m,
                _ => "cannot load".into(),
            };
            return json!({ "key": source.key, "file": source.file, "error": error });
        }
    };
    let strategies: Vec<Value> = scenario
        .strategies
        .iter()
        .map(|s| json!({ "id": s.id, "description": s.description }))
        .collect();
    let objectives: Vec<&str> = scenario
        .objectives
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    json!({
        "key": source.key,
        "file": source.file,
        "name": scenario.name,
        "command_path": source.path.as_ref().map(|p| shell_quote(&p.to_string_lossy())),
        "saveable": source.saveable,
        "default_strategy": scenario.default_strategy().id,
        "strategies": strategies,
        "objectives": objectives,
        "levers": levers(&doc, &scenario),
    })
}

/// The levers of every strategy, as sliders (a whole number) and switches
/// (anything else); a strategy's own levers are named after it.
fn levers(doc: &Document, scenario: &Scenario) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for strategy in &scenario.strategies {
        for lever in hvsim::advise::levers::derive(doc, scenario, strategy) {
            let own = lever
                .edits
                .iter()
                .any(|e| e.path.first().is_some_and(|p| p == "strategies"));
            let (id, label) = if own {
                (
                    format!("{}/{}", strategy.id, lever.id),
                    format!("{}: {}", strategy.id, lever.label),
                )
            } else {
                (lever.id.clone(), lever.label.clone())
            };
            if out.iter().any(|l| l["id"] == id.as_str()) {
                continue;
            }
            let mut c = control(id, label, &lever.edits, doc);
            if own {
                c["strategy"] = Value::String(strategy.id.clone());
            }
            out.push(c);
        }
    }
    out.extend(vendor_levers(doc, scenario));
    out
}

/// Per bug that can strike a restarted host again: the vendor's
/// workaround a day after the strike (counted in its support hours; with
/// no `vendor` section, around the clock), and the fix applied everywhere
/// three days after the first strike (unless the vendor's clock gives the
/// fix already).
fn vendor_levers(doc: &Document, scenario: &Scenario) -> Vec<Value> {
    let mut out = Vec::new();
    for bug in scenario.bugs.iter().filter(|b| b.recurrence.is_some()) {
        let at = |tail: &[&str]| {
            let mut path = vec!["bugs".to_string(), bug.id.clone()];
            path.extend(tail.iter().map(|p| p.to_string()));
            lookup(doc.value(), &path).is_some()
        };
        let workaround = if at(&["vendor"]) {
            format!("bugs.{}.vendor.workaround=1d", bug.id)
        } else {
            format!("bugs.{}.vendor={{workaround: 1d}}", bug.id)
        };
        out.push(json!({
            "id": format!("vendor:{}:workaround", bug.id), "kind": "switch",
            "label": format!("bug {}: the vendor's workaround after a day of support", bug.id),
            "sets": [workaround],
        }));
        if !at(&["vendor", "fix"]) {
            out.push(json!({
                "id": format!("vendor:{}:fix", bug.id), "kind": "switch",
                "label": format!("bug {}: the vendor's fix applied 3 days after the first strike", bug.id),
                "sets": [format!("bugs.{}.fix=3d", bug.id)],
            }));
        }
    }
    out
}

/// A slider when the lever is one whole number (from 1 to twice what it is,
/// or four more), else a switch that makes its edits.
fn control(id: String, label: String, edits: &[hvsim::advise::Edit], doc: &Document) -> Value {
    let sets: Vec<String> = edits.iter().map(ToString::to_string).collect();
    if let [edit] = edits
        && edit.value.is_u64()
        && let Some(base) = lookup(doc.value(), &edit.path).and_then(Value::as_u64)
    {
        let path = edit.path.join(".");
        let what = match edit.path.last().map(String::as_str) {
            Some("members") => format!("members of team {}", edit.path[1]),
            Some("streams") => "restore streams".to_string(),
            Some("count") if edit.path.first().is_some_and(|p| p == "hosts") => {
                format!("hosts {}", edit.path[1])
            }
            _ => path.clone(),
        };
        return json!({
            "id": id, "kind": "slider", "label": what, "path": path,
            "base": base, "min": 1, "max": (2 * base).max(base + 4),
        });
    }
    json!({ "id": id, "kind": "switch", "label": label, "sets": sets })
}

/// The value at `path` in the document, walked as `Document::set` walks it.
fn lookup<'v>(root: &'v Value, path: &[String]) -> Option<&'v Value> {
    let mut node = root;
    for part in path {
        node = match node {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items
                .iter()
                .find(|it| it.get("id").and_then(Value::as_str) == Some(part.as_str()))
                .or_else(|| part.parse::<usize>().ok().and_then(|n| items.get(n)))?,
            _ => return None,
        };
    }
    Some(node)
}

/// `POST /api/save` `{"scenario": KEY, "sets": ["PATH=VALUE", ...]}`: the
/// changes applied to the given file, written as a new YAML file beside it
/// (`NAME-whatif-N.yaml`, never an existing name).
pub(super) async fn save(State(state): State<Arc<AppState>>, body: String) -> Response {
    match save_changes(&state, &body) {
        Ok(path) => Json(json!({ "saved": path.display().to_string() })).into_response(),
        Err(r) => r.into_response(),
    }
}

fn save_changes(state: &AppState, body: &str) -> Result<PathBuf, Reject> {
    let req: Value = serde_json::from_str(body)
        .map_err(|e| bad_request(format!("the request body is not JSON: {e}")))?;
    let key = req.get("scenario").and_then(Value::as_str);
    let source = state.sources.pick(key)?;
    let Some(original) = source.path.as_ref().filter(|_| source.saveable) else {
        return Err(bad_request(format!(
            "{} is not a file given to `hvsim serve`: changes are saved beside such a file only (`hvsim serve my-scenario.yaml`); with the bundled ones, copy the command line shown instead",
            source.file
        )));
    };
    let mut q = vec![("scenario".to_string(), source.key.clone())];
    for set in req
        .get("sets")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let set = set
            .as_str()
            .ok_or_else(|| bad_request("`sets` is a list of strings `PATH=VALUE`"))?;
        q.push(("set".into(), set.to_string()));
    }
    let request = Request::read(state, &Query(q))?;
    let mut doc = source.document().map_err(failure_response)?;
    for set in &request.sets {
        doc.set(&set.path, set.values[0].clone())
            .map_err(|e| bad_request(e.to_string()))?;
    }
    let text = serde_saphyr::to_string(doc.value())
        .map_err(|e| bad_request(format!("cannot write the scenario as YAML: {e}")))?;
    let header = format!(
        "# {} with{}\n# written by hvsim serve\n",
        source.file,
        request.set_args()
    );
    write_new(original, &format!("{header}{text}")).map_err(|e| {
        failure_response(Failure::Other(format!(
            "cannot save beside {}: {e}",
            original.display()
        )))
    })
}

/// Writes `text` to the first free `STEM-whatif-N.yaml` beside `original`:
/// written in full to a temporary file, then linked under its name, which
/// fails rather than replace a file that appeared meanwhile.
fn write_new(original: &Path, text: &str) -> std::io::Result<PathBuf> {
    let dir = original.parent().unwrap_or(Path::new("."));
    let stem = original
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SAVES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let tmp = dir.join(format!(".{stem}-whatif.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    let mut result = Err(std::io::Error::other("no free name"));
    for n in 1..=999 {
        let path = dir.join(format!("{stem}-whatif-{n}.yaml"));
        match std::fs::hard_link(&tmp, &path) {
            Ok(()) => {
                result = Ok(path);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let _ = std::fs::remove_file(&tmp);
    result
}
