//! # Embedding: the page's URL parameters and the host page's messages
//!
//! A course page embeds the playground in an iframe (`?embed=1`) and may drive it with
//! `window.postMessage`. Both arrive as text from outside, so both are parsed here into typed
//! values, with a clear error for anything malformed, and never evaluated. No Yew or browser
//! API here: tested natively.
//!
//! Messages, each a plain object with a `type`:
//!
//! | host → playground | what it does |
//! |---|---|
//! | `{type: "replica-playground:play"}` / `":pause"` | starts or stops the clock |
//! | `{type: "replica-playground:speed", speed: 10}` | sets the speed (0.1 to 100) |
//! | `{type: "replica-playground:run-script", script: "…"}` | runs a scenario script |
//! | `{type: "replica-playground:check"}` | runs the consistency checker |
//!
//! | playground → host | when |
//! |---|---|
//! | `{type: "replica-playground:ready"}` | the playground is on screen |
//! | `{type: "replica-playground:event", kind, at_ms, text}` | `node-crashed`, `failover-completed`, `split-brain` |
//! | `{type: "replica-playground:anomaly-found", count, findings}` | the checker found something |
//! | `{type: "replica-playground:error", message}` | a message could not be understood |
//! | `{type: "replica-playground:step-completed", lesson, step}` | a lesson's step turned green |

use crate::engine::event::EventKind;
use crate::ui::state::SPEEDS;

/// The prefix of every message type.
pub const PREFIX: &str = "replica-playground:";

/// Panels the embedded layout can show besides the diagram and the console.
pub const PANELS: [&str; 9] =
    ["lessons", "charts", "load", "timeline", "settings", "checker", "nodes", "script", "log"];

/// What the URL asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    /// The compact layout for an iframe.
    pub embed: bool,
    /// Start with the clock running (true) or paused (false); None keeps the default.
    pub autoplay: Option<bool>,
    pub speed: Option<f64>,
    /// Panels shown below the diagram and console (embedded: none unless listed).
    pub panels: Vec<&'static str>,
    /// The host page's origin: the only one whose messages are obeyed and to which events go.
    pub origin: Option<String>,
    /// The lesson to open (`lesson=failover`); checked against the lessons by the page.
    pub lesson: Option<String>,
}

impl EmbedOptions {
    /// Whether a panel shows: always outside an embed; in one, when listed.
    pub fn shows(&self, panel: &str) -> bool {
        !self.embed || self.panels.contains(&panel) || (panel == "lessons" && self.lesson.is_some())
    }

    /// Parses a query string (`?embed=1&speed=10`); unknown or malformed parameters are
    /// reported (all of them), and the rest still apply.
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        let mut options = Self::default();
        let mut errors = Vec::new();
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            if let Err(error) = options.set(key, &value) {
                errors.push(error);
            }
        }
        (options, errors)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "embed" => self.embed = flag(key, value)?,
            "autoplay" => self.autoplay = Some(flag(key, value)?),
            "speed" => self.speed = Some(speed(value)?),
            "panels" => {
                self.panels = value
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| {
                        PANELS.iter().copied().find(|known| *known == p.trim()).ok_or_else(|| {
                            format!("unknown panel \"{}\": use {}", p.trim(), PANELS.join(", "))
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            "origin" if value.starts_with("https://") || value.starts_with("http://") => {
                self.origin = Some(value.trim_end_matches('/').to_string())
            }
            "origin" => return Err(format!("origin \"{value}\" is not an http(s) origin")),
            "lesson" if !value.is_empty() => self.lesson = Some(value.to_string()),
            "lesson" => return Err("lesson= needs a lesson's name, such as lesson=failover".into()),
            _ => {
                return Err(format!(
                "unknown parameter \"{key}\": use embed, autoplay, speed, panels, origin, lesson"
            ))
            }
        }
        Ok(())
    }
}

fn flag(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" | "on" | "" => Ok(true),
        "0" | "false" | "off" => Ok(false),
        _ => Err(format!("{key}={value}: use {key}=1 or {key}=0")),
    }
}

fn speed(value: &str) -> Result<f64, String> {
    let speed: f64 = value.trim_end_matches(['x', '×']).parse().map_err(|_| {
        format!("speed={value}: a number from {} to {}", SPEEDS[0], SPEEDS[SPEEDS.len() - 1])
    })?;
    if !(SPEEDS[0]..=SPEEDS[SPEEDS.len() - 1]).contains(&speed) {
        return Err(format!(
            "speed={value}: a number from {} to {}",
            SPEEDS[0],
            SPEEDS[SPEEDS.len() - 1]
        ));
    }
    Ok(speed)
}

