use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

const EXPECTED: &str =
    "a statement number from 1 to 999 with an optional letter, such as 6A, 11 or 14A";

/// An action's reference within its plan: the number of the statement it
/// underpins and an optional letter, e.g. "6A", "9E", "10A", "11", "14A".
///
/// References are unique within a plan and sort by number, then letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActionRef {
    statement: u16,
    letter: Option<char>,
}

impl ActionRef {
    /// The statement number, e.g. 10 for "10A".
    pub fn statement(self) -> u16 {
        self.statement
    }

    /// The letter, if any, e.g. 'A' for "10A".
    pub fn letter(self) -> Option<char> {
        self.letter
    }
}

impl fmt::Display for ActionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.letter {
            Some(l) => format!("{}{l}", self.statement),
            None => self.statement.to_string(),
        };
        f.pad(&text)
    }
}

impl FromStr for ActionRef {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::new("action reference", raw, EXPECTED);
        let s = raw.trim();
        let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, rest) = s.split_at(digits_end);
        if digits.is_empty() || digits.len() > 3 || digits.starts_with('0') {
            return Err(err());
        }
        let statement: u16 = digits.parse().map_err(|_| err())?;
        let mut letters = rest.chars();
        let letter = match (letters.next(), letters.next()) {
            (None, _) => None,
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c.to_ascii_uppercase()),
            _ => return Err(err()),
        };
        Ok(Self { statement, letter })
    }
}

impl TryFrom<String> for ActionRef {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ActionRef> for String {
    fn from(r: ActionRef) -> Self {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_seeds_references() {
        for s in ["6A", "9E", "10A", "11", "14A"] {
            assert_eq!(s.parse::<ActionRef>().unwrap().to_string(), s);
        }
        assert_eq!("10a".parse::<ActionRef>().unwrap().to_string(), "10A");
        assert_eq!(
            format!("{:<4}|", "6A".parse::<ActionRef>().unwrap()),
            "6A  |"
        );
        let r: ActionRef = "14A".parse().unwrap();
        assert_eq!((r.statement(), r.letter()), (14, Some('A')));
    }

    #[test]
    fn refuses_malformed_references() {
        for s in [
            "", "A6", "6AA", "0", "06A", "1000", "6-A", "6 A", "six", "6Ä",
        ] {
            let e = s.parse::<ActionRef>().unwrap_err();
            assert_eq!(e.field, "action reference", "{s}");
        }
    }

    #[test]
    fn sorts_by_number_then_letter() {
        let mut refs: Vec<ActionRef> = ["10A", "9E", "11", "6A", "9B", "14A"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        refs.sort();
        let shown: Vec<String> = refs.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["6A", "9B", "9E", "10A", "11", "14A"]);
    }

    proptest! {
        #[test]
        fn canonical_forms_round_trip(n in 1u16..=999, letter in proptest::option::of(proptest::char::range('A', 'Z'))) {
            let s = match letter { Some(l) => format!("{n}{l}"), None => n.to_string() };
            let r: ActionRef = s.parse().unwrap();
            prop_assert_eq!(r.to_string(), s);
            prop_assert_eq!(r.statement(), n);
        }

        #[test]
        fn never_panics(s in "\\PC{0,12}") {
            let _ = s.parse::<ActionRef>();
        }
    }
}
