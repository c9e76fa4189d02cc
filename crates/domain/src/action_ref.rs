//! References of actions and plan items, and the per-body schemes they follow.
//!
//! A reference keeps the text as written (trimmed, inner runs of spaces made
//! one) but compares, hashes and sorts by a key that ignores case and
//! spaces ("asc 3.2" = "ASC 3.2"), in natural order: runs of digits compare
//! as numbers, so CP1.9 sorts before CP1.10 and 9E before 10A.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The longest reference of any scheme, in characters.
pub const MAX_REFERENCE_LEN: usize = 20;

const FREE_EXPECTED: &str = "a code of up to 20 letters, digits, spaces and - . / &, \
     starting and ending with a letter or digit, such as CP2.3.1, 12-ENV03, ASC 3.2 or P&R-07";

/// The text of a reference, shared by [`ActionRef`] and [`ItemRef`].
#[derive(Debug, Clone)]
struct Code {
    text: String,
    key: String,
}

impl Code {
    /// Any reference of any scheme: a free code (of which statement and
    /// dotted references are special cases). Statement-form text ("10a")
    /// is put in upper case.
    fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let ok = !text.is_empty()
            && text.chars().count() <= MAX_REFERENCE_LEN
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '&' | ' '))
            && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            && text.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Err(ParseError::new(field, raw, FREE_EXPECTED));
        }
        let text = if statement_form(&text, true) {
            text.to_ascii_uppercase()
        } else {
            text
        };
        Ok(Self::from_text(text))
    }

    fn from_text(text: String) -> Self {
        let key = text
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Self { text, key }
    }
}

/// The normalised key of `raw`: upper case, spaces removed. Two references
/// are the same when their keys are; the store keeps it in a unique column.
pub fn reference_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Natural order of two keys: runs of digits compare as numbers (ignoring
/// leading zeros), other runs by their bytes, a number before text; ties
/// (such as "1.01" and "1.1") fall back to the keys themselves, so the
/// order is total and agrees with equality.
fn natural(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (dx, dy) = (x[i].is_ascii_digit(), y[j].is_ascii_digit());
        let ord = match (dx, dy) {
            (true, true) => {
                let (si, sj) = (i, j);
                while i < x.len() && x[i].is_ascii_digit() {
                    i += 1;
                }
                while j < y.len() && y[j].is_ascii_digit() {
                    j += 1;
                }
                let trim = |s: &[u8]| {
                    let k = s.iter().position(|b| *b != b'0').unwrap_or(s.len());
                    s[k..].to_vec()
                };
                let (nx, ny) = (trim(&x[si..i]), trim(&y[sj..j]));
                nx.len().cmp(&ny.len()).then_with(|| nx.cmp(&ny))
            }
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => {
                let ord = x[i].cmp(&y[j]);
                i += 1;
                j += 1;
                ord
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| a.cmp(b))
}

/// Whether `s` is a statement reference: a number from 1 to 999 without
/// leading zero, with one optional letter when `letter` is allowed.
fn statement_form(s: &str, letter: bool) -> bool {
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, rest) = s.split_at(digits_end);
    let number_ok = !digits.is_empty() && digits.len() <= 3 && !digits.starts_with('0');
    let mut rest = rest.chars();
    let rest_ok = match (rest.next(), rest.next()) {
        (None, _) => true,
        (Some(c), None) => letter && c.is_ascii_alphabetic(),
        _ => false,
    };
    number_ok && rest_ok
}

/// Whether `s` is a dotted reference of `min` to 6 numbers (1 to 999, no leading zero).
fn dotted_form(s: &str, min: usize) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (min..=6).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && !p.starts_with('0')
                && p.bytes().all(|b| b.is_ascii_digit())
        })
}

