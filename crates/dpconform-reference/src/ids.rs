//! Identifiers the service makes up (pipeline ids, task ids), drawn from a
//! per-request seed: the same request with the same seed makes the same ids,
//! so a journal of requests replays to the same state.

use std::cell::Cell;

/// A small generator (splitmix64) seeded once per request.
#[derive(Debug)]
pub struct Ids {
    state: Cell<u64>,
}

impl Ids {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> Ids {
        Ids { state: Cell::new(seed) }
    }

    /// A fresh random seed, for a live request.
    pub fn random_seed() -> u64 {
        uuid::Uuid::new_v4().as_u64_pair().0
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&self) -> u64 {
        let s = self.state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next 128 pseudo-random bits.
    pub fn next_u128(&self) -> u128 {
        (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids_other_seed_other_ids() {
        let (a, b, c) = (Ids::new(7), Ids::new(7), Ids::new(8));
        let xs: Vec<u128> = (0..4).map(|_| a.next_u128()).collect();
        let ys: Vec<u128> = (0..4).map(|_| b.next_u128()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], c.next_u128());
        assert_ne!(xs[0], xs[1]);
    }
}
