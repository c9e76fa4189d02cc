//! The extractor against real and written minutes, bad input and the JSON
//! schema.
//!
//! Fixtures live in `tests/fixtures/`: each `<name>.txt` or `<name>.html` has
//! its expected extract in `<name>.json`, checked field by field by hand.
//! The two `bromley_*` fixtures are the real minutes from `shared/seeds/`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use minutes::{Extract, MAX_INPUT_BYTES, MinutesError, Options, Outcome, extract};
use proptest::prelude::*;
use serde_json::Value;

/// Each fixture and the date of its meeting. The seed files do not carry
/// their meeting dates; the dates here are the ones the tests resolve
/// relative due dates against.
const FIXTURES: &[(&str, &str)] = &[
    ("bromley_ach24_030.txt", "2024-06-27"),
    ("bromley_ach22_038.txt", "2022-11-29"),
    ("northshire_children_scrutiny.txt", "2023-11-14"),
    ("eastmere_housing_panel.html", "2024-11-12"),
    ("westbrook_environment_scrutiny.txt", "2024-02-06"),
    ("riverside_health_board_cp1252.txt", "2023-07-18"),
    ("harbourside_communities_panel.txt", "2025-03-14"),
    ("lakeside_adult_care_scrutiny.html", "2025-01-21"),
    ("no_findings.txt", "2024-01-10"),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn meeting(date: &str) -> Option<NaiveDate> {
    Some(date.parse().expect("a fixture date"))
}

fn extract_fixture(name: &str) -> Extract {
    let date = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .expect("a listed fixture");
    let options = Options {
        source: None,
        meeting_date: meeting(date),
        max_findings: None,
        all_candidates: false,
    };
    extract(&read(name), &options).expect("fixture extracts")
}

fn expected_json(name: &str) -> Value {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    serde_json::from_slice(&read(&format!("{stem}.json"))).expect("expected JSON parses")
}

#[test]
fn every_fixture_extracts_to_its_expected_json() {
    for (name, _) in FIXTURES {
        let got = serde_json::to_value(extract_fixture(name)).unwrap();
        let want = expected_json(name);
        assert!(
            got == want,
            "{name} differs from its .json:\n{}",
            serde_json::to_string_pretty(&got).unwrap()
        );
    }
}

#[test]
fn every_fixture_file_is_listed() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let stem = file.rsplit_once('.').map_or(file.as_str(), |(s, _)| s);
        assert!(
            FIXTURES
                .iter()
                .any(|(n, _)| n.rsplit_once('.').map(|(s, _)| s) == Some(stem)),
            "{file} has no entry in FIXTURES"
        );
    }
}

#[test]
fn expected_json_reads_back_into_the_same_extract() {
    for (name, _) in FIXTURES {
        let back: Extract = serde_json::from_value(expected_json(name)).unwrap();
        assert_eq!(back, extract_fixture(name), "{name}");
    }
}

/// A commitment as (text, owner, due date, due text, action).
type Promise<'a> = (
    &'a str,
    Option<&'a str>,
    Option<String>,
    Option<&'a str>,
    Option<String>,
);

fn promises(e: &Extract) -> Vec<Promise<'_>> {
    e.commitments
        .iter()
        .map(|c| {
            (
                c.text.as_str(),
                c.owner.as_deref(),
                c.due.as_ref().and_then(|d| d.date).map(|d| d.to_iso()),
                c.due.as_ref().map(|d| d.text.as_str()),
                c.action_ref.as_ref().map(|a| a.to_string()),
            )
        })
        .collect()
}

