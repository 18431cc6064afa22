//! Prices: the price book and the geography it selects regions by.

pub mod book;
pub mod geography;

pub use book::{PriceBook, PriceBookError, PriceRow, Rate, Unit, Where};
