//! `--partition K/N`: a deterministic share of the cases for one of N machines
//! (a CI matrix). Cases are taken in name order and dealt round-robin, so the
//! parts are disjoint, cover every case, and differ in size by at most one.

use std::fmt;
use std::str::FromStr;

/// Part K of N (`K/N`), parsed from `--partition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// K: which part, 1-based.
    pub(crate) index: usize,
    /// N: how many parts.
    pub(crate) count: usize,
}

impl Partition {
    /// `K/N` with 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Partition, String> {
        let bad = || format!("`{text}` is not K/N with 1 <= K <= N (e.g. 2/4)");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { index, count })
    }

    /// Whether the case at `position` (in name order) belongs to this part.
    fn contains(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// This part's share of `items`, which must be in a deterministic order (case names).
    pub(crate) fn select<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, item)| item)
            .collect()
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Partition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Partition::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_disjoint_and_cover_everything() {
        let items: Vec<usize> = (0..11).collect();
        let mut all = Vec::new();
        for k in 1..=3 {
            let part = Partition::parse(&format!("{k}/3")).unwrap().select(items.clone());
            assert!((3..=4).contains(&part.len()));
            all.extend(part);
        }
        all.sort();
        assert_eq!(all, items);
    }

    #[test]
    fn bad_partitions_are_refused() {
        for text in ["0/3", "4/3", "1/0", "a/b", "3", "1/2/3"] {
            assert!(Partition::parse(text).is_err(), "{text}");
        }
        assert_eq!(Partition::parse(" 2/4 ").unwrap().to_string(), "2/4");
    }
}
