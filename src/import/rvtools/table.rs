//! One tab of an export, whatever file it came from: its header, its cells
//! as typed values, and the located errors of reading them.

use std::collections::BTreeMap;

use super::super::ImportError;

/// Most data rows a tab may have (Excel's own limit is 1,048,575 under a
/// header; an estate with a million VMs is not a first import).
pub const MAX_ROWS: u64 = 1_000_000;
/// Most columns a tab may have (RVTools writes about a hundred).
pub const MAX_COLUMNS: u64 = 1_000;
/// Longest text a cell may hold, in bytes.
pub const MAX_CELL_BYTES: usize = 64 * 1024;

/// A cell's value: CSV cells are all text; workbook cells keep their type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
}

impl Value {
    /// The value as text: what a person reading the cell sees.
    pub fn as_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.trim().to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => format!("{n}"),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// A tab's header: which column has which name.
#[derive(Debug)]
pub struct Tab {
    /// The file, as the user named it.
    pub file: String,
    /// The tab's name (`vInfo`, ...).
    pub tab: String,
    names: Vec<String>,
    by_name: BTreeMap<String, usize>,
}

/// A column name compared loosely: case, spaces and `_` do not matter.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Tab {
    /// The tab whose first row is `header`.
    pub fn new(file: &str, tab: &str, header: &[Value]) -> Tab {
        let names: Vec<String> = header.iter().map(Value::as_text).collect();
        let mut by_name = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            by_name.entry(fold(n)).or_insert(i);
        }
        Tab {
            file: file.to_string(),
            tab: tab.to_string(),
            names,
            by_name,
        }
    }

    /// How many fields a row of the tab has: up to its last named column.
    pub fn fields(&self) -> usize {
        self.names
            .iter()
            .rposition(|n| !n.is_empty())
            .map_or(0, |i| i + 1)
    }

    /// The first of `variants` that is a column of the tab.
    pub fn find(&self, variants: &[&str]) -> Option<usize> {
        variants
            .iter()
            .find_map(|v| self.by_name.get(&fold(v)).copied())
    }

    /// The first of `variants` that is a column, or an error naming them.
    pub fn require(&self, variants: &[&str]) -> Result<usize, ImportError> {
        self.find(variants).ok_or_else(|| {
            let names: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
            ImportError::Tab {
                file: self.file.clone(),
                tab: self.tab.clone(),
                message: format!(
                    "no column {}: is this an RVTools export? (accepted names: docs/import.md)",
                    names.join(" or ")
                ),
            }
        })
    }

    /// How many columns the header has.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// The name of column `col`, as in the file.
    pub fn name(&self, col: usize) -> &str {
        self.names.get(col).map_or("?", String::as_str)
    }

    /// An error about the cell at `row` (1-based, as a spreadsheet counts,
    /// the header being row 1), column `col`.
    pub fn error(&self, row: u64, col: usize, message: impl Into<String>) -> ImportError {
        ImportError::Cell {
            file: self.file.clone(),
            tab: self.tab.clone(),
            row,
            column: self.name(col).to_string(),
            message: message.into(),
        }
    }
}

/// One data row of a tab, with the accessors that turn its cells into
/// what the import needs or a located error.
pub struct Row<'a> {
    /// The tab.
    pub tab: &'a Tab,
    /// Its number, 1-based as a spreadsheet counts (the header is row 1).
    pub number: u64,
    /// Its cells.
    pub cells: &'a [Value],
}

impl Row<'_> {
    fn cell(&self, col: usize) -> &Value {
        self.cells.get(col).unwrap_or(&Value::Empty)
    }

    /// Whether every cell is empty (a blank line or a trailing row).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Value::is_empty)
    }

    /// The cell's text (empty when absent).
    pub fn text(&self, col: Option<usize>) -> String {
        col.map(|c| self.cell(c).as_text()).unwrap_or_default()
    }

    /// The cell's text (empty when the column is absent), which must be
    /// empty or one of `accepted` (lower case; compared without case), for
    /// a column whose every value means something.
    pub fn one_of(
        &self,
        col: Option<usize>,
        accepted: &[&str],
        what: &str,
    ) -> Result<String, ImportError> {
        let Some(c) = col else {
            return Ok(String::new());
        };
        let t = self.cell(c).as_text();
        if t.is_empty() || accepted.contains(&t.to_ascii_lowercase().as_str()) {
            return Ok(t);
        }
        Err(self.tab.error(
            self.number,
            c,
            format!(
                "{what}: expected one of {} (or nothing), got `{t}`",
                accepted
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }

    /// The cell's text, which must not be empty.
    pub fn name(&self, col: usize, what: &str) -> Result<String, ImportError> {
        let t = self.cell(col).as_text();
        if t.is_empty() {
            return Err(self.tab.error(
                self.number,
                col,
                format!("expected {what}, got an empty cell"),
            ));
        }
        Ok(t)
    }

    /// A whole number (a count or MiB) in `0..=max`.
    pub fn whole(&self, col: usize, what: &str, max: u64) -> Result<u64, ImportError> {
        let bad = |got: String| {
            self.tab.error(
                self.number,
                col,
                format!("expected {what} (a whole number up to {max}), got {got}"),
            )
        };
        let n = match self.cell(col) {
            Value::Number(n) => *n,
            Value::Text(t) => {
                let t = t.trim();
                t.parse::<f64>().map_err(|_| bad(format!("`{t}`")))?
            }
            Value::Empty => return Err(bad("an empty cell".into())),
            Value::Bool(b) => return Err(bad(format!("`{b}`"))),
        };
        if !n.is_finite() || n < 0.0 || n.fract() != 0.0 || n > max as f64 {
            return Err(bad(format!("`{}`", self.cell(col).as_text())));
        }
        Ok(n as u64)
    }

    /// Like [`Row::whole`], but `None` for an absent column or empty cell.
    pub fn whole_opt(
        &self,
        col: Option<usize>,
        what: &str,
        max: u64,
    ) -> Result<Option<u64>, ImportError> {
        match col {
            Some(c) if !self.cell(c).is_empty() => self.whole(c, what, max).map(Some),
            _ => Ok(None),
        }
    }

    /// A yes/no cell (`True`/`False`, `yes`/`no`, `1`/`0`); empty or
    /// absent is no.
    pub fn flag(&self, col: Option<usize>) -> Result<bool, ImportError> {
        let Some(c) = col else { return Ok(false) };
        match self.cell(c) {
            Value::Bool(b) => Ok(*b),
            Value::Empty => Ok(false),
            Value::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
            v => match v.as_text().to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" | "n" => Ok(false),
                "true" | "yes" | "1" | "y" => Ok(true),
                other => Err(self.tab.error(
                    self.number,
                    c,
                    format!("expected `True` or `False`, got `{other}`"),
                )),
            },
        }
    }
}
