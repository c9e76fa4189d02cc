//! HTML to text, for minutes published as a committee-system page.
//!
//! A small, tolerant tokenizer, not a parser: it keeps no tree and no stack,
//! so nesting depth costs nothing, and each byte is looked at a bounded
//! number of times. Block elements become paragraph breaks, `<br>` a line
//! break, table cells a tab; script, style and the like are dropped; entities
//! are decoded. Malformed markup degrades to text, never to an error.

/// Elements that end a paragraph when they open or close.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not text for people.
const DROPPED: &[&str] = &[
    "head", "noscript", "object", "script", "style", "svg", "template", "title",
];

/// Elements whose presence says the input is HTML.
const MARKERS: &[&str] = &[
    "a", "b", "body", "br", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "head", "html", "i",
    "li", "meta", "ol", "p", "span", "strong", "table", "td", "th", "tr", "u", "ul",
];

/// Whether the text is markup: it has a doctype, a comment, or a tag of a
/// common element (`<p>`, `<div class=…>`, `</td>`, `<br/>`).
pub(crate) fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(off) = bytes
        .get(from..)
        .and_then(|b| b.iter().position(|&c| c == b'<'))
    {
        let at = from + off;
        let rest = &bytes[at + 1..];
        if starts_with_ignore_case(rest, b"!doctype") || rest.starts_with(b"!--") {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let after = rest.get(name_len).copied();
        if name_len > 0
            && matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'))
            && MARKERS
                .iter()
                .any(|m| m.as_bytes().eq_ignore_ascii_case(&rest[..name_len]))
        {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The text of an HTML document, with paragraphs separated by blank lines.
pub(crate) fn to_text(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut gt = NextByte::new(b'>');
    let mut text_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let Some((end, tag)) = markup_at(bytes, i, &mut gt) else {
            i += 1;
            continue;
        };
        decode_entities(&html[text_from..i], &mut out);
        i = end;
        if let Markup::Tag { name, closing } = tag {
            let name = name.to_ascii_lowercase();
            if !closing && DROPPED.contains(&name.as_str()) {
                i = skip_raw_text(bytes, i, &name);
            } else if name == "br" {
                out.push('\n');
            } else if name == "td" || name == "th" {
                out.push('\t');
            } else if BLOCKS.contains(&name.as_str()) {
                out.push_str("\n\n");
            }
        }
        text_from = i;
    }
    decode_entities(&html[text_from..], &mut out);
    out
}

/// A piece of markup found at a `<`.
enum Markup<'a> {
    /// A start or end tag.
    Tag { name: &'a str, closing: bool },
    /// A comment, doctype or processing instruction.
    Other,
}

/// The markup starting at `bytes[at]` (a `<`) and the index just past it, or
/// `None` when the `<` is just text (as in "a < b" or an unfinished tag).
fn markup_at<'a>(bytes: &'a [u8], at: usize, gt: &mut NextByte) -> Option<(usize, Markup<'a>)> {
    let rest = &bytes[at + 1..];
    if rest.starts_with(b"!--") {
        let body = at + 4;
        let end = find(bytes, body, b"-->").map_or(bytes.len(), |p| p + 3);
        return Some((end, Markup::Other));
    }
    if rest.starts_with(b"!") || rest.starts_with(b"?") {
        let end = gt.find(bytes, at + 1).map_or(bytes.len(), |p| p + 1);
        return Some((end, Markup::Other));
    }
    let closing = rest.starts_with(b"/");
    let name_from = at + 1 + usize::from(closing);
    let name_len = bytes
        .get(name_from..)?
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
        .count();
    if name_len == 0 || !bytes[name_from].is_ascii_alphabetic() {
        return None;
    }
    let close = gt.find(bytes, name_from + name_len)?;
    let name = std::str::from_utf8(&bytes[name_from..name_from + name_len]).ok()?;
    Some((close + 1, Markup::Tag { name, closing }))
}

/// Finds the next occurrence of one byte, remembering the answer so that many
/// searches from increasing positions cost one pass in all.
struct NextByte {
    byte: u8,
    /// The last position found, or `usize::MAX` when there is none after
    /// `searched_from`.
    found: usize,
    searched_from: usize,
}

impl NextByte {
    fn new(byte: u8) -> Self {
        Self {
            byte,
            found: 0,
            searched_from: usize::MAX,
        }
    }

    fn find(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        let known = self.searched_from != usize::MAX
            && self.searched_from <= from
            && (self.found == usize::MAX || self.found >= from);
        if !known {
            self.searched_from = from;
            self.found = bytes
                .get(from..)
                .and_then(|b| b.iter().position(|&c| c == self.byte))
                .map_or(usize::MAX, |p| from + p);
        }
        (self.found != usize::MAX).then_some(self.found)
    }
}

/// The index just past the end tag `</name…>` that closes a raw-text
/// element starting at `from`, or the end of the input.
fn skip_raw_text(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(p) = find(bytes, at, b"</") {
        let after = p + 2;
        let candidate = bytes.get(after..after + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) {
            let end = bytes
                .get(after..)
                .and_then(|b| b.iter().position(|&c| c == b'>'))
                .map_or(bytes.len(), |q| after + q + 1);
            return end;
        }
        at = after;
    }
    bytes.len()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    let first = *needle.first()?;
    let mut i = 0;
    while let Some(p) = hay
        .get(i..)
        .and_then(|h| h.iter().position(|&c| c == first))
    {
        let at = i + p;
        if hay.get(at..at + needle.len()) == Some(needle) {
            return Some(from + at);
        }
        i = at + 1;
    }
    None
}

fn starts_with_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

/// Named entities minutes pages use, and what they stand for.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("ensp", " "),
    ("emsp", " "),
    ("thinsp", " "),
    ("shy", "\u{ad}"),
    ("zwsp", "\u{200b}"),
    ("rsquo", "’"),
    ("lsquo", "‘"),
    ("rdquo", "”"),
    ("ldquo", "“"),
    ("sbquo", "‚"),
    ("bdquo", "„"),
    ("prime", "′"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hyphen", "‐"),
    ("minus", "−"),
    ("hellip", "…"),
    ("bull", "•"),
    ("middot", "·"),
    ("pound", "£"),
    ("euro", "€"),
    ("cent", "¢"),
    ("dollar", "$"),
    ("percnt", "%"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("deg", "°"),
    ("sect", "§"),
    ("para", "¶"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("times", "×"),
    ("divide", "÷"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("eacute", "é"),
    ("egrave", "è"),
    ("ecirc", "ê"),
    ("aacute", "á"),
    ("agrave", "à"),
    ("acirc", "â"),
    ("iacute", "í"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("uacute", "ú"),
    ("ccedil", "ç"),
    ("auml", "ä"),
    ("ouml", "ö"),
    ("uuml", "ü"),
    ("Eacute", "É"),
];

/// Appends `text` to `out` with character references decoded. Unknown or
/// broken references stay as written.
fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entity(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = after.get(used..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference stands for and how many bytes of `after` (the
/// text after `&`) it used.
fn entity(after: &str) -> Option<(String, usize)> {
    let name_len = after
        .bytes()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    let name = &after[..name_len];
    let semicolon = after.as_bytes().get(name_len) == Some(&b';');
    let used = name_len + usize::from(semicolon);
    if let Some(number) = name.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        if digits.is_empty() || digits.len() > 8 {
            return None;
        }
        let code = u32::from_str_radix(digits, radix).ok()?;
        let c = match code {
            0 => char::REPLACEMENT_CHARACTER,
            0x80..=0x9F => crate::decode::cp1252_char(code).unwrap_or(char::REPLACEMENT_CHARACTER),
            _ => char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER),
        };
        return Some((c.to_string(), used));
    }
    if semicolon && let Some((_, v)) = ENTITIES.iter().find(|(n, _)| *n == name) {
        return Some(((*v).to_owned(), used));
    }
    for legacy in ["amp", "nbsp", "lt", "gt", "quot"] {
        if name.starts_with(legacy) && name.len() == legacy.len() {
            let (_, v) = ENTITIES.iter().find(|(n, _)| *n == legacy)?;
            return Some(((*v).to_owned(), legacy.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_markup_but_not_comparisons() {
        assert!(looks_like_html("<p>RESOLVED that the report be noted.</p>"));
        assert!(looks_like_html("<!DOCTYPE html><title>x</title>"));
        assert!(looks_like_html("text<br/>more"));
        assert!(!looks_like_html("fewer than 5 (<5%) and a <b"));
        assert!(!looks_like_html("Report ACH22-038"));
    }

    #[test]
    fn blocks_become_paragraphs_and_cells_tabs() {
        let t = to_text(
            "<html><head><title>Minutes</title><style>p{x:1}</style></head><body>\
             <h2>Minutes:</h2><p>Report&nbsp;ACH22-038</p><table><tr><td>Decision:</td>\
             <td>RESOLVED that the report be noted.</td></tr></table>line<br>break\
             <script>if (a < b) { x = '</p>'; }</script></body></html>",
        );
        assert_eq!(
            t.split_whitespace().collect::<Vec<_>>().join(" "),
            "Minutes: Report ACH22-038 Decision: RESOLVED that the report be noted. line break"
        );
        assert!(t.contains("\n\nReport\u{a0}ACH22-038\n\n"));
        assert!(t.contains("Decision:\t"));
        assert!(t.contains("line\nbreak"));
    }

    #[test]
    fn decodes_entities_and_keeps_broken_ones() {
        let mut out = String::new();
        decode_entities(
            "Council&rsquo;s &amp; &#39;plan&#x2019; &ndash; &#8212; &bogus; &#xZZ; &amp &#0; &#150; & more",
            &mut out,
        );
        assert_eq!(
            out,
            "Council’s & 'plan’ – — &bogus; &#xZZ; & \u{fffd} – & more"
        );
    }

    #[test]
    fn malformed_markup_degrades_to_text() {
        assert_eq!(to_text("a < b and <c"), "a < b and <c");
        assert_eq!(to_text("x <!-- never closed"), "x ");
        assert_eq!(
            to_text("<p>one<p>two</div></div>"),
            "\n\none\n\ntwo\n\n\n\n"
        );
        assert_eq!(to_text("<script>never closed"), "");
        assert_eq!(to_text("&"), "&");
        assert_eq!(to_text("<<<<>>>>"), "<<<<>>>>");
    }
}
