//! A fit as text (the verdict first) and as JSON.

use serde_json::{Value, json};

use super::observed::{Kind, When};
use super::{BOOTSTRAP, Band, Fit, REFINE_MAX, TradeOff, WORSE, show_number, show_number_to};
use crate::chart::axis::DateAxis;
use crate::chart::clock::Clock;
use crate::chart::fit::{FitChart, fit_chart};

/// A number of apps as shown (`1 app`, `2.5 apps`).
fn apps(shown: String) -> String {
    if shown == "1" {
        "1 app".into()
    } else {
        format!("{shown} apps")
    }
}

/// What `fit` says first of a scenario in which nothing can fail.
const NO_OUTAGE: &str = "No outage in this scenario: it has no bug, no scheduled outage and no \
     random failure, so no app goes down and there is nothing to recover. Every app is up \
     throughout every run; the points are compared with that flat curve, and times given as \
     durations count from the scenario's start.";

/// Candidates listed in the text report.
const LISTED: usize = 10;

impl Fit {
    /// A value in the observation's unit: `70 apps`, `55 %`.
    pub fn show_value(&self, v: f64) -> String {
        match self.observed.kind {
            Kind::Count => apps(show_number((v * 10.0).round() / 10.0)),
            Kind::Share => format!("{} %", show_number((v * 1000.0).round() / 10.0)),
        }
    }

    /// A range in the observation's unit: `60–72 apps`, `50–60 %`.
    pub fn show_range(&self, lo: f64, hi: f64) -> String {
        let (k, unit) = match self.observed.kind {
            Kind::Count => (1.0, "apps"),
            Kind::Share => (100.0, "%"),
        };
        let r = |v: f64| show_number((v * k * 10.0).round() / 10.0);
        format!("{}–{} {unit}", r(lo), r(hi))
    }

    /// A distance in the observation's unit: `2.5 apps`, `3.1 percentage points`.
    pub fn show_distance(&self, d: f64) -> String {
        match self.observed.kind {
            Kind::Count => apps(show_number((d * 10.0).round() / 10.0)),
            Kind::Share => format!(
                "{} percentage points",
                show_number((d * 1000.0).round() / 10.0)
            ),
        }
    }

    /// When point `k` was observed: `Fri 28 Dec 12:00`, `2d 12h after the strike`.
    pub fn show_when(&self, k: usize) -> String {
        let clock = Clock::new(&self.scenario);
        match (
            self.observed.points[k].when,
            self.locals.get(k).copied().flatten(),
        ) {
            (When::Local(_), Some(t)) => clock.short(t),
            // Without any outage, durations count from the scenario's start.
            (When::After(d), _) if !self.scenario.can_fail() => format!("{d} after the start"),
            (When::After(d), _) => format!("{d} after the strike"),
            (When::Local(dt), None) => dt.to_string(),
        }
    }

