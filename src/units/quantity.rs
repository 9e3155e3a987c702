//! Parsing and printing of the human-friendly units of scenario files and
//! reports: durations, byte sizes and throughputs, in the forms described
//! in the [module docs of `units`](super).

use std::fmt;
use std::str::FromStr;

use super::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration};

const EXPECTED_DURATION: &str = "a duration like `4h30m`, `2d` or `90s`";
const EXPECTED_SIZE: &str = "a size like `800GiB`, `1.5TiB` or `500GB`";
const EXPECTED_THROUGHPUT: &str = "a throughput like `400GiB/h`, `100MiB/s` or `1Gbit/s`";

/// Why a duration, size or throughput could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// The text was empty or only whitespace.
    #[error("expected {expected}, got an empty string")]
    Empty {
        /// What was expected, e.g. "a duration like `4h30m`, `2d` or `90s`".
        expected: &'static str,
    },
    /// The text is not of the expected form (bad number, unknown or missing
    /// unit, stray characters).
    #[error("expected {expected}, got `{text}`")]
    Invalid {
        /// What was expected, e.g. "a duration like `4h30m`, `2d` or `90s`".
        expected: &'static str,
        /// The offending text, trimmed.
        text: String,
    },
    /// A negative quantity.
    #[error("{what} cannot be negative, got `{text}`")]
    Negative {
        /// "a duration", "a size" or "a throughput".
        what: &'static str,
        /// The offending text, trimmed.
        text: String,
    },
    /// The value does not fit (durations: `u64` milliseconds, about 584
    /// million years; sizes: `u64` bytes, 16 EiB).
    #[error("{what} `{text}` is too large")]
    Overflow {
        /// "duration", "size" or "throughput".
        what: &'static str,
        /// The offending text, trimmed.
        text: String,
    },
    /// A unit ending in a lowercase `b` (`Gb`, `500mb`): a bit to network
    /// people and a byte to others, so never guessed.
    #[error("`{text}` is ambiguous: {hint}")]
    AmbiguousB {
        /// The offending text, trimmed.
        text: String,
        /// What to write instead.
        hint: String,
    },
    /// A throughput of zero, which would make every transfer endless.
    #[error("a throughput must be greater than zero, got `{text}`")]
    ZeroThroughput {
        /// The offending text, trimmed.
        text: String,
    },
}

/// A decimal number split into its integer part and up to 18 fraction
/// digits (`frac / 10^frac_digits`). Further fraction digits are ignored.
struct Decimal {
    int: u128,
    frac: u128,
    frac_digits: u32,
}

/// Most fraction digits kept: `10^18 × unit` must fit in a `u128`.
const MAX_FRAC_DIGITS: u32 = 18;

impl Decimal {
    /// `self × unit`, rounded to the nearest integer; `None` on overflow.
    fn times(&self, unit: u128) -> Option<u128> {
        let whole = self.int.checked_mul(unit)?;
        let scale = 10u128.pow(self.frac_digits);
        // frac < 10^18 and unit < 2^64, so the product fits in a u128.
        let part = (self.frac.checked_mul(unit)? + scale / 2) / scale;
        whole.checked_add(part)
    }
}

/// Splits a leading decimal number (`12`, `1.5`, `.5`, `1.`) off `s`.
/// Returns `None` if `s` does not start with one. `Err(())` means the
/// integer part overflowed a `u128`.
fn split_number(s: &str) -> Option<(Result<Decimal, ()>, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let num = &s[..end];
    let (int_text, frac_text) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if frac_text.contains('.') || (int_text.is_empty() && frac_text.is_empty()) {
        return None;
    }
    let mut int: u128 = 0;
    for b in int_text.bytes() {
        let digit = u128::from(b - b'0');
        match int.checked_mul(10).and_then(|v| v.checked_add(digit)) {
            Some(v) => int = v,
            None => return Some((Err(()), &s[end..])),
        }
    }
    let mut frac: u128 = 0;
    let mut frac_digits = 0;
    for b in frac_text.bytes().take(MAX_FRAC_DIGITS as usize) {
        frac = frac * 10 + u128::from(b - b'0');
        frac_digits += 1;
    }
    Some((
        Ok(Decimal {
            int,
            frac,
            frac_digits,
        }),
        &s[end..],
    ))
}

