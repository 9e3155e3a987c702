//! A small SVG writer: just the elements the charts need, every text and
//! attribute value escaped, numbers printed with one decimal so the same
//! chart is always the same bytes.
//!
//! Hand-written rather than a plotting crate: those pull in font
//! discovery (fontconfig) at build time, and charts must render without a
//! network, a browser or system libraries.

use std::fmt::Write;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newlines are not XML.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate or length, with one decimal and no trailing `.0`.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// How text is anchored at its point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The point is the start of the text.
    Start,
    /// The point is the middle.
    Middle,
    /// The point is the end.
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Font size of ordinary chart text, in pixels.
pub const FONT_PX: f64 = 12.0;

/// An estimate of the width of `text` at `font_px`: generic sans-serif
/// averages a little over half an em per character. Used to decide
/// whether a label fits; generous so that labels never overlap.
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.62
}

/// An SVG document being written.
#[derive(Debug)]
pub struct Svg {
    buf: String,
    depth: usize,
    /// Where the `<desc>` goes: right after the `<title>`.
    desc_at: usize,
    described: bool,
}

impl Svg {
    /// A document of `width` × `height` pixels with an accessible title.
    pub fn new(width: f64, height: f64, title: &str) -> Self {
        Svg::with_font(width, height, title, FONT_PX)
    }

    /// [`Svg::new`] whose text is `font_px` high unless it says otherwise.
    pub fn with_font(width: f64, height: f64, title: &str, font_px: f64) -> Self {
        let mut buf = String::new();
        let _ = write!(
            buf,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"sans-serif\" font-size=\"{f}\" role=\"img\">\n<title>{t}</title>\n",
            w = num(width),
            h = num(height),
            f = num(font_px),
            t = escape(title)
        );
        let desc_at = buf.len();
        // An opaque background: the chart reads the same in a dark page.
        let _ = writeln!(
            buf,
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            num(width),
            num(height)
        );
        Svg {
            buf,
            depth: 0,
            desc_at,
            described: false,
        }
    }

    /// States what the chart shows, its finding first, in a `<desc>` after
    /// the title, for readers who do not see it (screen readers, search).
    /// Only the first description counts; an empty one is left out.
    pub fn describe(&mut self, desc: &str) {
        if self.described || desc.is_empty() {
            return;
        }
        self.described = true;
        self.buf
            .insert_str(self.desc_at, &format!("<desc>{}</desc>\n", escape(desc)));
    }

    fn attrs(&mut self, attrs: &[(&str, String)]) {
        for (k, v) in attrs {
            let _ = write!(self.buf, " {k}=\"{}\"", escape(v));
        }
    }

