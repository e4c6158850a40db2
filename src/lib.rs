//! # replica-playground
//!
//! An in-memory database cluster — one primary, read replicas, WAL shipping — that runs in the
//! browser so a learner can type SQL, inject replication lag and watch what replicas see.
//!
//! The crate has two halves, and only one of them knows about browsers:
//!
//! ```text
//!   ui/  (Yew, wasm32)  ──Action──▶  reducer  ──inputs──▶  engine/  (pure, deterministic)
//!        ▲                                                    │
//!        └───────────────── re-render from engine state ◀─────┘
//! ```
//!
//! - [`engine`]: a deterministic simulation — virtual clock, one seeded RNG, SQL on in-memory
//!   tables ([`engine::sql`]), a write-ahead log shipped to replicas over delayed links, and the
//!   scenario language ([`engine::scenario`]) that drives it from scripts, tests and the CLI.
//! - [`ui`]: the Yew application: one reducer over the engine and the components that show it.
//! - [`bench_report`]: where `make bench` writes its figures (tooling; the page never uses it).

pub mod bench_report;
pub mod engine;
pub mod lessons;
pub mod ui;
