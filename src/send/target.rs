//! Which endpoint a run talks to and with which credentials.

use dpconform_protocol::test_credentials::{
    ACCESS_KEY as TEST_ACCESS_KEY, REGION as TEST_REGION, SECRET_KEY as TEST_SECRET_KEY,
};

/// Credentials and region used to sign requests.
#[derive(Clone)]
pub struct Credentials {
    /// AWS access key id.
    pub access_key: String,
    /// AWS secret access key; never printed (see the `Debug` impl).
    pub secret_key: String,
    /// Session token of temporary credentials; never printed.
    pub session_token: Option<String>,
    /// Region the signatures are scoped to.
    pub region: String,
}

impl Credentials {
    /// The values that must never be written anywhere: the secret key and the session token.
    pub fn secret_values(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.secret_key.clone()).chain(self.session_token.clone())
    }
}

impl std::fmt::Debug for Credentials {
    // Never print the secret or the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The fixed test credentials the embedded reference accepts.
    pub fn embedded() -> Self {
        Credentials {
            access_key: TEST_ACCESS_KEY.into(),
            secret_key: TEST_SECRET_KEY.into(),
            session_token: None,
            region: TEST_REGION.into(),
        }
    }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`); what is unset falls back to the test
    /// defaults, so a local emulator that ignores signatures needs no set-up.
    pub(crate) fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let defaults = Credentials::embedded();
        Credentials {
            access_key: var("AWS_ACCESS_KEY_ID").unwrap_or(defaults.access_key),
            secret_key: var("AWS_SECRET_ACCESS_KEY").unwrap_or(defaults.secret_key),
            session_token: var("AWS_SESSION_TOKEN"),
            region: var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .unwrap_or(defaults.region),
        }
    }
}

/// The endpoint named by the environment, as the AWS SDKs read it:
/// `AWS_ENDPOINT_URL_DATA_PIPELINE`, falling back to `AWS_ENDPOINT_URL`.
fn endpoint_from_env() -> Option<String> {
    ["AWS_ENDPOINT_URL_DATA_PIPELINE", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

/// Checks that `url` is an http(s) URL with a host; the message says what is wrong.
fn validate_endpoint(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}`: the endpoint must be an http:// or https:// URL"));
    }
    if parsed.host_str().is_none() {
        return Err(format!("`{url}` has no host"));
    }
    Ok(parsed)
}

/// The endpoint of a run, with the embedded reference kept alive when it is the target.
pub struct ResolvedTarget {
    /// Base URL of the endpoint, without a trailing slash.
    pub endpoint: String,
    /// What to sign with: from the environment, or the embedded reference's test credentials.
    pub credentials: Credentials,
    /// Dropping it stops the embedded server.
    #[cfg(feature = "embedded-reference")]
    pub embedded: Option<dpconform_reference::http::Embedded>,
}

impl ResolvedTarget {
    /// The target is the embedded reference, the corpus's own endpoint (the only
    /// one whose answers may change the corpus's snapshots without being told).
    pub fn is_embedded(&self) -> bool {
        #[cfg(feature = "embedded-reference")]
        return self.embedded.is_some();
        #[cfg(not(feature = "embedded-reference"))]
        false
    }

    /// How output names the target.
    pub fn describe(&self) -> String {
        #[cfg(feature = "embedded-reference")]
        if self.embedded.is_some() {
            return format!("the embedded reference ({})", self.endpoint);
        }
        self.endpoint.clone()
    }
}

/// `explicit` if given, else the endpoint variables, else a fresh embedded reference
/// on an ephemeral loopback port (must be called inside a tokio runtime).
pub async fn resolve(explicit: Option<&str>) -> Result<ResolvedTarget, String> {
    match explicit.map(str::to_string).or_else(endpoint_from_env) {
        Some(url) => {
            validate_endpoint(&url)?;
            Ok(ResolvedTarget {
                endpoint: url.trim_end_matches('/').to_string(),
                credentials: Credentials::from_env(),
                #[cfg(feature = "embedded-reference")]
                embedded: None,
            })
        }
        #[cfg(not(feature = "embedded-reference"))]
        None => Err(
            "no endpoint: give one (--endpoint, AWS_ENDPOINT_URL_DATA_PIPELINE or AWS_ENDPOINT_URL); \
             this build has no embedded reference (feature `embedded-reference`)"
                .into(),
        ),
        #[cfg(feature = "embedded-reference")]
        None => {
            let embedded = dpconform_reference::http::Embedded::start(dpconform_reference::Config::embedded())
                .await
                .map_err(|e| format!("cannot start the embedded reference endpoint: {e}"))?;
            Ok(ResolvedTarget {
                endpoint: embedded.url(),
                credentials: Credentials::embedded(),
                embedded: Some(embedded),
            })
        }
    }
}

/// Fails fast, before any case runs, when nothing accepts connections at `url`.
pub(crate) async fn check_reachable(url: &str, timeout: std::time::Duration) -> Result<(), String> {
    let parsed = validate_endpoint(url)?;
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(timeout.min(std::time::Duration::from_secs(5)), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("cannot connect to {url}: {e}. Is the endpoint running?")),
        Err(_) => Err(format!(
            "cannot connect to {url}: no answer within {:?}. Is the endpoint running?",
            timeout.min(std::time::Duration::from_secs(5))
        )),
    }
}
