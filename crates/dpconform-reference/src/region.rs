//! Which regions a request may be signed for, and which account and region
//! (the [`Scope`]) its state belongs to.

use serde::{Deserialize, Serialize};

/// The regions an endpoint answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// Every AWS region (see [`is_aws_region`]); each has its own pipelines,
    /// as the service's regional endpoints do.
    Any,
    /// Only this one; a signature scoped to another is refused.
    Only(String),
}

impl Regions {
    /// Whether a signature may be scoped to `region`.
    pub fn accepts(&self, region: &str) -> bool {
        match self {
            Regions::Any => is_aws_region(region),
            Regions::Only(only) => only == region,
        }
    }

    /// The region of a request that names none (authentication off and no
    /// `Authorization` header): the pinned one, else `us-east-1`.
    pub fn fallback(&self) -> &str {
        match self {
            Regions::Any => dpconform_protocol::test_credentials::REGION,
            Regions::Only(only) => only,
        }
    }
}

/// Whether `name` has the shape of an AWS region code: a two-letter area, an
/// optional partition word (`gov`, `iso`, `isob`, ...), a compass direction
/// and a number, as in `us-east-1`, `us-gov-west-1`, `ap-southeast-2`,
/// `cn-north-1`, `eu-central-2`.
///
/// inferred: a local stand-in accepts every region (clients are configured
/// for the region they run in, and moto and other emulators accept them
/// all), but not a name no region could have, so that a client misconfigured
/// with a typo is still told (the real endpoint refuses a scope naming a
/// region other than its own: InvalidSignatureException).
pub fn is_aws_region(name: &str) -> bool {
    const DIRECTIONS: [&str; 9] = [
        "north",
        "south",
        "east",
        "west",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ];
    const PARTITIONS: [&str; 5] = ["gov", "iso", "isob", "isoe", "isof"];
    let parts: Vec<&str> = name.split('-').collect();
    let (area, middle, number) = match parts.as_slice() {
        [area, middle @ .., number] if !middle.is_empty() => (*area, middle, *number),
        _ => return false,
    };
    let direction = match middle {
        [direction] => *direction,
        [partition, direction] if PARTITIONS.contains(partition) => *direction,
        _ => return false,
    };
    area.len() == 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && DIRECTIONS.contains(&direction)
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Whose state a request works on: every account and region has its own
/// pipelines, tasks and task runners (DG: a worker group is "per region";
/// pipelines are an account's).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// The 12-digit account id of the credential that signed.
    pub account_id: String,
    /// The region of the signature's credential scope.
    pub region: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes() {
        for ok in [
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "ap-northeast-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
            "us-isob-east-1",
            "me-south-1",
        ] {
            assert!(is_aws_region(ok), "{ok}");
        }
        for bad in [
            "xx-nowhere-9",
            "us-east",
            "useast-1",
            "US-EAST-1",
            "us-east-1a",
            "",
            "us-gov-x-west-1",
            "u-east-1",
        ] {
            assert!(!is_aws_region(bad), "{bad}");
        }
    }

    #[test]
    fn pinned_region_refuses_the_others() {
        let only = Regions::Only("eu-west-1".into());
        assert!(only.accepts("eu-west-1"));
        assert!(!only.accepts("us-east-1"));
        assert_eq!(only.fallback(), "eu-west-1");
        assert!(Regions::Any.accepts("us-west-2"));
    }
}
