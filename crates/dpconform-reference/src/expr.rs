//! Expressions: `#{...}` inside string values, evaluated against one object.
//!
//! Supported (DG: pipeline expressions and functions): field references
//! (`#{@scheduledStartTime}`, `#{parent.@id}`, through refs, with
//! inheritance through `parent`), parameters (`#{myVar}`), literals (numbers,
//! `'strings'`), operators `+ - * /` (integer division truncates), `^`
//! (double), `+` on strings concatenates, and the date functions `format`,
//! `makeDate`, `makeDateTime`, `plus|minus{Minutes,Hours,Days,Weeks,Months,Years}`,
//! `day`, `dayOfYear`, `hour`, `minute`, `month`, `year`, `firstOfMonth`,
//! `midnight`, `sunday`, `yesterday`.

use time::{Date, Duration, Month, PrimitiveDateTime, Time, Weekday};

use super::dates;
use super::model::PipelineObject;

/// Where an expression looks things up besides its own object.
pub trait Scope {
    /// An object by id, with the fields an expression may read.
    fn object(&self, id: &str) -> Option<PipelineObject>;
    /// A parameter's value (given value, else default).
    fn parameter(&self, id: &str) -> Option<String>;
}

const MAX_DEPTH: usize = 16;
const MAX_OUTPUT: usize = 20_971_520;

/// Replaces every `#{...}` in `text` with its value.
pub fn evaluate_string(text: &str, obj: &PipelineObject, scope: &dyn Scope) -> Result<String, String> {
    interpolate(text, obj, scope, 0)
}

fn interpolate(text: &str, obj: &PipelineObject, scope: &dyn Scope, depth: usize) -> Result<String, String> {
    if depth > MAX_DEPTH {
        return Err("Expression nesting is too deep (recursive reference?)".to_string());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find("#{") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let end = closing_brace(after).ok_or_else(|| format!("Unterminated expression in '{text}'"))?;
        let value = eval_expression(&after[..end], obj, scope, depth)?;
        out.push_str(&value.render());
        if out.len() > MAX_OUTPUT {
            return Err("Evaluated expression is too long".to_string());
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Position of the `}` closing an expression, skipping quoted strings.
fn closing_brace(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '}') => return Some(i),
            _ => {}
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Int(i64),
    Dbl(f64),
    Date(PrimitiveDateTime),
}

impl Val {
    fn render(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            Val::Dbl(d) => {
                if d.fract() == 0.0 && d.abs() < 1e7 {
                    format!("{d:.1}")
                } else {
                    d.to_string()
                }
            }
            Val::Date(d) => dates::format_datetime(*d),
        }
    }

    fn date(&self) -> Result<PrimitiveDateTime, String> {
        match self {
            Val::Date(d) => Ok(*d),
            Val::Str(s) => dates::parse_field(s).ok_or_else(|| format!("'{s}' is not a DateTime")),
            other => Err(format!("'{}' is not a DateTime", other.render())),
        }
    }

    fn int(&self) -> Result<i64, String> {
        match self {
            Val::Int(i) => Ok(*i),
            Val::Str(s) => s.trim().parse().map_err(|_| format!("'{s}' is not an Integer")),
            other => Err(format!("'{}' is not an Integer", other.render())),
        }
    }

    fn num(&self) -> Result<f64, String> {
        match self {
            Val::Int(i) => Ok(*i as f64),
            Val::Dbl(d) => Ok(*d),
            Val::Str(s) => s.trim().parse().map_err(|_| format!("'{s}' is not a number")),
            Val::Date(_) => Err("A DateTime is not a number".to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Dbl(f64),
    Str(String),
    Op(char),
    LParen,
    RParen,
    Comma,
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::LParen);
                i += 1
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1
            }
            '+' | '-' | '*' | '/' | '^' => {
                toks.push(Tok::Op(c));
                i += 1
            }
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == c)
                    .ok_or("Unterminated string literal")?;
                toks.push(Tok::Str(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                if text.contains('.') {
                    toks.push(Tok::Dbl(text.parse().map_err(|_| format!("Bad number '{text}'"))?));
                } else {
                    toks.push(Tok::Int(text.parse().map_err(|_| format!("Bad number '{text}'"))?));
                }
            }
            c if c.is_alphanumeric() || matches!(c, '@' | '_' | '*' | '.') => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '@' | '_' | '*' | '.')) {
                    i += 1;
                }
                toks.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("Unexpected character '{other}' in expression")),
        }
    }
    Ok(toks)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    obj: &'a PipelineObject,
    scope: &'a dyn Scope,
    depth: usize,
}

