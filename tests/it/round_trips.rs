//! Round trips (issue 13, "Trust"): what hvsim prints parses back.
//!
//! - `format_duration` and `Dist`'s `Display` are exact: they parse back
//!   to the same value.
//! - The human durations of reports (`SimDuration`'s `Display`, `2d 4h`)
//!   are lossy by design: the two largest units, truncated. They parse
//!   back to at most the value, short of it by less than the unit below
//!   the largest one (less than a second for spans under a minute, exact
//!   under a second).
//! - Sizes (`ByteSize`) and throughputs print three decimals of the
//!   largest binary unit: they parse back within 0.05 % (plus a byte for
//!   the rounding of the parse), and printing the parsed value again gives
//!   the same text.
//!
//! Resolved scenarios have no YAML printer, so the scenario round trip is
//! not tested here (docs/testing.md).

use hvsim::sim::{Dist, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration};
use hvsim::units::{
    ByteSize, Throughput, format_duration, parse_duration, parse_size, parse_throughput,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// Durations of every size: mostly realistic spans, some at the extremes.
fn duration_ms() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..2_000,
        0u64..(40 * MS_PER_DAY),
        (0u64..1_000, 0u64..24, 0u64..60)
            .prop_map(|(d, h, m)| d * MS_PER_DAY + h * MS_PER_HOUR + m * MS_PER_MINUTE),
        any::<u64>(),
    ]
}

/// A valid distribution of every kind.
fn dist() -> impl Strategy<Value = Dist> {
    let d = || duration_ms().prop_map(SimDuration::from_millis);
    let sorted3 = || {
        (d(), d(), d()).prop_map(|(a, b, c)| {
            let mut v = [a, b, c];
            v.sort();
            v
        })
    };
    prop_oneof![
        d().prop_map(Dist::Fixed),
        (d(), d()).prop_map(|(a, b)| Dist::Uniform {
            min: a.min(b),
            max: a.max(b)
        }),
        (1u64..u64::MAX).prop_map(|m| Dist::Exponential {
            mean: SimDuration::from_millis(m)
        }),
        (d(), d()).prop_map(|(mean, sd)| Dist::Normal { mean, sd }),
        (1u64..u64::MAX, d())
            .prop_map(|(mean, sd)| Dist::lognormal(SimDuration::from_millis(mean), sd)),
        (
            prop_oneof![
                0.01f64..100.0,
                proptest::num::f64::POSITIVE | proptest::num::f64::NORMAL
            ],
            1u64..u64::MAX
        )
            .prop_map(|(shape, scale)| Dist::Weibull {
                shape,
                scale: SimDuration::from_millis(scale)
            }),
        sorted3().prop_map(|[min, mode, max]| Dist::Triangular { min, mode, max }),
        sorted3().prop_map(|[min, mode, max]| Dist::pert(min, mode, max)),
    ]
}

/// The unit right below the largest one `SimDuration`'s `Display` writes:
/// what its truncation may drop.
fn human_precision(ms: u64) -> u64 {
    match ms {
        x if x < MS_PER_SECOND => 1,
        x if x < MS_PER_MINUTE => MS_PER_SECOND,
        x if x < MS_PER_HOUR => MS_PER_SECOND,
        x if x < MS_PER_DAY => MS_PER_MINUTE,
        _ => MS_PER_HOUR,
    }
}

/// The size of the binary unit a printed size or throughput ends with.
fn printed_unit(text: &str) -> u64 {
    let unit = text
        .trim_end_matches("/h")
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let k = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        .iter()
        .position(|u| *u == unit)
        .unwrap_or_else(|| panic!("unexpected unit in {text}"));
    1u64 << (10 * k)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn formatted_durations_parse_back_exactly(ms in duration_ms()) {
        let d = SimDuration::from_millis(ms);
        let text = format_duration(d);
        prop_assert_eq!(parse_duration(&text), Ok(d), "{}", text);
    }

    #[test]
    fn human_durations_parse_back_within_their_precision(ms in duration_ms()) {
        let text = SimDuration::from_millis(ms).to_string();
        let back = parse_duration(&text)
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?
            .as_millis();
        prop_assert!(back <= ms, "{} read back as {} ms > {} ms", text, back, ms);
        prop_assert!(
            ms - back < human_precision(ms),
            "{} drops {} ms of {} ms", text, ms - back, ms
        );
        // Printed again, the read-back value shows the same text.
        prop_assert_eq!(SimDuration::from_millis(back).to_string(), text);
    }

    #[test]
    fn sizes_parse_back_within_a_twentieth_of_a_percent(bytes in prop_oneof![
        0u64..4096,
        0u64..(1 << 44),
        any::<u64>(),
    ]) {
        let text = ByteSize(bytes).to_string();
        let back = parse_size(&text)
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?
            .0;
        if bytes < 1024 {
            prop_assert_eq!(back, bytes, "{}", text);
        }
        let unit = printed_unit(&text);
        // Three decimals of the unit, rounded: half a thousandth of it, and
        // at most 0.05 % of the size (the unit never exceeds it by more
        // than that rounding).
        let error = back.abs_diff(bytes);
        prop_assert!(
            u128::from(error) * 2000 <= u128::from(unit) + 2000,
            "{} read back as {} for {} bytes", text, back, bytes
        );
        prop_assert!(error <= bytes / 2000 + 1, "{} read back as {} for {} bytes", text, back, bytes);
        prop_assert_eq!(ByteSize(back).to_string(), text);
    }

    #[test]
    fn throughputs_parse_back_within_a_twentieth_of_a_percent(
        bytes_per_hour in prop_oneof![1.0f64..4096.0, 1.0f64..1e12, 1.0f64..1e21]
    ) {
        let printed = Throughput { bytes_per_hour }.to_string();
        let back = parse_throughput(&printed)
            .map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?
            .bytes_per_hour;
        let unit = printed_unit(&printed) as f64;
        let error = (back - bytes_per_hour).abs();
        prop_assert!(
            error <= unit * 0.0005 * (1.0 + 1e-9) && error <= bytes_per_hour * 0.0005 * (1.0 + 1e-9),
            "{} read back as {} for {} B/h", printed, back, bytes_per_hour
        );
        prop_assert_eq!(Throughput { bytes_per_hour: back }.to_string(), printed);
    }

    #[test]
    fn distributions_parse_back_exactly(d in dist(), seed in any::<u64>()) {
        let text = d.to_string();
        let back = Dist::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &d, "{}", text);
        prop_assert_eq!(back.to_string(), text.clone());
        // The same draws, too (a lognormal's or PERT's prepared parameters
        // are derived again when parsed).
        let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(seed), ChaCha8Rng::seed_from_u64(seed));
        for _ in 0..4 {
            prop_assert_eq!(d.sample(&mut a), back.sample(&mut b), "{}", text);
        }
    }
}
