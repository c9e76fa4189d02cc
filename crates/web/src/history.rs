//! A record's audit events as people read them: what happened ("Signed
//! off", "Changed"), by whom, and each field that changed under its own
//! name with its value written out ("Status: On track → At risk",
//! "Target date: March 2025"), never raw field names or JSON.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::Value;

/// One field's change in one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name for people: "Status".
    pub label: String,
    /// What it was ("" when it had no value or the record was new).
    pub before: String,
    /// What it became ("" when it lost its value).
    pub after: String,
}

/// What an event's operation did, for people: "create" → "Created".
pub fn operation_label(operation: &str) -> String {
    let known = match operation {
        "create" => "Created",
        "edit" => "Changed",
        "delete" => "Deleted",
        "restore" => "Restored",
        "submit" => "Submitted for sign-off",
        "return" => "Returned to its lead",
        "sign off" | "sign_off" => "Signed off",
        "approve" => "Approved",
        "publish" => "Published",
        "unpublish" => "Withdrawn from the public",
        "supersede" => "Superseded",
        "amend" => "Amended after approval",
        "correct" => "Corrected",
        "refresh" => "Carried into the next plan",
        "chase" => "Lead reminded",
        "open" => "Opened",
        "close" => "Closed",
        _ => return sentence_case(operation),
    };
    known.to_owned()
}

/// Who made a change, for people: the command line's `cli:USER` reads
/// "the command line (USER)"; a person is shown as recorded.
pub fn actor_label(actor: &str) -> String {
    match actor.strip_prefix("cli:") {
        Some(user) => format!("the command line ({user})"),
        None => actor.to_owned(),
    }
}

/// The fields that differ between `before` and `after` (either may be
/// missing: a creation has no `before`), labelled and written out, in the
/// order people expect: status and commentary before the rest.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    let mut out: Vec<(usize, FieldChange)> = keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .filter_map(|k| {
            let (rank, label) = label(k)?;
            let show = |v: Option<&Value>| v.map_or_else(String::new, |v| value_text(k, v));
            let (before, after) = if k == "item_id" {
                // Ids mean nothing to people; say the action moved.
                (
                    String::new(),
                    if b.contains_key(k) { "Moved" } else { "" }.to_owned(),
                )
            } else {
                (show(b.get(k)), show(a.get(k)))
            };
            (before != after).then_some((
                rank,
                FieldChange {
                    label: label.into_owned(),
                    before,
                    after,
                },
            ))
        })
        .collect();
    out.sort_by(|(ra, a), (rb, b)| (ra, &a.label).cmp(&(rb, &b.label)));
    out.into_iter().map(|(_, c)| c).collect()
}

/// A field's label and its place in the list; `None` for bookkeeping
/// fields (ids, versions, timestamps of the row itself). A field not named
/// here keeps its own words in sentence case ("due_on" → "Due on").
fn label(key: &str) -> Option<(usize, Cow<'static, str>)> {
    let known = match key {
        "status" => (0, "Status"),
        "state" => (1, "Sign-off"),
        "commentary" => (2, "Commentary"),
        "returned_comment" => (3, "Reason it was returned"),
        "percent" => (4, "Percent complete"),
        "actuals" => (5, "Figures"),
        "key_achievement" => (6, "Key achievement"),
        "author" => (7, "Written by"),
        "period" => (8, "Period"),
        "reference" => (10, "Reference"),
        "title" => (11, "Title"),
        "name" => (11, "Name"),
        "lead" => (12, "Lead"),
        "directorate" => (13, "Directorate"),
        "target" => (14, "Target date"),
        "measures" => (15, "Measures"),
        "outcome" => (16, "Outcome"),
        "item_id" => (17, "Place in the plan"),
        "approved_on" => (20, "Approved on"),
        "published_at" => (21, "Published"),
        "alignments" => (22, "Aligned with"),
        "year" => (23, "Year"),
        "illustrative" => (30, "Example content"),
        "reason" => (31, "Reason"),
        "gaps_accepted" => (24, "Gaps accepted at approval"),
        "id" | "version" | "created_at" | "updated_at" | "deleted_at" => return None,
        k if k.ends_with("_id") => return None,
        _ => return Some((40, Cow::Owned(sentence_case(key)))),
    };
    Some((known.0, Cow::Borrowed(known.1)))
}

/// `on_track` → "On track".
fn sentence_case(raw: &str) -> String {
    crate::words::capitalise(&raw.replace(['_', '-'], " "))
}