/// Splits a leading run of ASCII letters off `s`.
fn split_letters(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Milliseconds in one duration unit, if `unit` is one.
fn duration_unit_ms(unit: &str) -> Option<u64> {
    Some(match unit {
        "ms" => 1,
        "s" => MS_PER_SECOND,
        "m" | "min" => MS_PER_MINUTE,
        "h" => MS_PER_HOUR,
        "d" => MS_PER_DAY,
        "w" => 7 * MS_PER_DAY,
        _ => return None,
    })
}

/// Parses a duration such as `4h30m`, `1h 30m`, `1.5h`, `2d`, `90s`,
/// `250ms` or `1w` (see the [module docs](crate::units) for the grammar).
pub fn parse_duration(text: &str) -> Result<SimDuration, UnitError> {
    let t = text.trim();
    let invalid = || UnitError::Invalid {
        expected: EXPECTED_DURATION,
        text: t.to_string(),
    };
    let overflow = || UnitError::Overflow {
        what: "duration",
        text: t.to_string(),
    };
    if t.is_empty() {
        return Err(UnitError::Empty {
            expected: EXPECTED_DURATION,
        });
    }
    if t.starts_with('-') {
        return Err(UnitError::Negative {
            what: "a duration",
            text: t.to_string(),
        });
    }
    let mut rest = t;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let (number, after) = split_number(rest).ok_or_else(invalid)?;
        let number = number.map_err(|()| overflow())?;
        let (unit, after) = split_letters(after.trim_start());
        let unit_ms = duration_unit_ms(unit).ok_or_else(invalid)?;
        let ms = number.times(u128::from(unit_ms)).ok_or_else(overflow)?;
        total = total.checked_add(ms).ok_or_else(overflow)?;
        rest = after.trim_start();
    }
    let ms = u64::try_from(total).map_err(|_| overflow())?;
    Ok(SimDuration::from_millis(ms))
}

/// `1,950`: a whole number with its thousands separated by commas, as the
/// reports and BENCHMARKS.md write counts and rates.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Writes a duration exactly, in the canonical form [`parse_duration`]
/// reads back: every non-zero unit from days down to milliseconds, no
/// spaces (`4h30m`, `1d2h3m4s5ms`, `0s`). Unlike `SimDuration`'s `Display`
/// (two largest units) this loses nothing.
pub fn format_duration(d: SimDuration) -> String {
    let mut rest = d.as_millis();
    if rest == 0 {
        return "0s".to_string();
    }
    let units = [
        (MS_PER_DAY, "d"),
        (MS_PER_HOUR, "h"),
        (MS_PER_MINUTE, "m"),
        (MS_PER_SECOND, "s"),
        (1, "ms"),
    ];
    let mut out = String::new();
    for (size, suffix) in units {
        let n = rest / size;
        if n > 0 {
            out.push_str(&n.to_string());
            out.push_str(suffix);
            rest -= n * size;
        }
    }
    out
}

/// `unit` (a size unit ending in a lowercase `b`) with its prefix in
/// capitals and `last` instead of the `b`: `gb` to `GB`, `Gib` to `Gibit`.
fn respelled(unit: &str, last: &str) -> String {
    let stem = &unit[..unit.len() - 1];
    let mut chars = stem.chars();
    let prefix = chars.next().map(|c| c.to_ascii_uppercase().to_string());
    format!("{}{}{last}", prefix.unwrap_or_default(), chars.as_str())
}

/// A number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

/// Bytes in one size unit (case-insensitive), if `unit` is one.
fn size_unit_bytes(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "pb" => 1_000_000_000_000_000,
        "eb" => 1_000_000_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "pib" => 1 << 50,
        "eib" => 1 << 60,
        _ => return None,
    })
}

