//! `dpconform serve`: the reference endpoint as a standalone server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use super::{runtime, EXIT_OK, EXIT_USAGE};
use dpconform::reference::{self, Config, Regions};

#[derive(Debug, clap::Args)]
// Every example line is shorter than a terminal's 80 columns: a wrapped line
// would lose its trailing backslash and break when pasted.
#[command(after_help = "Example (AWS CLI):\n  \
    dpconform serve --port 8080 &\n  \
    export AWS_ACCESS_KEY_ID=AKIDDPCONFORMTEST000\n  \
    export AWS_SECRET_ACCESS_KEY=dpconform/test/secret/key/0000000000000000\n  \
    aws --endpoint-url http://127.0.0.1:8080 --region us-east-1 \\\n    \
    datapipeline list-pipelines")]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: any free port)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Access key that requests must be signed with [default: AWS_ACCESS_KEY_ID, else the test key]
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    access_key: Option<String>,
    /// Secret key that requests must be signed with [default: AWS_SECRET_ACCESS_KEY, else the test secret]
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Answer for this region only (signatures scoped to another are refused) [default: every AWS region, each with its own pipelines]
    #[arg(long)]
    region: Option<String>,
    /// Accounts: a file of `ACCESS_KEY SECRET_KEY ACCOUNT_ID` lines, each key pair an account of its own (replaces --access-key/--secret-key)
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// The service's clock: `system`, or `manual` (it stands still until `POST /_dpconform/clock` moves it)
    #[arg(long, value_enum, default_value_t = ClockKind::System)]
    clock: ClockKind,
    /// Accept requests without checking their signatures
    #[arg(long)]
    no_auth: bool,
    /// Apply the service's per-account call rates (burst 100 calls per action, then 1, 2 or 10 a second; see docs/serve.md): calls over them get ThrottlingException, to test retry logic
    #[arg(long)]
    throttle: bool,
    /// How long a PollForTask that finds no task is held open, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0, allow_negative_numbers = true, value_parser = parse_poll_wait)]
    poll_wait: f64,
    /// How long a deleted pipeline is still described (as DELETING) before every call about it is refused, in seconds (the service's is about a second in recordings)
    #[arg(long, value_name = "SECONDS", default_value_t = reference::DEFAULT_DELETION_DELAY.as_secs_f64(), value_parser = parse_deletion_delay)]
    deletion_delay: f64,
    /// Keep the state in DIR (created if missing): every change is on disk before it is answered, and a restart continues from it [default: memory only]
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Journal size (bytes) past which a snapshot replaces it; for tests of compaction
    #[arg(long, hide = true, default_value_t = reference::storage::COMPACT_AFTER_BYTES)]
    compact_after_bytes: u64,
    /// Do not log one line per request
    #[arg(long)]
    quiet: bool,
}

/// Where the service's time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ClockKind {
    /// The machine's clock.
    System,
    /// Stands still from the start until `POST /_dpconform/clock` moves it.
    Manual,
}

pub fn serve(args: ServeArgs) -> u8 {
    let access_key = args.access_key.unwrap_or_else(|| reference::TEST_ACCESS_KEY.into());
    let secret_key = args.secret_key.unwrap_or_else(|| reference::TEST_SECRET_KEY.into());
    let mut config = Config::from_credentials(&access_key, &secret_key, reference::TEST_REGION);
    config = config.with_regions(match args.region {
        Some(region) => Regions::Only(region),
        None => Regions::Any,
    });
    if let Some(path) = &args.credentials {
        match reference::credentials::load(path) {
            Ok(credentials) => config.auth = reference::Auth::Verify(credentials),
            Err(e) => {
                eprintln!("dpconform: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if args.no_auth {
        config.auth = reference::Auth::Disabled;
    }
    if args.clock == ClockKind::Manual {
        config = config.with_manual_clock(Arc::new(reference::ManualClock::new(std::time::SystemTime::now())));
    }
    config = config.with_poll_wait(std::time::Duration::from_secs_f64(args.poll_wait));
    config = config.with_deletion_delay(std::time::Duration::from_secs_f64(args.deletion_delay));
    config = config.with_throttle(args.throttle);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let reference = match &args.state_dir {
        None => reference::Reference::new(config),
        Some(dir) => match restore(dir, args.compact_after_bytes, config) {
            Ok(reference) => reference,
            Err(e) => {
                eprintln!("dpconform: cannot use the state folder: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let addr = SocketAddr::new(args.host, args.port);
    match rt.block_on(reference::http::serve_reference(addr, reference, !args.quiet)) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("dpconform: cannot serve on {addr}: {e}");
            EXIT_USAGE
        }
    }
}

/// The reference with the state kept in `dir`, read back from it.
fn restore(dir: &std::path::Path, compact_after: u64, config: Config) -> Result<reference::Reference, String> {
    let opened = reference::storage::open(dir, compact_after).map_err(|e| e.to_string())?;
    for note in &opened.notes {
        eprintln!("dpconform: {note}");
    }
    let restored = reference::Reference::restore(config.with_journal(Arc::new(opened.journal)), opened.saved)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "dpconform: state kept in {} ({} pipelines)",
        dir.display(),
        restored.store_sizes().pipelines
    );
    Ok(restored)
}

/// 0 to 60 seconds (recordings show about a second; the longest guess is about 10 s).
fn parse_deletion_delay(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=60.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!("`{text}` is not a number of seconds from 0 to 60")),
    }
}

/// 0 to 3600 seconds (the real service holds a poll up to 90 s).
fn parse_poll_wait(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=3600.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!("`{text}` is not a number of seconds from 0 to 3600")),
    }
}
