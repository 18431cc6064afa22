//! The price book: every meter Isopod prices with, per cloud and region, with its tiers, its unit,
//! where the price was read and when. The built-in table is `cost/prices.csv`; a user's file of
//! the same columns (negotiated rates) takes precedence, meter by meter.
//!
//! Columns: `meter,from,to,tier_gb,usd,unit,source,retrieved,mark`. `from` and `to` select
//! regions: a region's name (`us-east-1`), a continent (`@europe`, see
//! [`super::geography::CONTINENTS`]) or `*`; `to` matters only for meters priced by pairs of
//! regions (`aws.inter_region`). `tier_gb` is where a tier starts, in GB per month; a meter's
//! rows for one pair of selectors are its tiers. `mark` says how sure the price is: `V` read in a
//! named source, `D` a dated or third-party snapshot, `M` unverified.

use super::geography::continent;
use isopod_lang::topology::CloudKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The built-in table's text.
const BUILTIN: &str = include_str!("../../prices.csv");

/// What a meter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Gigabytes (2^30 bytes, as the clouds bill them) transferred or processed.
    #[serde(rename = "GB")]
    Gigabyte,
    /// Hours a resource exists.
    #[serde(rename = "hour")]
    Hour,
    /// Months a resource exists.
    #[serde(rename = "month")]
    Month,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Gigabyte => "GB",
            Unit::Hour => "hour",
            Unit::Month => "month",
        })
    }
}

/// One row of a price book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceRow {
    /// The meter, e.g. `aws.nat_gateway_processing`.
    pub meter: String,
    /// The regions it applies from.
    pub from: String,
    /// The regions it applies to (pairs of regions only; else `*`).
    pub to: String,
    /// Where the tier starts, in units per month.
    pub tier_gb: f64,
    /// The price of one unit, in US dollars.
    pub usd: f64,
    /// The unit.
    pub unit: Unit,
    /// Where the price was read.
    pub source: String,
    /// When.
    pub retrieved: String,
    /// How sure it is: `V`, `D` or `M`.
    pub mark: String,
    /// Where the row is written: `built-in prices.csv:12` or `FILE:3`.
    #[serde(skip_deserializing)]
    pub origin: String,
}

/// A price book that cannot be read, with where.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(iso::cost::price_book), help("the columns are meter,from,to,tier_gb,usd,unit,source,retrieved,mark"))]
pub struct PriceBookError {
    /// What is wrong.
    pub message: String,
    /// The file's name and text.
    #[source_code]
    pub text: miette::NamedSource<String>,
    /// The row at fault.
    #[label("this row")]
    pub span: miette::SourceSpan,
}

/// Prices by meter and region.
#[derive(Clone, Debug)]
pub struct PriceBook {
    /// The user's rows, which take precedence meter by meter.
    overrides: Vec<PriceRow>,
    /// The built-in rows.
    builtin: Vec<PriceRow>,
}

/// The price of one meter where it is used: its tiers, lowest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate<'book> {
    /// The rows, one per tier.
    pub tiers: Vec<&'book PriceRow>,
}

/// Where a meter is used: the cloud and the region (and, for pairs, the other region).
#[derive(Clone, Copy, Debug)]
pub struct Where<'a> {
    /// The cloud of the regions.
    pub cloud: CloudKind,
    /// The region billed.
    pub from: &'a str,
    /// The other region of a pair.
    pub to: Option<&'a str>,
}

impl PriceBook {
    /// The built-in book.
    pub fn builtin() -> PriceBook {
        let builtin =
            parse(BUILTIN, "built-in prices.csv").expect("the built-in price book is valid (a test checks it)");
        PriceBook { overrides: Vec::new(), builtin }
    }

    /// The built-in book under the rows of the file `name` whose text is `text`.
    pub fn with_overrides(mut self, name: &str, text: &str) -> Result<PriceBook, PriceBookError> {
        self.overrides = parse(text, name)?;
        Ok(self)
    }

    /// The rate of `meter` at `place`: the user's rows for it if any of them match, else the
    /// built-in ones; among those, the most particular selectors (a region over a continent
    /// over `*`, for `from` and `to` each).
    pub fn rate(&self, meter: &str, place: Where<'_>) -> Option<Rate<'_>> {
        best(&self.overrides, meter, place).or_else(|| best(&self.builtin, meter, place))
    }

    /// Every row, the user's first.
    pub fn rows(&self) -> impl Iterator<Item = &PriceRow> {
        self.overrides.iter().chain(&self.builtin)
    }
}

impl Rate<'_> {
    /// The cost of `quantity` units in one month, tier by tier.
    pub fn cost(&self, quantity: f64) -> f64 {
        let mut total = 0.0;
        for (index, tier) in self.tiers.iter().enumerate() {
            let end = self.tiers.get(index + 1).map_or(f64::INFINITY, |next| next.tier_gb);
            let used = quantity.min(end) - tier.tier_gb;
            if used <= 0.0 {
                break;
            }
            total += used * tier.usd;
        }
        total
    }