/// Bytes in one bit unit (case-insensitive), if `unit` is one.
fn bit_unit_bytes(unit: &str) -> Option<f64> {
    let bits: f64 = match unit.to_ascii_lowercase().as_str() {
        "bit" => 1.0,
        "kbit" => 1e3,
        "mbit" => 1e6,
        "gbit" => 1e9,
        "tbit" => 1e12,
        "kibit" => 1024.0,
        "mibit" => 1024.0 * 1024.0,
        "gibit" => 1024.0 * 1024.0 * 1024.0,
        "tibit" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(bits / 8.0)
}

/// Parses a size such as `800GiB`, `800 GiB`, `1.5TiB`, `500GB`, `512MiB`,
/// `64KiB` or `100B` (see the [module docs](crate::units) for the grammar).
pub fn parse_size(text: &str) -> Result<ByteSize, UnitError> {
    let t = text.trim();
    let invalid = || UnitError::Invalid {
        expected: EXPECTED_SIZE,
        text: t.to_string(),
    };
    let overflow = || UnitError::Overflow {
        what: "size",
        text: t.to_string(),
    };
    if t.is_empty() {
        return Err(UnitError::Empty {
            expected: EXPECTED_SIZE,
        });
    }
    if t.starts_with('-') {
        return Err(UnitError::Negative {
            what: "a size",
            text: t.to_string(),
        });
    }
    let (number, after) = split_number(t).ok_or_else(invalid)?;
    let number = number.map_err(|()| overflow())?;
    let (unit, after) = split_letters(after.trim_start());
    if !after.is_empty() {
        return Err(invalid());
    }
    if unit.ends_with('b') && size_unit_bytes(unit).is_some() {
        let number = t[..t.len() - unit.len()].trim_end();
        let bytes = respelled(unit, "B");
        // `Gb`: `GB` (powers of 1000) or `GiB` (of 1024).
        let or_binary = match bytes.as_str() {
            "B" => String::new(),
            b if b.contains('i') => String::new(),
            b => format!(" or `{number}{}iB`", &b[..1]),
        };
        return Err(UnitError::AmbiguousB {
            text: t.to_string(),
            hint: format!(
                "a lowercase `b` is a bit to many readers, and sizes are in bytes: write `{number}{bytes}`{or_binary}"
            ),
        });
    }
    let unit_bytes = size_unit_bytes(unit).ok_or_else(invalid)?;
    let bytes = number.times(u128::from(unit_bytes)).ok_or_else(overflow)?;
    let bytes = u64::try_from(bytes).map_err(|_| overflow())?;
    Ok(ByteSize(bytes))
}

impl FromStr for ByteSize {
    type Err = UnitError;
    /// Same as [`parse_size`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_size(s)
    }
}

/// Binary unit names, smallest first; index `k` is `1024^k` bytes.
const BINARY_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// Writes `value` bytes in the largest binary unit not exceeding it, with
/// at most three decimals and no trailing zeros.
fn write_binary(f: &mut fmt::Formatter<'_>, value: f64, exact: Option<u64>) -> fmt::Result {
    let mut k = 0;
    while k + 1 < BINARY_UNITS.len() && value >= 1024f64.powi(k as i32 + 1) {
        k += 1;
    }
    // From 10^15 of the largest unit on, a float has no thousandths left to
    // show, and counting them in a u128 would saturate (past about 3×10^35
    // EiB, which a throughput can reach): write the whole number, which
    // reads back exactly.
    let units = value / 1024f64.powi(k as i32);
    if exact.is_none() && units >= 1e15 {
        return write!(f, "{units:.0}{}", BINARY_UNITS[k]);
    }
    // Thousandths of the unit, rounded; integer arithmetic when exact.
    let thousandths = |k: usize| -> u128 {
        match exact {
            Some(bytes) => {
                let unit = 1u128 << (10 * k);
                (u128::from(bytes) * 1000 + unit / 2) / unit
            }
            None => (value * 1000.0 / 1024f64.powi(k as i32)).round() as u128,
        }
    };
    let mut scaled = thousandths(k);
    if scaled >= 1024 * 1000 && k + 1 < BINARY_UNITS.len() {
        k += 1;
        scaled = thousandths(k);
    }
    // Within half a thousandth of 16 EiB, the rounded size would be 2^64
    // bytes or more, which no size can be: write the exact bytes instead.
    if let Some(bytes) = exact
        && scaled * (1u128 << (10 * k)) / 1000 > u128::from(u64::MAX)
    {
        return write!(f, "{bytes}B");
    }
    let (int, frac) = (scaled / 1000, scaled % 1000);
    if frac == 0 {
        write!(f, "{int}{}", BINARY_UNITS[k])
    } else {
        let frac = format!("{frac:03}");
        write!(f, "{int}.{}{}", frac.trim_end_matches('0'), BINARY_UNITS[k])
    }
}

