//! The two file forms of an export, read tab by tab and row by row, each
//! bounded before it is read whole: a workbook (`.xlsx`, through
//! `calamine`) and a folder of CSV tab exports (`RVTools_tabvInfo.csv`, ...).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};

use super::super::ImportError;
use super::table::{MAX_CELL_BYTES, MAX_COLUMNS, MAX_ROWS, Row, Tab, Value};

/// Largest export file read (a workbook, or one CSV tab).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest uncompressed part of a workbook (a sheet's XML, the shared
/// strings), as its zip directory declares it.
pub const MAX_ENTRY_BYTES: u64 = 1024 * 1024 * 1024;
/// Largest ratio of a workbook part's uncompressed to compressed size: a
/// sheet of real data compresses about 10 to 1; a bomb, thousands to 1.
pub const MAX_RATIO: u64 = 200;
/// Most parts a workbook may have.
pub const MAX_ENTRIES: usize = 10_000;

/// What is done with a tab's rows: its header first, then each row.
pub trait Visit {
    /// The tab's header (its first row) was read: find the columns.
    fn header(&mut self, tab: &Tab) -> Result<(), ImportError>;
    /// One data row.
    fn row(&mut self, row: &Row<'_>) -> Result<(), ImportError>;
}

fn read_error(file: &str, message: impl Into<String>) -> ImportError {
    ImportError::Read {
        file: file.to_string(),
        message: message.into(),
    }
}

fn too_many_rows(file: &str, tab: &str) -> ImportError {
    ImportError::Tab {
        file: file.to_string(),
        tab: tab.to_string(),
        message: format!(
            "more than {MAX_ROWS} rows: over the limit of an import (split the export by datacenter)"
        ),
    }
}

fn too_many_columns(file: &str, tab: &str) -> ImportError {
    ImportError::Tab {
        file: file.to_string(),
        tab: tab.to_string(),
        message: format!("more than {MAX_COLUMNS} columns: not an RVTools tab"),
    }
}

/// Checks a file's size before it is opened for reading.
pub fn check_size(path: &Path, file: &str) -> Result<(), ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(file, e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(read_error(
            file,
            format!(
                "{} bytes: over the limit of {MAX_FILE_BYTES} bytes per export file",
                meta.len()
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- CSV

/// Counts a CSV file's records without keeping them, to refuse a tab of
/// too many rows before its rows are read (and kept).
pub fn check_csv_rows(path: &Path, file: &str, tab: &str) -> Result<(), ImportError> {
    let f = File::open(path).map_err(|e| read_error(file, e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(f));
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        n += 1;
        if n > MAX_ROWS + 1 {
            return Err(too_many_rows(file, tab));
        }
    }
    Ok(())
}

/// Reads one CSV tab export into `visit`. The delimiter is the one of
/// `,`, `;` and tab that the header line has most of; a byte-order mark is
/// skipped; text that is not UTF-8 is read with replacement characters.
pub fn read_csv(
    input: impl Read,
    file: &str,
    tab: &str,
    visit: &mut dyn Visit,
) -> Result<(), ImportError> {
    let mut input = BufReader::new(input.take(MAX_FILE_BYTES + 1));
    // The header line decides the delimiter.
    let mut head = Vec::new();
    {
        use std::io::BufRead;
        let mut limited = (&mut input).take(MAX_CELL_BYTES as u64 * 4);
        limited
            .read_until(b'\n', &mut head)
            .map_err(|e| read_error(file, e.to_string()))?;
    }
    let start = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let count = |b: u8| head.iter().filter(|&&c| c == b).count();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&b| (count(b), b == b','))
        .unwrap_or(b',');
    let joined = std::io::Cursor::new(head[start..].to_vec()).chain(input);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(joined);
    let mut record = csv::ByteRecord::new();
    let mut cells: Vec<Value> = Vec::new();
    let mut header: Option<Tab> = None;
    let mut number = 0u64;
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            read_error(
                file,
                format!(
                    "tab {tab}: not a readable CSV file near row {}: {e}",
                    number + 1
                ),
            )
        })?;
        if !more {
            break;
        }
        number += 1;
        if number > MAX_ROWS + 1 {
            return Err(too_many_rows(file, tab));
        }
        if record.len() as u64 > MAX_COLUMNS {
            return Err(too_many_columns(file, tab));
        }
        cells.clear();
        for field in record.iter() {
            if field.len() > MAX_CELL_BYTES {
                return Err(read_error(
                    file,
                    format!(
                        "tab {tab}, row {number}: a cell of {} bytes, over the limit of {MAX_CELL_BYTES}",
                        field.len()
                    ),
                ));
            }
            let text = String::from_utf8_lossy(field);
            cells.push(if text.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(text.into_owned())
            });
        }
        match &header {
            None => {
                let t = Tab::new(file, tab, &cells);
                visit.header(&t)?;
                header = Some(t);
            }
            Some(t) => {
                // RVTools writes every field of every row: a row with
                // fewer is a file cut short or a broken line, whose last
                // cell would otherwise be read as a shorter value.
                if cells.len() < t.fields() {
                    return Err(read_error(
                        file,
                        format!(
                            "tab {tab}, row {number}: {} fields where the header has {}: \
                             the file is cut short or the line is broken; export it again",
                            cells.len(),
                            t.fields()
                        ),
                    ));
                }
                visit.row(&Row {
                    tab: t,
                    number,
                    cells: &cells,
                })?
            }
        }
    }
    match header {
        Some(_) => Ok(()),
        None => Err(ImportError::Tab {
            file: file.to_string(),
            tab: tab.to_string(),
            message: "the file is empty: expected a header row".into(),
        }),
    }
}