#[test]
fn seed_ach24_030_commitments_questions_and_resolutions() {
    let e = extract_fixture("bromley_ach24_030.txt");
    assert_eq!(e.reports, ["ACH24-030"]);
    assert_eq!(e.ambitions, [2, 5]);
    let periods: Vec<String> = e
        .periods
        .iter()
        .map(|p| format!("{} {:?}", p.year, p.half))
        .collect();
    assert_eq!(periods, ["2023/24 Some(H2)", "2024/25 None"]);
    assert_eq!(
        promises(&e),
        [
            (
                "a report on the Safeguarding of Adults Audit would be provided to the Committee",
                Some("Director of Adult Services"),
                None,
                None,
                None,
            ),
            (
                "a report on the Housing with Care Strategy would be presented to the Committee later in the year",
                Some("Assistant Director for Integrated Commissioning"),
                Some("2025-03-31".to_owned()),
                Some("later in the year"),
                None,
            ),
        ]
    );
    let pairs: Vec<(Option<&str>, Option<&str>)> = e
        .questions
        .iter()
        .map(|q| (q.asker.as_deref(), q.responder.as_deref()))
        .collect();
    assert_eq!(
        pairs,
        [
            (None, Some("Director of Adult Services")),
            (Some("Co-opted Member"), Some("Director of Adult Services")),
            (None, Some("Director of Adult Services")),
            (
                Some("Member"),
                Some("Assistant Director for Integrated Commissioning")
            ),
            (
                Some("Member"),
                Some("Assistant Director for Integrated Commissioning")
            ),
        ]
    );
    let resolutions: Vec<(&str, Outcome)> = e
        .resolutions
        .iter()
        .map(|r| (r.text.as_str(), r.outcome))
        .collect();
    assert_eq!(
        resolutions,
        [
            (
                "the progress on the actions associated with the Adult Care and Health Portfolio Plan for the second half of 2023-24 – Appendix 1 be noted",
                Outcome::Noted
            ),
            (
                "the refresh of the Portfolio Plan for 2024/25 – Appendix 2, be noted",
                Outcome::Noted
            ),
        ]
    );
}

#[test]
fn seed_ach22_038_actions_commitments_questions_and_resolution() {
    let e = extract_fixture("bromley_ach22_038.txt");
    assert_eq!(e.reports, ["ACH22-038"]);
    assert_eq!(e.ambitions, [2, 5]);
    let periods: Vec<String> = e
        .periods
        .iter()
        .map(|p| format!("{} {:?}", p.year, p.half))
        .collect();
    assert_eq!(periods, ["2022/23 Some(H1)"]);
    let actions: Vec<(Option<u32>, String, Option<&str>)> = e
        .action_refs
        .iter()
        .map(|a| (a.ambition, a.action.to_string(), a.title.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            (
                Some(2),
                "6A".to_owned(),
                Some("Promote opportunities for engagement with local communities and groups")
            ),
            (
                Some(2),
                "9E".to_owned(),
                Some("Deliver the all-age Autism Strategy")
            ),
            (
                Some(2),
                "10A".to_owned(),
                Some(
                    "Develop a new support offer to help and sustain unpaid carers including young carers"
                )
            ),
            (Some(2), "11".to_owned(), None),
            (
                Some(2),
                "14A".to_owned(),
                Some(
                    "Develop the use of assistive technology to enable residents to remain in their homes"
                )
            ),
        ]
    );
    assert_eq!(
        promises(&e),
        [
            (
                "the Strategy would be brought to the Committee in March 2023",
                Some("Assistant Director for Integrated Commissioning"),
                Some("2023-03".to_owned()),
                Some("in March 2023"),
                Some("10A".to_owned()),
            ),
            (
                "this question would be put to the Director of Education following the meeting, and a written response would be provided",
                Some("Assistant Director for Strategy, Performance and Corporate Transformation"),
                None,
                Some("following the meeting"),
                Some("11".to_owned()),
            ),
        ]
    );
    let questions: Vec<(Option<&str>, Option<&str>, Option<String>)> = e
        .questions
        .iter()
        .map(|q| {
            (
                q.asker.as_deref(),
                q.responder.as_deref(),
                q.action_ref.as_ref().map(|a| a.to_string()),
            )
        })
        .collect();
    let aic = Some("Assistant Director for Integrated Commissioning");
    let aspct = Some("Assistant Director for Strategy, Performance and Corporate Transformation");
    let dasc = Some("Director of Adult Social Care");
    let a = |s: &str| Some(s.to_owned());
    assert_eq!(
        questions,
        [
            (Some("Member"), aic, a("6A")),
            (Some("Co-opted Member"), dasc, a("9E")),
            (Some("Co-opted Member"), aic, a("9E")),
            (None, aspct, None),
            (Some("Member"), aic, a("10A")),
            (Some("Member"), aspct, a("11")),
            (Some("Member"), dasc, a("14A")),
        ]
    );
    assert_eq!(e.resolutions.len(), 1);
    assert_eq!(
        e.resolutions[0].text,
        "the progress on the actions associated with the Adult Care and Health Portfolio Plan for the first half of 2022/23 (Appendix 1) be noted"
    );
    assert_eq!(e.resolutions[0].outcome, Outcome::Noted);
}

