//! Passes over many resources split across the machine's cores: contiguous runs of a slice,
//! one per thread, their results returned in the slice's order, so that a parallel pass gives
//! what the same pass on one thread gives.

/// Below this many items a pass stays on the caller's thread: starting threads costs more.
pub(crate) const PARALLEL_ITEMS: usize = 2_000;

/// `pass` over contiguous runs of `items` that together cover it in order, one run per core
/// (at most eight), or over all of `items` at once when they are few or there is one core.
pub(crate) fn in_runs<T: Sync, R: Send>(items: &[T], pass: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let runs = if items.len() < PARALLEL_ITEMS { 1 } else { threads };
    in_n_runs(items, runs, pass)
}

/// `pass` over `runs` contiguous runs of `items` (fewer if there are fewer items, one if there
/// are none) that together cover it in order, each on a thread of its own when there are two
/// or more.
pub(crate) fn in_n_runs<T: Sync, R: Send>(items: &[T], runs: usize, pass: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    if runs < 2 || items.len() < 2 {
        return vec![pass(items)];
    }
    let size = items.len().div_ceil(runs);
    let pass = &pass;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(size).map(|run| scope.spawn(move || pass(run))).collect();
        handles.into_iter().map(|handle| handle.join().expect("a pass over resources does not panic")).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_items_in_order_however_many_there_are() {
        for len in [0, 1, PARALLEL_ITEMS - 1, PARALLEL_ITEMS, 10_007] {
            let items: Vec<usize> = (0..len).collect();
            let runs = in_runs(&items, |run| run.to_vec());
            assert_eq!(runs.concat(), items, "{len} items");
            for n in [0, 1, 3, 8] {
                let runs = in_n_runs(&items, n, |run| run.to_vec());
                assert!(runs.len() <= n.max(1), "{len} items in {n} runs: {}", runs.len());
                assert_eq!(runs.concat(), items, "{len} items in {n} runs");
            }
        }
    }
}