/// `%XX` escapes and `+` as space; a broken escape is kept as typed.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A message from the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum HostMessage {
    Play,
    Pause,
    Speed(f64),
    RunScript(String),
    Check,
}

/// What a host message says, from its `type` and (for some) one more field, already read out
/// of the JS object; an unknown type or a bad field is an error to send back.
pub fn host_message(
    kind: &str,
    speed: Option<f64>,
    script: Option<String>,
) -> Result<HostMessage, String> {
    let Some(name) = kind.strip_prefix(PREFIX) else {
        return Err(format!("message type \"{kind}\" does not start with \"{PREFIX}\""));
    };
    match name {
        "play" => Ok(HostMessage::Play),
        "pause" => Ok(HostMessage::Pause),
        "check" => Ok(HostMessage::Check),
        "speed" => match speed {
            Some(s) if (SPEEDS[0]..=SPEEDS[SPEEDS.len() - 1]).contains(&s) => {
                Ok(HostMessage::Speed(s))
            }
            _ => Err(format!(
                "speed needs a number from {} to {}",
                SPEEDS[0],
                SPEEDS[SPEEDS.len() - 1]
            )),
        },
        "run-script" => match script {
            Some(text) if text.len() <= 100_000 => Ok(HostMessage::RunScript(text)),
            Some(_) => Err("run-script: the script is over 100 000 characters".to_string()),
            None => Err("run-script needs a `script` string".to_string()),
        },
        other => Err(format!(
            "unknown message \"{PREFIX}{other}\": use play, pause, speed, run-script, check"
        )),
    }
}

/// The events a host page hears about, by the name it hears.
pub fn announced(kind: &EventKind) -> Option<&'static str> {
    match kind {
        EventKind::Crashed { .. } => Some("node-crashed"),
        EventKind::Promoted { .. } => Some("failover-completed"),
        EventKind::SplitBrain { .. } => Some("split-brain"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_and_every_mistake_is_named() {
        let (o, errors) =
            EmbedOptions::from_query("?embed=1&autoplay=0&speed=10&panels=charts,log");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(o.embed && o.autoplay == Some(false) && o.speed == Some(10.0));
        assert!(o.shows("charts") && o.shows("log") && !o.shows("settings"));
        assert!(EmbedOptions::default().shows("settings"), "outside an embed every panel shows");
        let (o, errors) =
            EmbedOptions::from_query("embed=1&speed=fast&panels=charts,nope&lesson=&lessen=x");
        assert!(o.embed, "the good parameters still apply");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("speed=fast: a number from 0.1 to 100"), "{errors:?}");
        assert!(errors[1].starts_with("unknown panel \"nope\""), "{errors:?}");
        assert!(errors[2].starts_with("lesson= needs a lesson's name"), "{errors:?}");
        assert!(errors[3].starts_with("unknown parameter \"lessen\""), "{errors:?}");
        let (o, _) = EmbedOptions::from_query("embed=1&lesson=failover");
        assert!(o.shows("lessons") && !o.shows("charts"), "a lesson's embed shows the lesson");
        let (o, errors) = EmbedOptions::from_query("origin=https%3A%2F%2Fcourse.example%2F");
        assert_eq!(o.origin.as_deref(), Some("https://course.example"), "{errors:?}");
        let (_, errors) = EmbedOptions::from_query("origin=javascript:alert(1)");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn percent_escapes_decode_and_broken_ones_stay() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn host_messages_are_typed_and_the_bad_ones_say_why() {
        assert_eq!(host_message("replica-playground:play", None, None), Ok(HostMessage::Play));
        assert_eq!(
            host_message("replica-playground:speed", Some(5.0), None),
            Ok(HostMessage::Speed(5.0))
        );
        assert!(host_message("replica-playground:speed", Some(500.0), None).is_err());
        assert!(host_message("replica-playground:run-script", None, None).is_err());
        let script = Some("crash primary".to_string());
        assert_eq!(
            host_message("replica-playground:run-script", None, script.clone()),
            Ok(HostMessage::RunScript("crash primary".into()))
        );
        let err = host_message("replica-playground:eval", None, None).unwrap_err();
        assert!(err.starts_with("unknown message"), "{err}");
        assert!(host_message("other-widget:play", None, None).is_err());
    }
}
