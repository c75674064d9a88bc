//! Matrix buffers kept per thread between experiments, so a run does not start with fresh pages.
//!
//! Why: an experiment's two activation matrices (800 KB each for the classic 1000 × 100) are
//! too big for the allocator to keep around; each fresh one came back from the kernel page by
//! page, and the page faults, zeroing and unmapping were a tenth of a one-thread experiment.
//!
//! A buffer handed out by [`overwritten_matrix`] holds whatever its last user left in it. That
//! never reaches a result: its callers overwrite every value before reading any (a product
//! writes its whole output, a normal fill its whole matrix). It is the numeric core's only state,
//! and it cannot change a bit of any result.

use std::cell::RefCell;

use ndarray::Array2;

/// Buffers larger than this many values (4 MiB) are not kept: a big experiment's matrices are
/// freed as before rather than held for the life of the thread.
const MAX_KEPT_VALUES: usize = 1 << 19;
/// Buffers kept per thread: the input and output of one forward pass.
const MAX_KEPT_BUFFERS: usize = 2;

thread_local! {
    static SPARE: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A `rows × cols` row-major matrix whose values are unspecified: the caller must write every
/// one before reading any.
pub fn overwritten_matrix(rows: usize, cols: usize) -> Array2<f64> {
    let len = rows * cols;
    let spare = SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        let best = spare
            .iter()
            .enumerate()
            .filter(|(_, buffer)| buffer.capacity() >= len)
            .min_by_key(|(_, buffer)| buffer.capacity())
            .map(|(i, _)| i)?;
        Some(spare.swap_remove(best))
    });
    let buffer = match spare {
        Some(mut buffer) => {
            // Only grows when `len` is above the old length; the values kept are overwritten.
            buffer.resize(len, 0.0);
            buffer.truncate(len);
            buffer
        }
        None => vec![0.0; len],
    };
    Array2::from_shape_vec((rows, cols), buffer).expect("rows × cols values")
}

/// Hands a matrix's buffer back for a later [`overwritten_matrix`] on this thread.
pub fn recycle(matrix: Array2<f64>) {
    let (buffer, _) = matrix.into_raw_vec_and_offset();
    if buffer.capacity() > MAX_KEPT_VALUES || buffer.capacity() == 0 {
        return;
    }
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < MAX_KEPT_BUFFERS {
            spare.push(buffer);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_buffer_is_handed_out_again_with_the_asked_shape() {
        let matrix = overwritten_matrix(3, 4);
        let address = matrix.as_ptr();
        recycle(matrix);
        let again = overwritten_matrix(2, 5);
        assert_eq!(again.dim(), (2, 5));
        assert_eq!(again.as_ptr(), address, "the spare buffer is reused");
        let bigger = overwritten_matrix(10, 10);
        assert_eq!(bigger.dim(), (10, 10));
        recycle(again);
        recycle(bigger);
    }

    #[test]
    fn big_buffers_are_not_kept() {
        let big = overwritten_matrix(MAX_KEPT_VALUES + 1, 1);
        let address = big.as_ptr();
        recycle(big);
        SPARE.with(|spare| {
            assert!(spare.borrow().iter().all(|b| b.as_ptr() != address));
        });
    }
}
