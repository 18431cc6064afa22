//! The topology map as an SVG drawing, laid out on a grid: a column per cloud block (its regions
//! as panels, its networks as boxes in them) and one for the hosts; links as curves between the
//! boxes, coloured by status, with the tunnel's name and status at their middle and the details
//! in a tooltip. Elements carry `data-` attributes (`data-network`, `data-link`, `data-status`)
//! so that a page or a test can find them.

use super::{Link, LinkKind, LinkStatus, TopologyMap};
use isopod_lang::topology::{CloudKind, End};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const MARGIN: f64 = 24.0;
const BOX_WIDTH: f64 = 210.0;
const PANEL_PAD: f64 = 12.0;
const COLUMN_WIDTH: f64 = BOX_WIDTH + 2.0 * PANEL_PAD;
/// Room between columns for the links and their labels.
const GAP: f64 = 170.0;
const HEADER: f64 = 30.0;
const PANEL_TITLE: f64 = 22.0;
const LINE: f64 = 15.0;
const BOX_GAP: f64 = 14.0;

/// Where a box stands: its column, its left and right edges, and its middle height.
#[derive(Clone, Copy)]
struct Anchor {
    column: usize,
    left: f64,
    right: f64,
    middle: f64,
    half_height: f64,
}

/// The height of a lane above the columns, where a link that passes over a column runs.
const LANE: f64 = 16.0;
/// Links in the gaps beside columns are this far apart.
const LANE_STEP: f64 = 6.0;

