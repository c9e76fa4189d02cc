//! Text into paragraphs, paragraphs into tokens, tokens into sentences.
//!
//! A paragraph is a run of non-blank lines joined with single spaces (so
//! hard-wrapped minutes read as one paragraph); a list item, a RESOLVED line
//! or an ACTION line starts a new one. Tokens are words (letters and digits,
//! with inner hyphens, slashes and apostrophes: "Co-opted", "ACH22-038",
//! "2023-24", "Council’s") or single other characters. Every token keeps its
//! byte range in the paragraph, so extracted text is always a slice of what
//! was written.

use std::ops::Range;

/// Characters that carry no text: soft hyphen, zero-width spaces and joiners,
/// the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// The paragraphs of a text, each with its whitespace collapsed to single
/// spaces.
#[cfg(test)]
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_paragraph(text, |p| {
        out.push(p.to_owned());
        true
    });
    out
}

/// Calls `f` with each paragraph of a text in turn (as [`paragraphs`] gives
/// them), reusing one buffer, until `f` returns false.
pub(crate) fn each_paragraph(text: &str, mut f: impl FnMut(&str) -> bool) {
    let mut current = String::new();
    let mut line = String::new();
    let lines_are_paragraphs = lines_are_paragraphs(text);
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        for piece in raw.split('\r') {
            clean_line(piece, &mut line);
            let after_sentence = lines_are_paragraphs && current.ends_with(['.', '?', '!', ':']);
            if line.is_empty() {
                if !flush(&mut current, &mut f) {
                    return;
                }
            } else if after_sentence || starts_paragraph(&line) {
                if !flush(&mut current, &mut f) {
                    return;
                }
                current.push_str(&line);
            } else {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&line);
            }
            line.clear();
        }
    }
    flush(&mut current, &mut f);
}

/// Whether a text writes one paragraph to a line with no blank lines
/// between them, as minutes copied from a web page often are: at least five
/// lines, few blank ones among them (fewer than one in three), and most
/// (over half) ending a sentence. Then a line after one that ends a sentence
/// starts a paragraph; hard-wrapped text, whose lines mostly end
/// mid-sentence, is joined as before.
fn lines_are_paragraphs(text: &str) -> bool {
    let (mut filled, mut blank, mut ended) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank += 1;
        } else {
            filled += 1;
            if line.ends_with(['.', '?', '!', ':']) {
                ended += 1;
            }
        }
    }
    filled >= 5 && blank * 3 < filled && ended * 2 > filled
}

/// Hands the paragraph in `current` (if any) to `f` and empties it; false
/// when `f` asks to stop.
fn flush(current: &mut String, f: &mut impl FnMut(&str) -> bool) -> bool {
    if current.is_empty() {
        return true;
    }
    let go_on = f(current);
    current.clear();
    go_on
}

/// Writes `raw` into `line` with runs of whitespace and control characters as
/// one space, invisible characters dropped, the Unicode hyphens (U+2010, and
/// the non-breaking U+2011 that word processors put in "ACH22‑038") as "-",
/// and no space at either end.
fn clean_line(raw: &str, line: &mut String) {
    let mut pending_space = false;
    for c in raw.chars() {
        let c = if matches!(c, '\u{2010}' | '\u{2011}') {
            '-'
        } else {
            c
        };
        if c.is_whitespace() || c.is_control() {
            pending_space = !line.is_empty();
        } else if !is_invisible(c) {
            if pending_space {
                line.push(' ');
                pending_space = false;
            }
            line.push(c);
        }
    }
}

/// Whether a line starts a paragraph of its own: a list item, or a line
/// beginning "RESOLVED", "RECOMMENDED", "AGREED" or "ACTION".
fn starts_paragraph(line: &str) -> bool {
    if list_marker(line).is_some() {
        return true;
    }
    let first: &str = line
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    matches!(first, "RESOLVED" | "RECOMMENDED" | "AGREED" | "ACTION")
        || (matches!(first, "Resolved" | "Action") && line[first.len()..].starts_with(':'))
}

