//! The HTML pages in a real headless Chromium: tests/browser/check.sh renders
//! report.html and diff.html, types into their filters through the DevTools
//! protocol and checks exactly which items stay visible, that there is no
//! console error, and that nothing but the page is loaded. It installs Debian's
//! chromium when missing.

use std::process::Command;

#[test]
fn html_reports_render_and_filter_in_headless_chromium() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("bash")
        .arg(format!("{root}/tests/browser/check.sh"))
        .arg(env!("CARGO_BIN_EXE_dpconform"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        output.status.success() && last.ends_with(" passed, 0 failed") && !last.starts_with("0 "),
        "browser check failed (exit {:?}):\n{stdout}\n{stderr}",
        output.status.code()
    );
}