/// The map as an SVG document.
pub fn svg(map: &TopologyMap) -> String {
    let mut body = String::new();
    let mut anchors: BTreeMap<End, Anchor> = BTreeMap::new();
    let lanes = map.links.iter().filter(|l| passes_over(map, l)).count();
    let top = MARGIN + if lanes > 0 { lanes as f64 * LANE + 12.0 } else { 0.0 };
    let mut bottom: f64 = top;
    let mut column = 0;
    for cloud in &map.clouds {
        let x = column_x(column);
        let mut y = top;
        let mut inner = String::new();
        write_header(&mut inner, x, y, &cloud.id, kind_name(cloud.kind));
        y += HEADER;
        for region in &cloud.regions {
            let top = y;
            let mut boxes = String::new();
            y += PANEL_TITLE;
            for network in &region.networks {
                let mut lines = vec![network.cidr.clone()];
                if network.existing {
                    lines.push("existing network".into());
                }
                lines.extend(network.endpoints.iter().map(|e| format!("endpoint {}: {}", e.name, e.service)));
                let height = write_box(&mut boxes, x + PANEL_PAD, y, &network.name, &lines, "network");
                anchors.insert(End::Network(network.name.clone()), anchor(column, x + PANEL_PAD, y, height));
                y += height + BOX_GAP;
            }
            let _ = writeln!(
                inner,
                r##"<rect class="region" x="{x}" y="{top}" width="{COLUMN_WIDTH}" height="{h}" rx="6" fill="#ffffff" fill-opacity="0.6" stroke="#b0b0b0"/>"##,
                h = y - top
            );
            let _ = writeln!(
                inner,
                r##"<text x="{}" y="{}" font-size="12" fill="#555">{}</text>"##,
                x + PANEL_PAD,
                top + 15.0,
                escape(&region.region)
            );
            inner.push_str(&boxes);
            y += BOX_GAP;
        }
        let group = format!(r#"class="cloud" data-cloud="{}""#, escape(&cloud.id));
        write_area(&mut body, &group, x, top, y, area_fill(Some(cloud.kind)), &inner);
        bottom = bottom.max(y);
        column += 1;
    }
    if !map.hosts.is_empty() {
        let x = column_x(column);
        let mut y = top;
        let mut inner = String::new();
        write_header(&mut inner, x, y, "sites", "hosts");
        y += HEADER;
        for host in &map.hosts {
            let mut lines = vec![host.address.clone()];
            lines.extend(host.cidrs.iter().cloned());
            let height = write_box(&mut inner, x + PANEL_PAD, y, &host.name, &lines, "host");
            anchors.insert(End::Host(host.name.clone()), anchor(column, x + PANEL_PAD, y, height));
            y += height + BOX_GAP;
        }
        write_area(&mut body, r#"class="sites""#, x, top, y, area_fill(None), &inner);
        bottom = bottom.max(y);
        column += 1;
    }
    let links = write_links(map, &anchors);
    // Room on the right for the bows of links within the last column, and for the legend.
    let width = (column_x(column.max(1)) - GAP + MARGIN + 120.0).max(640.0);
    let legend_top = bottom + 10.0;
    let legend = write_legend(map, legend_top);
    let height = legend_top + 30.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="topology" data-stack="{stack}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#,
        stack = escape(&map.stack)
    );
    let _ = writeln!(out, "<title>{} topology</title>", escape(&map.stack));
    if map.clouds.is_empty() && map.hosts.is_empty() {
        let _ =
            writeln!(out, r#"<text x="{MARGIN}" y="{}" font-size="14">No networks or hosts.</text>"#, MARGIN + 14.0);
    }
    out.push_str(&body);
    out.push_str(&links);
    out.push_str(&legend);
    out.push_str("</svg>\n");
    out
}

/// The column an end is drawn in: its cloud block's, or the hosts' after them.
fn column_of(map: &TopologyMap, end: &End) -> Option<usize> {
    match end {
        End::Network(name) => {
            map.clouds.iter().position(|c| c.regions.iter().any(|r| r.networks.iter().any(|n| &n.name == name)))
        }
        End::Host(name) => map.hosts.iter().any(|h| &h.name == name).then_some(map.clouds.len()),
    }
}

/// Whether a link passes over a column (its ends are further apart than neighbours): it runs
/// in a lane above the columns rather than through the boxes between.
fn passes_over(map: &TopologyMap, link: &Link) -> bool {
    match (column_of(map, &link.ends[0]), column_of(map, &link.ends[1])) {
        (Some(a), Some(b)) => a.abs_diff(b) > 1,
        _ => false,
    }
}

fn column_x(column: usize) -> f64 {
    MARGIN + column as f64 * (COLUMN_WIDTH + GAP)
}

fn anchor(column: usize, left: f64, top: f64, height: f64) -> Anchor {
    Anchor { column, left, right: left + BOX_WIDTH, middle: top + height / 2.0, half_height: height / 2.0 }
}

fn kind_name(kind: CloudKind) -> &'static str {
    match kind {
        CloudKind::Aws => "AWS",
        CloudKind::Azure => "Azure",
        CloudKind::Gcp => "GCP",
    }
}

fn area_fill(kind: Option<CloudKind>) -> &'static str {
    match kind {
        Some(CloudKind::Aws) => "#fff3e0",
        Some(CloudKind::Azure) => "#e3f2fd",
        Some(CloudKind::Gcp) => "#e8f5e9",
        None => "#f3f3f3",
    }
}

/// A column's area from `top` to `bottom` at `x`, a group with `attributes` holding `inner`.
fn write_area(out: &mut String, attributes: &str, x: f64, top: f64, bottom: f64, fill: &str, inner: &str) {
    let _ = writeln!(
        out,
        r##"<g {attributes}><rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="{fill}" stroke="#c8c8c8"/>"##,
        x - 8.0,
        top - 8.0,
        COLUMN_WIDTH + 16.0,
        bottom - top + 8.0,
    );
    out.push_str(inner);
    out.push_str("</g>\n");
}

fn write_header(out: &mut String, x: f64, y: f64, title: &str, kind: &str) {
    let _ = writeln!(
        out,
        r##"<text x="{x}" y="{}" font-size="15" font-weight="bold">{} <tspan font-weight="normal" fill="#666">{}</tspan></text>"##,
        y + 14.0,
        escape(title),
        escape(kind)
    );
}

