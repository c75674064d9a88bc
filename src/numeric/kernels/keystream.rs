//! ChaCha8's key stream — the words `rand_chacha`'s `ChaCha8Rng` hands out — on every [`Path`].
//!
//! Why: the normal draws of one 1000 × 100 × 5 experiment take 1.5 MB of key stream, and
//! `rand_chacha` makes it four blocks at a time in AVX2 registers (it has no AVX-512 form). On
//! AVX-512 this module computes sixteen blocks at once, one block per lane, with the same
//! additions, XORs and rotations of 32-bit words that define ChaCha: integer operations, so
//! the words are the same bits by definition, and a test holds them to `rand_chacha`'s for many
//! seeds, streams and positions. Other paths read the generator itself.
//!
//! The generator's state is its key (the seed), its stream and its position in words; a
//! [`KeyStream`] reads them at the start, computes the blocks from there, and on drop moves
//! the generator to just after the last word it handed out, so the generator goes on exactly
//! as if every word had come from it.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{InstructionSet, Path};

/// Words per ChaCha block.
const BLOCK_WORDS: usize = 16;
/// Words of one AVX-512 call: sixteen blocks.
#[cfg(target_arch = "x86_64")]
const WIDE_WORDS: usize = 16 * BLOCK_WORDS;

/// The next words of a `ChaCha8Rng`'s key stream, handed out in order.
pub struct KeyStream<'r> {
    rng: &'r mut ChaCha8Rng,
    #[cfg(target_arch = "x86_64")]
    wide: Option<x86::Wide>,
}

impl<'r> KeyStream<'r> {
    /// The words of `rng` from where it stands, computed on `path`.
    pub fn new(path: Path, rng: &'r mut ChaCha8Rng) -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            let wide =
                (path.instruction_set() == InstructionSet::Avx512).then(|| x86::Wide::at(rng));
            KeyStream { rng, wide }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = path;
            KeyStream { rng }
        }
    }

    /// Fills `words` with the next words of the stream.
    pub fn fill(&mut self, words: &mut [u32]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(wide) = &mut self.wide {
            // SAFETY: `wide` exists only on the AVX-512 path, which proves the CPU has it.
            unsafe { wide.fill(words) };
            return;
        }
        // The generator's own words, through its bulk interface (little-endian bytes, the
        // words in the order `next_u32` gives them).
        let mut bytes = [0u8; 4 * 64];
        for chunk in words.chunks_mut(64) {
            let bytes = &mut bytes[..4 * chunk.len()];
            self.rng.fill_bytes(bytes);
            for (word, le) in chunk.iter_mut().zip(bytes.chunks_exact(4)) {
                *word = u32::from_le_bytes(le.try_into().expect("4 bytes"));
            }
        }
    }
}

