//! The bottom layer: quantities and their text forms, which every other
//! layer may use and which itself uses no other module of the crate.
//!
//! It owns simulated time ([`time`]: integer milliseconds,
//! [`SimTime`](time::SimTime) and [`SimDuration`](time::SimDuration)), the human-friendly units of scenario files and of
//! everything shown (`quantity`: durations like `2d 4h`, byte sizes,
//! throughputs, [`format_duration`], [`UnitError`]), and civil time
//! (`civil`: local date-times in a time zone, daylight-saving gaps and
//! folds). The kernel's work calendars (`sim::calendar`) build on these;
//! the scenario loader, the engine and the renderers read and write
//! through them.
//!
//! # Durations
//!
//! One or more `<number><unit>` groups, optionally separated by whitespace
//! (`4h30m`, `1h 30m`, `1.5h`, `2d`, `90s`, `250ms`, `1w`). The groups are
//! added up. Units (case-sensitive): `ms`, `s`, `m` or `min`, `h`, `d`
//! (24 h), `w` (7 d). A number is decimal digits with an optional fraction
//! (`1.5`, `.5`); fractions are rounded to the nearest millisecond. Zero
//! (`0s`) is allowed; negative numbers, a bare number without a unit,
//! unknown units and totals beyond `u64::MAX` milliseconds are errors.
//! [`format_duration`] writes the exact canonical form back (`1d2h3m4s5ms`).
//!
//! # Sizes
//!
//! One `<number><unit>` with optional whitespace between (`800GiB`,
//! `800 GiB`, `1.5TiB`, `512MiB`, `64KiB`, `100B`). Binary units (`KiB`,
//! `MiB`, `GiB`, `TiB`, `PiB`, `EiB`: powers of 1024) and decimal units
//! (`KB`, `MB`, `GB`, `TB`, `PB`, `EB`: powers of 1000) plus `B`; the
//! prefix letters are case-insensitive (`gIB` = `GiB`, `500gB` = `500GB`),
//! but the `B` is a capital: a lowercase `b` (`4Gb`, `500mb`) is a bit to
//! many readers, so it is an error that says what to write, never guessed.
//! Fractions are rounded to the nearest byte.
//!
//! # Throughputs
//!
//! `<size>/<time unit>` (`400GiB/h`, `100MiB/s`, `2TB/d`), where the size
//! may also be given in bits (`bit`, `kbit`, `Mbit`, `Gbit`, `Tbit`: powers
//! of 1000; `Kibit`, `Mibit`, `Gibit`, `Tibit`: powers of 1024), as in
//! `1Gbit/s`; `1Gb/s` is refused as ambiguous (bits in network speeds,
//! bytes elsewhere). The time unit is one of the duration units. A throughput must
//! be greater than zero.

mod civil;
mod quantity;
pub mod time;

pub(crate) use civil::{parse_local, to_instant};
pub use quantity::{
    ByteSize, Throughput, UnitError, format_duration, grouped, parse_duration, parse_size,
    parse_throughput,
};

/// `part` of `whole` things, said as a reader would: `3 of 20 apps`,
/// `all 20 apps`, `the one app`, `none of the 20 apps`.
pub fn part_of(part: usize, whole: usize, one: &str, many: &str) -> String {
    match (part, whole) {
        (1, 1) => format!("the one {one}"),
        (0, 1) => format!("not the one {one}"),
        (0, w) => format!("none of the {w} {many}"),
        (p, w) if p == w => format!("all {w} {many}"),
        (p, w) => format!("{p} of {w} {many}"),
    }
}

/// Each part's share of their sum in whole units of `scale` (100 for
/// percent, 1000 for tenths of a percent), by largest remainder: every
/// share is its exact value rounded down or up, and the shares add up to
/// exactly `scale` (all 0 when the parts sum to 0). The remainders are
/// handed out largest first, ties to the earlier part. Shares rounded on
/// their own can add up to 99 or 101.
pub fn shares_of(parts: &[u64], scale: u64) -> Vec<u64> {
    let total: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    if total == 0 {
        return vec![0; parts.len()];
    }
    let scale = u128::from(scale);
    let exact: Vec<(u128, u128)> = parts
        .iter()
        .map(|&p| {
            let n = u128::from(p) * scale;
            (n / total, n % total)
        })
        .collect();
    let given: u128 = exact.iter().map(|e| e.0).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    let mut shares: Vec<u64> = exact
        .iter()
        .map(|e| u64::try_from(e.0).unwrap_or(u64::MAX))
        .collect();
    let left = usize::try_from(scale.saturating_sub(given)).unwrap_or(0);
    for &i in order.iter().filter(|&&i| exact[i].1 > 0).take(left) {
        shares[i] += 1;
    }
    shares
}

/// `text` with its first letter in capitals, for a phrase that begins a
/// sentence.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// `n` things, in the singular for one: `counted(1, "host", "hosts")` is
/// `1 host`, `counted(3, "host", "hosts")` is `3 hosts`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `text` as one word for a POSIX shell: as it is when the shell would
/// read it so, else in single quotes (an embedded `'` written `'\''`).
/// Every reproducing command hvsim prints quotes its words with it.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:=@%+".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn shares_add_up_to_the_whole_by_largest_remainder() {
        // On their own, 33.3 %, 33.3 %, 33.3 % round to 99; 60.5, 20.5,
        // 19 to 101 (or 100 with round-half-even): the remainders decide.
        assert_eq!(super::shares_of(&[1, 1, 1], 100), [34, 33, 33]);
        assert_eq!(super::shares_of(&[605, 205, 190], 100), [61, 20, 19]);
        assert_eq!(super::shares_of(&[1, 999], 100), [0, 100]);
        assert_eq!(super::shares_of(&[0, 0], 100), [0, 0]);
        assert_eq!(super::shares_of(&[2, 1], 1000), [667, 333]);
        for parts in [[7u64, 13, 29, 51], [1, 1, 1, 997], [3, 3, 3, 1]] {
            assert_eq!(super::shares_of(&parts, 100).iter().sum::<u64>(), 100);
        }
    }

    #[test]
    fn one_thing_is_singular() {
        assert_eq!(super::counted(1, "host", "hosts"), "1 host");
        assert_eq!(super::counted(0, "host", "hosts"), "0 hosts");
        assert_eq!(super::counted(12, "VM", "VMs"), "12 VMs");
    }

    #[test]
    fn a_part_of_a_whole_reads_as_said() {
        let of = |p, w| super::part_of(p, w, "app", "apps");
        assert_eq!(of(1, 1), "the one app");
        assert_eq!(of(0, 1), "not the one app");
        assert_eq!(of(0, 5), "none of the 5 apps");
        assert_eq!(of(5, 5), "all 5 apps");
        assert_eq!(of(1, 5), "1 of 5 apps");
        assert_eq!(of(3, 5), "3 of 5 apps");
    }
}