/// The length in bytes of a list marker at the start of `line` and the
/// space after it: "- ", "• ", "(1) ", "2. ", "ii.) ", "b) ".
pub(crate) fn list_marker(line: &str) -> Option<usize> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    if matches!(
        first,
        '-' | '–' | '—' | '•' | '·' | '*' | '▪' | '◦' | '‣' | '⁃'
    ) {
        let rest = &line[first.len_utf8()..];
        return rest
            .starts_with(' ')
            .then(|| line.len() - rest.trim_start().len());
    }
    let (open, body) = match line.strip_prefix('(') {
        Some(b) => (true, b),
        None => (false, line),
    };
    let id_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let id = &body[..id_len];
    if !is_list_id(id) {
        return None;
    }
    let after = &body[id_len..];
    let punct = if open {
        after.strip_prefix(')').map(|_| 1)
    } else if after.starts_with(".)") {
        Some(2)
    } else if after.starts_with(')')
        || (after.starts_with('.') && !id.bytes().all(|b| b.is_ascii_uppercase()))
    {
        Some(1)
    } else {
        None
    }?;
    let rest = &after[punct..];
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    Some(line.len() - rest.trim_start().len())
}

/// Whether `id` can number a list item: 1 to 99, one lower-case letter, or a
/// roman numeral (i, iv, XII).
fn is_list_id(id: &str) -> bool {
    let digits = !id.is_empty() && id.len() <= 2 && id.bytes().all(|b| b.is_ascii_digit());
    let letter = id.len() == 1 && id.bytes().all(|b| b.is_ascii_lowercase());
    digits || letter || roman(id).is_some()
}

/// The value of a roman numeral from 1 to 20, written all in one case.
pub(crate) fn roman(id: &str) -> Option<u32> {
    const NUMERALS: [&str; 20] = [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv",
        "xv", "xvi", "xvii", "xviii", "xix", "xx",
    ];
    let one_case =
        id.bytes().all(|b| b.is_ascii_lowercase()) || id.bytes().all(|b| b.is_ascii_uppercase());
    if !one_case || id.len() > 5 {
        return None;
    }
    let lower = id.to_ascii_lowercase();
    let at = NUMERALS.iter().position(|n| *n == lower)?;
    u32::try_from(at + 1).ok()
}

/// A word or a single punctuation character, with its place in the paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok<'a> {
    /// The token as written.
    pub s: &'a str,
    /// Where it starts, in bytes.
    pub start: usize,
    /// Where it ends, in bytes.
    pub end: usize,
}

impl Tok<'_> {
    fn first(&self) -> char {
        self.s.chars().next().unwrap_or(' ')
    }

    /// Whether the token is a word (starts with a letter or digit).
    pub fn is_word(&self) -> bool {
        self.first().is_alphanumeric()
    }

    /// Whether the token is a word starting with a capital letter.
    pub fn is_capitalised(&self) -> bool {
        self.first().is_uppercase()
    }

    /// Whether the token is `word`, ignoring ASCII case.
    pub fn is(&self, word: &str) -> bool {
        self.s.eq_ignore_ascii_case(word)
    }

    /// Whether the token is one of `words`, ignoring ASCII case.
    pub fn is_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(w))
    }

    /// Whether the token is all digits.
    pub fn is_number(&self) -> bool {
        !self.s.is_empty() && self.s.bytes().all(|b| b.is_ascii_digit())
    }

    /// Whether the token is a dash used as punctuation: -, – or —.
    pub fn is_dash(&self) -> bool {
        matches!(self.s, "-" | "–" | "—")
    }
}

/// Characters that join two parts of one word when they sit between them.
fn joins(joiner: char, before: char, after: char) -> bool {
    match joiner {
        '-' | '/' | '\'' | '’' | '‐' => before.is_alphanumeric() && after.is_alphanumeric(),
        '–' | '.' => before.is_ascii_digit() && after.is_ascii_digit(),
        _ => false,
    }
}

/// The tokens of a paragraph.
pub(crate) fn tokenize(p: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::with_capacity(p.len() / 5);
    let mut i = 0;
    while let Some(c) = p.get(i..).and_then(|s| s.chars().next()) {
        let start = i;
        i += c.len_utf8();
        if c.is_whitespace() {
            continue;
        }
        if c.is_alphanumeric() {
            let mut last = c;
            while let Some(d) = p.get(i..).and_then(|s| s.chars().next()) {
                if d.is_alphanumeric() {
                    i += d.len_utf8();
                    last = d;
                    continue;
                }
                let after = p
                    .get(i + d.len_utf8()..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or(' ');
                if joins(d, last, after) {
                    i += d.len_utf8();
                    last = d;
                    continue;
                }
                break;
            }
        }
        toks.push(Tok {
            s: &p[start..i],
            start,
            end: i,
        });
    }
    toks
}

/// Words that end with a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "cllr", "no", "nos", "st", "prof", "rev", "approx", "vs", "cf", "co",
    "ltd", "para", "paras", "ref", "fig", "vol", "pp", "eg", "ie",
];

