//! # Components
//!
//! Each receives plain data and a callback that takes an [`Action`](super::state::Action);
//! none of them touches the engine.

mod cluster_view;
mod console;
mod event_log;
mod results;
mod toolbar;

pub use cluster_view::ClusterView;
pub use console::Console;
pub use event_log::EventLogView;
pub use results::Results;
pub use toolbar::Toolbar;