#[test]
fn seed_futures_that_are_not_promises_to_the_committee_are_left_out() {
    let all: Vec<String> = ["bromley_ach24_030.txt", "bromley_ach22_038.txt"]
        .iter()
        .flat_map(|n| extract_fixture(n).commitments)
        .map(|c| c.text)
        .collect();
    for not in [
        "would be developed to enable people with autism",
        "ongoing support would be provided",
        "would be beneficial",
        "would link with other organisations",
    ] {
        assert!(!all.iter().any(|t| t.contains(not)), "{not}");
    }
}

#[test]
fn relative_due_dates_need_the_meeting_date() {
    let e = extract(&read("bromley_ach24_030.txt"), &Options::default()).unwrap();
    let due = e.commitments[1].due.as_ref().unwrap();
    assert_eq!(due.text, "later in the year");
    assert_eq!(due.date, None);
    let json = serde_json::to_value(due).unwrap();
    assert_eq!(json, serde_json::json!({ "text": "later in the year" }));
}

#[test]
fn the_smallest_json_the_schema_allows_reads_back() {
    let minimal = serde_json::json!({
        "reports": [],
        "periods": [{ "year": "2023/24" }],
        "ambitions": [],
        "action_refs": [{ "action": "10A" }],
        "questions": [{ "asker": null, "responder": null }],
        "commitments": [{ "text": "a written response would be provided", "owner": null, "due": { "date": "2023-03" } }],
        "resolutions": [{ "text": "the report be noted" }]
    });
    let e: Extract = serde_json::from_value(minimal).unwrap();
    assert_eq!(e.periods[0].half, None);
    assert_eq!(e.resolutions[0].outcome, Outcome::Other);
    let bad = serde_json::json!({
        "reports": [], "periods": [{ "year": "2023/25" }], "ambitions": [], "action_refs": [],
        "questions": [], "commitments": [], "resolutions": []
    });
    assert!(serde_json::from_value::<Extract>(bad).is_err());
}

#[test]
fn source_is_printed_only_when_given() {
    let bytes = read("bromley_ach22_038.txt");
    let without = serde_json::to_value(extract(&bytes, &Options::default()).unwrap()).unwrap();
    assert!(without.get("source").is_none());
    let options = Options {
        source: Some("minutes-2022-11-29.txt".to_owned()),
        meeting_date: None,
        max_findings: None,
        all_candidates: false,
    };
    let with = serde_json::to_value(extract(&bytes, &options).unwrap()).unwrap();
    assert_eq!(with["source"], "minutes-2022-11-29.txt");
}

