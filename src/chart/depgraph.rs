//! The application dependency graph, with the order in which each
//! strategy restored it: the dependency trap made visible.
//!
//! Apps are laid out in layers by dependency depth (the longest chain of
//! `depends_on` below them: the foundations on top), ordered within a
//! layer by one barycentre pass so that an app sits under what it depends
//! on. On a large estate (more than [`MAX_APP_NODES`] apps) a node is an
//! app group (`web ×40`). One panel per strategy's run: each node carries
//! the rank at which its own recovery work finished, and an edge is drawn
//! thick and vermillion where the dependent's work finished before its
//! dependency was back: that app sat restored but useless, the trap.
//!
//! Deterministic and dependency-free: layers by longest path, ties by file
//! order, no external layout tool.

use std::collections::BTreeSet;

use super::Page;
use super::svg::{Anchor, FONT_PX, Svg, num, rect_attrs, text_width};
use super::{GRID_GREY, INK, LegendEntry, Swatch, WIDTH};
use crate::metrics::{Outcome, TaskEnd};
use crate::model::Scenario;
use crate::sim::SimTime;

/// Above this many apps, a node is an app group.
pub const MAX_APP_NODES: usize = 40;
/// The colour of an edge caught in the trap.
pub const TRAP: &str = "#D55E00";
/// The fill of a node whose apps the run never took down.
pub const NOT_HIT: &str = "#f0f0f0";
/// The fill of a node that was restored.
pub const RESTORED: &str = "#cfe6f4";
/// The fill of a node some app of which was never back.
pub const NOT_BACK: &str = "#f4d6c5";
/// An edge between nodes.
const EDGE: &str = "#8c8c8c";
const NODE_H: f64 = 32.0;
const ROW_GAP: f64 = 58.0;
const PANEL_TITLE_H: f64 = 26.0;
const MIN_NODE_W: f64 = 96.0;
const MAX_NODE_W: f64 = 170.0;
const NODE_GAP: f64 = 10.0;

/// A box of the graph: one app, or an app group.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is called: the app's id, or `group ×N`.
    pub label: String,
    /// Its apps, by index.
    pub apps: Vec<usize>,
}

/// The graph to draw: nodes, edges from a dependent to what it depends on,
/// and where each node goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The nodes, in file order of their first app.
    pub nodes: Vec<Node>,
    /// `(dependent, dependency)` node pairs, sorted.
    pub edges: Vec<(usize, usize)>,
    /// Per layer (0: nothing below), its nodes left to right.
    pub layers: Vec<Vec<usize>>,
}

/// The scenario's dependency graph: a node per app, or per app group when
/// there are more than [`MAX_APP_NODES`] apps.
pub fn graph(scenario: &Scenario) -> Graph {
    let grouped = scenario.apps.len() > MAX_APP_NODES;
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_of = vec![0usize; scenario.apps.len()];
    for (a, app) in scenario.apps.iter().enumerate() {
        let key = match (&app.group, grouped) {
            (Some(g), true) => g.clone(),
            _ => app.id.clone(),
        };
        match nodes.iter().position(|n| n.label == key) {
            Some(n) => {
                nodes[n].apps.push(a);
                node_of[a] = n;
            }
            None => {
                node_of[a] = nodes.len();
                nodes.push(Node {
                    label: key,
                    apps: vec![a],
                });
            }
        }
    }
    for n in &mut nodes {
        if n.apps.len() > 1 {
            n.label = format!("{} ×{}", n.label, n.apps.len());
        }
    }
    let mut edges = BTreeSet::new();
    for (a, app) in scenario.apps.iter().enumerate() {
        for d in &app.depends_on {
            let (from, to) = (node_of[a], node_of[d.index()]);
            if from != to {
                edges.insert((from, to));
            }
        }
    }
    let edges: Vec<(usize, usize)> = edges.into_iter().collect();
    let layers = layers(nodes.len(), &edges);
    Graph {
        nodes,
        edges,
        layers,
    }
}