/// A box titled `name` with `lines` under it; its height.
fn write_box(out: &mut String, x: f64, y: f64, name: &str, lines: &[String], class: &str) -> f64 {
    let height = 26.0 + LINE * lines.len() as f64;
    let _ = writeln!(
        out,
        r##"<g class="{class}" data-{class}="{n}"><rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{height}" rx="4" fill="#ffffff" stroke="#424242"/><text x="{tx}" y="{ty}" font-size="13" font-weight="bold">{n}</text>"##,
        n = escape(name),
        tx = x + 8.0,
        ty = y + 17.0,
    );
    for (i, line) in lines.iter().enumerate() {
        // Cut to the box; the whole line is its tooltip.
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" font-size="11" fill="#444"><title>{}</title>{}</text>"##,
            x + 8.0,
            y + 17.0 + LINE * (i + 1) as f64,
            escape(line),
            escape(&clip(line, 32))
        );
    }
    out.push_str("</g>\n");
    height
}

/// The colour of a status.
pub(super) fn colour(status: LinkStatus) -> &'static str {
    match status {
        LinkStatus::NotPlanned => "#9e9e9e",
        LinkStatus::Planned => "#90a4ae",
        LinkStatus::Pending => "#1e88e5",
        LinkStatus::Live => "#546e7a",
        LinkStatus::Up => "#2e7d32",
        LinkStatus::Degraded => "#ef6c00",
        LinkStatus::Down => "#c62828",
    }
}

/// The dash pattern of a link: relays dashed, links not planned dotted.
fn dashes(link: &Link) -> &'static str {
    match (link.status, link.kind) {
        (LinkStatus::NotPlanned, _) => r#" stroke-dasharray="2 5""#,
        (_, LinkKind::Relay) => r#" stroke-dasharray="8 5""#,
        _ => "",
    }
}

