//! What someone searches a body's record for: words and "quoted phrases",
//! parsed from what they typed. Nothing in it is an operator: `NEAR`,
//! `OR`, `*`, `-` and stray quotes are read as text (or dropped, when they
//! are not letters or digits), so any search is safe to hand to either
//! database's full-text search.

use std::fmt;

use crate::ParseError;

/// A search: at least one term, every term one word or a phrase of words
/// (letters and digits only, lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Vec<String>>,
}

/// Common words left out of a search, unless inside a quoted phrase: the
/// English stop words PostgreSQL's full-text search also leaves out, so
/// both engines look for the same words.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

impl SearchQuery {
    /// The longest search taken, in characters.
    pub const MAX_CHARS: usize = 200;
    /// The most words and phrases a search may have.
    pub const MAX_TERMS: usize = 12;

    /// Parse what was typed into the search box (field "q").
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw_trimmed = raw.trim();
        if raw_trimmed.is_empty() {
            return Err(ParseError::new("q", raw, "a word or two to search for"));
        }
        if raw_trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ParseError::new(
                "q",
                raw,
                format!("a search of at most {} characters", Self::MAX_CHARS),
            ));
        }
        let mut terms = Vec::new();
        // Text between double quotes (typographic ones too) is a phrase;
        // an unclosed quote runs to the end.
        let normal: String = raw_trimmed
            .chars()
            .map(|c| {
                if matches!(c, '“' | '”' | '„') {
                    '"'
                } else {
                    c
                }
            })
            .collect();
        for (i, part) in normal.split('"').enumerate() {
            let words = words(part);
            if i % 2 == 1 {
                if !words.is_empty() {
                    terms.push(words);
                }
            } else {
                terms.extend(
                    words
                        .into_iter()
                        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
                        .map(|w| vec![w]),
                );
            }
        }
        terms.dedup();
        if terms.is_empty() {
            return Err(ParseError::new(
                "q",
                raw,
                "a word to search for other than punctuation and the most common words (such as \"the\" or \"and\")",
            ));
        }
        if terms.len() > Self::MAX_TERMS {
            return Err(ParseError::new(
                "q",
                raw,
                format!("a search of at most {} words", Self::MAX_TERMS),
            ));
        }
        Ok(Self { terms })
    }

    /// The terms: each a word, or the words of a phrase in order.
    pub fn terms(&self) -> &[Vec<String>] {
        &self.terms
    }
}

/// The words of `text`: runs of letters and digits, lower case.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl fmt::Display for SearchQuery {
    /// The search as it is looked for: words, and phrases in quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if term.len() > 1 {
                write!(f, "\"{}\"", term.join(" "))?;
            } else {
                f.write_str(&term[0])?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_and_phrases() {
        let q = SearchQuery::parse(r#"  Carers "respite care" the Strategy "#).unwrap();
        assert_eq!(
            q.terms(),
            &[
                vec!["carers".to_owned()],
                vec!["respite".to_owned(), "care".to_owned()],
                vec!["strategy".to_owned()]
            ]
        );
        assert_eq!(q.to_string(), r#"carers "respite care" strategy"#);
    }

    #[test]
    fn operators_and_odd_characters_are_text() {
        let q = SearchQuery::parse(r#"care NEAR/3 home* -"unclosed phrase"#).unwrap();
        assert_eq!(q.to_string(), r#"care near 3 home "unclosed phrase""#);
        let q = SearchQuery::parse("Café süd 東京 ①").unwrap();
        assert_eq!(q.to_string(), "café süd 東京 ①");
        assert!(SearchQuery::parse("\"\"\"").is_err());
        assert!(SearchQuery::parse("*** ---").is_err());
        assert!(SearchQuery::parse("the and or").is_err());
        assert!(SearchQuery::parse("   ").is_err());
    }

    #[test]
    fn long_searches_are_refused_with_the_limit() {
        let e = SearchQuery::parse(&"word ".repeat(60)).unwrap_err();
        assert!(e.to_string().contains("200 characters"), "{e}");
        let e = SearchQuery::parse("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13").unwrap_err();
        assert!(e.to_string().contains("12 words"), "{e}");
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_and_terms_are_plain(raw in "\\PC{0,250}") {
            if let Ok(q) = SearchQuery::parse(&raw) {
                prop_assert!(!q.terms().is_empty() && q.terms().len() <= SearchQuery::MAX_TERMS);
                for w in q.terms().iter().flatten() {
                    prop_assert!(!w.is_empty() && w.chars().all(char::is_alphanumeric));
                }
            }
        }
    }
}
