//! Measures how fast minutes are extracted: builds about 50 MB of minutes by
//! repeating the test fixtures (the two Bromley minutes and the written
//! ones, text and HTML), extracts it once as text and once as HTML, and
//! prints megabytes per second.
//!
//! Run with `cargo run --release -p minutes --example throughput`.

use std::path::Path;
use std::time::Instant;

use minutes::{Options, extract};

/// How much minutes text to build, in bytes.
const TARGET: usize = 50 * 1024 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut text_corpus = String::new();
    let mut html_corpus = String::new();
    let mut names: Vec<_> = std::fs::read_dir(&fixtures)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names {
        let Ok(content) = std::fs::read_to_string(&path) else {
            continue;
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("txt") => {
                text_corpus.push_str(&content);
                text_corpus.push_str("\n\n");
            }
            Some("html") => html_corpus.push_str(&content),
            _ => {}
        }
    }
    for (label, corpus) in [("text", &text_corpus), ("html", &html_corpus)] {
        if corpus.is_empty() {
            continue;
        }
        let mut input = String::with_capacity(TARGET + corpus.len());
        while input.len() < TARGET {
            input.push_str(corpus);
        }
        let options = Options {
            source: Some(format!("throughput.{label}")),
            meeting_date: chrono::NaiveDate::from_ymd_opt(2024, 6, 27),
            max_findings: None,
            all_candidates: false,
        };
        let started = Instant::now();
        let e = extract(input.as_bytes(), &options)?;
        let seconds = started.elapsed().as_secs_f64();
        let mb = input.len() as f64 / 1_000_000.0;
        println!(
            "{label}: {mb:.1} MB in {seconds:.2} s = {:.1} MB/s ({} questions, {} commitments, {} resolutions)",
            mb / seconds,
            e.questions.len(),
            e.commitments.len(),
            e.resolutions.len()
        );
    }
    Ok(())
}
