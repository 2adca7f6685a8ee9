#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Integration tests: the real binary and library against the fixture
//! server on 127.0.0.1 (one test binary, a module per area).

mod audit;
mod check;
mod eval;
mod pdf;
mod pdfgen;
mod redetect;
mod review_eval;
mod robustness;
mod rules;
mod util;
