//! Counting how often each small code occurs: the histogram's counting step.
//!
//! Counts are integers, so any order of counting gives the same result; the paths differ only in
//! speed. The portable one increments a counter per code. The AVX-512 one (with the byte
//! instructions of AVX-512BW, which every AVX-512 CPU but the Xeon Phi has) compares 64 codes
//! with each possible code at once and counts the matches, which is cheaper while there are few
//! possible codes (a histogram's bins): one compare per code for 64 values against one
//! increment per value.

use super::{InstructionSet, Path};

/// `counts[c] += ` the number of `codes` equal to `c`, for every `c < counts.len()`.
///
/// Panics if a code is `counts.len()` or more: a programming error.
pub fn tally(path: Path, codes: &[u32], counts: &mut [u64]) {
    match path.instruction_set() {
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512
            if counts.len() <= x86::MAX_KINDS
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("popcnt") =>
        {
            // SAFETY: the CPU has AVX-512F (`path`), AVX-512BW and POPCNT (just checked).
            unsafe { x86::tally_avx512(codes, counts) }
        }
        _ => tally_portable(codes, counts),
    }
}

/// Eight interleaved sets of counters, so that runs of equal codes (a spike in the histogram)
/// do not each wait on one counter's previous increment.
fn tally_portable(codes: &[u32], counts: &mut [u64]) {
    const SETS: usize = 8;
    let kinds = counts.len();
    let mut counters = vec![0u64; SETS * kinds];
    let mut octets = codes.chunks_exact(SETS);
    for octet in &mut octets {
        for (set, &code) in octet.iter().enumerate() {
            assert!((code as usize) < kinds, "code {code} of {kinds}");
            counters[set * kinds + code as usize] += 1;
        }
    }
    for &code in octets.remainder() {
        counts[code as usize] += 1;
    }
    for set in counters.chunks_exact(kinds) {
        for (count, &c) in counts.iter_mut().zip(set) {
            *count += c;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Possible codes up to which comparing with each is cheaper than incrementing per value.
    /// (It also keeps every code below 255, the byte that larger codes saturate to.)
    pub(super) const MAX_KINDS: usize = 64;

    /// Codes per block: a vector of bytes.
    const BLOCK: usize = 64;
    /// Blocks narrowed to bytes at a time, then compared with one code after another: 1 KiB,
    /// in L1, so each compare reads its block from there.
    const GROUP: usize = 16;

    #[target_feature(enable = "avx512f,avx512bw,popcnt")]
    pub(super) fn tally_avx512(codes: &[u32], counts: &mut [u64]) {
        let kinds = counts.len();
        debug_assert!(kinds <= MAX_KINDS);
        let whole = codes.len() - codes.len() % BLOCK;
        let mut matched = [0u64; MAX_KINDS];
        let mut bytes = [_mm512_setzero_si512(); GROUP];
        // Groups of up to GROUP whole blocks; the codes after the last whole block are counted
        // one by one below.
        for group in codes[..whole].chunks(BLOCK * GROUP) {
            let blocks = group.len() / BLOCK;
            for (block, bytes) in group.chunks_exact(BLOCK).zip(&mut bytes) {
                // Narrowed with unsigned saturation, so a code of 255 or more becomes 255,
                // which no counted code (< 64) equals; such a code is then caught by the total
                // below.
                let quarter = |q: usize| {
                    // SAFETY: the block holds 64 codes, four vectors of 16.
                    let codes = unsafe { _mm512_loadu_si512(block.as_ptr().add(16 * q).cast()) };
                    _mm512_cvtusepi32_epi8(codes)
                };
                *bytes = _mm512_inserti64x4::<1>(
                    _mm512_castsi256_si512(_mm256_set_m128i(quarter(1), quarter(0))),
                    _mm256_set_m128i(quarter(3), quarter(2)),
                );
            }
            for (code, total) in matched[..kinds].iter_mut().enumerate() {
                let code = _mm512_set1_epi8(code as i8);
                let mut found = 0;
                for &bytes in &bytes[..blocks] {
                    found += _mm512_cmpeq_epi8_mask(bytes, code).count_ones();
                }
                *total += u64::from(found);
            }
        }
        let mut counted = 0;
        for (count, &total) in counts.iter_mut().zip(&matched) {
            *count += total;
            counted += total;
        }
        assert_eq!(counted, whole as u64, "a code of {kinds} or more");
        for &code in &codes[whole..] {
            counts[code as usize] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes with long runs and every kind, over lengths that leave every remainder of a block.
    #[test]
    fn every_path_counts_the_same() {
        for kinds in [1, 2, 33, 64, 65, 1003] {
            for len in [0, 1, 63, 64, 65, 200, 1023, 1024, 1025, 6400, 6401] {
                let codes: Vec<u32> = (0..len)
                    .map(|i: usize| {
                        let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                        // A third of the codes in one run of the last kind.
                        if i.is_multiple_of(3) {
                            kinds - 1
                        } else {
                            h as usize % kinds
                        }
                    })
                    .map(|c| c as u32)
                    .collect();
                let mut expected = vec![0u64; kinds];
                for &c in &codes {
                    expected[c as usize] += 1;
                }
                for path in Path::supported() {
                    // Counts add to what is there.
                    let mut counts = vec![1u64; kinds];
                    tally(path, &codes, &mut counts);
                    let counts: Vec<u64> = counts.iter().map(|c| c - 1).collect();
                    assert_eq!(counts, expected, "{path}, {kinds} kinds, {len} codes");
                }
            }
        }
    }

    #[test]
    fn a_code_out_of_range_panics_on_every_path() {
        for path in Path::supported() {
            // In a whole group, in the last, partial group, and after the last whole block.
            for at in [700, 1050, 1090] {
                for bad in [33u32, 254, 255, 256, 300, u32::MAX] {
                    let mut codes = vec![0u32; 1100];
                    codes[at] = bad;
                    let result = std::panic::catch_unwind(|| tally(path, &codes, &mut [0; 33]));
                    assert!(result.is_err(), "{path}: code {bad} at {at} was not caught");
                }
            }
        }
    }
}
