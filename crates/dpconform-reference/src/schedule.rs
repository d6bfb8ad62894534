//! Reading a definition's scheduling: periods (`15 minutes`, `1 Day`), the
//! pipeline's `scheduleType`, `Schedule` objects, and field inheritance
//! through `parent` and `Default`.

use super::dates;
use super::model::{Definition, Field, PipelineObject};

/// Shortest and longest schedule period (DG: 15 minutes to 3 years).
pub const MIN_PERIOD_SECS: i64 = 15 * 60;
pub const MAX_PERIOD_MONTHS: i64 = 36;

/// A schedule period: fixed seconds, or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Period {
    Seconds(i64),
    Months(i64),
}

impl Period {
    /// Start of interval `k` of a schedule starting at `start`.
    pub fn nth(self, start: i64, k: u64) -> Option<i64> {
        let k = i64::try_from(k).ok()?;
        match self {
            Period::Seconds(p) => start.checked_add(p.checked_mul(k)?),
            Period::Months(m) => dates::add_months(start, m.checked_mul(k)?),
        }
    }
}

/// Parses `N unit` (unit: minute, hour, day, week, month or year, singular
/// or plural, any case), within 15 minutes and 3 years.
pub fn parse_period(text: &str) -> Result<Period, String> {
    let bad = || {
        format!("INVALID_FIELD_VALUE:  'period' value '{text}' is not a valid period, e.g. '1 hour' or '15 minutes'.")
    };
    let mut parts = text.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let n: i64 = n.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    let unit = unit.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let period = match unit {
        "minute" => Period::Seconds(n.saturating_mul(60)),
        "hour" => Period::Seconds(n.saturating_mul(3600)),
        "day" => Period::Seconds(n.saturating_mul(86_400)),
        "week" => Period::Seconds(n.saturating_mul(7 * 86_400)),
        "month" => Period::Months(n),
        "year" => Period::Months(n.saturating_mul(12)),
        _ => return Err(bad()),
    };
    let too_short = matches!(period, Period::Seconds(s) if s < MIN_PERIOD_SECS);
    let too_long = match period {
        Period::Seconds(s) => s > 3 * 365 * 86_400 + 86_400,
        Period::Months(m) => m > MAX_PERIOD_MONTHS,
    };
    if too_short {
        return Err(format!(
            "INVALID_FIELD_VALUE:  'period' value '{text}' is shorter than the minimum of 15 minutes."
        ));
    }
    if too_long {
        return Err(format!(
            "INVALID_FIELD_VALUE:  'period' value '{text}' is longer than the maximum of 3 years."
        ));
    }
    Ok(period)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleType {
    Cron,
    Timeseries,
    OnDemand,
}

/// The pipeline's `scheduleType`, read from `Default`.
/// inferred: the default is `cron` (UNK in the facts; the DG's examples that
/// omit it behave as cron).
pub fn schedule_type(def: &Definition) -> Result<ScheduleType, String> {
    match def.object("Default").and_then(|d| d.string("scheduleType")) {
        None => Ok(ScheduleType::Cron),
        Some(s) => match s.to_ascii_lowercase().as_str() {
            "cron" => Ok(ScheduleType::Cron),
            "timeseries" => Ok(ScheduleType::Timeseries),
            "ondemand" => Ok(ScheduleType::OnDemand),
            _ => Err(format!(
                "INVALID_FIELD_VALUE:  'scheduleType' value '{s}' must be one of cron, timeseries or ondemand."
            )),
        },
    }
}

/// When a schedule starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    At(i64),
    FirstActivation,
}

/// A `Schedule` object, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSpec {
    pub start: Start,
    pub period: Period,
    pub period_text: String,
    pub end: Option<i64>,
    pub occurrences: Option<u64>,
}

/// A duration such as `retryDelay` (`2 minutes`): any positive `N unit`,
/// in seconds (a month counts 30 days); None when unreadable.
pub fn parse_period_any(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    let unit = unit.to_ascii_lowercase();
    let secs = match unit.strip_suffix('s').unwrap_or(&unit) {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "month" => 30 * 86_400,
        "year" => 365 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)
}

