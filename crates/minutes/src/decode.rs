//! Bytes to text: UTF-8 (with or without a byte-order mark), UTF-16 with a
//! byte-order mark, or Windows-1252 (what Word saves "plain text" as); any
//! other bytes are refused as binary.

use std::borrow::Cow;

use crate::MinutesError;

/// The largest input accepted, in bytes (64 MiB). Minutes of one meeting are
/// a few hundred kilobytes at most; anything near this is not one document.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Windows-1252's characters for the bytes 0x80 to 0x9F; `None` where the
/// code page leaves a byte undefined.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The input as text, or why it is not text.
pub(crate) fn decode(input: &[u8]) -> Result<Cow<'_, str>, MinutesError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(MinutesError::TooLarge {
            size: input.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    if let Some(kind) = known_binary(input) {
        return Err(MinutesError::Binary { kind });
    }
    if let Some(rest) = input.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = input.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.contains(&0) {
        return Err(MinutesError::Binary {
            kind: "binary data (it contains NUL bytes)",
        });
    }
    match std::str::from_utf8(input) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => windows_1252(input).map(Cow::Owned),
    }
}

/// File formats people often give by mistake, recognised by their first bytes.
fn known_binary(input: &[u8]) -> Option<&'static str> {
    if input.starts_with(b"%PDF-") {
        Some("a PDF file")
    } else if input.starts_with(b"PK\x03\x04") {
        Some("a Word document or another zip archive")
    } else if input.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some("an old-style Word document")
    } else if input.starts_with(b"{\\rtf") {
        Some("a rich-text (RTF) document")
    } else {
        None
    }
}

/// The Windows-1252 character for a code in 0x80..=0x9F, which HTML also
/// reads that way in numeric references ("&#150;" is an en dash).
pub(crate) fn cp1252_char(code: u32) -> Option<char> {
    let index = usize::try_from(code.checked_sub(0x80)?).ok()?;
    CP1252_HIGH.get(index).copied().flatten()
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, MinutesError> {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if text.contains('\0') {
        return Err(MinutesError::Binary {
            kind: "binary data (it contains NUL characters)",
        });
    }
    Ok(text)
}

fn windows_1252(input: &[u8]) -> Result<String, MinutesError> {
    let refuse = MinutesError::Binary {
        kind: "binary data (it is not UTF-8, UTF-16 or Windows-1252 text)",
    };
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for &b in input {
        let c = match b {
            b'\t' | b'\n' | b'\r' | 0x0C => char::from(b),
            0x00..=0x1F | 0x7F => return Err(refuse),
            0x80..=0x9F => match CP1252_HIGH[usize::from(b - 0x80)] {
                Some(c) => c,
                None => return Err(refuse),
            },
            _ => char::from(b),
        };
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_or_without_a_bom() {
        assert_eq!(decode(b"Report ACH22-038").unwrap(), "Report ACH22-038");
        assert_eq!(decode(b"\xEF\xBB\xBFAgenda").unwrap(), "Agenda");
    }

    #[test]
    fn reads_utf16_with_a_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Council’s".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Council’s");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Council’s".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), "Council’s");
    }

    #[test]
    fn reads_windows_1252_from_word() {
        assert_eq!(
            decode(b"the Council\x92s plan \x96 2023").unwrap(),
            "the Council’s plan – 2023"
        );
    }

    #[test]
    fn refuses_binary_with_a_next_step() {
        for input in [
            &b"%PDF-1.7 ..."[..],
            b"PK\x03\x04\x14\x00",
            b"text\x00more",
            b"\x81\x01\x02",
        ] {
            let e = decode(input).unwrap_err();
            assert!(matches!(e, MinutesError::Binary { .. }));
            assert!(
                e.to_string().contains("save the minutes as plain text"),
                "{e}"
            );
        }
    }
}