/// A value as people read it, knowing which field it is.
fn value_text(key: &str, v: &Value) -> String {
    match (key, v) {
        (_, Value::Null) => String::new(),
        (_, Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_owned(),
        ("percent", Value::Number(n)) => format!("{n}%"),
        ("status" | "state" | "outcome", Value::String(s)) => sentence_case(s),
        ("approved_on" | "target" | "published_at", Value::String(s)) => date_text(s),
        ("measures", Value::Array(items)) => items
            .iter()
            .map(|m| match m {
                // Stored as [id, measure].
                Value::Array(pair) => pair.last().map(measure_text).unwrap_or_default(),
                other => measure_text(other),
            })
            .collect::<Vec<_>>()
            .join("; "),
        ("actuals", Value::Array(items)) => items
            .iter()
            .map(|x| {
                let name = x.get("indicator").and_then(Value::as_str).unwrap_or("");
                let value = x.get("value").map(number_text).unwrap_or_default();
                format!("{name}: {value}")
            })
            .collect::<Vec<_>>()
            .join("; "),
        ("alignments", Value::Array(items)) => items
            .iter()
            .filter_map(|x| x.get("name").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(_)) => number_text(v),
        (_, Value::Array(items)) => items
            .iter()
            .map(|x| value_text("", x))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Value::Object(map)) => map
            .iter()
            .filter(|(k, v)| label(k).is_some() && !v.is_null())
            .map(|(k, v)| format!("{}: {}", sentence_case(k), value_text(k, v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A measure: a statement's text, or an indicator with its unit,
/// direction, baseline and targets.
fn measure_text(m: &Value) -> String {
    let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    if m.get("kind").and_then(Value::as_str) != Some("indicator") {
        return text("text");
    }
    let mut parts = vec![format!("in {}", text("unit"))];
    parts.push(match text("direction").as_str() {
        "down" => "lower is better".to_owned(),
        _ => "higher is better".to_owned(),
    });
    if let Some(b) = m.get("baseline").filter(|b| !b.is_null()) {
        parts.push(format!("baseline {}", number_text(b)));
    }
    for t in m
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let year = t.get("year").and_then(Value::as_str).unwrap_or("");
        let half = t.get("half").and_then(Value::as_str);
        let value = t.get("value").map(number_text).unwrap_or_default();
        parts.push(match half {
            Some(h) => format!("target {value} by {h} {year}"),
            None => format!("target {value} in {year}"),
        });
    }
    format!("{} ({})", text("name"), parts.join(", "))
}

/// A number without a needless `.0`.
fn number_text(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Some(f) => f.to_string(),
        None => v.to_string(),
    }
}

/// A stored day, month or time written out: "2025-03-20" → "20 March
/// 2025", "2025-03" → "March 2025", RFC 3339 → "20 March 2025 09:30 UTC".
pub(crate) fn date_text(s: &str) -> String {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.format("%-d %B %Y").to_string();
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        return d.format("%B %Y").to_string();
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return t
            .with_timezone(&chrono::Utc)
            .format("%-d %B %Y %H:%M UTC")
            .to_string();
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_update_signed_off_reads_as_people_say_it() {
        let before = json!({"id": 1, "action_id": 3, "status": "on_track", "state": "submitted",
            "commentary": "Going well", "percent": 40, "version": 2, "updated_at": "x"});
        let after = json!({"id": 1, "action_id": 3, "status": "at_risk", "state": "signed_off",
            "commentary": "Going well", "percent": 55, "version": 3, "updated_at": "y"});
        let c = changes(Some(&before), Some(&after));
        let rows: Vec<_> = c
            .iter()
            .map(|c| (c.label.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Status", "On track", "At risk"),
                ("Sign-off", "Submitted", "Signed off"),
                ("Percent complete", "40%", "55%"),
            ]
        );
    }

    #[test]
    fn an_action_created_lists_its_fields_written_out() {
        let after = json!({"id": 1, "plan_id": 1, "item_id": 3, "reference": "6A",
            "title": "Promote engagement", "target": "2023-03", "illustrative": false,
            "measures": [[1, {"kind": "indicator", "name": "People attending", "unit": "people",
                "direction": "up", "baseline": 240.0,
                "targets": [{"half": null, "value": 300.0, "year": "2022/23"}]}],
                [2, {"kind": "statement", "text": "More residents taking part"}]]});
        let c = changes(None, Some(&after));
        let find = |l: &str| c.iter().find(|c| c.label == l).map(|c| c.after.clone());
        assert_eq!(find("Reference").as_deref(), Some("6A"));
        assert_eq!(find("Target date").as_deref(), Some("March 2023"));
        assert_eq!(find("Example content").as_deref(), Some("No"));
        assert_eq!(
            find("Measures").as_deref(),
            Some(
                "People attending (in people, higher is better, baseline 240, target 300 in 2022/23); More residents taking part"
            )
        );
        assert!(c.iter().all(|c| !c.label.contains('_')), "{c:?}");
        assert!(
            find("Place in the plan").is_none(),
            "a new record did not move"
        );
        let moved = changes(Some(&json!({"item_id": 3})), Some(&json!({"item_id": 4})));
        assert_eq!(moved[0].label, "Place in the plan");
        assert_eq!(moved[0].after, "Moved");
    }

    #[test]
    fn plans_and_unknown_fields_read_too() {
        let before = json!({"status": "draft", "approved_on": null, "alignments": []});
        let after = json!({"status": "approved", "approved_on": "2022-03-22",
            "alignments": [{"id": 4, "name": "Carers Strategy"}, {"id": 5, "name": "Autism Strategy"}],
            "due_on": "soon"});
        let c = changes(Some(&before), Some(&after));
        let rows: Vec<_> = c
            .iter()
            .map(|c| (c.label.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Status", "Draft", "Approved"),
                ("Approved on", "", "22 March 2022"),
                ("Aligned with", "", "Carers Strategy, Autism Strategy"),
                ("Due on", "", "soon"),
            ]
        );
        assert_eq!(operation_label("sign off"), "Signed off");
        assert_eq!(operation_label("made_up"), "Made up");
        assert_eq!(actor_label("cli:root"), "the command line (root)");
        assert_eq!(actor_label("Ann <ann@x.example>"), "Ann <ann@x.example>");
    }
}
