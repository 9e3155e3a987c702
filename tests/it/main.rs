//! The integration tests: one binary (STYLE.md §11), a module per theme.

mod calibration;
mod cli;
mod corpus;
mod properties;