#[test]
fn text_summary_reads_well() {
    let mut e = extract_fixture("bromley_ach22_038.txt");
    e.source = Some("ach22-038.txt".to_owned());
    let text = e.to_text();
    for line in [
        "Minutes: ach22-038.txt",
        "Reports: ACH22-038",
        "Periods: H1 2022/23",
        "Ambitions: 2, 5",
        "  - Ambition 2, action 10A: Develop a new support offer",
        "Questions (7):",
        "  4. (asker not recorded) -> Assistant Director for Strategy, Performance and Corporate Transformation",
        "Commitments (2):",
        "     owner: Assistant Director for Integrated Commissioning; due 2023-03 (\"in March 2023\"); action 10A",
        "Resolutions (1):",
        "  1. [noted] the progress on the actions",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    let empty = Extract::default().to_text();
    assert!(empty.starts_with("Nothing recognised"), "{empty}");
}

#[test]
fn empty_and_whitespace_input_give_an_empty_extract() {
    for input in [
        &b""[..],
        b"   \n\r\n\t  \n",
        "\u{a0}\u{feff}\u{200b}".as_bytes(),
    ] {
        let e = extract(input, &Options::default()).unwrap();
        assert!(e.is_empty(), "{input:?}");
    }
    let e = extract(b"Lorem ipsum dolor sit amet.", &Options::default()).unwrap();
    assert!(e.is_empty());
}

#[test]
fn binary_input_is_refused_with_what_to_do() {
    let cases: [(&[u8], &str); 5] = [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "NUL"),
        (b"minutes\0text", "NUL"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Word document"),
        (b"\x81\x8d\x01\x02\x03", "not UTF-8"),
    ];
    for (input, says) in cases {
        let err = extract(input, &Options::default()).unwrap_err();
        assert!(matches!(err, MinutesError::Binary { .. }), "{input:?}");
        let message = err.to_string();
        assert!(message.contains(says), "{message}");
        assert!(
            message.contains("save the minutes as plain text"),
            "{message}"
        );
    }
}

#[test]
fn too_large_input_is_refused() {
    let input = vec![b'a'; MAX_INPUT_BYTES + 1];
    let err = extract(&input, &Options::default()).unwrap_err();
    assert_eq!(
        err,
        MinutesError::TooLarge {
            size: MAX_INPUT_BYTES + 1,
            limit: MAX_INPUT_BYTES
        }
    );
    assert!(err.to_string().contains("one file per meeting"), "{err}");
}

#[test]
fn deeply_nested_html_is_read_without_recursion() {
    let depth = 10_000;
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(depth));
    html.push_str("<p>RESOLVED that the report be noted.</p>");
    html.push_str(&"</div>".repeat(depth));
    let e = extract(html.as_bytes(), &Options::default()).unwrap();
    assert_eq!(e.resolutions.len(), 1);
    assert_eq!(e.resolutions[0].text, "the report be noted");

    let unclosed = "<div><span><b><i>".repeat(depth) + "Report ACH22-038";
    let e = extract(unclosed.as_bytes(), &Options::default()).unwrap();
    assert_eq!(e.reports, ["ACH22-038"]);
}

#[test]
fn malformed_html_and_garbage_entities_degrade_to_text() {
    let html = "<p>Report ACH22-038 &amp&amp;&#99999999999; &#x110000; &#xD800; &#0; &unknown; \
                &#; &#x; & <p<p<p <a href='x <b>unterminated <!-- open comment";
    let e = extract(html.as_bytes(), &Options::default()).unwrap();
    assert_eq!(e.reports, ["ACH22-038"]);
    for input in [
        "<p>",
        "<",
        "</",
        "<!",
        "<!--",
        "<p>&",
        "<p>&#",
        "<p>&#x",
        "<p><script>",
        "<p><style>never",
        "<br/><br/>",
        "<p>\u{2028}\u{85}</p>",
        "<td>a</td><td>b",
    ] {
        extract(input.as_bytes(), &Options::default()).unwrap();
    }
}

