//! The integration tests: one binary (STYLE.md §11), a module per theme.

mod calibration;
mod cli;
mod compare;
mod corpus;
mod properties;
