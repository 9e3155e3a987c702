//! Where the Gantt chart's bar labels go, none overlapping another.
//!
//! A label goes on its bar when it fits on the bar's widest solid piece.
//! The bars whose labels do not fit are then taken row by row, left to
//! right: a run of two or more such bars one after the other on the row
//! with the same grouping key (the same kind of work on apps of the same
//! group, or, for apps of no group, whose names are the same but for a
//! trailing number: `web-01`, `web-02`) gets one label, `web ×12`, over
//! the run when it fits there; any other label goes beside its bar, right
//! of it, or left of it near the right edge or when the right is taken.
//! A label that finds no free place is left out: its bar's tooltip names
//! it.

use crate::chart::svg::text_width;

/// A bar to label.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Its row.
    pub row: usize,
    /// Its solid pieces, left to right, in pixels.
    pub pieces: Vec<(f64, f64)>,
    /// Its whole extent (gaps included), in pixels.
    pub extent: (f64, f64),
    /// Its label.
    pub name: String,
    /// Bars with the same key are grouped (see the module's doc).
    pub key: String,
    /// A group's name: `web` in `web ×12`.
    pub family: String,
}

/// A label placed off its bar, or over a group of bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// Its row.
    pub row: usize,
    /// The x its text starts at.
    pub x: f64,
    /// Its text.
    pub text: String,
    /// The bars it labels (indices into the bars given).
    pub bars: Vec<usize>,
}

/// The family of a name: without a trailing number and the separator
/// before it (`web-012` → `web`); the name itself when nothing is left.
pub fn family(name: &str) -> String {
    let stem = name
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches(['-', '_', '.', ' ', '#']);
    if stem.is_empty() || stem.len() == name.len() {
        name.to_string()
    } else {
        stem.to_string()
    }
}

/// The place of every label of `bars`, in text of `font_px`, inside a
/// plot from `lo` to `hi`: for each bar, the centre of its label when it
/// is written on the bar; then the labels written beside or over their
/// bars. Deterministic: ties go to the bar given first.
pub fn place(bars: &[Bar], font_px: f64, (lo, hi): (f64, f64)) -> (Vec<Option<f64>>, Vec<Placed>) {
    const PAD: f64 = 3.0;
    let rows = bars.iter().map(|b| b.row + 1).max().unwrap_or(0);
    let mut taken: Vec<Vec<(f64, f64)>> = vec![Vec::new(); rows];
    let mut inside = vec![None; bars.len()];
    for (i, b) in bars.iter().enumerate() {
        let tw = text_width(&b.name, font_px);
        let widest = b
            .pieces
            .iter()
            .copied()
            .max_by(|p, q| (p.1 - p.0).total_cmp(&(q.1 - q.0)));
        if let Some((s, e)) = widest
            && tw + 4.0 <= e - s
        {
            let c = (s + e) / 2.0;
            inside[i] = Some(c);
            taken[b.row].push((c - tw / 2.0, c + tw / 2.0));
        }
    }
    // The bars left, by row and from the left.
    let mut order: Vec<usize> = (0..bars.len()).collect();
    order.sort_by(|&a, &b| {
        (bars[a].row, bars[a].extent.0)
            .partial_cmp(&(bars[b].row, bars[b].extent.0))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    // Runs of consecutive bars left without a label, with the same key.
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut prev: Option<usize> = None;
    for &i in &order {
        let continues = prev.is_some_and(|p| {
            inside[p].is_none() && bars[p].row == bars[i].row && bars[p].key == bars[i].key
        });
        if inside[i].is_none() {
            match runs.last_mut() {
                Some(run) if continues => run.push(i),
                _ => runs.push(vec![i]),
            }
        }
        prev = Some(i);
    }
    let free = |taken: &[(f64, f64)], a: f64, b: f64| {
        a >= lo - 0.01 && b <= hi + 0.01 && taken.iter().all(|&(s, e)| b + PAD <= s || e + PAD <= a)
    };
    let mut placed = Vec::new();
    for run in runs {
        let (first, last) = (&bars[run[0]], &bars[run[run.len() - 1]]);
        let text = if run.len() > 1 {
            format!("{} ×{}", first.family, run.len())
        } else {
            first.name.clone()
        };
        let tw = text_width(&text, font_px);
        let (a, b) = (
            first.extent.0,
            run.iter()
                .map(|&i| bars[i].extent.1)
                .fold(last.extent.1, f64::max),
        );
        let mut candidates = Vec::new();
        if run.len() > 1 && tw + 4.0 <= b - a {
            candidates.push((a + b) / 2.0 - tw / 2.0);
        }
        candidates.push(b + PAD);
        candidates.push(a - PAD - tw);
        let row = first.row;
        if let Some(x) = candidates
            .into_iter()
            .find(|&x| free(&taken[row], x, x + tw))
        {
            taken[row].push((x, x + tw));
            placed.push(Placed {
                row,
                x,
                text,
                bars: run,
            });
        }
    }
    (inside, placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(row: usize, a: f64, b: f64, name: &str) -> Bar {
        Bar {
            row,
            pieces: vec![(a, b)],
            extent: (a, b),
            name: name.into(),
            key: family(name),
            family: family(name),
        }
    }

    #[test]
    fn families_drop_a_trailing_number() {
        assert_eq!(family("web-012"), "web");
        assert_eq!(family("host fra-3"), "host fra");
        assert_eq!(family("erp"), "erp");
        assert_eq!(family("42"), "42");
    }

    #[test]
    fn labels_go_on_beside_or_over_their_bars_and_never_overlap() {
        let bars = vec![
            bar(0, 0.0, 200.0, "payments"),
            bar(0, 200.0, 204.0, "ledger"),
            bar(0, 300.0, 302.0, "web-1"),
            bar(0, 302.0, 304.0, "web-2"),
            bar(0, 304.0, 306.0, "web-3"),
            bar(1, 395.0, 399.0, "edge"),
        ];
        let (inside, placed) = place(&bars, 10.0, (0.0, 400.0));
        assert!(inside[0].is_some() && inside[1..].iter().all(Option::is_none));
        let texts: Vec<&str> = placed.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["ledger", "web ×3", "edge"]);
        // Right of its bar, and left of it at the right edge.
        assert!((placed[0].x - 207.0).abs() < 1e-9);
        assert!(placed[2].x + text_width("edge", 10.0) <= 395.0);
        for (i, p) in placed.iter().enumerate() {
            let (a, b) = (p.x, p.x + text_width(&p.text, 10.0));
            assert!(a >= 0.0 && b <= 400.0);
            for q in &placed[i + 1..] {
                let (c, d) = (q.x, q.x + text_width(&q.text, 10.0));
                assert!(p.row != q.row || b <= c || d <= a, "{p:?} {q:?}");
            }
        }
    }
}
