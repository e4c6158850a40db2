//! The console's answers, newest first: which node answered, when, and the rows or the error.

use yew::prelude::*;

use crate::engine::node::Role;
use crate::engine::sql::Outcome;
use crate::engine::{format_millis, Reply, StatementReply, Target};
use crate::ui::views::Staleness;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub replies: Vec<Reply>,
    /// Statements still running or waiting, with what they wait for.
    pub pending: Vec<(Reply, String)>,
    /// Reads that missed an acknowledged write, and why.
    #[prop_or_default]
    pub stale: Staleness,
    /// Statements a checker finding points at: (session, sent at).
    #[prop_or_default]
    pub highlight: Vec<(String, crate::engine::Millis)>,
    /// Cancel a session's statement in progress (psql's Ctrl+C).
    #[prop_or_default]
    pub on_cancel: Callback<String>,
}

/// Rows shown per result; the rest are counted, not drawn.
const ROWS_SHOWN: usize = 50;

/// Every kept reply, newest first.
#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    if props.replies.is_empty() && props.pending.is_empty() {
        return html! {
            <div class="results empty muted">
                {"Run a statement: writes go to the primary, reads to a replica. "}
                {"Try the lesson's INSERT, then at once its SELECT."}
            </div>
        };
    }
    html! {
        <div class="results" data-testid="results">
            { for props.pending.iter().rev().map(|(reply, waiting)| pending_view(reply, waiting, &props.on_cancel)) }
            { for props.replies.iter().rev().map(|r| reply_view(r, &props.stale, &props.highlight)) }
        </div>
    }
}

fn pending_view(reply: &Reply, waiting: &str, on_cancel: &Callback<String>) -> Html {
    let session = reply.session.to_string();
    let cancel = on_cancel.reform(move |_: MouseEvent| session.clone());
    html! {
        <div class="result pending" data-testid="pending">
            <div class="result-head">
                <span class="badge waiting">{"waiting"}</span>
                <span class="muted">{format!(" {} · since t = {}", reply.session, format_millis(reply.submitted_ms))}</span>
                <code class="stmt">{&reply.input}</code>
                <button class="small" data-testid="cancel" onclick={cancel}
                    title="What psql's Ctrl+C does: cancel the statement (a commit waiting for its standby stays committed locally)">{"Cancel"}</button>
            </div>
            <div class="tag">{waiting}</div>
        </div>
    }
}

fn reply_view(
    reply: &Reply,
    stale: &Staleness,
    highlight: &[(String, crate::engine::Millis)],
) -> Html {
    let marked = reply
        .statements
        .iter()
        .any(|s| highlight.iter().any(|(who, at)| **who == *reply.session && *at == s.sent_ms));
    let via = match reply.target {
        Target::Router => format!("{} via router", reply.session),
        Target::Primary => format!("{} to the primary", reply.session),
        Target::Node(id) => format!("{} to {id}", reply.session),
    };
    html! {
        <div class={classes!("reply", marked.then_some("highlighted"))} data-highlighted={marked.to_string()}>
            if marked {
                <span class="badge split highlight-tag">{"in the finding"}</span>
            }
            if let Some(error) = &reply.error {
                <div class="result error" data-testid="result" data-status="error">
                    <div class="result-head">{via.clone()}</div>
                    <pre class="error-text">{error.render_with_source(&reply.input)}</pre>
                </div>
            }
            { for reply.statements.iter().enumerate().map(|(i, s)| statement_view(s, &via, stale.get(&(reply.op, i)))) }
        </div>
    }
}

