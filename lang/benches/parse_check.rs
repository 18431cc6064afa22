//! Parses and checks a large generated configuration (10,000 networks with two subnets each,
//! and a mesh of 100 of them), and in the same run parses the same text with `hcl-edit`, the
//! HCL parser of hcl-rs. The text is valid HCL, so both parsers do the same syntactic work.
//!
//! Every benchmark returns its result for criterion to drop outside the measurement, so that no
//! side is charged for freeing its tree.
//!
//! Run: `cargo bench -p isopod-lang --bench parse_check`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use isopod_lang::{Inputs, MemoryHost, SourceMap};
use std::hint::black_box;

/// The allocator the `isopod` binary uses (`src/main.rs`), for both parsers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NETWORKS: usize = isopod_test_support::large::NETWORKS;
const MESH_MEMBERS: usize = isopod_test_support::large::MESH_MEMBERS;

fn bench(c: &mut Criterion) {
    let text = isopod_test_support::large::configuration();
    let mut sources = SourceMap::new();
    sources.add("bench.iso", text.clone());
    let host = MemoryHost::default();
    let inputs = Inputs::default();
    let checked = isopod_lang::load(&sources, &inputs, &host);
    assert!(checked.diagnostics.is_empty(), "the benchmark input is valid: {:?}", checked.diagnostics.first());
    let topology = checked.topology.expect("valid");
    assert_eq!(topology.networks.len(), NETWORKS);
    assert_eq!(topology.tunnels.len(), MESH_MEMBERS * (MESH_MEMBERS - 1) / 2);
    hcl_edit::parser::parse_body(&text).expect("the benchmark input is valid HCL");
    eprintln!("input: {:.2} MB", text.len() as f64 / 1e6);

    let mut group = c.benchmark_group("10k-networks");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("isopod parse+check", |b| {
        b.iter_with_large_drop(|| isopod_lang::load(black_box(&sources), &inputs, &host))
    });
    group.bench_function("isopod parse", |b| {
        b.iter_with_large_drop(|| isopod_lang::syntax::parse(isopod_lang::FileId::default(), black_box(&text)))
    });
    group.bench_function("isopod parse, 1 thread", |b| {
        b.iter_with_large_drop(|| {
            isopod_lang::syntax::parse_with_threads(isopod_lang::FileId::default(), black_box(&text), 1)
        })
    });
    group.bench_function("hcl-edit parse", |b| {
        b.iter_with_large_drop(|| hcl_edit::parser::parse_body(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
