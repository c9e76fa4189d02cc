//! Any text given to a reference scheme's parsers gives a reference or a
//! `ParseError`, never a panic; a parsed reference prints as text its own
//! scheme parses again to an equal reference, and comparing or ordering it
//! never panics.
#![no_main]

use domain::{ActionRef, ReferenceScheme};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let free = text.parse::<ActionRef>().ok();
    for scheme in [
        ReferenceScheme::Statement,
        ReferenceScheme::Dotted,
        ReferenceScheme::Free,
    ] {
        if let Ok(reference) = scheme.parse_action(text) {
            let again = scheme
                .parse_action(&reference.to_string())
                .expect("a parsed reference parses again");
            assert_eq!(again, reference);
            if let Some(free) = &free {
                let _ = free.cmp(&reference);
            }
        }
        let _ = scheme.parse_item(text);
    }
});
