//! Blocks of values computed operation by operation, for the elementary functions.
//!
//! `exp` of one value is a chain of some fifty dependent operations. A loop over values applies
//! it to a vector of 8 at a time, but the CPU holds only a couple of such chains in flight, and
//! waits on each operation's latency. Written over a [`Block`], every operation runs across all
//! of the block's values before the next one starts, so each step is many independent vector
//! operations: the units stay busy. Each value still goes through exactly the operations it
//! would alone, in the same order, so the results are the same bits (see `kernels`).

use std::ops::{Add, Div, Mul, Neg, Sub};

/// What the elementary functions compute on: one `f64`, or a [`Block`] of them.
pub trait Values:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// `value` in every place.
    fn splat(value: f64) -> Self;
    /// `f` of each value.
    fn map(self, f: impl Fn(f64) -> f64) -> Self;
    /// `f` of each value and the value in the same place of `other`.
    fn zip(self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self;
    /// True only if `f` holds for every value. A single value always says false: inside a loop
    /// the compiler vectorises, a branch per value costs more than any shortcut it allows. So a
    /// caller may use this only to pick between two ways that give the same bits.
    fn all_for_a_shortcut(self, f: impl Fn(f64) -> bool) -> bool;
}

impl Values for f64 {
    #[inline(always)]
    fn splat(value: f64) -> Self {
        value
    }

    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        f(self)
    }

    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        f(self, other)
    }

    #[inline(always)]
    fn all_for_a_shortcut(self, _: impl Fn(f64) -> bool) -> bool {
        false
    }
}

/// `N` values, each operation applied to all of them in turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block<const N: usize>(pub [f64; N]);

impl<const N: usize> Values for Block<N> {
    #[inline(always)]
    fn splat(value: f64) -> Self {
        Block([value; N])
    }

    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Block(std::array::from_fn(|i| f(self.0[i])))
    }

    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Block(std::array::from_fn(|i| f(self.0[i], other.0[i])))
    }

    #[inline(always)]
    fn all_for_a_shortcut(self, f: impl Fn(f64) -> bool) -> bool {
        // `&`, not `&&` or `all`: no early exit, so the test vectorises.
        self.0.iter().fold(true, |all, &value| all & f(value))
    }
}

macro_rules! block_operator {
    ($trait:ident, $method:ident, $op:tt) => {
        impl<const N: usize> $trait for Block<N> {
            type Output = Self;

            #[inline(always)]
            fn $method(self, other: Self) -> Self {
                self.zip(other, |a, b| a $op b)
            }
        }
    };
}

block_operator!(Add, add, +);
block_operator!(Sub, sub, -);
block_operator!(Mul, mul, *);
block_operator!(Div, div, /);

impl<const N: usize> Neg for Block<N> {
    type Output = Self;

    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|value| -value)
    }
}