/// Whether a `Schedule` is the on-demand form of dp-object-schedule's example
/// ("On-demand with explicit Schedule object": `period` ONDEMAND_PERIOD, `startAt`
/// ONDEMAND_ACTIVATION_TIME). documented; inferred: either value alone marks it.
pub fn is_on_demand_schedule(obj: &PipelineObject) -> bool {
    obj.string("period")
        .is_some_and(|p| p.eq_ignore_ascii_case("ONDEMAND_PERIOD"))
        || obj
            .string("startAt")
            .is_some_and(|s| s.eq_ignore_ascii_case("ONDEMAND_ACTIVATION_TIME"))
}

/// Reads a `Schedule` object (give it with its inherited fields, see
/// [`resolved_object`]), or lists what is wrong with it.
pub fn parse_schedule(obj: &PipelineObject) -> Result<ScheduleSpec, Vec<String>> {
    let mut errors = Vec::new();
    let period_text = obj.string("period").unwrap_or("").to_string();
    let period = if obj.has("period") {
        parse_period(&period_text).map_err(|e| errors.push(e)).ok()
    } else {
        errors.push("MISSING_REQUIRED_FIELD:  'period' is required on a Schedule.".to_string());
        None
    };
    let start = match (obj.has("startDateTime"), obj.string("startAt")) {
        (true, Some(_)) => {
            errors.push("INVALID_FIELD_VALUE:  'startDateTime' and 'startAt' cannot both be set.".to_string());
            None
        }
        (true, None) => match obj.string("startDateTime").and_then(dates::parse_field_secs) {
            Some(t) => Some(Start::At(t)),
            None => {
                errors
                    .push("INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.".to_string());
                None
            }
        },
        (false, Some("FIRST_ACTIVATION_DATE_TIME")) => Some(Start::FirstActivation),
        (false, Some(other)) => {
            errors.push(format!(
                "INVALID_FIELD_VALUE:  'startAt' value '{other}' must be FIRST_ACTIVATION_DATE_TIME."
            ));
            None
        }
        (false, None) => {
            errors.push(
                "MISSING_REQUIRED_FIELD:  one of 'startDateTime' or 'startAt' is required on a Schedule.".to_string(),
            );
            None
        }
    };
    let end = if obj.has("endDateTime") {
        match obj.string("endDateTime").and_then(dates::parse_field_secs) {
            Some(t) => Some(t),
            None => {
                errors.push("INVALID_FIELD_VALUE:  'endDateTime' value must be a literal datetime value.".to_string());
                None
            }
        }
    } else {
        None
    };
    let occurrences = match obj.string("occurrences") {
        None if obj.has("occurrences") => {
            errors.push("INVALID_FIELD_VALUE:  'occurrences' must be a positive integer.".to_string());
            None
        }
        None => None,
        Some(s) => match s.trim().parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.push(format!(
                    "INVALID_FIELD_VALUE:  'occurrences' value '{s}' must be a positive integer."
                ));
                None
            }
        },
    };
    if obj.has("endDateTime") && obj.has("occurrences") {
        errors.push("INVALID_FIELD_VALUE:  'endDateTime' and 'occurrences' cannot both be set.".to_string());
    }
    if let (Some(Start::At(s)), Some(e)) = (start, end) {
        if e <= s {
            errors.push("INVALID_FIELD_VALUE:  'endDateTime' must be after 'startDateTime'.".to_string());
        }
    }
    match (start, period) {
        (Some(start), Some(period)) if errors.is_empty() => Ok(ScheduleSpec {
            start,
            period,
            period_text,
            end,
            occurrences,
        }),
        _ => Err(errors),
    }
}

/// The parent an object inherits from: its `parent` ref, else `Default`
/// (for every object but `Default` itself).
pub fn parent_of<'a>(def: &'a Definition, obj: &PipelineObject) -> Option<&'a PipelineObject> {
    match obj.reference("parent") {
        Some(p) => def.object(p),
        None if obj.id != "Default" => def.object("Default"),
        None => None,
    }
}

/// Deepest parent chain followed; longer chains (or cycles) stop there.
const MAX_INHERITANCE_DEPTH: usize = 32;

