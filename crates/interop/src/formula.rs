//! Text that a spreadsheet program would run as a formula.
//!
//! A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is taken for a formula when typed in or opened from CSV (the
//! "CSV injection" risk). Ambit writes such text so it shows as text: in
//! xlsx as a string cell with Excel's quote prefix (the same rule as the
//! committee report's spreadsheet); in CSV with a leading apostrophe, which
//! spreadsheet programs hide. On reading CSV an apostrophe is removed again
//! only when it stands before one of those characters (after any further
//! apostrophes, so text that itself begins `'=` survives), so `'=1+1`
//! reads as `=1+1` while `'tis` stays as written.

/// Whether a spreadsheet would take `text` for a formula.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `text` as it should be written to CSV: with an apostrophe before
/// formula-like text.
pub fn protect(text: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(text.trim_start_matches('\'')) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A CSV field as read: the apostrophe [`protect`] adds is removed.
pub fn unprotect(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest.trim_start_matches('\'')) => rest,
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protects_and_unprotects_only_formulas() {
        for t in ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "'=x"] {
            assert_eq!(unprotect(&protect(t)), t);
        }
        assert_eq!(protect("=1+1"), "'=1+1");
        assert_eq!(protect("plain"), "plain");
        assert_eq!(unprotect("'tis"), "'tis");
    }
}
