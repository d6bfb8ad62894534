//! Date and time formats on the wire: field date-times (`2012-09-25T17:00:00`,
//! UTC), HTTP dates (RFC 1123, RFC 850, asctime) and SigV4's ISO-8601 basic
//! form (`20121129T000000Z`). Times inside the endpoint are Unix seconds.

use std::time::{Duration, SystemTime};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Seconds since the Unix epoch (negative before it).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Milliseconds since the Unix epoch (negative before it).
pub fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The `SystemTime` of Unix seconds.
pub fn system_time(secs: i64) -> SystemTime {
    let d = Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(d)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(d)
    };
    t.unwrap_or(SystemTime::UNIX_EPOCH)
}

pub fn to_datetime(secs: i64) -> Option<PrimitiveDateTime> {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .map(|t| PrimitiveDateTime::new(t.date(), t.time()))
}

pub fn from_datetime(dt: PrimitiveDateTime) -> i64 {
    dt.assume_utc().unix_timestamp()
}

/// `YYYY-MM-DDTHH:MM:SS`, the form of every date-time field value.
pub fn format_field(secs: i64) -> String {
    match to_datetime(secs) {
        Some(dt) => format_datetime(dt),
        None => String::from("1970-01-01T00:00:00"),
    }
}

pub fn format_datetime(dt: PrimitiveDateTime) -> String {
    write_datetime(dt, ["-", "-", "T", ":", ":", ""])
}

/// Year, month, day, hour, minute, second (zero-padded), each followed by its separator.
/// Written digit by digit: this runs for every date field and signature of every request.
fn write_datetime(dt: PrimitiveDateTime, separators: [&str; 6]) -> String {
    let Ok(year) = u32::try_from(dt.year()) else {
        return format!(
            "{:04}{}{:02}{}{:02}{}{:02}{}{:02}{}{:02}{}",
            dt.year(),
            separators[0],
            u8::from(dt.month()),
            separators[1],
            dt.day(),
            separators[2],
            dt.hour(),
            separators[3],
            dt.minute(),
            separators[4],
            dt.second(),
            separators[5]
        );
    };
    let parts = [
        (year, 4),
        (u32::from(u8::from(dt.month())), 2),
        (u32::from(dt.day()), 2),
        (u32::from(dt.hour()), 2),
        (u32::from(dt.minute()), 2),
        (u32::from(dt.second()), 2),
    ];
    let mut out = String::with_capacity(20);
    for ((value, width), separator) in parts.into_iter().zip(separators) {
        if value >= 10u32.pow(width) {
            out.push_str(&value.to_string());
        } else {
            for place in (0..width).rev() {
                out.push(char::from(b'0' + ((value / 10u32.pow(place)) % 10) as u8));
            }
        }
        out.push_str(separator);
    }
    out
}

/// Parses exactly `YYYY-MM-DDTHH:MM:SS`.
pub fn parse_field(s: &str) -> Option<PrimitiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let date = Date::from_calendar_date(
        i32::try_from(num(0..4)?).ok()?,
        Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?,
        u8::try_from(num(8..10)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

/// Unix seconds of a field date-time value.
pub fn parse_field_secs(s: &str) -> Option<i64> {
    parse_field(s).map(from_datetime)
}

/// IMF-fixdate, for the `Date` response header.
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// SigV4's `YYYYMMDDTHHMMSSZ`.
pub fn iso_basic(secs: i64) -> String {
    match to_datetime(secs) {
        Some(dt) => write_datetime(dt, ["", "", "T", "", "", "Z"]),
        None => String::from("19700101T000000Z"),
    }
}

/// A request date in any accepted form: ISO-8601 basic (SigV4), or one of the
/// three HTTP/1.1 forms (RFC 1123, RFC 850, asctime).
pub fn parse_request_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(secs) = parse_iso_basic(s) {
        return Some(secs);
    }
    httpdate::parse_http_date(s).ok().map(unix_seconds)
}

fn parse_iso_basic(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    // Rearranged into the field form `YYYY-MM-DDTHH:MM:SS`, which parse_field checks.
    let mut field = *b"0000-00-00T00:00:00";
    for (from, to) in [(0..4, 0), (4..6, 5), (6..8, 8), (9..11, 11), (11..13, 14), (13..15, 17)] {
        field[to..to + from.len()].copy_from_slice(&b[from]);
    }
    parse_field_secs(std::str::from_utf8(&field).ok()?)
}

/// `secs` moved by a number of calendar months, clamping the day of month
/// (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(secs: i64, months: i64) -> Option<i64> {
    let dt = to_datetime(secs)?;
    let total = (i64::from(dt.year()) * 12 + i64::from(u8::from(dt.month())) - 1).checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    let last = time::util::days_in_month(month, year);
    let day = dt.day().min(last);
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(from_datetime(PrimitiveDateTime::new(date, dt.time())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_dates_round_trip() {
        let secs = parse_field_secs("2012-09-25T17:00:00").unwrap();
        assert_eq!(secs, 1_348_592_400);
        assert_eq!(format_field(secs), "2012-09-25T17:00:00");
        assert!(parse_field("2012-09-25 17:00:00").is_none());
        assert!(parse_field("2012-13-25T17:00:00").is_none());
        assert!(parse_field("2012-09-25T17:00:0").is_none());
    }

    #[test]
    fn request_dates_in_all_four_forms() {
        let expect = parse_field_secs("1994-11-06T08:49:37").unwrap();
        for s in [
            "19941106T084937Z",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_request_date(s), Some(expect), "{s}");
        }
        assert_eq!(parse_request_date("yesterday"), None);
        assert_eq!(parse_request_date("19941106X084937Z"), None);
        assert_eq!(parse_request_date("1994-106T084937Z"), None);
        assert_eq!(parse_request_date("19941306T084937Z"), None);
        assert_eq!(parse_request_date("1994110éT08493Z"), None);
        assert_eq!(iso_basic(expect), "19941106T084937Z");
        assert_eq!(iso_basic(0), "19700101T000000Z");
        assert_eq!(format_field(expect), "1994-11-06T08:49:37");
        assert_eq!(format_field(-62_135_596_800), "0001-01-01T00:00:00");
    }

    #[test]
    fn months_clamp_the_day() {
        let jan31 = parse_field_secs("2013-01-31T10:00:00").unwrap();
        assert_eq!(format_field(add_months(jan31, 1).unwrap()), "2013-02-28T10:00:00");
        assert_eq!(format_field(add_months(jan31, -2).unwrap()), "2012-11-30T10:00:00");
        assert_eq!(format_field(add_months(jan31, 12).unwrap()), "2014-01-31T10:00:00");
        assert_eq!(add_months(jan31, i64::MAX), None);
    }
}