#[test]
fn fifty_megabytes_of_minutes_are_extracted() {
    let mut corpus = String::new();
    for (name, _) in FIXTURES {
        if name.ends_with(".txt") && !name.contains("cp1252") {
            corpus.push_str(&String::from_utf8(read(name)).unwrap());
            corpus.push_str("\n\n");
        }
    }
    let target = 50 * 1024 * 1024;
    let mut text = String::with_capacity(target + corpus.len());
    while text.len() < target {
        text.push_str(&corpus);
    }
    let e = extract(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(
        e.reports,
        [
            "ACH24-030",
            "ACH22-038",
            "CSD23045",
            "ENV24-004",
            "CSP25-004"
        ]
    );
    assert_eq!(e.commitments.len(), 2 + 2 + 3 + 4 + 3);
    assert!(e.questions.len() > 1000);
}

#[test]
fn one_long_line_and_many_tiny_paragraphs_are_handled() {
    let line = "A Member asked, and the Director of Housing said that a report would be provided \
                to the Committee. "
        .repeat(20_000);
    let e = extract(line.as_bytes(), &Options::default()).unwrap();
    assert_eq!(e.commitments.len(), 1);
    let tiny = "RESOLVED\n\n(1) x;\n\n".repeat(20_000);
    extract(tiny.as_bytes(), &Options::default()).unwrap();
    let angles = "<".repeat(200_000) + &"&".repeat(200_000);
    extract(angles.as_bytes(), &Options::default()).unwrap();
    let clauses = "a plan would be developed, with care, ".repeat(100_000);
    let e = extract(clauses.as_bytes(), &Options::default()).unwrap();
    assert!(e.commitments.is_empty());
    let crowded = "Action Point 1 came up and a Member asked. The Director of Housing said so. "
        .repeat(50_000);
    let e = extract(crowded.as_bytes(), &Options::default()).unwrap();
    assert_eq!(e.questions.len(), 50_000);
}

// The JSON schema, checked over `serde_json::Value`.

const TOP_LEVEL: &[&str] = &[
    "reports",
    "periods",
    "ambitions",
    "action_refs",
    "questions",
    "commitments",
    "resolutions",
];

fn is_financial_year(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'/'
        && b[5..].iter().all(u8::is_ascii_digit)
}

fn is_due_date(s: &str) -> bool {
    let b = s.as_bytes();
    let month = b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit);
    month
        && (b.len() == 7
            || (b.len() == 10 && b[7] == b'-' && b[8..].iter().all(u8::is_ascii_digit)))
}

fn object<'a>(
    v: &'a Value,
    at: &str,
    keys: &[&str],
    required: &[&str],
) -> &'a serde_json::Map<String, Value> {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("{at}: not an object"));
    for k in o.keys() {
        assert!(keys.contains(&k.as_str()), "{at}: unexpected key {k}");
    }
    for k in required {
        assert!(o.contains_key(*k), "{at}: missing required {k}");
    }
    o
}

fn array<'a>(v: &'a Value, at: &str) -> &'a Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("{at}: not an array"))
}

fn string_or_null(v: Option<&Value>, at: &str) {
    if let Some(v) = v {
        assert!(v.is_string() || v.is_null(), "{at}: not a string or null");
    }
}

fn string(v: Option<&Value>, at: &str) {
    if let Some(v) = v {
        assert!(v.is_string(), "{at}: not a string");
    }
}