/// Layers by longest path to a node with no dependency, then one
/// barycentre pass from the top: each node ordered by the mean position
/// of what it depends on (ties by file order). A cycle (validation refuses
/// them) cannot loop: relaxation stops after as many passes as nodes.
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut depth = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(from, to) in edges {
            if depth[from] < depth[to] + 1 && depth[to] + 1 < n.max(1) {
                depth[from] = depth[to] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let count = depth.iter().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (v, &d) in depth.iter().enumerate() {
        layers[d].push(v);
    }
    // Position of each placed node, as a fraction of its layer's width.
    let mut pos = vec![0.0f64; n];
    for layer in &mut layers {
        let key = |v: usize| -> f64 {
            let below: Vec<f64> = edges
                .iter()
                .filter(|(from, _)| *from == v)
                .map(|&(_, to)| pos[to])
                .collect();
            if below.is_empty() {
                -1.0
            } else {
                below.iter().sum::<f64>() / below.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = layer.iter().map(|&v| (key(v), v)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *layer = keyed.into_iter().map(|(_, v)| v).collect();
        let len = layer.len();
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = (i as f64 + 0.5) / len as f64;
        }
    }
    layers
}

/// When an app's own recovery work finished in a run: the end of its last
/// completed task, or (automated or self-healing recoveries) when it was
/// last back up; `None` if it was never down or never recovered.
pub fn own_work_done(o: &Outcome, app: usize) -> Option<SimTime> {
    let history = &o.apps[app];
    if history.outages.is_empty() {
        return None;
    }
    o.tasks
        .iter()
        .filter(|t| t.app().map(|a| a.index()) == Some(app) && t.outcome == TaskEnd::Done)
        .filter_map(|t| t.end)
        .max()
        .or_else(|| history.final_up())
}

/// What one run did to one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeState {
    /// None of its apps went down.
    NotHit,
    /// Its apps' work finished between `first` and `done`; restored
    /// `rank`-th (from 1; equal instants share a rank).
    Restored {
        /// The first of its apps' work done.
        first: SimTime,
        /// The last.
        done: SimTime,
        /// Its rank among the nodes restored.
        rank: usize,
    },
    /// Some of its apps went down and were not restored; `first` is when
    /// the first of the others' work finished, if any.
    NotBack {
        /// The first of its apps' work done, if any.
        first: Option<SimTime>,
    },
}

/// The state of every node in a run, and its edges caught in the trap: the
/// dependent's first work done before the dependency was back.
pub fn states(g: &Graph, o: &Outcome) -> (Vec<NodeState>, Vec<(usize, usize)>) {
    let mut states: Vec<NodeState> = g
        .nodes
        .iter()
        .map(|n| {
            let hit: Vec<usize> = n
                .apps
                .iter()
                .copied()
                .filter(|&a| !o.apps[a].outages.is_empty())
                .collect();
            if hit.is_empty() {
                return NodeState::NotHit;
            }
            let done: Vec<Option<SimTime>> = hit.iter().map(|&a| own_work_done(o, a)).collect();
            let first = done.iter().flatten().min().copied();
            match (first, done.iter().all(Option::is_some)) {
                (Some(first), true) => NodeState::Restored {
                    first,
                    done: done.iter().flatten().max().copied().unwrap_or(first),
                    rank: 0,
                },
                _ => NodeState::NotBack { first },
            }
        })
        .collect();
    let mut order: Vec<(SimTime, usize)> = states
        .iter()
        .enumerate()
        .filter_map(|(v, s)| match s {
            NodeState::Restored { done, .. } => Some((*done, v)),
            _ => None,
        })
        .collect();
    order.sort();
    let mut rank = 0;
    for (i, &(t, v)) in order.iter().enumerate() {
        if i == 0 || order[i - 1].0 != t {
            rank = i + 1;
        }
        if let NodeState::Restored { rank: r, .. } = &mut states[v] {
            *r = rank;
        }
    }
    let first_of = |s: &NodeState| match *s {
        NodeState::Restored { first, .. } => Some(first),
        NodeState::NotBack { first } => first,
        NodeState::NotHit => None,
    };
    let trapped = g
        .edges
        .iter()
        .copied()
        .filter(|&(from, to)| {
            let Some(first) = first_of(&states[from]) else {
                return false;
            };
            match states[to] {
                NodeState::NotHit => false,
                NodeState::Restored { done, .. } => first < done,
                NodeState::NotBack { .. } => true,
            }
        })
        .collect();
    (states, trapped)
}

/// The chart's finding: per strategy, how many nodes were restored before
/// what they depend on.
pub fn finding(scenario: &Scenario, g: &Graph, runs: &[&Outcome]) -> String {
    let what = if g.nodes.len() < scenario.apps.len() {
        "app groups"
    } else {
        "apps"
    };
    let parts: Vec<String> = runs
        .iter()
        .map(|o| {
            let (_, trapped) = states(g, o);
            let n = trapped.iter().map(|e| e.0).collect::<BTreeSet<_>>().len();
            let id = &scenario.strategies[o.strategy.index()].id;
            if n == 0 {
                format!("{id} restored nothing before what it depends on")
            } else {
                format!("{id} restored {n} {what} before what they depend on")
            }
        })
        .collect();
    if g.edges.is_empty() {
        return format!("No {what} depend on another: there is no dependency trap to fall into.");
    }
    format!("The dependency trap: {}.", parts.join("; "))
}

/// A label cut to `width` pixels, with an ellipsis.
fn fit(label: &str, width: f64, font_px: f64) -> String {
    if text_width(label, font_px) <= width {
        return label.to_string();
    }
    let keep = (width / (font_px * 0.62)).floor() as usize;
    let mut s: String = label.chars().take(keep.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The graph's subtitle: `named` (every strategy named) when all are
/// shown and it fits in `width`, else the count; on a slide that shows
/// fewer than `all`, which it shows.
fn subtitle_of(
    what: &str,
    strategies: &[&str],
    seed: u64,
    all: usize,
    named: String,
    width: f64,
    cv: &super::Canvas,
) -> String {
    if strategies.len() < all {
        format!(
            "{what}; the order {} restored them in (seed {seed}): {} of the {all} strategies, all with --preset standard",
            super::curve::and_list(strategies),
            strategies.len(),
        )
    } else if text_width(&named, cv.font_px) <= width {
        named
    } else {
        format!(
            "{what}; the order each of the {} strategies restored them in, one run each (seed {seed})",
            strategies.len()
        )
    }
}

/// Renders the graph with one panel per run (each of a strategy), in the
/// order given; `command` reproduces the runs (written under the title;
/// none if empty).
pub fn dependency_graph<'a>(
    scenario: &Scenario,
    runs: &[&Outcome],
    page: impl Into<Page<'a>>,
) -> String {
    let page = page.into();
    let cv = page.canvas;
    let g = graph(scenario);
    let axis = super::axis::DateAxis::new(scenario);
    let width = WIDTH;
    let left = 24.0;
    let plot_w = width - left - 24.0;
    let widest = g.layers.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let per_row = ((plot_w + NODE_GAP) / (MIN_NODE_W + NODE_GAP))
        .floor()
        .max(1.0) as usize;
    let across = widest.min(per_row);
    let node_w = ((plot_w + NODE_GAP) / across as f64 - NODE_GAP).clamp(MIN_NODE_W, MAX_NODE_W);
    // Each layer in rows of at most `per_row` nodes.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for layer in &g.layers {
        for chunk in layer.chunks(per_row) {
            rows.push(chunk.to_vec());
        }
    }
    let rows_h = rows.len().max(1) as f64 * ROW_GAP;
    let panel_h = PANEL_TITLE_H + rows_h;
    // On a page of fixed height, the panels of the first runs that fit.
    let every = runs;
    let runs = if cv.height.is_some() && !runs.is_empty() {
        let legend = legend_of(&g, runs);
        let room = page.layout(width, 1.0, Some(left), &[], &legend).frame.h;
        let fit = (room / panel_h).floor() as usize;
        &runs[..fit.clamp(1, runs.len())]
    } else {
        runs
    };
    let panels = runs.len().max(1);
    let legend = legend_of(&g, runs);
    let lay = page.layout(width, panels as f64 * panel_h, Some(left), &[], &legend);
    let f = lay.frame;
    // On a page of fixed height the rows spread over the panels' room.
    let (row_gap, panel_h) = if cv.height.is_some() {
        let n = rows.len().max(1) as f64;
        let gap = ((f.h / panels as f64 - PANEL_TITLE_H) / n).clamp(ROW_GAP, ROW_GAP * 1.6);
        (gap, PANEL_TITLE_H + n * gap)
    } else {
        (ROW_GAP, panel_h)
    };
    let what = if g.nodes.len() < scenario.apps.len() {
        format!(
            "{} apps in {} groups, by dependency depth",
            scenario.apps.len(),
            g.nodes.len()
        )
    } else {
        format!("{} apps, by dependency depth", scenario.apps.len())
    };
    let strategies: Vec<&str> = runs
        .iter()
        .map(|o| scenario.strategies[o.strategy.index()].id.as_str())
        .collect();
    let seed = runs.first().map_or(0, |o| o.seed);
    // Each panel names its strategy: the subtitle lists them only while
    // they fit on its line.
    let named = format!(
        "{what}; the order each strategy restored them in one run (seed {seed}): {}",
        strategies.join(", ")
    );
    let subtitle = subtitle_of(&what, &strategies, seed, every.len(), named, f.w, &cv);
    let mut svg = lay.start(
        "Which apps were restored before what they depend on",
        &subtitle,
    );
    let finding = finding(scenario, &g, every);
    // Where each node goes: centred rows, foundations on top.
    let mut at = vec![(0.0f64, 0.0f64); g.nodes.len()];
    for (r, row) in rows.iter().enumerate() {
        let row_w = row.len() as f64 * (node_w + NODE_GAP) - NODE_GAP;
        let x0 = f.x + (f.w - row_w) / 2.0;
        for (i, &v) in row.iter().enumerate() {
            at[v] = (
                x0 + i as f64 * (node_w + NODE_GAP),
                r as f64 * row_gap + PANEL_TITLE_H,
            );
        }
    }
    if runs.is_empty() {
        super::no_data(&mut svg, &f, "no run to show");
    }
    for (p, o) in runs.iter().enumerate() {
        let top = f.y + p as f64 * panel_h;
        let (states, trapped) = states(&g, o);
        let trapped_set: BTreeSet<(usize, usize)> = trapped.iter().copied().collect();
        let caught = trapped.iter().map(|e| e.0).collect::<BTreeSet<_>>().len();
        svg.open(&[("class", "panel".into())]);
        if p > 0 {
            svg.line((f.x, top), (f.x + f.w, top), GRID_GREY, cv.line(1.0));
        }
        svg.text_styled(
            f.x,
            top + 17.0,
            &format!(
                "strategy {}: {}",
                strategies[p],
                if caught == 0 {
                    "nothing restored before what it depends on".to_string()
                } else {
                    format!("{caught} restored before what they depend on")
                }
            ),
            Anchor::Start,
            &[("font-weight", "bold".into())],
        );
        // Edges under the nodes: from the top of the dependent to the
        // bottom of its dependency, the trap's drawn last, over the others.
        svg.open(&[("class", "edges".into())]);
        let mut edges: Vec<(usize, usize)> = g.edges.clone();
        edges.sort_by_key(|e| trapped_set.contains(e));
        for (from, to) in edges {
            let trap = trapped_set.contains(&(from, to));
            let (colour, width) = if trap { (TRAP, 2.5) } else { (EDGE, 1.2) };
            let width = cv.line(width);
            let a = (at[from].0 + node_w / 2.0, top + at[from].1);
            let b = (at[to].0 + node_w / 2.0, top + at[to].1 + NODE_H);
            let tip = format!(
                "{} depends on {}{}",
                g.nodes[from].label,
                g.nodes[to].label,
                if trap {
                    ": restored before it was back"
                } else {
                    ""
                }
            );
            svg.with_tip(
                "line",
                &[
                    ("x1", num(a.0)),
                    ("y1", num(a.1)),
                    ("x2", num(b.0)),
                    ("y2", num(b.1)),
                    ("stroke", colour.into()),
                    ("stroke-width", num(width)),
                    ("class", if trap { "trap" } else { "edge" }.into()),
                ],
                &tip,
            );
            arrow_head(&mut svg, a, b, colour);
        }
        svg.close();
        svg.open(&[("class", "nodes".into())]);
        for (v, node) in g.nodes.iter().enumerate() {
            let (x, y) = (at[v].0, top + at[v].1);
            let (fill, second, tip) = match states[v] {
                NodeState::NotHit => (NOT_HIT, "not hit".to_string(), "not hit".to_string()),
                NodeState::Restored { done, rank, .. } => (
                    RESTORED,
                    format!("#{rank} · {}", since_first(o, done)),
                    format!("restored #{rank}, at {}", axis.format(done)),
                ),
                NodeState::NotBack { .. } => (
                    NOT_BACK,
                    "not back".to_string(),
                    "not back at the end of the run".to_string(),
                ),
            };
            let mut a = rect_attrs(x, y, node_w, NODE_H, fill);
            a.push(("stroke", INK.into()));
            a.push(("stroke-width", "0.8".into()));
            a.push(("rx", "3".into()));
            svg.with_tip("rect", &a, &format!("{}: {tip}", node.label));
            svg.text_styled(
                x + node_w / 2.0,
                y + 13.0,
                &fit(&node.label, node_w - 6.0, cv.px(FONT_PX - 1.0)),
                Anchor::Middle,
                &[("font-size", num(cv.px(FONT_PX - 1.0)))],
            );
            svg.text_styled(
                x + node_w / 2.0,
                y + 26.0,
                &fit(&second, node_w - 6.0, cv.px(FONT_PX - 2.0)),
                Anchor::Middle,
                &[
                    ("font-size", num(cv.px(FONT_PX - 2.0))),
                    ("fill", "#444444".into()),
                ],
            );
        }
        svg.close();
        svg.close();
    }
    lay.legend(&mut svg, &legend);
    svg.describe(&finding);
    svg.finish()
}

/// The legend: edges, and the node states some panel shows.
fn legend_of(g: &Graph, runs: &[&Outcome]) -> Vec<LegendEntry> {
    let all: Vec<NodeState> = runs.iter().flat_map(|o| states(g, o).0).collect();
    let trapped = runs.iter().any(|o| !states(g, o).1.is_empty());
    let mut legend = Vec::new();
    if !g.edges.is_empty() {
        legend.push(LegendEntry {
            swatch: Swatch::Line(EDGE, ""),
            label: "depends on (arrow to the dependency)".into(),
        });
    }
    if trapped {
        legend.push(LegendEntry {
            swatch: Swatch::Line(TRAP, ""),
            label: "restored before what it depends on".into(),
        });
    }
    for (fill, label, shown) in [
        (
            RESTORED,
            "restored: #rank, then when",
            all.iter().any(|s| matches!(s, NodeState::Restored { .. })),
        ),
        (
            NOT_BACK,
            "not back at the end",
            all.iter().any(|s| matches!(s, NodeState::NotBack { .. })),
        ),
        (
            NOT_HIT,
            "not hit",
            all.iter().any(|s| matches!(s, NodeState::NotHit)),
        ),
    ] {
        if shown {
            legend.push(LegendEntry {
                swatch: Swatch::Fill(fill, 1.0),
                label: label.into(),
            });
        }
    }
    legend
}

/// `+1d 4h` after the run's first incident (or its start).
fn since_first(o: &Outcome, t: SimTime) -> String {
    let from = o.incidents.first().map_or(SimTime::ZERO, |i| i.at);
    format!("+{}", t.saturating_since(from))
}

/// A small arrow head at `b`, pointing from `a`.
fn arrow_head(svg: &mut Svg, a: (f64, f64), b: (f64, f64), colour: &str) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let (l, w) = (7.0, 3.5);
    let base = (b.0 - ux * l, b.1 - uy * l);
    svg.polygon(
        &[
            b,
            (base.0 - uy * w, base.1 + ux * w),
            (base.0 + uy * w, base.1 - ux * w),
        ],
        colour,
        1.0,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_the_longest_chain_and_order_under_the_dependencies() {
        // 0 and 1 have no dependency; 2 → 1; 3 → 2 and 0; 4 → 0.
        let edges = [(2, 1), (3, 0), (3, 2), (4, 0)];
        let l = layers(5, &edges);
        assert_eq!(l.len(), 3);
        assert_eq!(l[0], vec![0, 1]);
        // 4 sits under 0 (left), 2 under 1 (right).
        assert_eq!(l[1], vec![4, 2]);
        assert_eq!(l[2], vec![3]);
    }

    #[test]
    fn a_cycle_does_not_hang() {
        let l = layers(2, &[(0, 1), (1, 0)]);
        assert_eq!(l.iter().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn labels_are_cut_to_fit() {
        assert_eq!(fit("web", 100.0, 12.0), "web");
        let cut = fit("a-very-long-application-name", 60.0, 12.0);
        assert!(cut.ends_with('…') && text_width(&cut, 12.0) <= 60.0 + 8.0);
    }
}
