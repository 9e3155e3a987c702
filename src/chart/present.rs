//! Every chart as the command line writes it: with the scenario's name
//! and dates above its title, and in one of two presets: `standard` (the
//! chart at its own size, as the HTML report shows it) or `slide` (a
//! 1920 × 1080 page, 16:9).
//!
//! A slide chart is laid out for the slide first, on
//! [`super::Canvas::slide`] (960 × 540 logical pixels, larger type,
//! thicker lines, fewer ticks, the plot filling the page); here it gets
//! its band and is shown twice as large, so that it fills the page
//! exactly. A chart taller than the page (more rows than it holds) is
//! shown whole, centred, with white bands beside it.
//!
//! It works on the finished document of any chart drawn with
//! [`super::svg::Svg`], so that a new chart kind gets it without a line
//! of its own.

use super::clock::Clock;
use super::svg::{escape, num, text_width};
use crate::model::Scenario;

/// How a chart is laid out on its page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preset {
    /// The chart at its own size (960 px wide), as in the HTML report.
    #[default]
    Standard,
    /// A 16:9 page of [`SLIDE_WIDTH`] × [`SLIDE_HEIGHT`] pixels, the chart
    /// scaled to fill it and centred on white.
    Slide,
}

/// The slide preset's width, in pixels.
pub const SLIDE_WIDTH: f64 = 1920.0;
/// The slide preset's height, in pixels.
pub const SLIDE_HEIGHT: f64 = 1080.0;

/// The line that names what a chart is about: the scenario's name and
/// the dates it simulates, in its time zone: `Nouvelle-Calédonie, December
/// 2018 · 24 Dec 2018 – 23 Jan 2019 (Pacific/Noumea)`.
pub fn scenario_line(scenario: &Scenario) -> String {
    let clock = Clock::new(scenario);
    let day = |t| {
        clock
            .zoned(t)
            .map_or_else(|| t.to_string(), |z| z.strftime("%-d %b %Y").to_string())
    };
    let (from, to) = (day(crate::sim::SimTime::ZERO), day(scenario.horizon_end()));
    let dates = if from == to {
        from
    } else {
        format!("{from} – {to}")
    };
    let zone = scenario.tz.iana_name().unwrap_or("UTC");
    format!("{} · {dates} ({zone})", scenario.name)
}

/// `text` if it fits in `width` pixels at `font_px`, else as many of its
/// words as fit followed by `…`.
fn fit_line(text: &str, width: f64, font_px: f64) -> String {
    if text_width(text, font_px) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        let longer = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if text_width(&format!("{longer} …"), font_px) > width {
            break;
        }
        out = longer;
    }
    format!("{out} …")
}

/// The size a chart's root element declares, `None` if `svg` is not a
/// chart drawn by [`super::svg::Svg`].
fn size_of(svg: &str) -> Option<(f64, f64, f64, usize)> {
    let end = svg.find('>')?;
    let root = svg.get(..end)?;
    if !root.starts_with("<svg ") {
        return None;
    }
    let attr = |name: &str| -> Option<f64> {
        let at = root.find(&format!(" {name}=\""))? + name.len() + 3;
        root.get(at..)?.split('"').next()?.parse().ok()
    };
    let font = attr("font-size").unwrap_or(super::svg::FONT_PX);
    Some((attr("width")?, attr("height")?, font, end + 1))
}

