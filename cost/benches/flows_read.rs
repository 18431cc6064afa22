//! Reading and attributing AWS flow logs at volume: 10 million egress records (and their
//! ingress copies) in gzip files of the custom v5 format, read by `isopod_cost::read_traffic` on
//! both cores, and by DuckDB (PyPI's `duckdb`) grouping bytes by source and destination address
//! over the same files in the same run. Prints both throughputs, their ratio and Isopod's peak
//! heap while reading.
//!
//! The files are generated once (seeded, `isopod_test_support::flows`) under
//! `$ISOPOD_CACHE/bench-flows-N` (default `~/.cache/isopod`); `ISOPOD_FLOWS_RECORDS` sets N
//! (default 10,000,000), `ISOPOD_DUCKDB_PYTHON` the Python with `duckdb` (default the project's
//! venv; `scripts/bench-flows` installs it and runs this).
//!
//! Run: `scripts/bench-flows` (or `cargo bench -p isopod-cost --bench flows_read`).

use isopod_cost::flows::ReadOptions;
use isopod_test_support::flows::{Spec, write_aws};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Counts the heap: current and peak bytes in use.
#[global_allocator]
static HEAP: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const CONFIGURATION: &str = r#"
stack "bench" {}
cloud "aws" "east" {
  region = "us-east-1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.10.0.0/16"
  subnet "a" {
    cidr = "10.10.0.0/17"
    zone = "us-east-1a"
  }
  subnet "b" {
    cidr = "10.10.128.0/17"
    zone = "us-east-1b"
  }
}
network "data" {
  cloud = cloud.aws.east
  cidr  = "10.20.0.0/16"
}
tunnel "app-data" {
  between = [network.app, network.data]
}
"#;

fn main() {
    let records: u64 = std::env::var("ISOPOD_FLOWS_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000_000);
    let cache = std::env::var("ISOPOD_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME is set")).join(".cache/isopod"));
    let folder = cache.join(format!("bench-flows-{records}"));
    let spec = Spec {
        seed: 7,
        records,
        files: (records / 250_000).max(1) as u32,
        ranges: vec![("10.10.0.0".parse().unwrap(), 16), ("10.20.0.0".parse().unwrap(), 16)],
        hosts_per_range: 2_000,
        region: "us-east-1".into(),
        start: 1_790_000_000,
    };
    let done = folder.join(".done");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&folder);
        let started = Instant::now();
        let written = write_aws(&folder, &spec);
        std::fs::write(&done, format!("{} {}\n", written.flows, written.bytes)).expect("writable");
        eprintln!("generated {} files in {:.1} s", written.files.len(), started.elapsed().as_secs_f64());
    }
    let expected: Vec<u64> =
        std::fs::read_to_string(&done).expect("readable").split_whitespace().map(|n| n.parse().unwrap()).collect();
    let files = isopod_cost::flows::source::files(std::slice::from_ref(&folder)).expect("the folder is readable");
    let compressed: u64 = files.iter().map(|file| std::fs::metadata(file).map_or(0, |m| m.len())).sum();

    let topology = isopod_test_support::topology(CONFIGURATION);
    let desired = isopod_planner::lower(&topology, &isopod_planner::Live::default()).expect("lowers");
    let options = ReadOptions::default();
    let heap_before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let started = Instant::now();
    let traffic =
        isopod_cost::read_traffic(&topology, &desired, std::slice::from_ref(&folder), &options).expect("reads");
    let isopod_seconds = started.elapsed().as_secs_f64();
    let heap_mib = (HEAP.peak_usage() - heap_before) as f64 / 1048576.0;
    assert_eq!(traffic.read.counted, expected[0], "every flow counted once");
    assert_eq!(traffic.rows.iter().map(|row| row.bytes).sum::<u64>(), expected[1], "every byte attributed");

    let python =
        std::env::var("ISOPOD_DUCKDB_PYTHON").unwrap_or_else(|_| cache.join("venv/bin/python").display().to_string());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/duckdb_flows.py");
    let output = Command::new(&python)
        .args([script, &folder.display().to_string(), &options.workers.to_string()])
        .output()
        .unwrap_or_else(|err| panic!("running {python}: {err} (scripts/bench-flows installs duckdb)"));
    assert!(output.status.success(), "duckdb: {}", String::from_utf8_lossy(&output.stderr));
    let duckdb: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");
    let duckdb_seconds = duckdb["seconds"].as_f64().expect("seconds");
    assert_eq!(duckdb["records"].as_u64(), Some(expected[0]), "DuckDB read the same records");

    let total = traffic.read.records as f64;
    println!(
        "flow logs: {} files, {:.0} MiB gzip, {} records ({} egress)",
        traffic.read.files,
        compressed as f64 / 1048576.0,
        traffic.read.records,
        traffic.read.counted
    );
    println!("workers: {}", options.workers);
    println!("isopod read + attribute: {isopod_seconds:.2} s, {:.2} M records/s", total / isopod_seconds / 1e6);
    println!(
        "duckdb read + group by address pair: {duckdb_seconds:.2} s, {:.2} M records/s",
        total / duckdb_seconds / 1e6
    );
    println!("isopod heap while reading: {heap_mib:.1} MiB");
    println!("throughput isopod / duckdb: {:.2}x", duckdb_seconds / isopod_seconds);
}