    /// An empty element `<name attrs/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.buf.push('<');
        self.buf.push_str(name);
        self.attrs(attrs);
        self.buf.push_str("/>\n");
    }

    /// An element with a tooltip: `<name attrs><title>tip</title></name>`.
    pub fn with_tip(&mut self, name: &str, attrs: &[(&str, String)], tip: &str) {
        self.buf.push('<');
        self.buf.push_str(name);
        self.attrs(attrs);
        let _ = writeln!(self.buf, "><title>{}</title></{name}>", escape(tip));
    }

    /// Opens a group; close it with [`Svg::close`].
    pub fn open(&mut self, attrs: &[(&str, String)]) {
        self.buf.push_str("<g");
        self.attrs(attrs);
        self.buf.push_str(">\n");
        self.depth += 1;
    }

    /// Closes the innermost open group.
    pub fn close(&mut self) {
        if self.depth > 0 {
            self.depth -= 1;
            self.buf.push_str("</g>\n");
        }
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        self.empty("rect", &rect_attrs(x, y, w, h, fill));
    }

    /// A straight line.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64) {
        self.line_dashed((x1, y1), (x2, y2), stroke, width, "");
    }

    /// A straight line, dashed when `dash` is not empty (`"4 3"`).
    pub fn line_dashed(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: &str,
    ) {
        let mut a = vec![
            ("x1", num(x1)),
            ("y1", num(y1)),
            ("x2", num(x2)),
            ("y2", num(y2)),
            ("stroke", stroke.to_string()),
            ("stroke-width", num(width)),
        ];
        if !dash.is_empty() {
            a.push(("stroke-dasharray", dash.to_string()));
        }
        self.empty("line", &a);
    }

    /// A polyline through `points`.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, dash: &str) {
        let mut a = vec![
            ("points", points_attr(points)),
            ("fill", "none".to_string()),
            ("stroke", stroke.to_string()),
            ("stroke-width", num(width)),
            ("stroke-linejoin", "round".to_string()),
        ];
        if !dash.is_empty() {
            a.push(("stroke-dasharray", dash.to_string()));
        }
        self.empty("polyline", &a);
    }

    /// A filled polygon.
    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        self.empty(
            "polygon",
            &[
                ("points", points_attr(points)),
                ("fill", fill.to_string()),
                ("fill-opacity", format!("{opacity}")),
                ("stroke", "none".to_string()),
            ],
        );
    }

    /// Text at a point.
    pub fn text(&mut self, x: f64, y: f64, text: &str, anchor: Anchor) {
        self.text_styled(x, y, text, anchor, &[]);
    }

    /// Text with extra attributes (`font-size`, `font-weight`, `transform`, `fill`).
    pub fn text_styled(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        anchor: Anchor,
        extra: &[(&str, String)],
    ) {
        self.buf.push_str("<text");
        let mut a = vec![("x", num(x)), ("y", num(y))];
        if anchor != Anchor::Start {
            a.push(("text-anchor", anchor.name().to_string()));
        }
        a.extend(extra.iter().cloned());
        self.attrs(&a);
        let _ = writeln!(self.buf, ">{}</text>", escape(text));
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        while self.depth > 0 {
            self.close();
        }
        self.buf.push_str("</svg>\n");
        self.buf
    }
}

/// The attributes of a rectangle, for [`Svg::empty`] with more of them.
pub fn rect_attrs(x: f64, y: f64, w: f64, h: f64, fill: &str) -> Vec<(&'static str, String)> {
    vec![
        ("x", num(x)),
        ("y", num(y)),
        ("width", num(w.max(0.0))),
        ("height", num(h.max(0.0))),
        ("fill", fill.to_string()),
    ]
}

fn points_attr(points: &[(f64, f64)]) -> String {
    let mut s = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{},{}", num(*x), num(*y));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut svg = Svg::new(100.0, 50.0, "a < b & \"c\"");
        svg.text(1.0, 2.0, "x<y>&'z'", Anchor::Middle);
        svg.empty("rect", &[("fill", "\"><script>".to_string())]);
        let doc = svg.finish();
        assert!(doc.contains("<title>a &lt; b &amp; &quot;c&quot;</title>"));
        assert!(doc.contains(">x&lt;y&gt;&amp;&#39;z&#39;</text>"));
        assert!(doc.contains("fill=\"&quot;&gt;&lt;script&gt;\""));
        assert!(!doc.contains("<script>"));
        assert!(doc.ends_with("</svg>\n"));
    }

    #[test]
    fn numbers_have_one_decimal_at_most() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(12.5), "12.5");
    }

    #[test]
    fn the_description_follows_the_title_once() {
        let mut svg = Svg::new(10.0, 10.0, "t");
        svg.text(1.0, 2.0, "x", Anchor::Start);
        svg.describe("a < b");
        svg.describe("ignored");
        let doc = svg.finish();
        assert!(
            doc.contains("<title>t</title>\n<desc>a &lt; b</desc>\n<rect"),
            "{doc}"
        );
        assert!(!doc.contains("ignored"));
    }

    #[test]
    fn groups_are_closed_at_the_end() {
        let mut svg = Svg::new(10.0, 10.0, "t");
        svg.open(&[("class", "a".into())]);
        svg.open(&[]);
        svg.close();
        let doc = svg.finish();
        assert_eq!(doc.matches("<g").count(), doc.matches("</g>").count());
    }
}
