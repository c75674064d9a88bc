//! The fixed chunking behind every parallel float reduction of the numeric core.
//!
//! Sums are taken within each chunk of [`CHUNK_ROWS`] rows in row-major order, then the chunk
//! results are added in chunk order. The chunking does not depend on the number of threads, so
//! the result is the same bits however the chunks are scheduled. The forward pass computes its
//! output in bands of the same height, so the statistics of a band can be gathered while it is
//! still in cache.

/// Rows per chunk.
pub const CHUNK_ROWS: usize = 64;
