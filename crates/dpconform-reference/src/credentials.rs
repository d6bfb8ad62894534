//! The credentials file of `dpconform serve --credentials FILE`: the accounts
//! the endpoint knows, one key pair each.
//!
//! One credential per line, three fields separated by spaces or tabs:
//!
//! ```text
//! # access key           secret key                        account id
//! AKIDALICE00000000000   alice/secret/key/000000000000000  111111111111
//! AKIDBOB0000000000000   bob/secret/key/00000000000000000  222222222222
//! ```
//!
//! Blank lines and lines starting with `#` are skipped. Several keys may name
//! the same account (they then share its pipelines); an access key may appear
//! once.

use std::collections::HashSet;
use std::path::Path;

use super::Credential;

/// What is wrong with a credentials file: `path:line: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError(pub String);

impl std::fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CredentialsError {}

/// Reads and parses a credentials file.
pub fn load(path: &Path) -> Result<Vec<Credential>, CredentialsError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CredentialsError(format!("{}: cannot read the credentials file: {e}", path.display())))?;
    parse(&text).map_err(|(line, what)| CredentialsError(format!("{}:{line}: {what}", path.display())))
}

/// Parses the text of a credentials file; an error is (line number, what is wrong).
pub fn parse(text: &str) -> Result<Vec<Credential>, (usize, String)> {
    let mut credentials = Vec::new();
    let mut seen = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [access_key, secret_key, account_id] = fields.as_slice() else {
            return Err((
                number,
                format!(
                    "expected three fields (access key, secret key, account id) separated by spaces, found {}",
                    fields.len()
                ),
            ));
        };
        if !(16..=128).contains(&access_key.len()) || !access_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err((
                number,
                format!("access key `{access_key}` must be 16 to 128 letters and digits"),
            ));
        }
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err((number, format!("account id `{account_id}` must be 12 digits")));
        }
        if !seen.insert(access_key.to_string()) {
            return Err((number, format!("access key `{access_key}` is listed twice")));
        }
        credentials.push(Credential {
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
            account_id: account_id.to_string(),
        });
    }
    if credentials.is_empty() {
        return Err((text.lines().count().max(1), "the file lists no credentials".into()));
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# key secret account\n\nAKIDALICE00000000000 alice/secret 111111111111\n\tAKIDBOB0000000000000\tbob/secret\t222222222222\n";

    #[test]
    fn reads_one_credential_per_line() {
        let creds = parse(GOOD).unwrap();
        assert_eq!(creds.len(), 2);
        assert_eq!(creds[1].access_key, "AKIDBOB0000000000000");
        assert_eq!(creds[1].secret_key, "bob/secret");
        assert_eq!(creds[1].account_id, "222222222222");
    }

    #[test]
    fn names_the_line_and_what_is_wrong() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(err("AKIDALICE00000000000 secret\n").0, 1);
        assert!(err("AKIDALICE00000000000 secret\n").1.contains("three fields"));
        let (line, what) = err("# c\nAKIDALICE00000000000 s 1234\n");
        assert_eq!(line, 2);
        assert!(what.contains("12 digits"), "{what}");
        let (line, what) = err("AKIDALICE00000000000 s 111111111111\nAKIDALICE00000000000 t 222222222222\n");
        assert_eq!(line, 2);
        assert!(what.contains("twice"), "{what}");
        assert!(err("short s 111111111111\n").1.contains("access key"));
        assert!(err("# nothing\n").1.contains("no credentials"));
    }

    #[test]
    fn load_prefixes_the_path() {
        let dir = std::env::temp_dir().join(format!("dpconform-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("creds");
        std::fs::write(&file, "AKIDALICE00000000000 s 11\n").unwrap();
        let e = load(&file).unwrap_err().0;
        assert!(e.starts_with(&format!("{}:1: ", file.display())), "{e}");
        assert!(load(&dir.join("missing")).unwrap_err().0.contains("cannot read"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
