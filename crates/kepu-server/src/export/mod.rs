//! Exports: reports as CSV (the same published, suppressed figures the pages show) and raw
//! engagement as xAPI statements for a learning record store (admins only).

pub mod csv;
pub mod xapi;
