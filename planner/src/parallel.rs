//! Passes over many resources split across the machine's cores: contiguous runs of a slice,
//! one per thread, their results returned in the slice's order, so that a parallel pass gives
//! what the same pass on one thread gives.

/// Below this many items a pass stays on the caller's thread: starting threads costs more.
pub(crate) const PARALLEL_ITEMS: usize = 2_000;

/// `pass` over contiguous runs of `items` that together cover it in order, one run per core
/// (at most eight), or over all of `items` at once when they are few or there is one core.
pub(crate) fn in_runs<T: Sync, R: Send>(items: &[T], pass: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || items.len() < PARALLEL_ITEMS {
        return vec![pass(items)];
    }
    let size = items.len().div_ceil(threads);
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
        }
    }
}
