//! Any bytes, read as a spreadsheet of any kind and then as a plan, an
//! About sheet and a JSON export: errors are fine, panics and unbounded
//! memory are not.
#![no_main]

use interop::{Limits, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the checks are the same.
    let limits = Limits {
        max_rows: 2_000,
        max_cells: 200_000,
        max_uncompressed_bytes: 20 * 1024 * 1024,
        ..Limits::default()
    };
    let year = "2024/25".parse().expect("a year");
    if let Ok(book) = interop::read_workbook("fuzz", data, &limits) {
        let options = ReadOptions::new(year);
        let _ = interop::inspect(&book, &options);
        let _ = interop::read_plan(&book, &options);
        let _ = interop::read_about(&book);
    }
    let _ = interop::read_json("fuzz.json", data);
});