macro_rules! reference_type {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Code);

        impl $name {
            /// The reference as written.
            pub fn as_str(&self) -> &str {
                &self.0.text
            }

            /// The key it compares by: upper case, no spaces ("ASC3.2").
            pub fn key(&self) -> &str {
                &self.0.key
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.key == other.0.key
            }
        }

        impl Eq for $name {}

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.key.hash(state);
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                natural(&self.0.key, &other.0.key)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0.text)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            /// Any reference of any scheme (the free-code superset); the
            /// body's own scheme is checked by [`ReferenceScheme`].
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Code::parse($field, raw).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(r: $name) -> Self {
                r.0.text
            }
        }
    };
}

reference_type!(
    /// An action's reference within its plan, in its body's
    /// [`ReferenceScheme`]: "10A" (statement), "1.2.3" (dotted), "ASC 3.2"
    /// (free). Unique within a plan by [`ActionRef::key`].
    ActionRef,
    "action reference"
);

reference_type!(
    /// A plan item's reference, in its body's [`ReferenceScheme`]: "10"
    /// (statement), "1.2" (dotted), "CP2" or "H&W" (free).
    ItemRef,
    "item reference"
);

impl ActionRef {
    /// The leading statement number, if the reference starts with digits
    /// ("10A" → 10; "1.2.3" → 1; "HSG02" → none).
    pub fn statement(&self) -> Option<u16> {
        let digits: String = self
            .0
            .text
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
}

/// How a body numbers its actions and plan items; chosen when the body is
/// set up and changeable only while it has no plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReferenceScheme {
    /// A statement number with an optional letter: action "10A" under item
    /// "10" (Bromley's; the default, and what existing data has).
    #[default]
    Statement,
    /// Dotted numbers whose prefix mirrors the tree: action "1.2.3" under
    /// item "1.2", item "1.2" under item "1".
    Dotted,
    /// Free codes: "CP2.3.1", "12-ENV03", "HSG02", "ASC 3.2", "P&R-07";
    /// no check against the tree.
    Free,
}

impl ReferenceScheme {
    /// Every scheme, in the order forms offer them.
    pub const ALL: [ReferenceScheme; 3] = [
        ReferenceScheme::Statement,
        ReferenceScheme::Dotted,
        ReferenceScheme::Free,
    ];