// ---------------------------------------------------------------- xlsx

/// An opened workbook, its parts checked.
pub struct Workbook<R: Read + Seek> {
    file: String,
    book: Xlsx<R>,
}

/// Checks the zip directory of a workbook: a readable archive, not too
/// many parts, none declared too big or compressed like a bomb.
fn check_zip<R: Read + Seek>(mut reader: R, file: &str) -> Result<R, ImportError> {
    let not_xlsx = |e: String| {
        read_error(
            file,
            format!(
                "not a readable .xlsx workbook (a zip archive): {e}; export it again from RVTools"
            ),
        )
    };
    let mut zip = zip::ZipArchive::new(&mut reader).map_err(|e| not_xlsx(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(not_xlsx(format!(
            "{} parts, over the limit of {MAX_ENTRIES}",
            zip.len()
        )));
    }
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_xlsx(e.to_string()))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > MAX_ENTRY_BYTES {
            return Err(read_error(
                file,
                format!(
                    "part `{name}` unpacks to {size} bytes, over the limit of {MAX_ENTRY_BYTES}: refused unread"
                ),
            ));
        }
        if size > 1024 * 1024 && size / packed.max(1) > MAX_RATIO {
            return Err(read_error(
                file,
                format!(
                    "part `{name}` unpacks {size} bytes from {packed} (over {MAX_RATIO} to 1): a zip bomb, refused unread"
                ),
            ));
        }
    }
    drop(zip);
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| read_error(file, e.to_string()))?;
    Ok(reader)
}

/// Opens a workbook file.
pub fn open_xlsx(path: &Path, file: &str) -> Result<Workbook<BufReader<File>>, ImportError> {
    check_size(path, file)?;
    let f = File::open(path).map_err(|e| read_error(file, e.to_string()))?;
    open_xlsx_reader(BufReader::new(f), file)
}

/// Opens a workbook from any reader (the fuzz target reads bytes).
pub fn open_xlsx_reader<R: Read + Seek>(reader: R, file: &str) -> Result<Workbook<R>, ImportError> {
    let reader = check_zip(reader, file)?;
    let book = Xlsx::new(reader).map_err(|e| {
        read_error(
            file,
            format!("not a readable .xlsx workbook: {e}; export it again from RVTools"),
        )
    })?;
    Ok(Workbook {
        file: file.to_string(),
        book,
    })
}

