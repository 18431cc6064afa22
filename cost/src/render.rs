//! Showing traffic and costs: text tables for people, JSON for scripts.

use crate::flows::ReadReport;
use crate::prices::PriceBook;
use crate::traffic::{Traffic, TrafficRow};
use crate::{CostReport, paths::PathKind};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// `1.5 GiB`, `312 B`.
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{count} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// `$1,234.56`, `-$42.00`.
pub fn usd(amount: f64) -> String {
    let sign = if amount < -0.005 { "-" } else { "" };
    let cents = (amount.abs() * 100.0).round() as u64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// A unit price: at least cents (`$0.50`), more digits when it has them (`$0.045`).
pub fn price(amount: f64) -> String {
    let cents = format!("{amount:.2}");
    if cents.parse::<f64>() == Ok(amount) { format!("${cents}") } else { format!("${amount}") }
}

/// A table with a header row, columns padded to their widest cell (the last left ragged).
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (index, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What reading found, in one paragraph.
pub fn read_summary(read: &ReadReport) -> String {
    let mut out = format!("{} records in {} files, {} counted", read.records, read.files, read.counted);
    let notes = [
        (read.other_end - read.from_receivers, "receivers' views of flows their senders count (ingress, DEST)"),
        (read.from_receivers, "counted from their receiver, their sender logging nothing"),
        (read.no_traffic, "without traffic (rejected, no data, a flow's first tuple)"),
        (read.forwarded, "forwarded by a middlebox, counted at their origin"),
        (read.malformed, "malformed"),
    ];
    for (count, what) in notes {
        if count > 0 {
            let _ = write!(out, "; {count} {what}");
        }
    }
    out.push('\n');
    if read.without_direction > 0 {
        let _ = writeln!(
            out,
            "note: {} AWS records have no flow-direction (the default format): a flow logged at both of its ends is counted twice; log with the custom format of the book's cost page",
            read.without_direction
        );
    }
    if read.without_packet_addresses > 0 {
        let _ = writeln!(
            out,
            "note: {} AWS records have no pkt-srcaddr and pkt-dstaddr: traffic through a NAT gateway is counted at the instance and again at the gateway; log with the custom format of the book's cost page",
            read.without_packet_addresses
        );
    }
    for line in &read.scaling {
        let _ = writeln!(out, "note: {line}");
    }
    for sample in &read.malformed_samples {
        let _ = writeln!(out, "malformed: {}:{}: {}", sample.file, sample.line, sample.reason);
    }
    out
}

/// A warning for each source whose flows carry no times: their traffic cannot be scaled to a
/// month.
fn timeless(windows: &std::collections::BTreeMap<crate::flows::Format, f64>) -> String {
    let without: Vec<&str> = windows.iter().filter(|(_, hours)| **hours <= 0.0).map(|(f, _)| f.name()).collect();
    if without.is_empty() {
        return String::new();
    }
    format!(
        "note: the {} flows carry no start and end times: their traffic cannot be scaled to a month, and is priced at $0\n",
        without.join(" and ")
    )
}

/// The sources' own windows, when they differ: ` (aws 24.0 h, gcp 1.0 h, each scaled to a month
/// by its own)`.
fn windows(windows: &std::collections::BTreeMap<crate::flows::Format, f64>) -> String {
    let each: Vec<String> = windows.iter().map(|(format, hours)| format!("{} {hours:.1} h", format.name())).collect();
    let lengths: std::collections::BTreeSet<String> = windows.values().map(|hours| format!("{hours:.1}")).collect();
    if lengths.len() < 2 {
        return String::new();
    }
    format!(" ({}, each scaled to a month by its own)", each.join(", "))
}

fn ports(row: &TrafficRow) -> String {
    row.top_ports.iter().map(|share| share.label()).collect::<Vec<_>>().join(" ")
}

/// `isopod flows` for people.
pub fn flows_text(traffic: &Traffic) -> String {
    let mut out = format!(
        "Flows over {:.1} hours{}: {}",
        traffic.window_hours,
        windows(&traffic.windows),
        read_summary(&traffic.read)
    );
    out.push_str(&timeless(&traffic.windows));
    if traffic.rows.is_empty() {
        out.push_str("\nNo traffic.\n");
        return out;
    }
    let rows: Vec<Vec<String>> = traffic
        .rows
        .iter()
        .map(|row| {
            vec![
                row.from.label(),
                row.to.label(),
                row.path.via.clone(),
                bytes(row.bytes),
                row.packets.to_string(),
                ports(row),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(&["FROM", "TO", "PATH", "BYTES", "PACKETS", "TOP PORTS"], &rows));
    out
}

fn row_json(row: &TrafficRow) -> Value {
    json!({
        "from": row.from.label(),
        "to": row.to.label(),
        "from_place": row.from,
        "to_place": row.to,
        "via": row.path.via,
        "kind": row.path.kind,
        "object": row.path.object,
        "cross_region": row.path.cross_region,
        "bytes": row.bytes,
        "packets": row.packets,
        "records": row.records,
        "top_ports": row.top_ports,
    })
}

/// `isopod flows --json`.
pub fn flows_json(traffic: &Traffic) -> Value {
    json!({
        "window_hours": traffic.window_hours,
        "windows": traffic.windows,
        "rows": traffic.rows.iter().map(row_json).collect::<Vec<_>>(),
        "read": traffic.read,
    })
}

/// `isopod cost --json`.
pub fn cost_json(report: &CostReport) -> Value {
    let paths: Vec<Value> = report
        .paths
        .iter()
        .map(|path| {
            let mut value = row_json(&path.row);
            value["monthly_gb"] = json!(path.monthly_gb);
            value["monthly_usd"] = json!(path.monthly_usd);
            value["charges"] = json!(path.charges);
            value
        })
        .collect();
    json!({
        "window_hours": report.window_hours,
        "windows": report.windows,
        "total_monthly_usd": report.total_monthly_usd,
        "fixed_monthly_usd": report.fixed_monthly_usd,
        "traffic_monthly_usd": report.traffic_monthly_usd,
        "paths": paths,
        "fixed": report.fixed,
        "suggestions": report.suggestions,
        "unpriced": report.unpriced,
        "read": report.read,
    })
}

/// `isopod cost` for people; with `explain`, every price used with its source.
pub fn cost_text(report: &CostReport, book: &PriceBook, explain: bool) -> String {
    let mut out = format!(
        "Monthly cost: {} (fixed {}, traffic {})\n",
        usd(report.total_monthly_usd),
        usd(report.fixed_monthly_usd),
        usd(report.traffic_monthly_usd)
    );
    match &report.read {
        Some(read) => {
            let _ = write!(
                out,
                "Traffic from {:.1} hours of flow logs{}, scaled to a month: {}",
                report.window_hours,
                windows(&report.windows),
                read_summary(read)
            );
            out.push_str(&timeless(&report.windows));
        }
        None => out.push_str("No flow logs given (--flows): traffic is not priced.\n"),
    }
    if !report.fixed.is_empty() {
        out.push_str("\nFixed costs\n");
        let rows: Vec<Vec<String>> = report
            .fixed
            .iter()
            .map(|cost| {
                vec![
                    cost.object.clone(),
                    cost.resource.clone(),
                    format!("{} × {} {} at ${}/{}", cost.units, cost.meter, "", cost.unit_usd, cost.unit)
                        .replace("  ", " "),
                    usd(cost.monthly_usd),
                ]
            })
            .collect();
        out.push_str(&table(&["OBJECT", "RESOURCE", "METER", "MONTHLY"], &rows));
    }
    let billed: Vec<_> =
        report.paths.iter().filter(|p| p.monthly_usd > 0.0 || p.row.path.kind == PathKind::Unconnected).collect();
    if !billed.is_empty() {
        out.push_str("\nTraffic\n");
        let rows: Vec<Vec<String>> = billed
            .iter()
            .map(|path| {
                let meters = path.charges.iter().map(|c| c.charge.meter.as_str()).collect::<Vec<_>>().join(" + ");
                vec![
                    path.row.from.label(),
                    path.row.to.label(),
                    path.row.path.via.clone(),
                    format!("{:.1}", path.monthly_gb),
                    usd(path.monthly_usd),
                    meters,
                ]
            })
            .collect();
        out.push_str(&table(&["FROM", "TO", "PATH", "GB/MONTH", "MONTHLY", "METERS"], &rows));
    }
    if report.suggestions.is_empty() {
        out.push_str("\nNo suggestion: no change Isopod knows would save a dollar a month.\n");
    } else {
        out.push_str("\nSuggestions\n");
        for (index, suggestion) in report.suggestions.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", index + 1, suggestion.title);
            let _ = writeln!(
                out,
                "     saves {}/month (the traffic it touches costs {}; adds {} fixed) · confidence {}",
                usd(suggestion.saving_monthly_usd),
                usd(suggestion.touches_monthly_usd),
                usd(suggestion.new_fixed_monthly_usd),
                suggestion.confidence.name()
            );
            for line in suggestion.change.lines() {
                let _ = writeln!(out, "       {line}");
            }
            let _ = writeln!(out, "     {}", suggestion.why);
        }
    }
    if !report.unpriced.is_empty() {
        let _ = writeln!(out, "\nnote: no price for {} (left out of the totals)", report.unpriced.join(", "));
    }
    if explain {
        out.push_str(&explain_prices(report, book));
    }
    out
}

/// Every price row the report used, with its source.
fn explain_prices(report: &CostReport, book: &PriceBook) -> String {
    let mut used: Vec<&str> = report.fixed.iter().map(|cost| cost.price_row.as_str()).collect();
    for path in &report.paths {
        for charge in &path.charges {
            used.extend(charge.price_rows.iter().map(String::as_str));
        }
    }
    used.sort_unstable();
    used.dedup();
    let rows: Vec<Vec<String>> = book
        .rows()
        .filter(|row| used.contains(&row.origin.as_str()))
        .map(|row| {
            vec![
                row.origin.clone(),
                row.meter.clone(),
                format!("{} → {}", row.from, row.to),
                format!("from {} {}", row.tier_gb, row.unit),
                format!("{}/{}", price(row.usd), row.unit),
                format!("{} ({}, {})", row.source, row.retrieved, row.mark),
            ]
        })
        .collect();
    format!("\nPrices used\n{}", table(&["ROW", "METER", "REGIONS", "TIER", "PRICE", "SOURCE"], &rows))
}