impl Drop for KeyStream<'_> {
    /// Moves the generator past the words handed out (a no-op when they came from it).
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if let Some(wide) = &self.wide {
            self.rng.set_word_pos(wide.next_word);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use rand_chacha::ChaCha8Rng;

    use super::{BLOCK_WORDS, WIDE_WORDS};

    /// "expand 32-byte k", ChaCha's constant words.
    const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

    /// The AVX-512 key stream's state: the generator's key, stream and position, and the
    /// sixteen blocks computed last.
    pub(super) struct Wide {
        key: [u32; 8],
        stream: u64,
        /// The position, in words from the start of the stream, of the next word handed out.
        pub(super) next_word: u128,
        blocks: [u32; WIDE_WORDS],
        /// The position of `blocks[0]` (a whole block); `blocks` is empty before the first.
        blocks_start: Option<u128>,
    }

    impl Wide {
        pub(super) fn at(rng: &ChaCha8Rng) -> Self {
            let seed = rng.get_seed();
            let mut key = [0u32; 8];
            for (word, le) in key.iter_mut().zip(seed.chunks_exact(4)) {
                *word = u32::from_le_bytes(le.try_into().expect("4 bytes"));
            }
            Wide {
                key,
                stream: rng.get_stream(),
                next_word: rng.get_word_pos(),
                blocks: [0; WIDE_WORDS],
                blocks_start: None,
            }
        }

        /// Fills `words` with the next words, sixteen blocks computed at a time: straight into
        /// `words` where a run of them starts on a block, else into `blocks` first.
        #[target_feature(enable = "avx512f")]
        pub(super) fn fill(&mut self, mut words: &mut [u32]) {
            while !words.is_empty() {
                // Words still unread in `blocks`.
                if let Some(start) = self.blocks_start {
                    let offset = self.next_word.wrapping_sub(start);
                    if offset < WIDE_WORDS as u128 {
                        let unread = &self.blocks[offset as usize..];
                        let n = unread.len().min(words.len());
                        words[..n].copy_from_slice(&unread[..n]);
                        self.next_word += n as u128;
                        words = &mut words[n..];
                        continue;
                    }
                }
                let block = self.next_word / BLOCK_WORDS as u128;
                let aligned = self.next_word.is_multiple_of(BLOCK_WORDS as u128);
                if aligned && words.len() >= WIDE_WORDS {
                    let (run, rest) = words.split_at_mut(WIDE_WORDS);
                    sixteen_blocks(&self.key, self.stream, block as u64, run);
                    self.next_word += WIDE_WORDS as u128;
                    words = rest;
                } else {
                    sixteen_blocks(&self.key, self.stream, block as u64, &mut self.blocks);
                    self.blocks_start = Some(block * BLOCK_WORDS as u128);
                }
            }
        }
    }

    /// One ChaCha quarter round on four words of sixteen blocks.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn quarter_round(x: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[b], x[c]));
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[b], x[c]));
    }

    /// `word` in every lane.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn splat(word: u32) -> __m512i {
        _mm512_set1_epi32(word as i32)
    }

    /// Blocks `block … block + 15` (the counter wrapping at 2⁶⁴, as `rand_chacha`'s does) of
    /// the key stream of `key` and `stream`, block after block into `out`. Lane `i` of
    /// register `w` works on word `w` of block `block + i`.
    #[target_feature(enable = "avx512f")]
    fn sixteen_blocks(key: &[u32; 8], stream: u64, block: u64, out: &mut [u32]) {
        assert_eq!(out.len(), WIDE_WORDS, "sixteen blocks");
        let lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        // The 64-bit counter of each lane: the low word, and the high word plus the carry.
        let low = _mm512_add_epi32(splat(block as u32), lanes);
        let carried = _mm512_cmplt_epu32_mask(low, splat(block as u32));
        let high = _mm512_mask_add_epi32(
            splat((block >> 32) as u32),
            carried,
            splat((block >> 32) as u32),
            splat(1),
        );
        let start = [
            splat(SIGMA[0]),
            splat(SIGMA[1]),
            splat(SIGMA[2]),
            splat(SIGMA[3]),
            splat(key[0]),
            splat(key[1]),
            splat(key[2]),
            splat(key[3]),
            splat(key[4]),
            splat(key[5]),
            splat(key[6]),
            splat(key[7]),
            low,
            high,
            splat(stream as u32),
            splat((stream >> 32) as u32),
        ];
        let mut x = start;
        // ChaCha8: four double rounds, each a column round and a diagonal round.
        for _ in 0..4 {
            quarter_round(&mut x, 0, 4, 8, 12);
            quarter_round(&mut x, 1, 5, 9, 13);
            quarter_round(&mut x, 2, 6, 10, 14);
            quarter_round(&mut x, 3, 7, 11, 15);
            quarter_round(&mut x, 0, 5, 10, 15);
            quarter_round(&mut x, 1, 6, 11, 12);
            quarter_round(&mut x, 2, 7, 8, 13);
            quarter_round(&mut x, 3, 4, 9, 14);
        }
        for (word, start) in x.iter_mut().zip(start) {
            *word = _mm512_add_epi32(*word, start);
        }
        // Transpose the 16 × 16 words so that each register holds one block: pairs of words
        // interleaved, then pairs of pairs (register `4i + j` then holds, in 128-bit lane `l`,
        // words `4i … 4i + 3` of block `4l + j`), then the lanes gathered across registers.
        let mut pairs = [_mm512_setzero_si512(); 16];
        for i in 0..8 {
            pairs[2 * i] = _mm512_unpacklo_epi32(x[2 * i], x[2 * i + 1]);
            pairs[2 * i + 1] = _mm512_unpackhi_epi32(x[2 * i], x[2 * i + 1]);
        }
        let mut quads = [_mm512_setzero_si512(); 16];
        for i in 0..4 {
            quads[4 * i] = _mm512_unpacklo_epi64(pairs[4 * i], pairs[4 * i + 2]);
            quads[4 * i + 1] = _mm512_unpackhi_epi64(pairs[4 * i], pairs[4 * i + 2]);
            quads[4 * i + 2] = _mm512_unpacklo_epi64(pairs[4 * i + 1], pairs[4 * i + 3]);
            quads[4 * i + 3] = _mm512_unpackhi_epi64(pairs[4 * i + 1], pairs[4 * i + 3]);
        }
        for j in 0..4 {
            let (a, b, c, d) = (quads[j], quads[4 + j], quads[8 + j], quads[12 + j]);
            let ab_low = _mm512_shuffle_i32x4::<0x44>(a, b);
            let ab_high = _mm512_shuffle_i32x4::<0xee>(a, b);
            let cd_low = _mm512_shuffle_i32x4::<0x44>(c, d);
            let cd_high = _mm512_shuffle_i32x4::<0xee>(c, d);
            let blocks = [
                _mm512_shuffle_i32x4::<0x88>(ab_low, cd_low),
                _mm512_shuffle_i32x4::<0xdd>(ab_low, cd_low),
                _mm512_shuffle_i32x4::<0x88>(ab_high, cd_high),
                _mm512_shuffle_i32x4::<0xdd>(ab_high, cd_high),
            ];
            for (l, words) in blocks.into_iter().enumerate() {
                let at = (4 * l + j) * BLOCK_WORDS;
                // SAFETY: `out` holds sixteen blocks (asserted above); block `4l + j < 16`.
                unsafe { _mm512_storeu_si512(out.as_mut_ptr().add(at).cast(), words) };
            }
        }
    }
}
