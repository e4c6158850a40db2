//! # Components
//!
//! Each receives plain data and a callback that takes an [`Action`](super::state::Action);
//! none of them touches the engine.

mod charts;
mod checker_panel;
mod cluster_view;
mod console;
mod diagram;
mod draft_input;
mod event_log;
mod failover_timeline;
mod help;
mod interview_panel;
mod lesson_panel;
mod load_panel;
mod node_panel;
mod recording_bar;
mod results;
mod script_panel;
mod settings_panel;
mod toolbar;

pub use charts::Charts;
pub use checker_panel::CheckerPanel;
pub use cluster_view::ClusterView;
pub use console::Console;
pub use diagram::{Diagram, DiagramBar, FrontView};
pub use event_log::EventLogView;
pub use failover_timeline::FailoverTimeline;
pub use help::{Help, SHORTCUTS};
pub use interview_panel::InterviewPanel;
pub use lesson_panel::LessonPanel;
pub use load_panel::LoadPanel;
pub use node_panel::NodePanel;
pub use recording_bar::RecordingBar;
pub use results::Results;
pub use script_panel::{ScriptPanel, SCRIPTS};
pub use settings_panel::SettingsPanel;
pub use toolbar::Toolbar;