    /// The price of one unit in the first tier, which is what a fixed cost is billed at.
    pub fn unit_price(&self) -> f64 {
        self.tiers.first().map_or(0.0, |tier| tier.usd)
    }

    /// The unit.
    pub fn unit(&self) -> Unit {
        self.tiers.first().map_or(Unit::Gigabyte, |tier| tier.unit)
    }
}

/// How particular `selector` is for `region` of `cloud`: 2 the region itself, 1 its continent,
/// 0 any; `None` when it does not select it.
fn specificity(selector: &str, cloud: CloudKind, region: Option<&str>) -> Option<u8> {
    match (selector, region) {
        ("*", _) => Some(0),
        (_, None) => None,
        (selector, Some(region)) => match selector.strip_prefix('@') {
            Some(wanted) => (continent(cloud, region) == Some(wanted)).then_some(1),
            None => (selector == region).then_some(2),
        },
    }
}

fn best<'book>(rows: &'book [PriceRow], meter: &str, place: Where<'_>) -> Option<Rate<'book>> {
    let score = |row: &PriceRow| {
        Some(specificity(&row.from, place.cloud, Some(place.from))? + specificity(&row.to, place.cloud, place.to)?)
    };
    let matching = rows.iter().filter(|row| row.meter == meter).filter_map(|row| Some((score(row)?, row)));
    let top = matching.clone().map(|(score, _)| score).max()?;
    let chosen = matching.clone().find(|(score, _)| *score == top).map(|(_, row)| row)?;
    let mut tiers: Vec<&PriceRow> =
        matching.filter(|(_, row)| row.from == chosen.from && row.to == chosen.to).map(|(_, row)| row).collect();
    tiers.sort_by(|a, b| a.tier_gb.total_cmp(&b.tier_gb));
    Some(Rate { tiers })
}

/// Reads and checks the rows of a price book.
pub fn parse(text: &str, name: &str) -> Result<Vec<PriceRow>, PriceBookError> {
    let fail = |message: String, offset: usize, len: usize| PriceBookError {
        message: format!("{name}: {message}"),
        text: miette::NamedSource::new(name, text.to_string()),
        span: (offset, len).into(),
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).from_reader(text.as_bytes());
    const COLUMNS: [&str; 9] = ["meter", "from", "to", "tier_gb", "usd", "unit", "source", "retrieved", "mark"];
    let headers = reader.headers().map_err(|err| fail(err.to_string(), 0, 1))?.clone();
    if headers.iter().collect::<Vec<_>>() != COLUMNS {
        let len = text.find('\n').unwrap_or(text.len());
        return Err(fail(format!("the first line must name the columns {}", COLUMNS.join(",")), 0, len.max(1)));
    }
    let mut rows: Vec<(PriceRow, usize)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| {
            let offset = err.position().map_or(0, |p| p.byte() as usize);
            fail(err.to_string(), offset, 1)
        })?;
        let offset = record.position().map_or(0, |p| p.byte() as usize);
        let len = text[offset..].find('\n').unwrap_or(text.len() - offset);
        let line = record.position().map_or(0, |p| p.line());
        let mut row: PriceRow = record.deserialize(Some(&headers)).map_err(|err| fail(err.to_string(), offset, len))?;
        row.origin = format!("{name}:{line}");
        check(&row).map_err(|message| fail(message, offset, len))?;
        rows.push((row, offset));
    }
    for (index, (row, offset)) in rows.iter().enumerate() {
        let same = |other: &PriceRow| other.meter == row.meter && other.from == row.from && other.to == row.to;
        if rows[..index].iter().any(|(other, _)| same(other) && other.tier_gb == row.tier_gb) {
            let len = text[*offset..].find('\n').unwrap_or(text.len() - offset);
            return Err(fail(format!("`{}` has this tier twice for the same regions", row.meter), *offset, len));
        }
        if rows[..index].iter().any(|(other, _)| other.meter == row.meter && other.unit != row.unit) {
            let len = text[*offset..].find('\n').unwrap_or(text.len() - offset);
            return Err(fail(format!("`{}` is priced in two units", row.meter), *offset, len));
        }
        if !rows.iter().any(|(other, _)| same(other) && other.tier_gb == 0.0) {
            let len = text[*offset..].find('\n').unwrap_or(text.len() - offset);
            return Err(fail(format!("`{}` has no tier starting at 0 for these regions", row.meter), *offset, len));
        }
    }
    Ok(rows.into_iter().map(|(row, _)| row).collect())
}

