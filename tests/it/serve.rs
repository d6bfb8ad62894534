//! `dpconform serve` as a process: what it refuses at start.

use crate::support::{dpconform, TempDir};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_bad_credentials_file_is_refused_at_start_with_its_line() {
    let dir = TempDir::new("serve-credentials");
    let file = dir.write(
        "accounts.txt",
        "# key secret account\nAKIDALICE00000000000 alice/secret 111111111111\nAKIDBOB0000000000000 bob/secret 2222\n",
    );
    let out = dpconform(&dir, &["serve", "--port", "0", "--credentials", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:3: account id `2222` must be 12 digits", file.display())),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("listening"));

    let missing = dir.path().join("no-such-file");
    let out = dpconform(
        &dir,
        &["serve", "--port", "0", "--credentials", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read the credentials file"),
        "{}",
        text(&out.stderr)
    );
}
