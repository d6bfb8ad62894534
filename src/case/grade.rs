//! Evidence grades: how sure the corpus is that the real service behaves as a
//! case expects. The grades and their rules are the project's evidence policy
//! (README, "Evidence grades and citations").

use serde::{Deserialize, Serialize};

/// How an expectation is known, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Output captured from the real service (an SDK test, a CLI printout, a quoted response).
    Observed,
    /// The service model: required members, bounds, enums, patterns, declared errors.
    Model,
    /// Prose or samples of the API Reference or the Developer Guide.
    Documented,
    /// A choice where all evidence is silent, with its reason.
    Inferred,
}

impl Grade {
    /// Every grade, strongest first.
    pub const ALL: [Grade; 4] = [Grade::Observed, Grade::Model, Grade::Documented, Grade::Inferred];

    /// The grade's name as written in case files and shown in output.
    pub fn name(self) -> &'static str {
        match self {
            Grade::Observed => "observed",
            Grade::Model => "model",
            Grade::Documented => "documented",
            Grade::Inferred => "inferred",
        }
    }

    /// The grade of a name (`observed`), if it is one.
    pub fn from_name(name: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.name() == name)
    }
}

impl std::str::FromStr for Grade {
    type Err = String;

    /// A grade by name, for `--grade observed,model` (one name at a time).
    fn from_str(text: &str) -> Result<Grade, String> {
        Grade::from_name(text.trim())
            .ok_or_else(|| format!("`{text}` is not a grade; the grades are observed, model, documented and inferred"))
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_parse() {
        for g in Grade::ALL {
            assert_eq!(Grade::from_name(g.name()), Some(g));
        }
        assert_eq!(" model".parse::<Grade>(), Ok(Grade::Model));
        assert!("guessed".parse::<Grade>().unwrap_err().contains("`guessed`"));
        assert!(Grade::Observed < Grade::Inferred);
    }
}
