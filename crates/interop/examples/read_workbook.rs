//! Read a spreadsheet as an import does and say what was found, how long
//! it took and the process's peak resident memory (for measuring files,
//! hostile ones included):
//!
//! `cargo run -p interop --example read_workbook -- FILE...`

use std::time::Instant;

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let start = Instant::now();
        let outcome = match interop::read_workbook(&path, &bytes, &interop::Limits::default()) {
            Ok(book) => format!(
                "{:?}, {} sheets, {} rows",
                book.kind,
                book.sheets.len(),
                book.sheets.iter().map(|s| s.rows.len()).sum::<usize>()
            ),
            Err(e) => format!("refused: {e}"),
        };
        println!(
            "{path} ({} bytes): {outcome}; {:.1?}; peak RSS {} MB",
            bytes.len(),
            start.elapsed(),
            peak_rss_mb().map_or("?".into(), |m| m.to_string())
        );
    }
}
