//! Router, failover, endpoint and read-cache settings: the knobs of issue-sized questions
//! ("what if reads avoid lagging replicas?", "what if fencing is off?", "what if we cache?").

use yew::prelude::*;

use super::draft_input::DraftInput;
use crate::engine::cluster::{format_bytes, Policy};
use crate::engine::command::{parse, CacheChange, Command, FailoverChange, RouterChange};
use crate::engine::{format_millis, Error, Millis};
use crate::ui::state::{Action, SettingsView};

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub settings: SettingsView,
    pub on_action: Callback<Action>,
}

/// The four groups of settings, each applied as soon as it changes.
#[function_component(SettingsPanel)]
pub fn settings_panel(props: &SettingsPanelProps) -> Html {
    let s = &props.settings;
    html! {
        <div class="settings" data-testid="settings">
            <RouterSettings settings={s.clone()} on_action={props.on_action.clone()} />
            <FailoverSettings settings={s.clone()} on_action={props.on_action.clone()} />
            <EndpointSettings settings={s.clone()} on_action={props.on_action.clone()} />
            <CacheSettings settings={s.clone()} on_action={props.on_action.clone()} />
        </div>
    }
}

/// Policy and `max_replication_lag`.
#[function_component(RouterSettings)]
fn router_settings(props: &SettingsPanelProps) -> Html {
    let s = &props.settings;
    let router = |change: RouterChange| Action::Apply(Command::Router(change));
    let on_policy = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(policy) = select.value().parse::<Policy>() {
                on_action.emit(router(RouterChange { policy: Some(policy), ..Default::default() }));
            }
        })
    };
    let on_max_lag = {
        let on_action = props.on_action.clone();
        Callback::from(move |max_lag_ms| {
            on_action
                .emit(router(RouterChange { max_lag_ms: Some(max_lag_ms), ..Default::default() }))
        })
    };
    let on_weights = text_command(&props.on_action, |text| {
        let weights = parse::node_numbers("weights", text, 1_000)?;
        Ok(Command::Router(RouterChange { weights: Some(weights), ..Default::default() }))
    });
    let on_max_lag_bytes = text_command(&props.on_action, |text| {
        let bytes = match text {
            "" | "off" => None,
            size => Some(parse::size("max lag bytes", size)?),
        };
        Ok(Command::Router(RouterChange { max_lag_bytes: Some(bytes), ..Default::default() }))
    });
    let policies = [Policy::RoundRobin, Policy::LeastLag, Policy::Weighted];
    html! {
        <fieldset>
            <legend title="ProxySQL / pgpool-II: writes go to the primary, reads to replicas">{"router"}</legend>
            <label>{"reads "}
                <select data-testid="router-policy" onchange={on_policy}>
                    { for policies.iter().map(|p| html! {
                        <option value={p.to_string()} selected={*p == s.policy}>{p.to_string()}</option>
                    }) }
                </select>
            </label>
            if s.policy == Policy::Weighted {
                <label title="Share of reads per replica, like pg2:3, pg3:1 (unlisted: 1; 0: none)">{"weights "}
                    <DraftInput testid="router-weights" class="wide" size=12 value={s.weights.clone()}
                        title="Share of reads per replica, like pg2:3, pg3:1 (unlisted: 1; 0: none)"
                        placeholder="pg2:3, pg3:1" on_commit={on_weights} />
                </label>
            }
            <DurationInput label="max lag" testid="router-max-lag" value_ms={s.max_lag_ms} optional=true
                title="max_replication_lag: replicas further behind get no reads (empty: off)"
                on_change={on_max_lag} />
            <label title="pgpool-II's delay_threshold: replicas more bytes of WAL behind get no reads, like 64kB (empty: off)">{"max lag bytes "}
                <DraftInput testid="router-max-lag-bytes" size=6
                    value={s.max_lag_bytes.map(format_bytes).unwrap_or_default()}
                    title="pgpool-II's delay_threshold: replicas more bytes of WAL behind get no reads, like 64kB (empty: off)"
                    placeholder="off" on_commit={on_max_lag_bytes} />
            </label>
        </fieldset>
    }
}

