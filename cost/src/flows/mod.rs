//! Reading flow logs: the three clouds' formats, streamed (one record at a time, a worker per
//! core), each flow counted once, malformed lines counted with where they are.

pub mod aws;
pub mod azure;
pub mod gcp;
mod json;
pub mod record;
pub mod source;

pub use record::{Egress, Flow, Malformed, ReadReport, Seen, Service};
pub use source::{Format, ReadOptions, Sink, read_all};