fn statement_view(statement: &StatementReply, via: &str, stale: Option<&String>) -> Html {
    let node = statement.node.name();
    let head = html! {
        <div class="result-head">
            if statement.cached_at_ms.is_some() {
                <span class="badge waiting" data-testid="from-cache">{"cache"}</span>
            }
            <span class={classes!("badge", statement.role.as_str())}>{format!("{node} · {}", statement.role.as_str())}</span>
            <span class="muted">{format!(" {via} · t = {}{}", format_millis(statement.done_ms), latency(statement))}</span>
            <code class="stmt">{statement.sql.to_string()}</code>
            if let Some(why) = &statement.route {
                <span class="muted route" data-testid="route">{format!("routed here: {why}")}</span>
            }
            if let Some(position) = position_note(statement) {
                <span class="muted position" data-testid="position">{position}</span>
            }
            if let Some(why) = stale {
                <span class="stale-note" data-testid="stale">{why}</span>
            }
        </div>
    };
    match &statement.result {
        Ok(outcome) => html! {
            <div class={classes!("result", "ok", stale.is_some().then_some("stale"))} data-testid="result" data-status="ok" data-node={node}
                data-rows={outcome.rows.len().to_string()} data-stale={stale.is_some().to_string()}>
                {head}
                { outcome_view(outcome, statement.cached_at_ms.is_some()) }
            </div>
        },
        Err(error) => html! {
            <div class="result error" data-testid="result" data-status="error" data-node={node}>
                {head}
                <pre class="error-text">{error.render_with_source(&statement.sql)}</pre>
            </div>
        },
    }
}

/// Where the answering node stood in the WAL: why a replica's read may miss a write.
fn position_note(statement: &StatementReply) -> Option<String> {
    if let Some(stored_ms) = statement.cached_at_ms {
        return Some(format!(
            "answered by the read cache: what {} returned at {}, when it had replayed up to {}",
            statement.node,
            format_millis(stored_ms),
            statement.node_lsn
        ));
    }
    if let Some(lsn) = statement.commit_lsn {
        let waited = statement
            .waited_for
            .as_ref()
            .map_or_else(|| "local flush".to_string(), ToString::to_string);
        return Some(format!("committed at {lsn}; acknowledged after {waited}"));
    }
    (statement.role == Role::Replica && statement.result.is_ok())
        .then(|| format!("read on a replica that had replayed up to {}", statement.node_lsn))
}

fn latency(statement: &StatementReply) -> String {
    match statement.latency_ms() {
        0 => String::new(),
        ms => format!(" · took {}", format_millis(ms)),
    }
}

/// The work behind an answer, in EXPLAIN ANALYZE's words; none for a cached one.
fn work_note(outcome: &Outcome, cached: bool) -> String {
    let cost = &outcome.cost;
    if cached {
        return "from the read cache: no node ran it".to_string();
    }
    let produced = if outcome.columns.is_empty() && outcome.commit.is_some() {
        format!("{} written", cost.rows_returned)
    } else {
        format!("{} returned", cost.rows_returned)
    };
    format!("{}: {} rows scanned, {produced}", cost.access, cost.rows_scanned)
}

fn outcome_view(outcome: &Outcome, cached: bool) -> Html {
    html! {
        <>
            { for outcome.notices.iter().map(|n| html! { <pre class="sql-notice" data-testid="sql-notice">{n}</pre> }) }
            if !outcome.columns.is_empty() {
                <div class="table-scroll">
                <table class={classes!("rows", (outcome.tag == "EXPLAIN").then_some("plan"))}>
                    <thead><tr>{ for outcome.columns.iter().map(|c| html! { <th>{c}</th> }) }</tr></thead>
                    <tbody>
                        { for outcome.rows.iter().take(ROWS_SHOWN).map(|row| html! {
                            <tr>{ for row.iter().map(|v| html! { <td>{v.to_string()}</td> }) }</tr>
                        }) }
                    </tbody>
                </table>
                </div>
                if outcome.rows.len() > ROWS_SHOWN {
                    <div class="muted">{format!("… {} more rows not shown", outcome.rows.len() - ROWS_SHOWN)}</div>
                }
            }
            <div class="tag muted">{format!("{} · {}", outcome.tag, work_note(outcome, cached))}</div>
        </>
    }
}
