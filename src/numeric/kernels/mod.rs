//! The arithmetic inner loops, compiled for several instruction sets and picked at run time.
//!
//! # The rule: order and fusion are fixed, width is free
//!
//! What makes a floating-point result depend on the machine is a different *sequence* of
//! IEEE-754 operations: sums added in another order, or a multiply and an add fused into one
//! rounding (FMA). The vector width is not such a thing. `c[j] = c[j] + a · b[j]` done with a
//! separate multiply and add gives the same bits whether one lane computes it or eight lanes
//! compute eight such elements at once, because each lane performs exactly the scalar
//! operations on exactly the scalar operands.
//!
//! So every kernel here exists in one *portable* form (plain Rust, the reference) and, on x86-64,
//! in AVX2 and AVX-512 forms chosen at run time by [`Path::fastest`]. The wide forms
//! - vectorise only across independent output elements (columns of a product, elements of a
//!   map, per-column sums), so each element sees the same operations in the same order;
//! - never fuse: no `mul_add`, no `_mm*_fmadd_*`. (Rust never contracts `a * b + c` into an FMA
//!   on its own, at any optimisation level or target feature.)
//!
//! One wide form leaves operations out, where that is provably exact: the AVX-512 product skips
//! terms `a·b` with `a = ±0` and a finite `b` (a ReLU layer's output is half such zeros). Such a
//! term is ±0, and a sum that starts at +0 is never −0 (in round-to-nearest only −0 + −0 gives
//! −0), so adding it changes nothing; with an infinite or NaN `b` every term is taken
//! (`product.rs`). Likewise `exp` over a block of values all within ±708 scales by 2^k in one
//! product rather than two, which rounds the same exact value once (`elementary.rs`), and the
//! histogram's counting (`tally.rs`) and the sampler's compaction (`compact.rs`) only count or
//! move values.
//!
//! Each path is proven bit-equal to the portable one by `tests/integration/kernel_paths.rs`, on the CPU the
//! tests run on, over ragged shapes and special values (±0, ±∞, NaN, subnormals); the golden
//! values of `tests/integration/golden_vectors.rs` and the committed `output/` pin the portable results.
//!
//! Two ways of getting a wide form are used:
//! - the matrix product has hand-written register tiles per instruction set (`product.rs`),
//!   because the compiler does not keep a large block of sums in registers on its own;
//! - simple maps and column sums are written once as plain Rust and compiled three times by
//!   [`multiversion!`], once per target feature set; the compiler vectorises the same source
//!   to the width at hand and, without fast-math flags, may not reorder or fuse anything.

pub mod compact;
pub mod elementwise;
pub mod keystream;
pub mod product;
pub mod tally;

pub use product::{Lhs, PackedMatrix, Rhs};

/// An instruction set the kernels can run on. A value is a proof that this CPU supports it:
/// the only constructors check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Path(InstructionSet);

/// What [`multiversion!`] and the hand-written kernels match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum InstructionSet {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Path {
    /// Plain Rust: baseline SSE2 on x86-64, whatever the compiler targets elsewhere.
    pub const PORTABLE: Path = Path(InstructionSet::Portable);

    /// Every path this CPU can run, the portable one first.
    pub fn supported() -> Vec<Path> {
        let mut paths = vec![Path::PORTABLE];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                paths.push(Path(InstructionSet::Avx2));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                paths.push(Path(InstructionSet::Avx512));
            }
        }
        paths
    }

    /// The widest path this CPU supports. (The standard library caches the CPU's features, so
    /// this is a couple of loads.)
    pub fn fastest() -> Path {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Path(InstructionSet::Avx512);
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Path(InstructionSet::Avx2);
            }
        }
        Path::PORTABLE
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            InstructionSet::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => "avx512",
        }
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Defines `fn NAME(path: Path, ARGS) -> RET` from one body, compiled three times: as plain
/// Rust, and inside functions with the `avx2` and `avx512f` target features (x86-64 only).
/// The body is inlined into each, so the compiler vectorises the *same* source to each width.
///
/// Only for bodies whose loops are independent per element or per column; anything with a
/// running sum across elements must keep that sum scalar (the compiler will not reorder it, so
/// it stays correct, just not faster).
macro_rules! multiversion {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$generic:ident: $bound:path>)? ($($arg:ident: $ty:ty),* $(,)?)
        $(-> $ret:ty)? $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name $(<$generic: $bound>)? (
            path: $crate::numeric::kernels::Path,
            $($arg: $ty),*
        ) $(-> $ret)? {
            #[inline(always)]
            fn body $(<$generic: $bound>)? ($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2 $(<$generic: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn avx512 $(<$generic: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }

            match path.instruction_set() {
                $crate::numeric::kernels::InstructionSet::Portable => body($($arg),*),
                // SAFETY: a `Path` naming these features exists only when the CPU has them.
                #[cfg(target_arch = "x86_64")]
                $crate::numeric::kernels::InstructionSet::Avx2 => unsafe { avx2($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                $crate::numeric::kernels::InstructionSet::Avx512 => unsafe { avx512($($arg),*) },
            }
        }
    };
}
pub(crate) use multiversion;

impl Path {
    pub(crate) fn instruction_set(self) -> InstructionSet {
        self.0
    }
}