fn eval_expression(src: &str, obj: &PipelineObject, scope: &dyn Scope, depth: usize) -> Result<Val, String> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        obj,
        scope,
        depth,
    };
    if p.toks.is_empty() {
        return Err("Empty expression".to_string());
    }
    let v = p.sum(0)?;
    if p.pos != p.toks.len() {
        return Err(format!("Unexpected token in expression '{src}'"));
    }
    Ok(v)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn guard(nest: usize) -> Result<(), String> {
        if nest > 64 {
            Err("Expression is nested too deeply".to_string())
        } else {
            Ok(())
        }
    }

    fn sum(&mut self, nest: usize) -> Result<Val, String> {
        Self::guard(nest)?;
        let mut v = self.product(nest)?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            let r = self.product(nest)?;
            v = arith(op, v, r)?;
        }
        Ok(v)
    }

    fn product(&mut self, nest: usize) -> Result<Val, String> {
        let mut v = self.power(nest)?;
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            let r = self.power(nest)?;
            v = arith(op, v, r)?;
        }
        Ok(v)
    }

    fn power(&mut self, nest: usize) -> Result<Val, String> {
        let base = self.unary(nest)?;
        if let Some(Tok::Op('^')) = self.peek() {
            self.pos += 1;
            let exp = self.power(nest + 1)?;
            return Ok(Val::Dbl(base.num()?.powf(exp.num()?)));
        }
        Ok(base)
    }

    fn unary(&mut self, nest: usize) -> Result<Val, String> {
        Self::guard(nest)?;
        if let Some(Tok::Op('-')) = self.peek() {
            self.pos += 1;
            return match self.unary(nest + 1)? {
                Val::Int(i) => Ok(Val::Int(i.checked_neg().ok_or("Integer overflow")?)),
                other => Ok(Val::Dbl(-other.num()?)),
            };
        }
        self.primary(nest)
    }

    fn primary(&mut self, nest: usize) -> Result<Val, String> {
        match self.next() {
            Some(Tok::Int(i)) => Ok(Val::Int(i)),
            Some(Tok::Dbl(d)) => Ok(Val::Dbl(d)),
            Some(Tok::Str(s)) => Ok(Val::Str(s)),
            Some(Tok::LParen) => {
                let v = self.sum(nest + 1)?;
                match self.next() {
                    Some(Tok::RParen) => Ok(v),
                    _ => Err("Missing ')' in expression".to_string()),
                }
            }
            Some(Tok::Ident(name)) => {
                if let Some(Tok::LParen) = self.peek() {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if let Some(Tok::RParen) = self.peek() {
                        self.pos += 1;
                    } else {
                        loop {
                            args.push(self.sum(nest + 1)?);
                            match self.next() {
                                Some(Tok::Comma) => continue,
                                Some(Tok::RParen) => break,
                                _ => return Err(format!("Missing ')' after arguments of {name}")),
                            }
                        }
                    }
                    call(&name, &args)
                } else {
                    self.reference(&name)
                }
            }
            _ => Err("Incomplete expression".to_string()),
        }
    }

    /// A field reference (`key`, `ref.key`, ...) or a parameter.
    fn reference(&self, path: &str) -> Result<Val, String> {
        let parts: Vec<&str> = path.split('.').collect();
        let mut current = self.obj.clone();
        for (n, part) in parts.iter().enumerate() {
            let last = n + 1 == parts.len();
            if last && (*part == "@id" || *part == "id") {
                return Ok(Val::Str(current.id.clone()));
            }
            let field = lookup(&current, part, self.scope)
                .or_else(|| (*part == "name").then(|| Value::Str(current.name.clone())));
            match (field, last) {
                (Some(Value::Str(s)), true) => {
                    let s = if s.contains("#{") {
                        interpolate(&s, &current, self.scope, self.depth + 1)?
                    } else {
                        s
                    };
                    return Ok(Val::Str(s));
                }
                (Some(Value::Ref(id)), true) => return Ok(Val::Str(id)),
                (Some(Value::Ref(id)), false) => {
                    current = self
                        .scope
                        .object(&id)
                        .ok_or_else(|| format!("Reference '{part}' points to unknown object '{id}'"))?;
                }
                (Some(Value::Str(_)), false) => {
                    return Err(format!("Field '{part}' is not a reference in '{path}'"));
                }
                (None, _) => {
                    if n == 0 && parts.len() == 1 {
                        if let Some(v) = self.scope.parameter(path) {
                            return Ok(Val::Str(v));
                        }
                    }
                    return Err(format!("Unable to resolve '{path}' for object '{}'", self.obj.id));
                }
            }
        }
        Err(format!("Unable to resolve '{path}'"))
    }
}

