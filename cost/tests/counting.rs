//! Properties of reading: whatever the flows, each is counted once, at its sender, and the
//! bytes read are the bytes written; tiers never make more traffic cheaper.

use isopod_cost::flows::{ReadOptions, Sink, read_all};
use isopod_cost::prices::{PriceBook, Where};
use isopod_lang::topology::CloudKind;
use isopod_test_support::flows::{Spec, write_aws};
use proptest::prelude::*;

/// Sums what it is given.
#[derive(Default)]
struct Sum {
    flows: u64,
    bytes: u64,
}

impl Sink for Sum {
    fn add(&mut self, flow: &isopod_cost::flows::Flow) {
        self.flows += 1;
        self.bytes += flow.bytes;
    }

    fn merge(&mut self, other: Sum) {
        self.flows += other.flows;
        self.bytes += other.bytes;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn a_flow_logged_at_both_ends_counts_once(seed in any::<u64>(), records in 1u64..400, files in 1u32..5, workers in 1usize..4) {
        let dir = tempfile::tempdir().unwrap();
        let spec = Spec {
            seed,
            records,
            files,
            ranges: vec![("10.10.0.0".parse().unwrap(), 16), ("10.20.1.0".parse().unwrap(), 24)],
            hosts_per_range: 5,
            region: "us-east-1".into(),
            start: 1_790_000_000,
        };
        let written = write_aws(dir.path(), &spec);
        let (sum, report) = read_all(&[dir.path().to_path_buf()], &ReadOptions { gcp_scale: 1.0, workers }, Sum::default).unwrap();
        prop_assert_eq!(sum.flows, written.flows);
        prop_assert_eq!(sum.bytes, written.bytes);
        prop_assert_eq!(report.other_end, written.ingress);
        prop_assert_eq!(report.files, u64::from(files));
        prop_assert_eq!(report.malformed, 0);
    }

    #[test]
    fn tiers_never_make_more_traffic_cheaper(a in 0.0f64..300_000.0, b in 0.0f64..300_000.0) {
        let book = PriceBook::builtin();
        for meter in ["aws.internet_out", "gcp.internet_out", "azure.internet_out", "aws.interface_endpoint_processing"] {
            let rate = book.rate(meter, Where { cloud: CloudKind::Aws, from: "us-east-1", to: None }).unwrap();
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(rate.cost(low) <= rate.cost(high) + 1e-9, "{meter}: {low} GB costs more than {high} GB");
        }
    }
}
