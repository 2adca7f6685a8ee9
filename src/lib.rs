//! # infokoll
//!
//! Audits what Swedish municipalities tell seniors about home care
//! (hemtjänst) on their websites, item by item of the Hemtjänstindex
//! checklist.
//!
//! Data flows one way:
//!
//! ```text
//! registry → crawl (frontier, scope) ─┬→ extract (bytes → Document) → detect (RuleSet × Document → Finding)
//!            fetch (politeness, robots)┘                                  → report (site verdicts)
//! ```
//!
//! Layers (a module only uses modules of lower layers):
//!
//! 0. [`registry`], [`text`], [`extract`], [`rules`] — no network
//! 1. [`fetch`] — HTTP, per-host politeness, robots.txt; [`pdf`] — PDF text in a
//!    limited helper process
//! 2. [`crawl`] (one focused site crawl), [`detect`] (rules on documents)
//! 3. [`report`] (site-level verdicts and their rendering)
//! 4. [`cli`] — the only module that wires everything and owns the terminal
//!
//! [`fixture_server`] serves the bundled fixture sites on loopback for the
//! tests and the `demo` command.

pub mod archive;
pub mod audit;
pub mod check;
pub mod cli;
pub mod crawl;
pub mod detect;
pub mod eval;
pub mod extract;
pub mod farm;
pub mod fetch;
pub mod fixture_server;
pub mod pdf;
pub mod registry;
pub mod report;
pub mod review;
pub mod rules;
pub mod score;
pub mod store;
pub mod text;
