//! Civil time: local date-times in a time zone, as people write them.
//!
//! Every date in a scenario file is local to its `time_zone`; these helpers
//! read such a date and place it on the time line, refusing what would be
//! silently wrong (an offset that would be dropped, a time skipped by a
//! daylight-saving change) and taking the first occurrence of a time that
//! happens twice. Their errors are messages for the person who wrote the
//! date.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Parses a local date-time like `2018-12-26 01:30`. An offset or `Z` is
/// refused rather than dropped: every time in a file is local to its
/// `time_zone`, and a silently ignored offset would shift events by hours.
pub(crate) fn parse_local(text: &str) -> Result<DateTime, String> {
    let t = text.trim();
    let expected = || {
        format!(
            "expected a local date and time like `2018-12-26 01:30` (in the scenario's time zone, no offset), got `{text}`"
        )
    };
    let time_part = t.get(10..).unwrap_or("");
    if time_part.contains(['+', 'Z', 'z', '[']) || time_part.contains('-') {
        return Err(format!(
            "`{text}` has a UTC offset or zone: write the local time only, like `2018-12-26 01:30`; the file's `time_zone` says where it is"
        ));
    }
    t.parse::<DateTime>().map_err(|_| expected())
}

/// Places a local date-time in the time zone, refusing times skipped by a
/// daylight-saving change; a repeated time means its first occurrence.
pub(crate) fn to_instant(
    tz: &TimeZone,
    dt: DateTime,
    text: &str,
) -> Result<jiff::Timestamp, String> {
    use jiff::tz::AmbiguousOffset;
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    if let AmbiguousOffset::Gap { .. } = ambiguous.offset() {
        return Err(format!(
            "`{text}` does not exist in {}: the clocks skip that hour (daylight saving time); pick a time outside the gap",
            tz.iana_name().unwrap_or("this time zone")
        ));
    }
    ambiguous
        .earlier()
        .map_err(|e| format!("cannot place `{text}` in the time zone: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_refuse_offsets_and_dst_gaps() {
        let tz = TimeZone::get("Europe/Paris").expect("bundled tzdb");
        let gap = parse_local("2019-03-31 02:30").expect("parses");
        let err = to_instant(&tz, gap, "2019-03-31 02:30").expect_err("a skipped time");
        assert!(err.contains("does not exist in Europe/Paris"), "{err}");
        // A repeated time (the autumn change) is its first occurrence.
        let fold = parse_local("2019-10-27 02:30").expect("parses");
        let ts = to_instant(&tz, fold, "2019-10-27 02:30").expect("exists twice");
        assert_eq!(ts.to_string(), "2019-10-27T00:30:00Z");
        for bad in [
            "2018-12-20T00:00+11:00",
            "2018-12-20 00:00Z",
            "2018-12-20T00:00-05:00",
        ] {
            let err = parse_local(bad).expect_err(bad);
            assert!(err.contains("has a UTC offset"), "{bad}: {err}");
        }
    }
}