impl<R: Read + Seek> Workbook<R> {
    /// The sheet named `tab` (case-insensitive), if the workbook has it.
    pub fn sheet(&self, tab: &str) -> Option<String> {
        self.book
            .sheet_names()
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(tab))
    }

    /// The workbook's sheet names.
    pub fn sheets(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// Reads sheet `sheet` into `visit`, refusing it unread if it declares
    /// too many rows or columns, and refusing formulas.
    pub fn read(&mut self, sheet: &str, visit: &mut dyn Visit) -> Result<(), ImportError> {
        let file = self.file.clone();
        let mut cells = self
            .book
            .worksheet_cells_reader(sheet)
            .map_err(|e| read_error(&file, format!("sheet {sheet}: {e}")))?;
        let dim = cells.dimensions();
        if u64::from(dim.end.0) > MAX_ROWS {
            return Err(ImportError::Tab {
                file,
                tab: sheet.to_string(),
                message: format!(
                    "the sheet declares {} rows, over the limit of {MAX_ROWS}: refused unread",
                    u64::from(dim.end.0) + 1
                ),
            });
        }
        if u64::from(dim.end.1) >= MAX_COLUMNS {
            return Err(too_many_columns(&file, sheet));
        }
        let mut state = SheetRows {
            file: &file,
            sheet,
            header: None,
            row: Vec::new(),
            at: None,
        };
        loop {
            let next = cells
                .next_cell_with_formula()
                .map_err(|e| read_error(&file, format!("sheet {sheet}: damaged sheet XML: {e}")))?;
            let Some(cell) = next else { break };
            let (r, c) = cell.pos;
            if u64::from(r) > MAX_ROWS {
                return Err(too_many_rows(&file, sheet));
            }
            if u64::from(c) >= MAX_COLUMNS {
                return Err(too_many_columns(&file, sheet));
            }
            if let Some(f) = &cell.formula {
                let mut f = f.clone();
                f.truncate(60);
                return Err(ImportError::Cell {
                    file: file.clone(),
                    tab: sheet.to_string(),
                    row: u64::from(r) + 1,
                    column: state
                        .header
                        .as_ref()
                        .filter(|t| (c as usize) < t.width())
                        .map_or_else(|| column_letters(c), |t| t.name(c as usize).to_string()),
                    message: format!(
                        "holds a formula (`={f}`): hvsim reads values, as RVTools writes them; paste the column as values"
                    ),
                });
            }
            let value = value_of(cell.value, &file, sheet, r, c)?;
            state.push(r, c, value, visit)?;
        }
        state.flush(visit)?;
        if state.header.is_none() {
            return Err(ImportError::Tab {
                file,
                tab: sheet.to_string(),
                message: "the sheet is empty: expected a header row".into(),
            });
        }
        Ok(())
    }
}

/// A column's letters (0 is `A`).
fn column_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

fn value_of(v: DataRef<'_>, file: &str, sheet: &str, r: u32, c: u32) -> Result<Value, ImportError> {
    let text = |t: &str| -> Result<Value, ImportError> {
        if t.len() > MAX_CELL_BYTES {
            return Err(ImportError::Cell {
                file: file.to_string(),
                tab: sheet.to_string(),
                row: u64::from(r) + 1,
                column: column_letters(c),
                message: format!(
                    "a cell of {} bytes, over the limit of {MAX_CELL_BYTES}",
                    t.len()
                ),
            });
        }
        Ok(if t.trim().is_empty() {
            Value::Empty
        } else {
            Value::Text(t.to_string())
        })
    };
    Ok(match v {
        DataRef::Int(i) => Value::Number(i as f64),
        DataRef::Float(f) => Value::Number(f),
        DataRef::String(s) => text(&s)?,
        DataRef::SharedString(s) => text(s)?,
        DataRef::Bool(b) => Value::Bool(b),
        DataRef::DateTime(d) => Value::Number(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(&s)?,
        DataRef::Error(e) => Value::Text(format!("#{e:?}")),
        DataRef::Empty => Value::Empty,
    })
}

/// Cells in stream order gathered into rows.
struct SheetRows<'s> {
    file: &'s str,
    sheet: &'s str,
    header: Option<Tab>,
    row: Vec<Value>,
    at: Option<u32>,
}

impl SheetRows<'_> {
    fn push(
        &mut self,
        r: u32,
        c: u32,
        value: Value,
        visit: &mut dyn Visit,
    ) -> Result<(), ImportError> {
        if self.at != Some(r) {
            self.flush(visit)?;
            self.at = Some(r);
        }
        let c = c as usize;
        if self.row.len() <= c {
            self.row.resize(c + 1, Value::Empty);
        }
        self.row[c] = value;
        Ok(())
    }

    fn flush(&mut self, visit: &mut dyn Visit) -> Result<(), ImportError> {
        let Some(r) = self.at.take() else {
            return Ok(());
        };
        match &self.header {
            None => {
                let t = Tab::new(self.file, self.sheet, &self.row);
                visit.header(&t)?;
                self.header = Some(t);
            }
            Some(t) => visit.row(&Row {
                tab: t,
                number: u64::from(r) + 1,
                cells: &self.row,
            })?,
        }
        self.row.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::column_letters;

    #[test]
    fn columns_are_named_like_a_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
