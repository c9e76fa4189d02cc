//! Any text, parsed as each kind of cell value councils write (dates,
//! statuses, periods, percents, figures) and as a `--map` entry.
#![no_main]

use domain::RagMapping;
use interop::{Cell, MappingEntry, values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = interop::decode_csv(data);
    let year = "2024/25".parse().ok();
    let _ = values::date_text(&text);
    let _ = values::status(&text, &RagMapping::default());
    let _ = values::period_text(&text, year);
    let _ = values::period_text(&text, None);
    let cell = Cell::Text(text.clone().into_owned());
    let _ = values::date(&cell);
    let _ = values::percent(&cell, false);
    let _ = values::number(&cell);
    let _ = values::yes_no(&cell);
    let _ = text.parse::<MappingEntry>();
    let _ = interop::csv_separator(&text);
    if data.len() >= 8 {
        let n = f64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        let _ = values::date(&Cell::Number(n));
        let _ = values::percent(&Cell::Number(n), true);
    }
});