impl fmt::Display for ByteSize {
    /// The largest binary unit not exceeding the size, with at most three
    /// decimals: `800GiB`, `1.5TiB`, `465.661GiB` (for 500 GB), `100B`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_binary(f, self.0 as f64, Some(self.0))
    }
}

/// A data transfer rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throughput {
    /// Bytes moved per hour of simulated time.
    pub bytes_per_hour: f64,
}

/// Parses a throughput such as `400GiB/h`, `100MiB/s`, `2TB/d` or
/// `1Gbit/s` (see the [module docs](crate::units) for the grammar).
pub fn parse_throughput(text: &str) -> Result<Throughput, UnitError> {
    let t = text.trim();
    let invalid = || UnitError::Invalid {
        expected: EXPECTED_THROUGHPUT,
        text: t.to_string(),
    };
    if t.is_empty() {
        return Err(UnitError::Empty {
            expected: EXPECTED_THROUGHPUT,
        });
    }
    if t.starts_with('-') {
        return Err(UnitError::Negative {
            what: "a throughput",
            text: t.to_string(),
        });
    }
    let (amount, per) = t.split_once('/').ok_or_else(invalid)?;
    let amount = amount.trim_end();
    let (number_text, unit) = {
        let end = amount
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(amount.len());
        (&amount[..end], amount[end..].trim_start())
    };
    // Validate the number's form, then read it as a float.
    match split_number(number_text) {
        Some((_, "")) => {}
        _ => return Err(invalid()),
    }
    let number: f64 = number_text.parse().map_err(|_| invalid())?;
    if unit.ends_with('b') && size_unit_bytes(unit).is_some() {
        let per = per.trim();
        return Err(UnitError::AmbiguousB {
            text: t.to_string(),
            hint: format!(
                "a lowercase `b` is a bit in network speeds and a byte elsewhere: write \
                 `{number_text}{}/{per}` for bits or `{number_text}{}/{per}` for bytes",
                respelled(unit, "bit"),
                respelled(unit, "B")
            ),
        });
    }
    let unit_bytes = match size_unit_bytes(unit) {
        Some(b) => b as f64,
        None => bit_unit_bytes(unit).ok_or_else(invalid)?,
    };
    let per_ms = duration_unit_ms(per.trim()).ok_or_else(invalid)?;
    let bytes_per_hour = number * unit_bytes * (MS_PER_HOUR as f64 / per_ms as f64);
    if !bytes_per_hour.is_finite() {
        return Err(UnitError::Overflow {
            what: "throughput",
            text: t.to_string(),
        });
    }
    if bytes_per_hour <= 0.0 {
        return Err(UnitError::ZeroThroughput {
            text: t.to_string(),
        });
    }
    Ok(Throughput { bytes_per_hour })
}

impl FromStr for Throughput {
    type Err = UnitError;
    /// Same as [`parse_throughput`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_throughput(s)
    }
}

