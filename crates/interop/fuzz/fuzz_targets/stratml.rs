//! Any bytes, read as a StratML Part 2 document with the default limits:
//! the reader refuses or reads them, never panics, and stays within its
//! limits on memory and depth.
#![no_main]

use interop::{StratmlLimits, read_stratml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_stratml("fuzz.xml", data, &StratmlLimits::default());
});
