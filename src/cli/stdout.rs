//! Printing to standard output that survives a closed reader. `println!`
//! panics when stdout is a pipe whose reader has gone (`dpconform diff a b |
//! head`); a conformance run must still write its reports and exit with its own
//! status, so lines to a closed stdout are dropped instead.

use std::fmt::Arguments;
use std::io::Write;

/// Writes one formatted line to stdout; a write error (a closed pipe) drops it.
pub fn line(args: Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
}

/// Writes formatted text to stdout with no newline; a write error drops it.
pub fn text(args: Arguments<'_>) {
    let _ = std::io::stdout().lock().write_fmt(args);
}

/// `println!` that never panics: see [`line`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::stdout::line(format_args!($($arg)*)) };
}

/// `print!` that never panics: see [`text`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdout::text(format_args!($($arg)*)) };
}
