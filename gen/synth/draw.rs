//! Random draws: the seed tree and integer-only probability helpers.
//!
//! Each stage takes its own child stream from the tree in a fixed order, so a change in
//! how many numbers one stage draws does not shift every later stage, and all money
//! stays integer: probabilities are given in parts per ten thousand.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type GenRng = ChaCha8Rng;

pub struct SeedTree {
    master: ChaCha8Rng,
}

impl SeedTree {
    pub fn new(seed: u64) -> Self {
        SeedTree { master: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// The next independent stream; call order must be fixed for determinism.
    pub fn child(&mut self) -> GenRng {
        ChaCha8Rng::seed_from_u64(self.master.random::<u64>())
    }
}

/// True with probability `per_10k / 10_000`.
pub fn chance(rng: &mut GenRng, per_10k: u32) -> bool {
    if per_10k == 0 {
        return false;
    }
    rng.random_range(0..10_000u32) < per_10k
}

/// Index drawn with probability proportional to `weights` (all zero: index 0).
pub fn weighted(rng: &mut GenRng, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        let w = u64::from(w);
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// One element of a non-empty slice.
pub fn pick<'a, T>(rng: &mut GenRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One element of a non-empty slice of small values.
pub fn one<T: Copy>(rng: &mut GenRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// A bijection of `0..modulus` for moduli that are powers of ten: ids derived from a
/// sequence number stay unique but do not look sequential.
pub fn scramble(seq: u64, modulus: u64) -> u64 {
    // Odd and not a multiple of 5, hence invertible modulo any power of ten.
    const MUL: u128 = 6_364_136_223_846_793;
    ((u128::from(seq) * MUL + 1_442_695_040_888_963) % u128::from(modulus)) as u64
}

/// `total` split over `weights` exactly, by largest remainder (ties to the lower index),
/// so that counts add up to the requested number of orders.
pub fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        let mut v = vec![0; weights.len()];
        if let Some(first) = v.first_mut() {
            *first = total;
        }
        return v;
    }
    let mut counts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        let c = (exact / sum) as u64;
        counts.push(c);
        rems.push((exact % sum, i));
        given += c;
    }
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take((total - given) as usize) {
        counts[i] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(0, &[5, 0]), vec![0, 0]);
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..10_000 {
            assert!(seen.insert(scramble(i, 100_000)));
        }
        let v = apportion(1_000_003, &[3000, 1200, 1400, 800, 2000, 1570, 30]);
        assert_eq!(v.iter().sum::<u64>(), 1_000_003);
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut rng = SeedTree::new(7).child();
        for _ in 0..1000 {
            assert_ne!(weighted(&mut rng, &[0, 5, 0, 1]), 0);
        }
    }
}