impl fmt::Display for Throughput {
    /// Per hour, in the largest binary unit not exceeding the hourly
    /// amount, with at most three decimals: `400GiB/h`, `351.563GiB/h`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.bytes_per_hour;
        if !v.is_finite() || v < 0.0 {
            return write!(f, "{v}B/h");
        }
        write_binary(f, v, None)?;
        f.write_str("/h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = MS_PER_HOUR;
    const M: u64 = MS_PER_MINUTE;
    const S: u64 = MS_PER_SECOND;
    const D: u64 = MS_PER_DAY;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_950), "1,950");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn sizes_next_to_16_eib_print_as_exact_bytes_that_read_back() {
        // Found by proptest: this printed `16EiB`, which overflows on reading.
        for bytes in [18_446_167_612_957_248_193u64, u64::MAX] {
            let text = ByteSize(bytes).to_string();
            assert_eq!(text, format!("{bytes}B"));
            assert_eq!(parse_size(&text).ok().map(|s| s.0), Some(bytes), "{text}");
        }
        // Below the edge, the unit is kept.
        assert_eq!(ByteSize(15 << 60).to_string(), "15EiB");
    }

    fn ms(text: &str) -> u64 {
        match parse_duration(text) {
            Ok(d) => d.as_millis(),
            Err(e) => panic!("`{text}`: {e}"),
        }
    }

    fn err(text: &str) -> String {
        match parse_duration(text) {
            Ok(d) => panic!("`{text}` parsed as {d:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn durations_parse() {
        let cases = [
            ("4h30m", 4 * H + 30 * M),
            ("2d", 2 * D),
            ("90s", 90 * S),
            ("45m", 45 * M),
            ("45min", 45 * M),
            ("1h 30m", H + 30 * M),
            ("  1h   30m  ", H + 30 * M),
            ("1 h 30 m", H + 30 * M),
            ("1.5h", H + 30 * M),
            (".5h", 30 * M),
            ("1.h", H),
            ("250ms", 250),
            ("1w", 7 * D),
            ("0s", 0),
            ("0ms", 0),
            ("1d2h3m4s5ms", D + 2 * H + 3 * M + 4 * S + 5),
            ("5m30s", 5 * M + 30 * S),
            ("1.0005s", 1001), // 1000.5 ms rounds half up
            ("1.0004s", 1000),
            ("0.1234567890123456789999h", 444_444),
            ("18446744073709551615ms", u64::MAX),
        ];
        for (text, want) in cases {
            assert_eq!(ms(text), want, "{text}");
        }
    }

    #[test]
    fn duration_errors() {
        let inv = |t: &str| format!("expected a duration like `4h30m`, `2d` or `90s`, got `{t}`");
        assert_eq!(err("4x"), inv("4x"));
        assert_eq!(
            err(""),
            "expected a duration like `4h30m`, `2d` or `90s`, got an empty string"
        );
        assert_eq!(
            err("   "),
            "expected a duration like `4h30m`, `2d` or `90s`, got an empty string"
        );
        for bad in [
            "4", "h", "4hh", "4 x", "1h30", "1..5h", ".h", "+1h", "1H", "4mins", "1h,30m", "1e3s",
            "1h-30m", "١h",
        ] {
            assert_eq!(err(bad), inv(bad), "{bad}");
        }
        assert_eq!(err(" 4x "), inv("4x"));
        assert_eq!(err("-1h"), "a duration cannot be negative, got `-1h`");
        assert_eq!(
            err("18446744073709551616ms"),
            "duration `18446744073709551616ms` is too large"
        );
        assert_eq!(
            err("600000000000w"),
            "duration `600000000000w` is too large"
        );
        let huge = format!("{}h", "9".repeat(60));
        assert_eq!(err(&huge), format!("duration `{huge}` is too large"));
        assert_eq!(
            err("18446744073709551615ms 1ms"),
            "duration `18446744073709551615ms 1ms` is too large"
        );
    }

    #[test]
    fn durations_format_exactly_and_round_trip() {
        let cases = [
            (0, "0s"),
            (250, "250ms"),
            (4 * H + 30 * M, "4h30m"),
            (D + 2 * H + 3 * M + 4 * S + 5, "1d2h3m4s5ms"),
            (2 * D + 30 * M, "2d30m"),
            (7 * D, "7d"),
        ];
        for (v, want) in cases {
            assert_eq!(format_duration(SimDuration::from_millis(v)), want);
        }
        for v in [
            0,
            1,
            999,
            1000,
            59_999,
            3_600_001,
            123_456_789_012,
            u64::MAX,
        ] {
            let d = SimDuration::from_millis(v);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{v}");
        }
    }

    fn size(text: &str) -> u64 {
        match parse_size(text) {
            Ok(s) => s.0,
            Err(e) => panic!("`{text}`: {e}"),
        }
    }

    #[test]
    fn sizes_parse() {
        const GIB: u64 = 1 << 30;
        let cases = [
            ("800GiB", 800 * GIB),
            ("800 GiB", 800 * GIB),
            (" 800giB ", 800 * GIB),
            ("800GIB", 800 * GIB),
            ("1.5TiB", 1536 * GIB),
            ("500GB", 500_000_000_000),
            ("500gB", 500_000_000_000),
            ("512MiB", 512 << 20),
            ("64KiB", 64 << 10),
            ("64KB", 64_000),
            ("100B", 100),
            ("0B", 0),
            ("0.5KiB", 512),
            ("1.5B", 2),
            ("2PB", 2_000_000_000_000_000),
            ("1PiB", 1 << 50),
            ("15.999EiB", 18_445_591_152_204_944_769),
            ("16EB", 16_000_000_000_000_000_000),
        ];
        for (text, want) in cases {
            assert_eq!(size(text), want, "{text}");
        }
        assert_eq!("2GiB".parse::<ByteSize>(), Ok(ByteSize(2 * GIB)));
    }

    /// A lowercase `b` is never guessed: a bit to some, a byte to others.
    #[test]
    fn a_lowercase_b_is_ambiguous_and_says_what_to_write() {
        let size = |t: &str| parse_size(t).map_err(|e| e.to_string());
        assert_eq!(
            size("4Gb"),
            Err("`4Gb` is ambiguous: a lowercase `b` is a bit to many readers, and sizes are in bytes: write `4GB` or `4GiB`".into())
        );
        assert_eq!(
            size(" 800 gib "),
            Err("`800 gib` is ambiguous: a lowercase `b` is a bit to many readers, and sizes are in bytes: write `800GiB`".into())
        );
        for t in ["100b", "64kb", "500mb", "1Tb", "2pib"] {
            assert!(
                matches!(parse_size(t), Err(UnitError::AmbiguousB { .. })),
                "{t}"
            );
        }
        let rate = |t: &str| parse_throughput(t).map_err(|e| e.to_string());
        assert_eq!(
            rate("1Gb/s"),
            Err("`1Gb/s` is ambiguous: a lowercase `b` is a bit in network speeds and a byte elsewhere: write `1Gbit/s` for bits or `1GB/s` for bytes".into())
        );
        assert_eq!(
            rate("800 Mib / h"),
            Err("`800 Mib / h` is ambiguous: a lowercase `b` is a bit in network speeds and a byte elsewhere: write `800Mibit/h` for bits or `800MiB/h` for bytes".into())
        );
        // What is written out is read as said.
        assert_eq!(
            parse_throughput("1Gbit/s").map(|t| t.bytes_per_hour),
            Ok(1e9 / 8.0 * 3600.0)
        );
        assert_eq!(
            parse_throughput("1GB/s").map(|t| t.bytes_per_hour),
            Ok(1e9 * 3600.0)
        );
    }

    #[test]
    fn size_errors() {
        let e = |t: &str| parse_size(t).map_err(|e| e.to_string());
        let inv = |t: &str| {
            Err(format!(
                "expected a size like `800GiB`, `1.5TiB` or `500GB`, got `{t}`"
            ))
        };
        for bad in [
            "800",
            "GiB",
            "800G",
            "800 GiB x",
            "800GiBs",
            "1,5GiB",
            "800Gbit",
            "1e3B",
            "8 0GiB",
        ] {
            assert_eq!(e(bad), inv(bad), "{bad}");
        }
        assert_eq!(
            e(""),
            Err("expected a size like `800GiB`, `1.5TiB` or `500GB`, got an empty string".into())
        );
        assert_eq!(
            e("-5GiB"),
            Err("a size cannot be negative, got `-5GiB`".into())
        );
        assert_eq!(e("16EiB"), Err("size `16EiB` is too large".into()));
        assert_eq!(e("20EB"), Err("size `20EB` is too large".into()));
    }

    #[test]
    fn sizes_display() {
        let cases = [
            (0, "0B"),
            (100, "100B"),
            (1023, "1023B"),
            (1024, "1KiB"),
            (1536, "1.5KiB"),
            (800 << 30, "800GiB"),
            (1536 << 30, "1.5TiB"),
            (500_000_000_000, "465.661GiB"),
            ((1 << 40) - 1, "1TiB"),
            ((1 << 30) + (1 << 20), "1.001GiB"),
            // Rounded to `16EiB` it would not read back: exact bytes.
            (u64::MAX, "18446744073709551615B"),
        ];
        for (v, want) in cases {
            assert_eq!(ByteSize(v).to_string(), want, "{v}");
        }
        for text in ["800GiB", "1.5TiB", "1.125MiB", "3KiB"] {
            assert_eq!(
                parse_size(text).map(|s| s.to_string()),
                Ok(text.to_string())
            );
        }
    }

    fn bph(text: &str) -> f64 {
        match parse_throughput(text) {
            Ok(t) => t.bytes_per_hour,
            Err(e) => panic!("`{text}`: {e}"),
        }
    }

    #[test]
    fn throughputs_parse() {
        let gib = (1u64 << 30) as f64;
        let mib = (1u64 << 20) as f64;
        let cases = [
            ("400GiB/h", 400.0 * gib),
            ("400 GiB / h", 400.0 * gib),
            ("100MiB/s", 100.0 * mib * 3600.0),
            ("2TB/d", 2e12 / 24.0),
            ("1Gbit/s", 1e9 / 8.0 * 3600.0),
            ("1gbit/s", 1e9 / 8.0 * 3600.0),
            ("10Mbit/min", 10e6 / 8.0 * 60.0),
            ("1Gibit/s", gib / 8.0 * 3600.0),
            ("1.5GiB/m", 1.5 * gib * 60.0),
            ("7TiB/w", 7.0 * 1024.0 * gib / 168.0),
            ("1B/ms", 3_600_000.0),
        ];
        for (text, want) in cases {
            let got = bph(text);
            assert!(
                (got - want).abs() <= want * 1e-12,
                "{text}: {got} vs {want}"
            );
        }
        assert_eq!(
            "400GiB/h".parse::<Throughput>(),
            Ok(Throughput {
                bytes_per_hour: 400.0 * gib
            })
        );
    }

    #[test]
    fn throughput_errors() {
        let e = |t: &str| parse_throughput(t).map_err(|e| e.to_string());
        let inv = |t: &str| {
            Err(format!(
                "expected a throughput like `400GiB/h`, `100MiB/s` or `1Gbit/s`, got `{t}`"
            ))
        };
        for bad in [
            "400GiB",
            "400GiB/",
            "/h",
            "GiB/h",
            "400/h",
            "400GiB/x",
            "400GiB/h/s",
            "400G/h",
            "1..2GiB/h",
            "400GiB/2h",
            "400GiB/H",
        ] {
            assert_eq!(e(bad), inv(bad), "{bad}");
        }
        assert_eq!(
            e(" "),
            Err("expected a throughput like `400GiB/h`, `100MiB/s` or `1Gbit/s`, got an empty string".into())
        );
        assert_eq!(
            e("-1GiB/h"),
            Err("a throughput cannot be negative, got `-1GiB/h`".into())
        );
        assert_eq!(
            e("0GiB/h"),
            Err("a throughput must be greater than zero, got `0GiB/h`".into())
        );
        let huge = format!("{}EiB/ms", "9".repeat(400));
        assert_eq!(e(&huge), Err(format!("throughput `{huge}` is too large")));
    }

    #[test]
    fn throughputs_display() {
        let cases = [
            ("400GiB/h", "400GiB/h"),
            ("100MiB/s", "351.563GiB/h"),
            ("1.5TiB/h", "1.5TiB/h"),
            ("1B/d", "0.042B/h"),
            ("1Gbit/s", "419.095GiB/h"),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_throughput(text).map(|t| t.to_string()),
                Ok(want.to_string()),
                "{text}"
            );
        }
        let weird = Throughput {
            bytes_per_hour: f64::NAN,
        };
        assert_eq!(weird.to_string(), "NaNB/h");
    }

    /// Found with the `units` fuzz harness's round trip: past about 3×10^35
    /// EiB an hour the thousandths saturated a u128 and `Display` showed a
    /// far smaller throughput. Now every throughput is shown within 0.1 %
    /// and reads back.
    #[test]
    fn huge_throughputs_display_what_they_are() {
        let text = format!("1{}EiB/s", "0".repeat(60));
        let t = parse_throughput(&text).expect("a finite throughput");
        let shown = t.to_string();
        assert!(shown.ends_with("EiB/h"), "{shown}");
        let back = parse_throughput(&shown).expect("reads back");
        assert!(
            (back.bytes_per_hour / t.bytes_per_hour - 1.0).abs() < 1e-3,
            "{shown}"
        );
        // The largest unit's whole numbers from 10^15 on; below, as before.
        let eib = 1024f64.powi(6);
        let at = |units: f64| Throughput {
            bytes_per_hour: units * eib,
        };
        assert_eq!(at(1e15).to_string(), "1000000000000000EiB/h");
        assert_eq!(at(2.5e14).to_string(), "250000000000000EiB/h");
        assert_eq!(at(1.5).to_string(), "1.5EiB/h");
    }
}