enum Value {
    Str(String),
    Ref(String),
}

/// A field of an object or of its parents (`parent` chain).
fn lookup(obj: &PipelineObject, key: &str, scope: &dyn Scope) -> Option<Value> {
    let mut current = obj.clone();
    for _ in 0..MAX_DEPTH {
        if let Some(f) = current.fields.iter().find(|f| f.key == key) {
            return match (&f.string_value, &f.ref_value) {
                (Some(s), _) => Some(Value::Str(s.clone())),
                (None, Some(r)) => Some(Value::Ref(r.clone())),
                _ => None,
            };
        }
        let parent = current.reference("parent")?.to_string();
        current = scope.object(&parent)?;
    }
    None
}

fn arith(op: char, l: Val, r: Val) -> Result<Val, String> {
    if op == '+' && (matches!(l, Val::Str(_)) || matches!(r, Val::Str(_))) {
        return Ok(Val::Str(format!("{}{}", l.render(), r.render())));
    }
    match (&l, &r) {
        (Val::Int(a), Val::Int(b)) => {
            let v = match op {
                '+' => a.checked_add(*b),
                '-' => a.checked_sub(*b),
                '*' => a.checked_mul(*b),
                _ if *b == 0 => return Err("Division by zero".to_string()),
                _ => a.checked_div(*b),
            };
            v.map(Val::Int).ok_or_else(|| "Integer overflow".to_string())
        }
        _ => {
            let (a, b) = (l.num()?, r.num()?);
            Ok(Val::Dbl(match op {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ if b == 0.0 => return Err("Division by zero".to_string()),
                _ => a / b,
            }))
        }
    }
}

fn arity(name: &str, args: &[Val], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!("{name} takes {n} argument(s), got {}", args.len()))
    }
}

fn call(name: &str, args: &[Val]) -> Result<Val, String> {
    let shift = |unit: &str, sign: i64| -> Result<Val, String> {
        arity(name, args, 2)?;
        let dt = args[0].date()?;
        let n = args[1].int()?.checked_mul(sign).ok_or("Integer overflow")?;
        let secs = dates::from_datetime(dt);
        let moved = match unit {
            "Minutes" => n.checked_mul(60).and_then(|d| secs.checked_add(d)),
            "Hours" => n.checked_mul(3600).and_then(|d| secs.checked_add(d)),
            "Days" => n.checked_mul(86_400).and_then(|d| secs.checked_add(d)),
            "Weeks" => n.checked_mul(7 * 86_400).and_then(|d| secs.checked_add(d)),
            "Months" => dates::add_months(secs, n),
            _ => n.checked_mul(12).and_then(|m| dates::add_months(secs, m)),
        };
        moved
            .and_then(dates::to_datetime)
            .map(Val::Date)
            .ok_or_else(|| "DateTime out of range".to_string())
    };
    for unit in ["Minutes", "Hours", "Days", "Weeks", "Months", "Years"] {
        if name.strip_prefix("plus") == Some(unit) {
            return shift(unit, 1);
        }
        if name.strip_prefix("minus") == Some(unit) {
            return shift(unit, -1);
        }
    }
    let one_date = || -> Result<PrimitiveDateTime, String> {
        arity(name, args, 1)?;
        args[0].date()
    };
    match name {
        "format" => {
            arity(name, args, 2)?;
            let Val::Str(pattern) = &args[1] else {
                return Err("format's pattern must be a string".to_string());
            };
            Ok(Val::Str(joda_format(args[0].date()?, pattern)))
        }
        "makeDate" => {
            arity(name, args, 3)?;
            make(args[0].int()?, args[1].int()?, args[2].int()?, 0, 0)
        }
        "makeDateTime" => {
            arity(name, args, 5)?;
            make(
                args[0].int()?,
                args[1].int()?,
                args[2].int()?,
                args[3].int()?,
                args[4].int()?,
            )
        }
        "day" => Ok(Val::Int(i64::from(one_date()?.day()))),
        "dayOfYear" => Ok(Val::Int(i64::from(one_date()?.ordinal()))),
        "hour" => Ok(Val::Int(i64::from(one_date()?.hour()))),
        "minute" => Ok(Val::Int(i64::from(one_date()?.minute()))),
        "month" => Ok(Val::Int(i64::from(u8::from(one_date()?.month())))),
        "year" => Ok(Val::Int(i64::from(one_date()?.year()))),
        "firstOfMonth" => {
            let d = one_date()?;
            let first = d.date().replace_day(1).map_err(|e| e.to_string())?;
            Ok(Val::Date(PrimitiveDateTime::new(first, d.time())))
        }
        "midnight" => Ok(Val::Date(PrimitiveDateTime::new(one_date()?.date(), Time::MIDNIGHT))),
        "sunday" => {
            let d = one_date()?;
            let back = i64::from(d.weekday().number_days_from_sunday());
            d.checked_sub(Duration::days(back))
                .map(Val::Date)
                .ok_or_else(|| "DateTime out of range".to_string())
        }
        "yesterday" => one_date()?
            .checked_sub(Duration::days(1))
            .map(Val::Date)
            .ok_or_else(|| "DateTime out of range".to_string()),
        _ => Err(format!("Unknown function '{name}'")),
    }
}

