//! `target/bench.json`: the figures `make bench` measures, one flat JSON object that each of
//! its steps (the engine against SQLite, the simulation, the bundle, the browser) adds to.
//! Tooling only: the page never calls it.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the figures go.
pub fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench.json")
}

/// Adds figures to `target/bench.json`, keeping the ones other steps wrote.
pub fn merge(figures: &[(&str, f64)]) {
    let path = path();
    let mut all = std::fs::read_to_string(&path).map(|t| parse_flat(&t)).unwrap_or_default();
    for (key, value) in figures {
        let value = if value.is_finite() { format!("{value}") } else { "null".to_string() };
        all.insert((*key).to_string(), value);
    }
    let body: Vec<String> = all.iter().map(|(k, v)| format!("  \"{k}\": {v}")).collect();
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&path, format!("{{\n{}\n}}\n", body.join(",\n")));
}

/// Reads the flat `{"key": number, ...}` object the steps write.
fn parse_flat(text: &str) -> BTreeMap<String, String> {
    text.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once(':')?;
            let key = key.trim().trim_matches('"');
            (!key.is_empty()).then(|| (key.to_string(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_back() {
        let parsed = parse_flat("{\n  \"a\": 1.5,\n  \"b\": null\n}\n");
        assert_eq!(parsed.get("a").map(String::as_str), Some("1.5"));
        assert_eq!(parsed.get("b").map(String::as_str), Some("null"));
        assert!(parse_flat("").is_empty());
    }
}
