//! Any bytes given to the minutes extractor give an extract or an error,
//! never a panic, and an extract always serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = minutes::Options {
        source: Some("fuzz.txt".to_owned()),
        meeting_date: meeting_date(data),
        max_findings: data.get(1).filter(|b| **b < 16).map(|b| usize::from(*b)),
        all_candidates: data.get(2).is_some_and(|b| b % 2 == 0),
    };
    if let Ok(extract) = minutes::extract(data, &options) {
        let _ = extract.to_text();
    }
});

/// A meeting date for some inputs, so relative due dates are exercised too.
fn meeting_date(data: &[u8]) -> Option<chrono::NaiveDate> {
    let first = *data.first()?;
    chrono::NaiveDate::from_ymd_opt(2020 + i32::from(first % 8), 1 + u32::from(first % 12), 1)
}