/// The short label of a link: a tunnel's name without its object (`core/aws~gcp` for
/// `mesh.core (core/aws~gcp)`), a relay's own name.
pub(super) fn short_name(name: &str) -> &str {
    match name.split_once(" (") {
        Some((object, _)) if object.starts_with("relay.") => object,
        Some((_, rest)) => rest.trim_end_matches(')'),
        None => name.split_once('.').map_or(name, |(_, rest)| rest),
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn write_links(map: &TopologyMap, anchors: &BTreeMap<End, Anchor>) -> String {
    let mut out = String::new();
    // The links that meet a box meet it at points spread along its side, in the links' order.
    let mut degree: BTreeMap<&End, usize> = BTreeMap::new();
    for link in &map.links {
        for end in &link.ends {
            *degree.entry(end).or_default() += 1;
        }
    }
    let mut attached: BTreeMap<&End, usize> = BTreeMap::new();
    let mut attach = |end: &'_ End, anchor: &Anchor| {
        let n = degree[end];
        let i = attached.entry(degree.get_key_value(end).expect("counted").0).or_default();
        let spread = (anchor.half_height - 6.0).max(0.0).min(7.0 * (n - 1) as f64 / 2.0);
        let y = if n > 1 { anchor.middle - spread + 2.0 * spread * *i as f64 / (n - 1) as f64 } else { anchor.middle };
        *i += 1;
        y
    };
    let mut lane = 0;
    for link in &map.links {
        let (Some(a), Some(b)) = (anchors.get(&link.ends[0]), anchors.get(&link.ends[1])) else { continue };
        let (ya, yb) = (attach(&link.ends[0], a), attach(&link.ends[1], b));
        let ((a, y1), (b, y2)) = if a.column <= b.column { ((a, ya), (b, yb)) } else { ((b, yb), (a, ya)) };
        let (path, mx, my, text_anchor) = if b.column > a.column + 1 {
            // Over the columns between: out into the gap, up to a lane of its own, across, down.
            let k = lane as f64;
            lane += 1;
            let (r, ly) = (5.0, MARGIN + k * LANE);
            let gx1 = a.right + PANEL_PAD + 12.0 + (k * LANE_STEP) % (GAP - 40.0);
            let gx2 = b.left - PANEL_PAD - 12.0 - (k * LANE_STEP) % (GAP - 40.0);
            let path = format!(
                "M{x1:.1},{y1:.1} H{h1:.1} Q{gx1:.1},{y1:.1} {gx1:.1},{v1:.1} V{l1:.1} Q{gx1:.1},{ly:.1} {h2:.1},{ly:.1} H{h3:.1} Q{gx2:.1},{ly:.1} {gx2:.1},{l1:.1} V{v2:.1} Q{gx2:.1},{y2:.1} {h4:.1},{y2:.1} H{x2:.1}",
                x1 = a.right,
                h1 = gx1 - r,
                v1 = y1 - r,
                l1 = ly + r,
                h2 = gx1 + r,
                h3 = gx2 - r,
                v2 = y2 - r,
                h4 = gx2 + r,
                x2 = b.left,
            );
            (path, (gx1 + gx2) / 2.0, ly, "middle")
        } else {
            let (x1, c1, c2, x2) = if a.column == b.column {
                // Within one column (a peering): a bow on the right.
                let bow = a.right + 30.0 + (y2 - y1).abs() / 2.5;
                (a.right, bow, bow, b.right)
            } else {
                let (x1, x2) = (a.right, b.left);
                let pull = (x2 - x1) / 2.0;
                (x1, x1 + pull, x2 - pull, x2)
            };
            let path = format!("M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}");
            // The curve's middle (t = 1/2 of the cubic); a bow's label beside it.
            let mx = (x1 + 3.0 * c1 + 3.0 * c2 + x2) / 8.0;
            if a.column == b.column {
                (path, mx + 6.0, (y1 + y2) / 2.0 + 8.0, "start")
            } else {
                (path, mx, (y1 + y2) / 2.0, "middle")
            }
        };
        let stroke = colour(link.status);
        let width = if link.kind == LinkKind::Peering { 3.5 } else { 2.0 };
        let kind = match link.kind {
            LinkKind::Tunnel { .. } => "tunnel",
            LinkKind::Peering => "peering",
            LinkKind::Relay => "relay",
        };
        let mut tooltip = format!("{} ({kind}): {}", link.name, link.status.as_str());
        for line in &link.detail {
            tooltip.push('\n');
            tooltip.push_str(line);
        }
        let label = format!("{} · {}", clip(short_name(&link.name), 24), link.status.as_str());
        let _ = writeln!(
            out,
            r##"<g class="link" data-link="{name}" data-kind="{kind}" data-status="{status}"><title>{tooltip}</title><path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}/><text x="{mx:.1}" y="{ly:.1}" font-size="10" text-anchor="{text_anchor}" fill="{stroke}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{label}</text></g>"##,
            name = escape(&link.name),
            status = link.status.key(),
            tooltip = escape(&tooltip),
            dash = dashes(link),
            ly = my - 4.0,
            label = escape(&label),
        );
    }
    out
}

/// A key to the colours of the statuses the map shows.
fn write_legend(map: &TopologyMap, y: f64) -> String {
    let mut statuses: Vec<LinkStatus> = map.links.iter().map(|l| l.status).collect();
    statuses.sort();
    statuses.dedup();
    let mut out = String::from("<g class=\"legend\">\n");
    let mut x = MARGIN;
    for status in statuses {
        let stroke = colour(status);
        let _ = writeln!(
            out,
            r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="3"/><text x="{}" y="{}" font-size="11" fill="#333">{}</text>"##,
            x + 24.0,
            x + 30.0,
            y + 4.0,
            status.as_str()
        );
        x += 40.0 + 7.0 * status.as_str().len() as f64;
    }
    let _ = writeln!(
        out,
        r##"<text x="{x}" y="{}" font-size="11" fill="#333">thick: peering · dashed: relay · dotted: not planned</text>"##,
        y + 4.0
    );
    out.push_str("</g>\n");
    out
}

/// `text` with XML's (and HTML's) special characters escaped, and control characters (which
/// XML cannot hold; a cloud's message may carry them) as spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