fn check_schema(v: &Value) {
    let mut keys = TOP_LEVEL.to_vec();
    keys.push("source");
    let top = object(v, "extract", &keys, TOP_LEVEL);
    string(top.get("source"), "source");
    for r in array(&top["reports"], "reports") {
        assert!(r.is_string(), "reports: {r}");
    }
    for p in array(&top["periods"], "periods") {
        let o = object(p, "period", &["year", "half", "text"], &["year"]);
        let year = o["year"].as_str().expect("period.year is a string");
        assert!(is_financial_year(year), "period.year {year}");
        if let Some(h) = o.get("half") {
            assert!(
                matches!(h.as_str(), Some("H1" | "H2")) || h.is_null(),
                "period.half {h}"
            );
        }
        string(o.get("text"), "period.text");
    }
    for a in array(&top["ambitions"], "ambitions") {
        assert!(a.is_u64() || a.is_i64(), "ambitions: {a}");
    }
    for a in array(&top["action_refs"], "action_refs") {
        let o = object(
            a,
            "action_ref",
            &["ambition", "action", "title"],
            &["action"],
        );
        assert!(o["action"].is_string(), "action_ref.action");
        if let Some(n) = o.get("ambition") {
            assert!(
                n.is_u64() || n.is_i64() || n.is_null(),
                "action_ref.ambition {n}"
            );
        }
        string_or_null(o.get("title"), "action_ref.title");
    }
    for q in array(&top["questions"], "questions") {
        let o = object(
            q,
            "question",
            &["asker", "responder", "action_ref", "text"],
            &["asker", "responder"],
        );
        string_or_null(o.get("asker"), "question.asker");
        string_or_null(o.get("responder"), "question.responder");
        string_or_null(o.get("action_ref"), "question.action_ref");
        string(o.get("text"), "question.text");
    }
    for c in array(&top["commitments"], "commitments") {
        let o = object(
            c,
            "commitment",
            &["text", "owner", "due", "action_ref", "cue", "confidence"],
            &["text", "owner", "due"],
        );
        assert!(o["text"].is_string(), "commitment.text");
        string(o.get("cue"), "commitment.cue");
        if let Some(c) = o.get("confidence") {
            let c = c.as_f64().expect("commitment.confidence is a number");
            assert!((0.0..=1.0).contains(&c), "commitment.confidence {c}");
        }
        string_or_null(o.get("owner"), "commitment.owner");
        string_or_null(o.get("action_ref"), "commitment.action_ref");
        if !o["due"].is_null() {
            let due = object(&o["due"], "due", &["date", "text"], &[]);
            if let Some(d) = due.get("date") {
                let d = d.as_str().expect("due.date is a string");
                assert!(is_due_date(d), "due.date {d}");
            }
            string(due.get("text"), "due.text");
        }
    }
    for r in array(&top["resolutions"], "resolutions") {
        let o = object(r, "resolution", &["text", "outcome"], &["text"]);
        assert!(o["text"].is_string(), "resolution.text");
        if let Some(out) = o.get("outcome") {
            assert!(
                matches!(
                    out.as_str(),
                    Some("noted" | "agreed" | "approved" | "recommended" | "deferred" | "other")
                ),
                "resolution.outcome {out}"
            );
        }
    }
}

#[test]
fn every_fixture_matches_the_schema() {
    for (name, _) in FIXTURES {
        let mut e = extract_fixture(name);
        check_schema(&serde_json::to_value(&e).unwrap());
        e.source = Some((*name).to_owned());
        check_schema(&serde_json::to_value(&e).unwrap());
        check_schema(&expected_json(name));
    }
}

#[test]
fn the_checked_keys_are_the_schema_files() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas/minutes-extract.schema.json");
    let Ok(raw) = std::fs::read(&path) else {
        eprintln!("{} not found; schema drift check skipped", path.display());
        return;
    };
    let schema: Value = serde_json::from_slice(&raw).unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, TOP_LEVEL);
    let commitment = &schema["properties"]["commitments"]["items"];
    assert_eq!(
        commitment["required"],
        serde_json::json!(["text", "owner", "due"])
    );
    assert_eq!(
        schema["properties"]["resolutions"]["items"]["properties"]["outcome"]["enum"],
        serde_json::json!([
            "noted",
            "agreed",
            "approved",
            "recommended",
            "deferred",
            "other"
        ])
    );
}

