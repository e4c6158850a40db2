//! # Components
//!
//! Each receives plain data and a callback that takes an [`Action`](super::state::Action);
//! none of them touches the engine.

mod checker_panel;
mod cluster_view;
mod console;
mod draft_input;
mod event_log;
mod failover_timeline;
mod recording_bar;
mod results;
mod script_panel;
mod settings_panel;
mod toolbar;

pub use checker_panel::CheckerPanel;
pub use cluster_view::ClusterView;
pub use console::Console;
pub use event_log::EventLogView;
pub use failover_timeline::FailoverTimeline;
pub use recording_bar::RecordingBar;
pub use results::Results;
pub use script_panel::{ScriptPanel, SCRIPTS};
pub use settings_panel::SettingsPanel;
pub use toolbar::Toolbar;
