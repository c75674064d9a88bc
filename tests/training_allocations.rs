//! A training step allocates nothing once its workspace exists: the forward pass, the backward
//! pass and the update all write into buffers made once per run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use initbook::numeric::gaussian::GaussianStream;
use initbook::numeric::mlp::{Mlp, Workspace};
use initbook::numeric::{Activation, Init};
use ndarray::{Array1, Array2};
use rand::SeedableRng;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_training_step_allocates_nothing() {
    // The training lesson's shapes: 64 inputs, hidden layers of 100, 10 classes, batches of 128.
    let sizes = [64, 100, 100, 100, 100, 10];
    let batch = 128;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut normal = GaussianStream::new();
    let mut mlp = Mlp {
        weights: sizes
            .windows(2)
            .map(|pair| Init::He.draw_weights(pair[0], pair[1], &mut rng, &mut normal))
            .collect(),
        biases: Some(sizes[1..].iter().map(|&n| Array1::zeros(n)).collect()),
        activation: Activation::Relu,
        batchnorm: None,
    };
    let mut input = Array2::zeros((batch, sizes[0]));
    normal.fill_scaled(&mut rng, input.as_slice_mut().unwrap(), 1.0);
    let labels: Vec<u32> = (0..batch as u32).map(|i| i % 10).collect();

    // On a one-thread pool, so the count does not include another thread's bookkeeping (the
    // products split into row bands on bigger pools; the bands are scheduled, not allocated).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let mut workspace = Workspace::new(&mlp, batch);
        // The first step sizes the packing buffer.
        let first_loss = mlp.train_step(input.view(), &labels, 0.01, &mut workspace);
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut loss = first_loss;
        for _ in 0..5 {
            loss = mlp.train_step(input.view(), &labels, 0.01, &mut workspace);
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(
            allocations, 0,
            "five training steps allocated {allocations} times"
        );
        assert!(
            loss < first_loss,
            "the steps did train: {first_loss} → {loss}"
        );
    });
}