/// Pieces of minutes, markup and junk that random documents are built from.
const PIECES: &[&str] = &[
    "RESOLVED that ",
    "RESOLVED: That (1) ",
    " (2) ",
    "i.) ",
    "ii.) ",
    " be noted;",
    " be agreed.",
    "RECOMMENDED ",
    "ACTION: ",
    "Head of Finance to circulate ",
    " by 31 January 2024",
    " in March 2023",
    " later in the year",
    " following the meeting",
    "Ambition 2 – Action Point 10A: ",
    "(Ambition 2 – Action Point 11)",
    "Action Point ",
    "Report ACH22-038",
    " for the first half of 2022/23",
    " second half of 2023-24",
    "2022 Q2",
    "A Member asked",
    "In response to a question from a Co-opted Member, ",
    "the Director of Adult Social Care advised that ",
    "Officers undertook to ",
    "It was agreed that ",
    " would be provided to the Committee",
    " would report back to the next meeting",
    "a written response would be provided",
    " and ",
    ", ",
    ". ",
    ".",
    ":",
    "\n",
    "\n\n",
    " ",
    "–",
    "’",
    "<p>",
    "</p>",
    "<br>",
    "<td>",
    "<div",
    ">",
    "<",
    "<!--",
    "&amp;",
    "&#x2019;",
    "&",
    "#",
    ";",
    "\u{a0}",
    "\u{200b}",
    "Ä",
    "😀",
    "0",
    "9",
    "A",
    "the",
];

/// Minutes holding `n` distinct promises and `n` questions, one of each a
/// paragraph.
fn dense_minutes(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "Councillor Smith asked when action plan {i} for unpaid carers would be published. \
                 The Assistant Director said that action plan {i} would be brought to the \
                 Committee in June 2023.\n\n"
            )
        })
        .collect()
}

#[test]
fn a_cap_stops_collecting_findings_and_without_one_all_are_kept() {
    let text = dense_minutes(10_000);
    let date = meeting("2023-01-10");
    let all = minutes::extract_text(
        &text,
        &Options {
            meeting_date: date,
            ..Options::default()
        },
    );
    assert_eq!(all.commitments.len(), 10_000, "uncapped, as the CLI reads");
    assert_eq!(all.questions.len(), 10_000);
    let capped = minutes::extract_text(
        &text,
        &Options {
            meeting_date: date,
            max_findings: Some(500),
            ..Options::default()
        },
    );
    assert_eq!(capped.commitments.len(), 500);
    assert_eq!(capped.questions.len(), 500);
    assert!(capped.resolutions.len() <= 500);
    assert_eq!(capped.commitments[..], all.commitments[..500]);
    assert_eq!(capped.questions[..], all.questions[..500]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(e) = extract(&bytes, &Options::default()) {
            check_schema(&serde_json::to_value(&e).unwrap());
        }
    }

    #[test]
    fn random_minutes_never_panic_and_match_the_schema(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..120),
        day in 0u64..40_000,
    ) {
        let text: String = pieces.concat();
        let date = NaiveDate::from_ymd_opt(1960, 1, 1).and_then(|d| d.checked_add_days(chrono::Days::new(day)));
        let options = Options { source: Some("x.txt".to_owned()), meeting_date: date, max_findings: None, all_candidates: false };
        let e = extract(text.as_bytes(), &options).unwrap();
        let json = serde_json::to_value(&e).unwrap();
        check_schema(&json);
        let back: Extract = serde_json::from_value(json).unwrap();
        prop_assert_eq!(back, e);
    }
}

/// The regression guard: the extractor's figures on the development part of
/// the corpus may not fall more than 0.02 below those last recorded in
/// `corpus/dev-score.json` (raise them there when the extractor improves).
#[test]
fn the_development_corpus_scores_no_worse_than_recorded() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (tally, findings) = minutes::score::score(&corpus.join("dev")).unwrap();
    let recorded: minutes::score::Figures =
        serde_json::from_slice(&std::fs::read(corpus.join("dev-score.json")).unwrap()).unwrap();
    let fallen = tally.figures().fallen_below(&recorded, 0.02);
    assert!(
        fallen.is_empty(),
        "fell below the recorded score: {fallen:?}\n{tally}\n{}",
        findings.join("\n")
    );
    assert!(tally.files >= 40, "the development part has its texts");
}