/// A text field's commit as a command, read by the command language's own rules; text they
/// refuse marks the field invalid and shows why in the notice.
fn text_command(
    on_action: &Callback<Action>,
    read: fn(&str) -> Result<Command, Error>,
) -> Callback<String, bool> {
    let on_action = on_action.clone();
    Callback::from(move |text: String| match read(text.trim()) {
        Ok(command) => {
            on_action.emit(Action::Apply(command));
            true
        }
        Err(error) => {
            on_action.emit(Action::Notice(error.to_string()));
            false
        }
    })
}

/// Fencing, ttl, loop_wait, maximum_lag_on_failover and priorities (auto on/off is in the
/// toolbar; promote and switchover are on the node cards).
#[function_component(FailoverSettings)]
fn failover_settings(props: &SettingsPanelProps) -> Html {
    let config = props.settings.failover.clone();
    let failover = |change: FailoverChange| Action::Apply(Command::Failover(change));
    let emit = |change: fn(Millis) -> FailoverChange| {
        let on_action = props.on_action.clone();
        Callback::from(move |value: Option<Millis>| {
            on_action.emit(failover(change(value.unwrap_or(0))))
        })
    };
    let on_fencing = {
        let (on_action, fencing) = (props.on_action.clone(), !config.fencing);
        Callback::from(move |_: Event| {
            on_action
                .emit(failover(FailoverChange { fencing: Some(fencing), ..Default::default() }))
        })
    };
    let on_max_lag = text_command(&props.on_action, |text| {
        let bytes = parse::size("maximum_lag_on_failover", text)?;
        Ok(Command::Failover(FailoverChange {
            maximum_lag_on_failover: Some(bytes),
            ..Default::default()
        }))
    });
    let on_priorities = text_command(&props.on_action, |text| {
        let priorities = parse::node_numbers("priority", text, 1_000)?;
        Ok(Command::Failover(FailoverChange { priorities: Some(priorities), ..Default::default() }))
    });
    html! {
        <fieldset>
            <legend title="Patroni: health checks, a leader lease, promotion">{"failover"}</legend>
            <DurationInput label="ttl" testid="failover-ttl" value_ms={Some(config.ttl_ms)}
                title="The leader lease: a primary not seen healthy for this long is replaced"
                on_change={emit(|v| FailoverChange { ttl_ms: Some(v), ..Default::default() })} />
            <DurationInput label="loop_wait" testid="failover-loop-wait" value_ms={Some(config.loop_wait_ms)}
                title="How often the manager checks the primary"
                on_change={emit(|v| FailoverChange { loop_wait_ms: Some(v), ..Default::default() })} />
            <label title="A primary that cannot renew its leader lease (it lost the manager) demotes itself to read-only before another node is promoted; off: it keeps taking writes from clients that still reach it — split brain">
                <input type="checkbox" data-testid="fencing" checked={config.fencing} onchange={on_fencing} />
                {" fencing"}
            </label>
            <label title="maximum_lag_on_failover: a replica more bytes behind the primary's last known WAL position is never promoted">{"max lag on failover "}
                <DraftInput testid="failover-max-lag" size=6 value={format_bytes(config.maximum_lag_on_failover)}
                    title="maximum_lag_on_failover: a replica more bytes behind the primary's last known WAL position is never promoted"
                    on_commit={on_max_lag} />
            </label>
            <label title="failover_priority: among equally advanced replicas the highest wins; 0 = never promote (nofailover); unlisted: 1">{"priority "}
                <DraftInput testid="failover-priority" class="wide" size=10 value={props.settings.priorities.clone()}
                    title="failover_priority: among equally advanced replicas the highest wins; 0 = never promote (nofailover); unlisted: 1"
                    placeholder="pg2:0, pg3:2" on_commit={on_priorities} />
            </label>
        </fieldset>
    }
}