fn check(row: &PriceRow) -> Result<(), String> {
    let meter_ok = row.meter.split('.').count() >= 2 && row.meter.split('.').all(|part| !part.is_empty());
    if !meter_ok {
        return Err(format!("`{}` is not a meter name (CLOUD.NAME, e.g. `aws.inter_zone`)", row.meter));
    }
    for selector in [&row.from, &row.to] {
        if let Some(name) = selector.strip_prefix('@')
            && !super::geography::CONTINENTS.contains(&name)
        {
            return Err(format!(
                "`{selector}` is not a continent; the continents are {}",
                super::geography::CONTINENTS.map(|c| format!("@{c}")).join(", ")
            ));
        }
        if selector.is_empty() {
            return Err("a region selector is empty: write a region, @CONTINENT or *".into());
        }
    }
    if !(row.usd.is_finite() && row.usd >= 0.0) {
        return Err(format!("the price {} is not a positive number of dollars", row.usd));
    }
    if !(row.tier_gb.is_finite() && row.tier_gb >= 0.0) {
        return Err(format!("the tier start {} is not a positive number", row.tier_gb));
    }
    if !["V", "D", "M"].contains(&row.mark.as_str()) {
        return Err(format!(
            "the mark `{}` is not V (read in a source), D (dated snapshot) or M (unverified)",
            row.mark
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(cloud: CloudKind, from: &'static str, to: Option<&'static str>) -> Where<'static> {
        Where { cloud, from, to }
    }

    #[test]
    fn the_built_in_book_is_valid_and_prices_every_cloud() {
        let book = PriceBook::builtin();
        for meter in ["aws.internet_out", "gcp.internet_out", "azure.internet_out", "aws.inter_zone"] {
            assert!(book.rate(meter, at(CloudKind::Aws, "us-east-1", None)).is_some(), "{meter}");
        }
    }

    #[test]
    fn the_most_particular_rows_win() {
        let book = PriceBook::builtin();
        let pair = book.rate("aws.inter_region", at(CloudKind::Aws, "us-east-1", Some("us-east-2"))).unwrap();
        assert_eq!(pair.unit_price(), 0.01);
        let other = book.rate("aws.inter_region", at(CloudKind::Aws, "eu-west-1", Some("us-east-2"))).unwrap();
        assert_eq!(other.unit_price(), 0.02);
        let europe = book.rate("gcp.inter_region", at(CloudKind::Gcp, "europe-west1", Some("europe-west4"))).unwrap();
        assert_eq!(europe.unit_price(), 0.02);
        let across = book.rate("gcp.inter_region", at(CloudKind::Gcp, "europe-west1", Some("us-east1"))).unwrap();
        assert_eq!(across.unit_price(), 0.08);
    }

    #[test]
    fn tiers_are_applied_in_order() {
        let book = PriceBook::builtin();
        let rate = book.rate("aws.internet_out", at(CloudKind::Aws, "us-east-1", None)).unwrap();
        assert_eq!(rate.cost(100.0), 0.0);
        // 100 GB free, 10,140 GB at $0.09, 860 GB at $0.085.
        let expected = 10_140.0 * 0.09 + 860.0 * 0.085;
        assert!((rate.cost(11_100.0) - expected).abs() < 1e-9);
    }

    #[test]
    fn a_users_rows_replace_the_meters_they_name() {
        let text = "meter,from,to,tier_gb,usd,unit,source,retrieved,mark\n\
                    aws.internet_out,*,*,0,0.03,GB,contract 2026,2026-11-01,V\n";
        let book = PriceBook::builtin().with_overrides("negotiated.csv", text).unwrap();
        let rate = book.rate("aws.internet_out", at(CloudKind::Aws, "us-east-1", None)).unwrap();
        assert_eq!(rate.tiers.len(), 1);
        assert_eq!(rate.cost(1000.0), 30.0);
        assert_eq!(rate.tiers[0].origin, "negotiated.csv:2");
        let untouched = book.rate("aws.inter_zone", at(CloudKind::Aws, "us-east-1", None)).unwrap();
        assert!(untouched.tiers[0].origin.starts_with("built-in"));
    }

    #[test]
    fn a_bad_row_is_an_error_pointing_at_it() {
        let header = "meter,from,to,tier_gb,usd,unit,source,retrieved,mark\n";
        let cases = [
            ("aws.x,*,*,0,-1,GB,s,d,V\n", "not a positive number of dollars"),
            ("aws.x,@mars,*,0,1,GB,s,d,V\n", "not a continent"),
            ("aws.x,*,*,0,1,litre,s,d,V\n", "unknown variant"),
            ("aws.x,*,*,10,1,GB,s,d,V\n", "no tier starting at 0"),
            ("aws.x,*,*,0,1,GB,s,d,V\naws.x,*,*,0,2,GB,s,d,V\n", "this tier twice"),
            ("nodot,*,*,0,1,GB,s,d,V\n", "not a meter name"),
            ("aws.x,*,*,0,1,GB,s,d,Q\n", "the mark `Q`"),
        ];
        for (rows, expected) in cases {
            let text = format!("{header}{rows}");
            let err = parse(&text, "mine.csv").unwrap_err();
            assert!(err.message.contains(expected), "{rows}: {}", err.message);
            assert!(err.span.offset() >= header.len(), "{rows}: the span points at a row");
        }
        // Without the header (or with the columns in another order) nothing is guessed.
        for text in ["aws.x,*,*,0,1,GB,s,d,V\n", "meter,from,to,usd,tier_gb,unit,source,retrieved,mark\n"] {
            let err = parse(text, "mine.csv").unwrap_err();
            assert!(err.message.contains("must name the columns"), "{text}: {}", err.message);
        }
    }
}