    /// `teams.ops.members = 6 (5–7)`, for every parameter.
    pub fn show_best(&self) -> String {
        self.best
            .iter()
            .map(|f| {
                let (lo, hi) = f.range;
                let range = if lo == hi {
                    "no other value tried fits as well".to_string()
                } else {
                    format!("{}–{}", show_number(lo), show_number(hi))
                };
                format!("{} = {} ({range})", f.param.name(), show_number(f.value))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The finding, in one sentence, then one per pair of parameters that
    /// trade off.
    pub fn verdict(&self) -> String {
        let e = &self.evaluations[self.best_index];
        let n = self.observed.points.len();
        let mut out = format!(
            "The points of {} are best matched with {}: the median restored curve of {} is {} from them (root mean square over {n} point{}).",
            self.observed.file,
            self.show_best(),
            self.options.strategy,
            self.show_distance(e.distance),
            if n == 1 { "" } else { "s" }
        );
        for t in &self.trade_offs {
            out.push(' ');
            out.push_str(&self.trade_off_sentence(t));
        }
        out
    }

    /// `teams.ops.members and apps.*.work.reinstall.scale trade off: ...`.
    pub fn trade_off_sentence(&self, t: &TradeOff) -> String {
        let (p, q) = t.params;
        let (a, b) = t.ends;
        let (np, nq) = (self.best[p].param.name(), self.best[q].param.name());
        let at = |k: usize| {
            let v = &self.evaluations[k].values;
            (show_number(v[p]), show_number(v[q]))
        };
        let ((ap, aq), (bp, bq), (cp, cq)) = (at(a), at(b), at(self.best_index));
        let together = (self.evaluations[a].values[q] < self.evaluations[b].values[q])
            == (self.evaluations[a].values[p] < self.evaluations[b].values[p]);
        let pairs = if a == self.best_index || b == self.best_index {
            let (op, oq) = if a == self.best_index {
                (bp, bq)
            } else {
                (ap, aq)
            };
            format!("{np} {op} at {nq} {oq} is not significantly worse than the best, {cp} at {cq}")
        } else {
            format!(
                "{np} {ap} at {nq} {aq} and {bp} at {bq} are not significantly worse than the best, {cp} at {cq}"
            )
        };
        format!(
            "{np} and {nq} trade off (the more of one, the {} of the other): {pairs}, so their ranges span a ridge of pairs, not each value's own uncertainty.",
            if together { "more" } else { "less" },
        )
    }

    /// What a single incident cannot tell apart: the values whose p10–p90
    /// band holds every observed point.
    pub fn band_sentence(&self) -> String {
        let parts: Vec<String> = self
            .best
            .iter()
            .filter_map(|f| match f.in_band {
                Some((lo, hi)) if lo == hi => {
                    Some(format!("{} {}", f.param.name(), show_number(lo)))
                }
                Some((lo, hi)) => Some(format!(
                    "{} {}–{}",
                    f.param.name(),
                    show_number(lo),
                    show_number(hi)
                )),
                None => None,
            })
            .collect();
        let none: Vec<String> = self
            .best
            .iter()
            .filter(|f| f.in_band.is_none())
            .map(|f| f.param.name())
            .collect();
        let mut text = "One incident is one draw: ".to_string();
        if !parts.is_empty() {
            text.push_str(&format!(
                "the values tried whose p10–p90 band holds every observed point are {}",
                parts.join(", ")
            ));
        }
        if !none.is_empty() {
            if !parts.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!(
                "no value tried of {} has a p10–p90 band that holds every observed point",
                none.join(", ")
            ));
        }
        text.push('.');
        text
    }

    /// The report `hvsim fit` prints: the verdict, the points, the
    /// method and the best candidates.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if !self.scenario.can_fail() {
            out.push_str(NO_OUTAGE);
            out.push_str("\n\n");
        }
        out.push_str(&self.verdict());
        out.push('\n');
        out.push_str(&self.band_sentence());
        out.push_str("\n\n");
        if self.stopped {
            out.push_str("Interrupted: the fit covers the candidates evaluated so far.\n\n");
        }
        let rows: Vec<[String; 4]> = (0..self.observed.points.len())
            .map(|k| {
                let (p10, p50, p90) = self.at_points[k];
                [
                    self.show_when(k),
                    self.show_value(self.observed.points[k].value),
                    self.show_value(p50),
                    self.show_range(p10, p90),
                ]
            })
            .collect();
        let header = [
            "observed at".to_string(),
            "observed".to_string(),
            "fitted median".to_string(),
            "p10–p90".to_string(),
        ];
        out.push_str(&table(&header, &rows));
        out.push('\n');
        let kept = self.kept.iter().filter(|k| **k).count();
        out.push_str(&format!(
            "Search: {} over {} candidate{}, {} replications each on common random numbers (seed {}), strategy {}.\n",
            self.method,
            self.evaluations.len(),
            if self.evaluations.len() == 1 { "" } else { "s" },
            self.options.runs,
            self.options.seed,
            self.options.strategy,
        ));
        if self.profiled + self.refined > 0 {
            out.push_str(&format!(
                "Of these, {} candidate{} came from trade-off profiles (each pair: the first at {} values across its range, the second searched at each) and {} from a joint refinement around the best (the local grid of every parameter's neighbouring values; at most {REFINE_MAX}).\n",
                self.profiled,
                if self.profiled == 1 { "" } else { "s" },
                super::ZOOM_POINTS,
                self.refined,
            ));
        }
        out.push_str(&format!(
            "Uncertainty: {kept} candidate{} not significantly worse than the best: each one's distance exceeds the best's in at most {} % of {BOOTSTRAP} paired bootstrap resamples of the replications. The ranges in brackets span their values.\n\n",
            if kept == 1 { " is" } else { "s are" },
            show_number(WORSE * 100.0),
        ));
        let mut order: Vec<usize> = (0..self.evaluations.len()).collect();
        order.sort_by(|&a, &b| {
            self.evaluations[a]
                .distance
                .total_cmp(&self.evaluations[b].distance)
                .then(a.cmp(&b))
        });
        let names: Vec<String> = self.best.iter().map(|f| f.param.name()).collect();
        let mut header: Vec<String> = names.clone();
        header.push("distance".into());
        header.push("".into());
        let listed: Vec<usize> = order.iter().copied().take(LISTED).collect();
        let significant = self.distinct_digits(&listed);
        let rows: Vec<Vec<String>> = listed
            .iter()
            .map(|&k| {
                let e = &self.evaluations[k];
                let mut row: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| show_number_to(*v, significant))
                    .collect();
                row.push(self.show_distance(e.distance));
                row.push(
                    if k == self.best_index {
                        "best"
                    } else if self.kept[k] {
                        "not significantly worse"
                    } else {
                        ""
                    }
                    .into(),
                );
                row
            })
            .collect();
        out.push_str(&format!(
            "Best candidates ({} of {}):\n",
            rows.len(),
            self.evaluations.len()
        ));
        out.push_str(&table(&header, &rows));
        out
    }

    /// The significant digits (three or more) at which the candidates
    /// `listed` with different values show different values: two
    /// candidates of a search can be closer than three digits tell.
    fn distinct_digits(&self, listed: &[usize]) -> u32 {
        let shown = |k: usize, digits: u32| -> Vec<String> {
            self.evaluations[k]
                .values
                .iter()
                .map(|v| show_number_to(*v, digits))
                .collect()
        };
        (3..=9)
            .find(|&digits| {
                listed.iter().enumerate().all(|(i, &a)| {
                    listed[..i].iter().all(|&b| {
                        self.evaluations[a].values == self.evaluations[b].values
                            || shown(a, digits) != shown(b, digits)
                    })
                })
            })
            .unwrap_or(9)
    }

    /// The chart of the fitted median and band (from [`band`](super::band))
    /// against the observed points, as SVG; `command` reproduces it.
    pub fn svg<'a>(&self, band: &Band, page: impl Into<crate::chart::Page<'a>>) -> String {
        let page = page.into();
        let (k, y_title) = match self.observed.kind {
            Kind::Count => (1.0, "apps restored".to_string()),
            Kind::Share => (
                100.0,
                "share of the incident's apps restored (%)".to_string(),
            ),
        };
        let scaled = |xs: &[f64]| xs.iter().map(|v| v * k).collect::<Vec<_>>();
        let (p10, p50, p90) = (scaled(&band.p10), scaled(&band.p50), scaled(&band.p90));
        let dates = self.locals.iter().all(Option::is_some);
        let points: Vec<_> = self
            .observed
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let t = match (p.when, self.locals[i]) {
                    (_, Some(t)) => t,
                    (When::After(d), None) => crate::sim::SimTime::from_millis(d.as_millis()),
                    (When::Local(_), None) => crate::sim::SimTime::ZERO,
                };
                let (_, m, _) = self.at_points[i];
                let tip = format!(
                    "{}: observed {}, fitted median {} (line {} of {})",
                    self.show_when(i),
                    self.show_value(p.value),
                    self.show_value(m),
                    p.line,
                    self.observed.file
                );
                (t, p.value * k, tip)
            })
            .collect();
        let top = match self.observed.kind {
            Kind::Share => 100.0,
            Kind::Count => points
                .iter()
                .map(|p| p.1)
                .chain(p90.iter().copied())
                .fold(1.0, f64::max)
                .ceil(),
        };
        fit_chart(&FitChart {
            title: format!("{}: fitted to {}", self.scenario.name, self.observed.file),
            subtitle: format!(
                "{}; median and p10–p90 of {} replications of {}, seed {}",
                self.show_best(),
                self.options.runs,
                self.options.strategy,
                self.options.seed
            ),
            y_title,
            y_max: top,
            dates: dates.then(|| DateAxis::new(&self.scenario)),
            since: if self.scenario.can_fail() {
                "the strike"
            } else {
                "the start"
            },
            times: &band.times,
            p10: &p10,
            p50: &p50,
            p90: &p90,
            points,
            page,
        })
    }

    /// The `--json` document (schema `hvsim.fit/1`).
    pub fn to_json(&self) -> Value {
        let clock = Clock::new(&self.scenario);
        let unit = match self.observed.kind {
            Kind::Count => "apps",
            Kind::Share => "share",
        };
        let points: Vec<Value> = self
            .observed
            .points
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let (p10, p50, p90) = self.at_points[k];
                let at = match (p.when, self.locals[k]) {
                    (When::Local(_), Some(t)) => json!({ "date": clock.rfc3339(t) }),
                    (When::After(d), _) => json!({ "after_strike_hours": d.as_hours_f64() }),
                    (When::Local(dt), None) => json!({ "date": dt.to_string() }),
                };
                json!({
                    "line": p.line,
                    "at": at,
                    "observed": p.value,
                    "median": p50,
                    "p10": p10,
                    "p90": p90,
                })
            })
            .collect();
        let best: Vec<Value> = self
            .best
            .iter()
            .map(|f| {
                json!({
                    "param": f.param.name(),
                    "value": f.value,
                    "low": f.range.0,
                    "high": f.range.1,
                    "in_band": f.in_band.map(|(a, b)| vec![a, b]),
                })
            })
            .collect();
        let candidates: Vec<Value> = self
            .evaluations
            .iter()
            .zip(&self.kept)
            .map(|(e, k)| json!({ "values": e.values, "distance": e.distance, "not_worse": k }))
            .collect();
        json!({
            "schema": "hvsim.fit/1",
            "verdict": self.verdict(),
            "scenario": self.scenario.name,
            "curve": self.observed.file,
            "strategy": self.options.strategy,
            "runs": self.options.runs,
            "seed": self.options.seed,
            "unit": unit,
            "distance": self.evaluations[self.best_index].distance,
            "best": best,
            "points": points,
            "search": self.method,
            "bootstrap": { "resamples": BOOTSTRAP, "worse_share": WORSE },
            "profiled": self.profiled,
            "refined": self.refined,
            "refine_max": REFINE_MAX,
            "trade_offs": self.trade_offs.iter().map(|t| {
                let (p, q) = t.params;
                let end = |k: usize| json!({
                    "values": self.evaluations[k].values,
                    "distance": self.evaluations[k].distance,
                });
                json!({
                    "params": [self.best[p].param.name(), self.best[q].param.name()],
                    "ends": [end(t.ends.0), end(t.ends.1)],
                    "sentence": self.trade_off_sentence(t),
                })
            }).collect::<Vec<_>>(),
            "interrupted": self.stopped,
            "candidates": candidates,
        })
    }
}

/// A plain table: columns padded to their widest cell, two spaces apart.
fn table<S: AsRef<[String]>>(header: &[String], rows: &[S]) -> String {
    let cols = header.len();
    let mut width = vec![0usize; cols];
    let all = std::iter::once(header).chain(rows.iter().map(AsRef::as_ref));
    for row in all.clone() {
        for (c, cell) in row.iter().enumerate().take(cols) {
            width[c] = width[c].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in all {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate().take(cols) {
            line.push_str(cell);
            let pad = width[c] - cell.chars().count();
            if c + 1 < cols {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
