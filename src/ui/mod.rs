//! # The browser app
//!
//! A thin Yew layer over the engine, shaped like Yew's `function_todomvc`:
//!
//! - [`state`]: one [`state::Action`] enum and one reducer that hands each action to the
//!   engine. It imports no browser API, so it runs in native tests.
//! - [`components`]: function components that receive plain data as props and report what the
//!   learner did through callbacks.
//! - [`app`]: the root component; it owns the reducer and the clock's timer (gloo-timers),
//!   which only ever says "advance the simulation".

pub mod app;
pub mod browser;
pub mod chart;
pub mod components;
pub mod embed;
pub mod geometry;
pub mod guide;
pub mod link;
pub mod state;
pub mod views;

pub use app::App;