fn make(y: i64, m: i64, d: i64, h: i64, min: i64) -> Result<Val, String> {
    let bad = || "Invalid date in makeDate/makeDateTime".to_string();
    let date = Date::from_calendar_date(
        i32::try_from(y).map_err(|_| bad())?,
        Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?,
        u8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let time = Time::from_hms(
        u8::try_from(h).map_err(|_| bad())?,
        u8::try_from(min).map_err(|_| bad())?,
        0,
    )
    .map_err(|_| bad())?;
    Ok(Val::Date(PrimitiveDateTime::new(date, time)))
}

/// Formats with a Joda-Time pattern (`YYYY-MM-dd HH:mm:ss`, quoted literals).
fn joda_format(dt: PrimitiveDateTime, pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = chars[i + 1..].iter().position(|&d| d == '\'');
            match end {
                Some(0) => {
                    out.push('\'');
                    i += 2;
                }
                Some(e) => {
                    out.extend(&chars[i + 1..i + 1 + e]);
                    i += e + 2;
                }
                None => {
                    out.extend(&chars[i + 1..]);
                    break;
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        i += n;
        let pad = |v: i64, w: usize| format!("{v:0w$}");
        let month = u8::from(dt.month());
        let text = match c {
            'y' | 'Y' | 'u' if n == 2 => pad(i64::from(dt.year()).rem_euclid(100), 2),
            'y' | 'Y' | 'u' => pad(i64::from(dt.year()), n.max(4)),
            'M' if n >= 4 => dt.month().to_string(),
            'M' if n == 3 => dt.month().to_string().chars().take(3).collect(),
            'M' => pad(i64::from(month), n),
            'd' => pad(i64::from(dt.day()), n),
            'D' => pad(i64::from(dt.ordinal()), n),
            'H' => pad(i64::from(dt.hour()), n),
            'k' => pad(i64::from(if dt.hour() == 0 { 24 } else { dt.hour() }), n),
            'h' => pad(i64::from((dt.hour() + 11) % 12 + 1), n),
            'K' => pad(i64::from(dt.hour() % 12), n),
            'm' => pad(i64::from(dt.minute()), n),
            's' => pad(i64::from(dt.second()), n),
            'S' => "0".repeat(n),
            'a' => (if dt.hour() < 12 { "AM" } else { "PM" }).to_string(),
            'E' if n >= 4 => weekday_name(dt.weekday()).to_string(),
            'E' => weekday_name(dt.weekday()).chars().take(3).collect(),
            'e' => pad(i64::from(dt.weekday().number_from_monday()), n),
            'Z' => if n >= 2 { "+00:00" } else { "+0000" }.to_string(),
            'z' => "UTC".to_string(),
            other => std::iter::repeat_n(other, n).collect(),
        };
        out.push_str(&text);
    }
    out
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use std::collections::HashMap;

    struct TestScope {
        objects: HashMap<String, PipelineObject>,
        params: HashMap<String, String>,
    }

    impl Scope for TestScope {
        fn object(&self, id: &str) -> Option<PipelineObject> {
            self.objects.get(id).cloned()
        }
        fn parameter(&self, id: &str) -> Option<String> {
            self.params.get(id).cloned()
        }
    }

    fn setup() -> (PipelineObject, TestScope) {
        let schedule = PipelineObject {
            id: "Schedule".into(),
            name: "Every hour".into(),
            fields: vec![
                Field::string("startDateTime", "2012-09-25T17:00:00"),
                Field::string("period", "1 hour"),
            ],
        };
        let default = PipelineObject {
            id: "Default".into(),
            name: "Default".into(),
            fields: vec![Field::string("workerGroup", "wg-1")],
        };
        let act = PipelineObject {
            id: "Act".into(),
            name: "Act".into(),
            fields: vec![
                Field::reference("schedule", "Schedule"),
                Field::reference("parent", "Default"),
                Field::string("@scheduledStartTime", "2012-09-25T17:00:00"),
                Field::string("myNested", "#{myBucket}/x"),
                Field::string("n", "7"),
            ],
        };
        let scope = TestScope {
            objects: [schedule, default, act.clone()]
                .into_iter()
                .map(|o| (o.id.clone(), o))
                .collect(),
            params: [("myBucket".to_string(), "s3://b".to_string())].into_iter().collect(),
        };
        (act, scope)
    }

    fn eval(s: &str) -> Result<String, String> {
        let (act, scope) = setup();
        evaluate_string(s, &act, &scope)
    }

    #[test]
    fn references_parameters_and_inheritance() {
        assert_eq!(eval("#{schedule.startDateTime}").unwrap(), "2012-09-25T17:00:00");
        assert_eq!(eval("at #{@scheduledStartTime}!").unwrap(), "at 2012-09-25T17:00:00!");
        assert_eq!(eval("#{schedule.name}").unwrap(), "Every hour");
        assert_eq!(eval("#{parent.@id}").unwrap(), "Default");
        assert_eq!(eval("#{workerGroup}").unwrap(), "wg-1");
        assert_eq!(eval("#{myBucket}").unwrap(), "s3://b");
        assert_eq!(eval("#{myNested}").unwrap(), "s3://b/x");
        assert_eq!(eval("no expressions").unwrap(), "no expressions");
        assert!(eval("#{nothing}").is_err());
        assert!(eval("#{schedule").is_err());
    }

    #[test]
    fn date_functions() {
        assert_eq!(
            eval("#{format(@scheduledStartTime,'YYYY-MM-dd HH:mm:ss')}").unwrap(),
            "2012-09-25 17:00:00"
        );
        assert_eq!(
            eval("#{format(minusHours(@scheduledStartTime,1),'YYYY-MM-dd')}").unwrap(),
            "2012-09-25"
        );
        assert_eq!(
            eval("#{minusHours(@scheduledStartTime,18)}").unwrap(),
            "2012-09-24T23:00:00"
        );
        assert_eq!(
            eval("#{plusMonths(@scheduledStartTime, 5)}").unwrap(),
            "2013-02-25T17:00:00"
        );
        assert_eq!(eval("#{day(@scheduledStartTime)}").unwrap(), "25");
        assert_eq!(eval("#{dayOfYear(@scheduledStartTime)}").unwrap(), "269");
        assert_eq!(eval("#{month(@scheduledStartTime)} #{year(@scheduledStartTime)} #{hour(@scheduledStartTime)} #{minute(@scheduledStartTime)}").unwrap(), "9 2012 17 0");
        assert_eq!(
            eval("#{firstOfMonth(@scheduledStartTime)}").unwrap(),
            "2012-09-01T17:00:00"
        );
        assert_eq!(eval("#{midnight(@scheduledStartTime)}").unwrap(), "2012-09-25T00:00:00");
        // 2012-09-25 was a Tuesday.
        assert_eq!(eval("#{sunday(@scheduledStartTime)}").unwrap(), "2012-09-23T17:00:00");
        assert_eq!(
            eval("#{yesterday(@scheduledStartTime)}").unwrap(),
            "2012-09-24T17:00:00"
        );
        assert_eq!(eval("#{makeDate(2011,5,24)}").unwrap(), "2011-05-24T00:00:00");
        assert_eq!(eval("#{makeDateTime(2011,5,24,14,21)}").unwrap(), "2011-05-24T14:21:00");
        assert!(eval("#{noSuchFunction(1)}").is_err());
        assert!(eval("#{day('x')}").is_err());
    }

    #[test]
    fn operators() {
        assert_eq!(eval("#{1 + 2 * 3}").unwrap(), "7");
        assert_eq!(eval("#{7 / 2}").unwrap(), "3");
        assert_eq!(eval("#{(1 + 2) * 3}").unwrap(), "9");
        assert_eq!(eval("#{2 ^ 3}").unwrap(), "8.0");
        assert_eq!(eval("#{'a' + 'b' + 1}").unwrap(), "ab1");
        assert_eq!(eval("#{-3 + 1}").unwrap(), "-2");
        assert!(eval("#{1 / 0}").is_err());
        assert!(eval("#{1 +}").is_err());
        assert!(eval("#{}").is_err());
    }
}