/// An object's fields with those it inherits (a key set on the object hides
/// every inherited value of that key; `parent` itself is not inherited).
pub fn resolved_fields(def: &Definition, obj: &PipelineObject) -> Vec<Field> {
    let mut fields = obj.fields.clone();
    let mut current = parent_of(def, obj);
    let mut depth = 0;
    while let Some(p) = current {
        if depth >= MAX_INHERITANCE_DEPTH || p.id == obj.id {
            break;
        }
        let known: Vec<String> = fields.iter().map(|f| f.key.clone()).collect();
        fields.extend(
            p.fields
                .iter()
                .filter(|f| f.key != "parent" && !known.contains(&f.key))
                .cloned(),
        );
        current = parent_of(def, p);
        depth += 1;
    }
    fields
}

/// The object with its inherited fields, as one object (DG: a field may be set on
/// the object, on its `parent` or on `Default`; the Schedule page lists `parent`
/// too, so a Schedule's fields may be inherited as well).
pub fn resolved_object(def: &Definition, obj: &PipelineObject) -> PipelineObject {
    PipelineObject {
        id: obj.id.clone(),
        name: obj.name.clone(),
        fields: resolved_fields(def, obj),
    }
}

/// The first string value of `key`, own or inherited.
pub fn inherited_string(def: &Definition, obj: &PipelineObject, key: &str) -> Option<String> {
    resolved_fields(def, obj)
        .into_iter()
        .find(|f| f.key == key)
        .and_then(|f| f.string_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("1 hour"), Ok(Period::Seconds(3600)));
        assert_eq!(parse_period("15 Minutes"), Ok(Period::Seconds(900)));
        assert_eq!(parse_period("1 Day"), Ok(Period::Seconds(86_400)));
        assert_eq!(parse_period("2 months"), Ok(Period::Months(2)));
        assert_eq!(parse_period("3 years"), Ok(Period::Months(36)));
        assert!(parse_period("14 minutes").is_err());
        assert!(parse_period("4 years").is_err());
        assert!(parse_period("hourly").is_err());
        assert!(parse_period("0 hours").is_err());
    }

    fn obj(id: &str, fields: &[(&str, &str)]) -> PipelineObject {
        PipelineObject::from_pairs(id, fields)
    }

    #[test]
    fn schedules() {
        let ok = parse_schedule(&obj(
            "S",
            &[
                ("type", "Schedule"),
                ("period", "1 hour"),
                ("startDateTime", "2012-12-12T00:00:00"),
                ("occurrences", "3"),
            ],
        ))
        .unwrap();
        assert_eq!(ok.occurrences, Some(3));
        assert_eq!(ok.period.nth(1_355_270_400, 2), Some(1_355_270_400 + 7200));
        let errs = parse_schedule(&obj("S", &[("period", "1 hour"), ("startDateTime", "2012-12-12")])).unwrap_err();
        assert_eq!(
            errs,
            vec!["INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.".to_string()]
        );
        assert!(parse_schedule(&obj("S", &[("period", "1 hour")])).is_err());
    }

    #[test]
    fn inheritance_through_parent_and_default() {
        let def = Definition {
            objects: vec![
                obj("Default", &[("workerGroup", "wg"), ("scheduleType", "ondemand")]),
                obj("Base", &[("command", "base"), ("maximumRetries", "1")]),
                obj("A", &[("parent", "&Base"), ("command", "own")]),
                obj("Loop", &[("parent", "&Loop")]),
            ],
            ..Definition::default()
        };
        let a = def.object("A").unwrap();
        assert_eq!(inherited_string(&def, a, "command").as_deref(), Some("own"));
        assert_eq!(inherited_string(&def, a, "maximumRetries").as_deref(), Some("1"));
        // Base has no parent, so it inherits from Default.
        assert_eq!(inherited_string(&def, a, "workerGroup").as_deref(), Some("wg"));
        assert_eq!(resolved_fields(&def, def.object("Loop").unwrap()).len(), 1);
        assert_eq!(schedule_type(&def), Ok(ScheduleType::OnDemand));
    }
}
