//! Charts as PNG images, for slides and documents that take no SVG:
//! rendered with resvg (pure Rust, no system library) in the system's
//! sans-serif font.
//!
//! The same chart gives the same bytes on the same machine; another
//! machine with other fonts may draw its text a little differently (the
//! SVG is the reference).

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;

/// Why a chart could not be rendered as PNG.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// No font to draw the text with.
    #[error(
        "no sans-serif font on this system to draw the charts' text with: install one \
         (e.g. the fonts-dejavu-core package) or write SVG with --svg instead"
    )]
    NoFont,
    /// The chart is not an SVG document resvg reads (a defect of hvsim).
    #[error("cannot read the chart as SVG: {0}")]
    Svg(String),
    /// A chart of no pixels.
    #[error("the chart has no pixels to draw ({0} × {1})")]
    Empty(u32, u32),
    /// PNG encoding failed.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

/// Families tried first for `sans-serif`, in order; then any family whose
/// name has `Sans` (and not `Mono`), the first by name.
const PREFERRED: [&str; 5] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
];

/// Renders charts to PNG with the fonts it found once.
pub struct Renderer {
    options: usvg::Options<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// A renderer with the system's fonts, `sans-serif` mapped to the
    /// first of the preferred faces there is (DejaVu Sans, Liberation
    /// Sans, Noto Sans, Arial, Helvetica; or another sans face); an error
    /// if the system has none.
    pub fn new() -> Result<Self, PngError> {
        let mut options = usvg::Options::default();
        let db = options.fontdb_mut();
        db.load_system_fonts();
        let mut families: Vec<String> = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        families.sort();
        families.dedup();
        let family = PREFERRED
            .iter()
            .find(|p| families.iter().any(|f| f == *p))
            .map(|p| p.to_string())
            .or_else(|| {
                families
                    .into_iter()
                    .find(|f| f.contains("Sans") && !f.contains("Mono"))
            })
            .ok_or(PngError::NoFont)?;
        db.set_sans_serif_family(family);
        Ok(Renderer { options })
    }

    /// The PNG image of `svg`, at the size the document declares.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, PngError> {
        let tree =
            usvg::Tree::from_str(svg, &self.options).map_err(|e| PngError::Svg(e.to_string()))?;
        let size = tree.size().to_int_size();
        let mut pixmap = Pixmap::new(size.width(), size.height())
            .ok_or(PngError::Empty(size.width(), size.height()))?;
        resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
        pixmap
            .encode_png()
            .map_err(|e| PngError::Encode(e.to_string()))
    }
}