    /// "statement", "dotted" or "free".
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => "statement",
            ReferenceScheme::Dotted => "dotted",
            ReferenceScheme::Free => "free",
        }
    }

    /// A short description for people choosing a scheme.
    pub fn label(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => "Statement number and letter, like 10A",
            ReferenceScheme::Dotted => "Dotted numbers, like 1.2.3",
            ReferenceScheme::Free => "Free codes, like CP2.3.1, HSG02 or ASC 3.2",
        }
    }

    /// The form of an action reference in this scheme, with examples.
    pub fn action_expected(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => {
                "a statement number from 1 to 999 with an optional letter, such as 6A, 11 or 14A"
            }
            ReferenceScheme::Dotted => {
                "dotted numbers from 1 to 999, two to six of them, such as 1.2.3"
            }
            ReferenceScheme::Free => FREE_EXPECTED,
        }
    }

    /// The form of a plan item reference in this scheme, with examples.
    pub fn item_expected(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => "a number from 1 to 999, such as 10",
            ReferenceScheme::Dotted => "dotted numbers from 1 to 999, up to six, such as 1.2",
            ReferenceScheme::Free => FREE_EXPECTED,
        }
    }

    /// A form's hint for an action reference in this scheme.
    pub fn action_hint(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => "The statement number and an optional letter, like 10A",
            ReferenceScheme::Dotted => {
                "The number of the item it sits under and one more, like 1.2.3 under 1.2"
            }
            ReferenceScheme::Free => {
                "Up to 20 letters, digits, spaces, hyphens, dots, slashes or ampersands, like ASC 3.2 or P&R-07"
            }
        }
    }

    /// A form's hint for a plan item reference in this scheme.
    pub fn item_hint(self) -> &'static str {
        match self {
            ReferenceScheme::Statement => "A whole number, like 10",
            ReferenceScheme::Dotted => {
                "Dotted numbers starting with the reference of the item above, like 1.2 under 1"
            }
            ReferenceScheme::Free => {
                "Up to 20 letters, digits, spaces, hyphens, dots, slashes or ampersands, like CP2 or H&W"
            }
        }
    }

    /// Parse a raw action reference in this scheme.
    pub fn parse_action(self, raw: &str) -> Result<ActionRef, ParseError> {
        let err = || ParseError::new("action reference", raw, self.action_expected());
        let r: ActionRef = raw.parse().map_err(|_| err())?;
        self.check_action_form(&r).map_err(|_| err())?;
        Ok(r)
    }

    /// Parse a raw plan item reference in this scheme.
    pub fn parse_item(self, raw: &str) -> Result<ItemRef, ParseError> {
        let err = || ParseError::new("item reference", raw, self.item_expected());
        let r: ItemRef = raw.parse().map_err(|_| err())?;
        self.check_item_form(&r).map_err(|_| err())?;
        Ok(r)
    }

    /// Check an already parsed action reference has this scheme's form.
    pub fn check_action_form(self, r: &ActionRef) -> Result<(), ParseError> {
        let ok = match self {
            ReferenceScheme::Statement => statement_form(r.as_str(), true),
            ReferenceScheme::Dotted => dotted_form(r.as_str(), 2),
            ReferenceScheme::Free => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ParseError::new(
                "action reference",
                r.as_str(),
                self.action_expected(),
            ))
        }
    }

    /// Check an already parsed item reference has this scheme's form.
    pub fn check_item_form(self, r: &ItemRef) -> Result<(), ParseError> {
        let ok = match self {
            ReferenceScheme::Statement => statement_form(r.as_str(), false),
            ReferenceScheme::Dotted => dotted_form(r.as_str(), 1),
            ReferenceScheme::Free => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ParseError::new(
                "item reference",
                r.as_str(),
                self.item_expected(),
            ))
        }
    }

    /// Check action reference `r` has this scheme's form and belongs under
    /// an item referenced `item` (none: no check against the tree).
    /// Statement: "10A" under "10"; dotted: "1.2.3" under "1.2"; free: any.
    pub fn check_action(self, r: &ActionRef, item: Option<&ItemRef>) -> Result<(), ParseError> {
        self.check_action_form(r)?;
        let Some(item) = item else { return Ok(()) };
        match self {
            ReferenceScheme::Statement => match r.statement() {
                Some(n) if n.to_string() != item.key() => Err(ParseError::new(
                    "action reference",
                    r.as_str(),
                    format!(
                        "a reference starting with {item}, the number of the item it sits under"
                    ),
                )),
                _ => Ok(()),
            },
            ReferenceScheme::Dotted => {
                if parent_of(r.key()) == Some(item.key()) {
                    Ok(())
                } else {
                    Err(ParseError::new(
                        "action reference",
                        r.as_str(),
                        format!(
                            "{item} and one more number, such as {item}.1, as it sits under item {item}"
                        ),
                    ))
                }
            }
            ReferenceScheme::Free => Ok(()),
        }
    }

    /// Check item reference `r` has this scheme's form and belongs under
    /// the item referenced `parent` (none: top level or unreferenced parent).
    /// Dotted: "1.2" under "1"; other schemes: no check against the tree.
    pub fn check_item(self, r: &ItemRef, parent: Option<&ItemRef>) -> Result<(), ParseError> {
        self.check_item_form(r)?;
        match (self, parent) {
            (ReferenceScheme::Dotted, Some(p)) if parent_of(r.key()) != Some(p.key()) => {
                Err(ParseError::new(
                    "item reference",
                    r.as_str(),
                    format!("{p} and one more number, such as {p}.1, as it sits under item {p}"),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// "1.2" for "1.2.3"; none for "1".
fn parent_of(key: &str) -> Option<&str> {
    key.rsplit_once('.').map(|(p, _)| p)
}

impl fmt::Display for ReferenceScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReferenceScheme {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "statement" => Ok(ReferenceScheme::Statement),
            "dotted" => Ok(ReferenceScheme::Dotted),
            "free" => Ok(ReferenceScheme::Free),
            _ => Err(ParseError::new(
                "reference scheme",
                raw,
                "\"statement\", \"dotted\" or \"free\"",
            )),
        }
    }
}

impl TryFrom<String> for ReferenceScheme {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ReferenceScheme> for String {
    fn from(s: ReferenceScheme) -> Self {
        s.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferenceScheme::*;
    use proptest::prelude::*;

    fn refs(list: &[&str]) -> Vec<ActionRef> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn parses_the_seeds_references() {
        for s in ["6A", "9E", "10A", "11", "14A"] {
            assert_eq!(Statement.parse_action(s).unwrap().to_string(), s);
        }
        assert_eq!("10a".parse::<ActionRef>().unwrap().to_string(), "10A");
        assert_eq!(
            format!("{:<4}|", "6A".parse::<ActionRef>().unwrap()),
            "6A  |"
        );
        assert_eq!("14A".parse::<ActionRef>().unwrap().statement(), Some(14));
    }

    #[test]
    fn statement_scheme_refuses_other_forms() {
        for s in [
            "", "A6", "6AA", "0", "06A", "1000", "6-A", "6 A", "six", "6Ä", "1.2.3",
        ] {
            let e = Statement.parse_action(s).unwrap_err();
            assert_eq!(e.field, "action reference", "{s}");
            assert!(e.expected.contains("such as 6A"), "{s}");
        }
    }

    #[test]
    fn every_councils_codes_are_free_codes() {
        for s in [
            "CP2.3.1", "1.2.3", "12-ENV03", "HSG02", "PH7", "ASC 3.2", "P&R-07", "H&W 2b",
        ] {
            let r = Free.parse_action(s).unwrap();
            assert_eq!(r.as_str(), s);
            assert_eq!(s.parse::<ActionRef>().unwrap(), r);
        }
        assert_eq!(
            "  ASC   3.2 ".parse::<ActionRef>().unwrap().as_str(),
            "ASC 3.2"
        );
        for s in [
            "",
            "-7",
            "7-",
            "a_b",
            "ÄSC",
            "123456789012345678901",
            "x\ty<",
        ] {
            let e = Free.parse_action(s).unwrap_err();
            assert!(e.expected.contains("up to 20"), "{s}");
        }
    }

    #[test]
    fn dotted_references_mirror_the_tree() {
        let r = Dotted.parse_action("1.2.3").unwrap();
        let item = Dotted.parse_item("1.2").unwrap();
        assert!(Dotted.check_action(&r, Some(&item)).is_ok());
        let other = Dotted.parse_item("1.3").unwrap();
        let e = Dotted.check_action(&r, Some(&other)).unwrap_err();
        assert!(e.expected.contains("1.3.1"), "{}", e.expected);
        assert!(Dotted.parse_action("1").is_err());
        assert!(Dotted.parse_action("1.02").is_err());
        assert!(Dotted.parse_action("10A").is_err());
        let top = Dotted.parse_item("1").unwrap();
        assert!(Dotted.check_item(&item, Some(&top)).is_ok());
        assert!(Dotted.check_item(&top, None).is_ok());
        assert!(
            Dotted
                .check_item(&Dotted.parse_item("2.1").unwrap(), Some(&top))
                .is_err()
        );
        assert!(
            Dotted
                .parse_action("x")
                .unwrap_err()
                .expected
                .contains("1.2.3")
        );
    }

    #[test]
    fn statement_references_sit_under_their_statement() {
        let r = Statement.parse_action("10A").unwrap();
        let ten = Statement.parse_item("10").unwrap();
        let nine = Statement.parse_item("9").unwrap();
        assert!(Statement.check_action(&r, Some(&ten)).is_ok());
        assert!(Statement.check_action(&r, None).is_ok());
        assert_eq!(
            Statement.check_action(&r, Some(&nine)).unwrap_err().field,
            "action reference"
        );
        assert!(Statement.parse_item("10A").is_err());
        // Free codes have no tree check.
        let f = Free.parse_action("HSG02").unwrap();
        assert!(Free.check_action(&f, Some(&nine)).is_ok());
    }

    #[test]
    fn case_and_spaces_do_not_matter() {
        let a: ActionRef = "asc 3.2".parse().unwrap();
        let b: ActionRef = "ASC 3.2".parse().unwrap();
        let c: ActionRef = "ASC3.2".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.as_str(), "asc 3.2");
        assert_eq!(a.key(), "ASC3.2");
        assert_eq!(reference_key(" asc 3.2"), a.key());
    }

    #[test]
    fn sorts_naturally() {
        let mut r = refs(&["10A", "9E", "11", "6A", "9B", "14A"]);
        r.sort();
        let shown: Vec<String> = r.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["6A", "9B", "9E", "10A", "11", "14A"]);
        let mut r = refs(&["CP1.10", "CP1.9", "CP2", "1.2.10", "1.2.9", "1.10", "1.9"]);
        r.sort();
        let shown: Vec<String> = r.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["1.2.9", "1.2.10", "1.9", "1.10", "CP1.9", "CP1.10", "CP2"]
        );
    }

    #[test]
    fn schemes_read_and_show_their_names() {
        for s in ReferenceScheme::ALL {
            assert_eq!(s.to_string().parse::<ReferenceScheme>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
        }
        assert_eq!(ReferenceScheme::default(), Statement);
        assert_eq!(
            "roman".parse::<ReferenceScheme>().unwrap_err().field,
            "reference scheme"
        );
    }

    fn free_code() -> impl Strategy<Value = String> {
        "[A-Za-z0-9](([A-Za-z0-9&./-]| [A-Za-z0-9]){0,8}[A-Za-z0-9])?"
    }

    proptest! {
        #[test]
        fn statement_round_trip(n in 1u16..=999, letter in proptest::option::of(proptest::char::range('A', 'Z'))) {
            let s = match letter { Some(l) => format!("{n}{l}"), None => n.to_string() };
            let r = Statement.parse_action(&s).unwrap();
            prop_assert_eq!(r.to_string(), s.clone());
            prop_assert_eq!(r.statement(), Some(n));
            prop_assert_eq!(s.parse::<ActionRef>().unwrap(), r);
        }

        #[test]
        fn dotted_round_trip(parts in proptest::collection::vec(1u16..=999, 2..=5)) {
            let s = parts.iter().map(u16::to_string).collect::<Vec<_>>().join(".");
            let r = Dotted.parse_action(&s).unwrap();
            prop_assert_eq!(r.to_string(), s.clone());
            let item = Dotted.parse_item(s.rsplit_once('.').unwrap().0).unwrap();
            prop_assert!(Dotted.check_action(&r, Some(&item)).is_ok());
        }

        #[test]
        fn free_round_trip(s in free_code()) {
            let r = Free.parse_action(&s).unwrap();
            let back = Free.parse_action(&r.to_string()).unwrap();
            prop_assert_eq!(back.as_str(), r.as_str());
            prop_assert_eq!(serde_json::from_str::<ActionRef>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<ActionRef>();
            for scheme in ReferenceScheme::ALL {
                let _ = scheme.parse_action(&s);
                let _ = scheme.parse_item(&s);
            }
        }

        #[test]
        fn order_is_total_and_agrees_with_equality(a in free_code(), b in free_code(), c in free_code()) {
            let (a, b, c): (ActionRef, ActionRef, ActionRef) = (a.parse().unwrap(), b.parse().unwrap(), c.parse().unwrap());
            prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c {
                prop_assert!(a <= c);
            }
        }
    }
}