/// `svg`, a chart drawn by [`super::svg::Svg`], with `context` (see
/// [`scenario_line`]) in a band above its title, on the page of `preset`.
/// The chart's `<title>` gains the context too, and its `<desc>` stays.
/// Anything else is returned as it is.
pub fn present(svg: &str, context: &str, preset: Preset) -> String {
    let Some((w, h, font, body_at)) = size_of(svg) else {
        return svg.to_string();
    };
    let body = &svg[body_at..];
    // The title, then the description, then the background: the rest is
    // the chart itself, moved down below the band.
    let (title, rest) = match body
        .trim_start()
        .strip_prefix("<title>")
        .and_then(|b| b.split_once("</title>"))
    {
        Some((t, rest)) => (t.to_string(), rest.trim_start()),
        None => (String::new(), body.trim_start()),
    };
    let (desc, rest) = match rest
        .strip_prefix("<desc>")
        .and_then(|b| b.split_once("</desc>"))
    {
        Some((d, rest)) => (Some(d), rest.trim_start()),
        None => (None, rest),
    };
    let rest = match rest.split_once('\n') {
        Some((first, more)) if first.starts_with("<rect x=\"0\" y=\"0\"") => more,
        _ => rest,
    };
    let rest = rest.strip_suffix("</svg>\n").unwrap_or(rest);
    // The band's text starts where the chart's title does.
    let left = rest
        .split_once("<text x=\"")
        .and_then(|(_, t)| t.split('"').next()?.parse::<f64>().ok())
        .unwrap_or(8.0);
    let canvas = super::Canvas::of(preset);
    let band = canvas.context_h;
    let (cw, ch) = (w, h + band);
    let (width, height, view) = match preset {
        Preset::Standard => (cw, ch, (0.0, 0.0, cw, ch)),
        Preset::Slide => {
            let ratio = SLIDE_WIDTH / SLIDE_HEIGHT;
            let view = if cw / ch > ratio {
                let vh = cw / ratio;
                (0.0, -(vh - ch) / 2.0, cw, vh)
            } else {
                let vw = ch * ratio;
                (-(vw - cw) / 2.0, 0.0, vw, ch)
            };
            (SLIDE_WIDTH, SLIDE_HEIGHT, view)
        }
    };
    let title = if title.is_empty() {
        escape(context)
    } else {
        format!("{title} — {}", escape(context))
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" \
         font-family=\"sans-serif\" font-size=\"{}\" role=\"img\">\n<title>{title}</title>\n",
        num(width),
        num(height),
        num(view.0),
        num(view.1),
        num(view.2),
        num(view.3),
        num(font),
    );
    if let Some(d) = desc {
        out.push_str(&format!("<desc>{d}</desc>\n"));
    }
    out.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
        num(view.0),
        num(view.1),
        num(view.2),
        num(view.3)
    ));
    // On a slide the line ends at the page's edge, cut short if it must
    // be (the `<title>` has all of it).
    let shown = match preset {
        Preset::Standard => context.to_string(),
        Preset::Slide => fit_line(context, view.0 + view.2 - left - 8.0, font),
    };
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" class=\"context\" fill=\"#555555\">{}</text>\n",
        num(left),
        num(band - 6.0),
        escape(&shown)
    ));
    out.push_str(&format!(
        "<g transform=\"translate(0 {})\">\n{rest}</g>\n</svg>\n",
        num(band)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::svg::{Anchor, Svg};

    fn chart(w: f64, h: f64) -> String {
        let mut svg = Svg::new(w, h, "Apps up");
        svg.describe("restore-from-backup is back first");
        svg.text(78.0, 20.0, "Apps up", Anchor::Start);
        svg.finish()
    }

    #[test]
    fn the_context_goes_above_the_title_and_into_it() {
        let doc = present(&chart(960.0, 500.0), "2018 · 24 Dec 2018", Preset::Standard);
        assert!(
            doc.starts_with(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"522\""
            )
        );
        assert!(
            doc.contains("<title>Apps up — 2018 · 24 Dec 2018</title>"),
            "{doc}"
        );
        assert!(doc.contains("<desc>restore-from-backup is back first</desc>"));
        assert!(doc.contains("<text x=\"78\" y=\"16\" class=\"context\""));
        assert_eq!(doc.matches("<svg").count(), 1);
        assert_eq!(doc.matches("<title>").count(), 1);
        assert_eq!(doc.matches("<g").count(), doc.matches("</g>").count());
    }

    #[test]
    fn a_slide_is_16_by_9_whatever_the_chart() {
        for (w, h) in [(960.0, 300.0), (960.0, 1400.0)] {
            let doc = present(&chart(w, h), "x", Preset::Slide);
            assert!(doc.contains("width=\"1920\" height=\"1080\""), "{doc}");
            let view: Vec<f64> = doc
                .split("viewBox=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .map(|v| v.split(' ').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            assert!((view[2] / view[3] - 16.0 / 9.0).abs() < 0.01, "{view:?}");
            assert!(view[2] >= w && view[3] >= h);
        }
    }

    #[test]
    fn a_chart_laid_out_for_the_slide_fills_it_at_twice_its_size() {
        let c = crate::chart::Canvas::slide();
        let h = c.height.unwrap_or(0.0);
        let doc = present(
            &Svg::with_font(c.width, h, "t", c.font_px).finish(),
            &"a long scenario name ".repeat(10),
            Preset::Slide,
        );
        assert!(
            doc.contains("viewBox=\"0 0 960 540\" font-family=\"sans-serif\" font-size=\"13\""),
            "{doc}"
        );
        // The scenario line is cut at the page's edge, whole in the title.
        let line = doc
            .split("class=\"context\" fill=\"#555555\">")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or_default();
        assert!(
            line.ends_with(" …") && text_width(line, 13.0) <= 960.0,
            "{line}"
        );
    }

    #[test]
    fn anything_else_is_left_alone() {
        assert_eq!(present("not a chart", "x", Preset::Slide), "not a chart");
    }
}