/// The primary's DNS name and how long clients cache it.
#[function_component(EndpointSettings)]
fn endpoint_settings(props: &SettingsPanelProps) -> Html {
    let s = &props.settings;
    let on_ttl = {
        let on_action = props.on_action.clone();
        Callback::from(move |ttl: Option<Millis>| {
            let ttl_ms = Some(ttl.unwrap_or(0));
            on_action.emit(Action::Apply(Command::Endpoint { ttl_ms }))
        })
    };
    html! {
        <fieldset>
            <legend title="The DNS name clients use for the primary; the manager repoints it on failover">{"endpoint"}</legend>
            <span class="endpoint" data-testid="endpoint">{format!("{} → {}", s.endpoint_name, s.endpoint_target)}</span>
            <DurationInput label="ttl" testid="endpoint-ttl" value_ms={Some(s.endpoint_ttl_ms)}
                title="How long a client keeps its answer: after a failover its writes still go to the old primary until then"
                on_change={on_ttl} />
        </fieldset>
    }
}

/// The read cache: on/off, TTL, invalidate-on-write, hit ratio.
#[function_component(CacheSettings)]
fn cache_settings(props: &SettingsPanelProps) -> Html {
    let config = props.settings.cache.clone();
    let stats = props.settings.cache_stats;
    let cache = |change: CacheChange| Action::Apply(Command::Cache(change));
    let toggle = |change: CacheChange| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: Event| on_action.emit(cache(change.clone())))
    };
    let on_ttl = {
        let on_action = props.on_action.clone();
        Callback::from(move |ttl: Option<Millis>| {
            let ttl_ms = Some(ttl.unwrap_or(0).max(1));
            on_action.emit(cache(CacheChange { ttl_ms, ..Default::default() }));
        })
    };
    let ratio = stats.hit_ratio().map_or("–".to_string(), |r| format!("{:.0}%", r * 100.0));
    html! {
        <fieldset>
            <legend title="A read-through cache in front of the router (what Redis does for an app)">{"read cache"}</legend>
            <label>
                <input type="checkbox" data-testid="cache-enabled" checked={config.enabled}
                    onchange={toggle(CacheChange { enabled: Some(!config.enabled), ..Default::default() })} />
                {" on"}
            </label>
            <DurationInput label="ttl" testid="cache-ttl" value_ms={Some(config.ttl_ms)}
                title="How long a cached answer is served" on_change={on_ttl} />
            <label title="Drop cached answers for a table when a write to it is acknowledged">
                <input type="checkbox" data-testid="cache-invalidate" checked={config.invalidate_on_write}
                    onchange={toggle(CacheChange { invalidate: Some(!config.invalidate_on_write), ..Default::default() })} />
                {" invalidate on write"}
            </label>
            if config.enabled {
                <span class="muted" data-testid="cache-stats"
                    title={stats.to_string()}>{format!("hit ratio {ratio} · hits {} · misses {}", stats.hits, stats.misses)}</span>
            }
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
pub struct DurationInputProps {
    pub label: &'static str,
    pub testid: &'static str,
    pub title: &'static str,
    pub value_ms: Option<Millis>,
    /// Empty means "off" (`None`).
    #[prop_or_default]
    pub optional: bool,
    pub on_change: Callback<Option<Millis>>,
}

/// A duration typed as `1500`, `1500ms`, `1.5s` or `2m` (at most an hour).
#[function_component(DurationInput)]
pub fn duration_input(props: &DurationInputProps) -> Html {
    let on_commit = {
        let (on_change, optional) = (props.on_change.clone(), props.optional);
        Callback::from(move |text: String| match parse::parse_millis(&text) {
            _ if optional && text.trim().is_empty() => {
                on_change.emit(None);
                true
            }
            Some(ms) if ms <= 3_600_000 => {
                on_change.emit(Some(ms));
                true
            }
            _ => false,
        })
    };
    let title = format!("{} (e.g. 500ms, 2s, 1m)", props.title);
    html! {
        <label title={props.title}>{format!("{} ", props.label)}
            <DraftInput testid={props.testid} {title} {on_commit}
                value={props.value_ms.map(format_millis).unwrap_or_default()}
                placeholder={props.optional.then_some(AttrValue::from("off"))} />
        </label>
    }
}