/// The sentences of a paragraph, as ranges of token indices.
pub(crate) fn sentences(toks: &[Tok<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, t) in toks.iter().enumerate() {
        if !matches!(t.s, "." | "?" | "!") {
            continue;
        }
        let Some(next) = toks.get(k + 1) else {
            continue;
        };
        let next_starts = next.is_capitalised()
            || next.first().is_ascii_digit()
            || matches!(next.first(), '‘' | '“' | '"' | '\'' | '(');
        let abbreviation = t.s == "."
            && k > 0
            && toks.get(k - 1).is_some_and(|prev| {
                prev.is_any(ABBREVIATIONS)
                    || (prev.s.chars().count() == 1 && prev.first().is_alphabetic())
            });
        if next_starts && !abbreviation {
            out.push(start..k + 1);
            start = k + 1;
        }
    }
    if start < toks.len() {
        out.push(start..toks.len());
    }
    out
}

/// The text from token `from` to token `to` (exclusive), as written.
pub(crate) fn span<'a>(p: &'a str, toks: &[Tok<'_>], from: usize, to: usize) -> &'a str {
    match (toks.get(from), to.checked_sub(1).and_then(|l| toks.get(l))) {
        (Some(a), Some(b)) if a.start <= b.end => p.get(a.start..b.end).unwrap_or(""),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(p: &str) -> Vec<&str> {
        tokenize(p).into_iter().map(|t| t.s).collect()
    }

    #[test]
    fn joins_lines_and_splits_on_blank_lines_and_markers() {
        let t = "Report  ACH22-038\r\n\r\nThe Committee\nconsidered a report.\n \u{a0}\n\
                 RESOLVED that:\n(1) the report be noted;\n(2) the plan be agreed.\n- a bullet\nwrapped";
        assert_eq!(
            paragraphs(t),
            [
                "Report ACH22-038",
                "The Committee considered a report.",
                "RESOLVED that:",
                "(1) the report be noted;",
                "(2) the plan be agreed.",
                "- a bullet wrapped",
            ]
        );
    }

    #[test]
    fn recognises_list_markers() {
        assert_eq!(list_marker("i.)  the progress"), Some(5));
        assert_eq!(list_marker("ii.) the refresh"), Some(5));
        assert_eq!(list_marker("(2) the plan"), Some(4));
        assert_eq!(list_marker("b) the plan"), Some(3));
        assert_eq!(list_marker("12. the plan"), Some(4));
        assert_eq!(list_marker("-  Ambition 2"), Some(3));
        for no in [
            "In response",
            "I am",
            "A. Smith",
            "2023-24 plan",
            "(1)",
            "iiii) x",
            "-x",
            "",
        ] {
            assert_eq!(list_marker(no), None, "{no}");
        }
    }

    #[test]
    fn tokens_keep_references_and_years_whole() {
        assert_eq!(
            words(
                "Report ACH22-038 for 2022/23 (Ambition 2 – Action Point 11) Co-opted Council’s 2022–23."
            ),
            [
                "Report",
                "ACH22-038",
                "for",
                "2022/23",
                "(",
                "Ambition",
                "2",
                "–",
                "Action",
                "Point",
                "11",
                ")",
                "Co-opted",
                "Council’s",
                "2022–23",
                "."
            ]
        );
        assert_eq!(
            words("i.)  e.g. 1.5"),
            ["i", ".", ")", "e", ".", "g", ".", "1.5"]
        );
    }

    #[test]
    fn splits_sentences_but_not_at_abbreviations() {
        let p = "The Director said so. Cllr. Smith asked e.g. Bromley. It was noted. i.) done";
        let toks = tokenize(p);
        let got: Vec<&str> = sentences(&toks)
            .into_iter()
            .map(|r| span(p, &toks, r.start, r.end))
            .collect();
        assert_eq!(
            got,
            [
                "The Director said so.",
                "Cllr. Smith asked e.g. Bromley.",
                "It was noted. i.) done"
            ]
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman("iv"), Some(4));
        assert_eq!(roman("XII"), Some(12));
        assert_eq!(roman("iiii"), None);
        assert_eq!(roman("vx"), None);
        assert_eq!(roman("Iv"), None);
    }
}
