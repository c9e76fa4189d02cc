//! Measuring the extractor against minutes a person has annotated.
//!
//! A corpus is a folder with `minutes/NAME.txt` (the texts) and
//! `gold/NAME.gold.json` (what a clerk would track in each, written by the
//! rules of `crates/minutes/corpus/ANNOTATION.md`). [`score`] runs
//! [`crate::extract`] on every text and counts, as the published scorer of
//! those rules does:
//!
//! - **recall**: the required promises (`must`) found, a promise being found
//!   when one extracted commitment's text holds all of its keywords;
//! - **precision**: the extracted commitments that match any annotated
//!   promise, required or borderline;
//! - **owner** and **due**: of the promises found whose annotation names an
//!   owner or a due month, how many the first matching commitment got right;
//! - **reports**, **codes** and **resolutions**: report references and
//!   action codes found, and texts whose number of resolutions is right.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Extract, Options};

/// One text's annotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gold {
    /// The text's file name in `minutes/`.
    pub file: String,
    /// The meeting's date, when the text or its source says.
    pub meeting_date: Option<NaiveDate>,
    /// Whether the text is whole (not cut short).
    #[serde(default = "yes")]
    pub complete: bool,
    /// Report references as written.
    #[serde(default)]
    pub reports: Vec<String>,
    /// Codes of plan actions, indicators or recommendations referred to.
    #[serde(default)]
    pub action_refs: Vec<String>,
    /// The promises made in the meeting.
    #[serde(default)]
    pub commitments: Vec<GoldCommitment>,
    /// How many resolutions the text records.
    #[serde(default)]
    pub resolutions: usize,
    /// The annotator's notes.
    #[serde(default)]
    pub notes: String,
}

fn yes() -> bool {
    true
}

/// One annotated promise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldCommitment {
    /// Its id within the text: "c1".
    pub id: String,
    /// Clearly a promise (required), or borderline (tolerated).
    pub must: bool,
    /// Words any reasonable extract of the promise contains.
    pub keywords: Vec<String>,
    /// Words of who promised it; empty when the text does not say.
    #[serde(default)]
    pub owner_keywords: Vec<String>,
    /// The month it is due, "2023-03", when the text makes it knowable.
    #[serde(default)]
    pub due: Option<String>,
    /// The sentences as they appear.
    #[serde(default)]
    pub quote: String,
}

impl GoldCommitment {
    /// Whether an extracted commitment's text, made lower case with its
    /// white space collapsed (as [`normalise`] does), holds all of this
    /// promise's keywords: the scorer's test of a match.
    pub fn is_in(&self, normalised: &str) -> bool {
        self.keywords
            .iter()
            .all(|k| normalised.contains(normalise(k).as_str()))
    }
}

impl GoldCommitment {
    /// The annotation of a promise a clerk recorded: required, with up to
    /// three of its longest words as keywords, the last word of its owner,
    /// and its due month ("2023-03").
    pub fn recorded(id: usize, text: &str, owner: Option<&str>, due_month: Option<String>) -> Self {
        let mut words: Vec<String> = Vec::new();
        for w in text
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
            .filter(|w| w.chars().count() >= 5)
        {
            let w = w.to_lowercase();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        words.truncate(3);
        let owner_keywords = owner
            .and_then(|o| o.split_whitespace().last())
            .map(|w| vec![w.to_lowercase()])
            .unwrap_or_default();
        GoldCommitment {
            id: format!("c{id}"),
            must: true,
            keywords: words,
            owner_keywords,
            due: due_month,
            quote: text.to_owned(),
        }
    }
}

impl Gold {
    /// Whether an extracted commitment with `text` matches any annotated
    /// promise, required or borderline.
    pub fn annotates(&self, text: &str) -> bool {
        let t = normalise(text);
        self.commitments.iter().any(|c| c.is_in(&t))
    }
}

/// Counts over a corpus; the figures are ratios of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Texts scored.
    pub files: usize,
    /// Texts the extractor refused.
    pub errors: usize,
    /// Required promises, and those found.
    pub must: usize,
    /// Required promises found.
    pub must_found: usize,
    /// Commitments extracted, and those matching an annotated promise.
    pub extracted: usize,
    /// Extracted commitments matching an annotated promise.
    pub extracted_right: usize,
    /// Promises found whose owner is annotated, and those with it right.
    pub owners: usize,
    /// Owners right.
    pub owners_right: usize,
    /// Promises found whose due month is annotated, and those with it right.
    pub dues: usize,
    /// Due months right.
    pub dues_right: usize,
    /// Annotated report references, and those found.
    pub reports: usize,
    /// Report references found.
    pub reports_found: usize,
    /// Annotated codes, and those found.
    pub codes: usize,
    /// Codes found.
    pub codes_found: usize,
    /// Texts whose number of resolutions is right.
    pub resolutions_right: usize,
}

/// The figures of a [`Tally`], each from 0 to 1 (1 when nothing was there
/// to count).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Required promises found.
    pub recall: f64,
    /// Extracted commitments that are promises.
    pub precision: f64,
    /// Owners right.
    pub owner: f64,
    /// Due months right.
    pub due: f64,
    /// Report references found.
    pub reports: f64,
    /// Action, indicator and recommendation codes found.
    pub codes: f64,
    /// Texts with the right number of resolutions.
    pub resolutions: f64,
}

impl Figures {
    /// The figures in which `self` is lower than `floor` by more than
    /// `margin`, named.
    pub fn fallen_below(&self, floor: &Figures, margin: f64) -> Vec<String> {
        let pairs = [
            ("recall", self.recall, floor.recall),
            ("precision", self.precision, floor.precision),
            ("owner", self.owner, floor.owner),
            ("due", self.due, floor.due),
            ("reports", self.reports, floor.reports),
            ("codes", self.codes, floor.codes),
            ("resolutions", self.resolutions, floor.resolutions),
        ];
        pairs
            .into_iter()
            .filter(|(_, now, was)| now + margin < *was)
            .map(|(name, now, was)| format!("{name} {now:.2} (was {was:.2})"))
            .collect()
    }
}

impl Tally {
    /// The ratios.
    pub fn figures(&self) -> Figures {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        Figures {
            recall: ratio(self.must_found, self.must),
            precision: ratio(self.extracted_right, self.extracted),
            owner: ratio(self.owners_right, self.owners),
            due: ratio(self.dues_right, self.dues),
            reports: ratio(self.reports_found, self.reports),
            codes: ratio(self.codes_found, self.codes),
            resolutions: ratio(
                self.resolutions_right,
                self.files - self.errors.min(self.files),
            ),
        }
    }

    /// Count one text: its annotation and what was extracted from it, or
    /// `None` when the extractor refused it. What was missed or found
    /// wrongly is added to `findings`, one line each.
    pub fn add(&mut self, gold: &Gold, extract: Option<&Extract>, findings: &mut Vec<String>) {
        self.files += 1;
        let Some(extract) = extract else {
            self.errors += 1;
            self.must += gold.commitments.iter().filter(|c| c.must).count();
            findings.push(format!("{}: ERROR", gold.file));
            return;
        };
        let texts: Vec<String> = extract
            .commitments
            .iter()
            .map(|c| normalise(&c.text))
            .collect();
        let mut matched = HashSet::new();
        for promise in &gold.commitments {
            let hits: Vec<usize> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| promise.is_in(t))
                .map(|(i, _)| i)
                .collect();
            matched.extend(hits.iter().copied());
            if promise.must {
                self.must += 1;
                if hits.is_empty() {
                    findings.push(format!(
                        "{}: MISSED {}: {}",
                        gold.file,
                        promise.id,
                        first_chars(&promise.quote, 120)
                    ));
                } else {
                    self.must_found += 1;
                }
            }
            let Some(&first) = hits.first() else {
                continue;
            };
            let found = &extract.commitments[first];
            if !promise.owner_keywords.is_empty() {
                self.owners += 1;
                let owner = normalise(found.owner.as_deref().unwrap_or(""));
                if promise
                    .owner_keywords
                    .iter()
                    .all(|k| owner.contains(normalise(k).as_str()))
                {
                    self.owners_right += 1;
                }
            }
            if let Some(due) = &promise.due {
                self.dues += 1;
                let date = found
                    .due
                    .as_ref()
                    .and_then(|d| d.date)
                    .and_then(|d| serde_json::to_value(d).ok())
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                if date.starts_with(due.as_str()) {
                    self.dues_right += 1;
                }
            }
        }
        self.extracted += texts.len();
        self.extracted_right += matched.len();
        for (i, t) in texts.iter().enumerate() {
            if !matched.contains(&i) {
                findings.push(format!("{}: SPURIOUS: {}", gold.file, first_chars(t, 120)));
            }
        }
        let reports: HashSet<String> = extract.reports.iter().map(|r| normalise(r)).collect();
        for r in &gold.reports {
            self.reports += 1;
            self.reports_found += usize::from(reports.contains(&normalise(r)));
        }
        let codes: HashSet<String> = extract
            .action_refs
            .iter()
            .map(|a| normalise(&a.action.to_string()))
            .collect();
        for code in &gold.action_refs {
            self.codes += 1;
            if codes.contains(&normalise(code)) {
                self.codes_found += 1;
            } else {
                findings.push(format!("{}: CODE MISSED: {code}", gold.file));
            }
        }
        if extract.resolutions.len() == gold.resolutions {
            self.resolutions_right += 1;
        } else {
            findings.push(format!(
                "{}: RESOLUTIONS {} (annotated {})",
                gold.file,
                extract.resolutions.len(),
                gold.resolutions
            ));
        }
    }
}

impl fmt::Display for Tally {
    /// The scorer's one summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.figures();
        write!(
            f,
            "files {}  recall {:.2} ({}/{})  precision {:.2} ({}/{})  owner {:.2}  due {:.2}  \
             reports {:.2}  codes {:.2}  resolutions {:.2}  errors {}",
            self.files,
            x.recall,
            self.must_found,
            self.must,
            x.precision,
            self.extracted_right,
            self.extracted,
            x.owner,
            x.due,
            x.reports,
            x.codes,
            x.resolutions,
            self.errors
        )
    }
}

/// A problem reading a corpus folder.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder could not be read.
    #[error("{path}: cannot read it ({source})")]
    Read {
        /// The file or folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// An annotation is not in the corpus format.
    #[error("{path}: not an annotation in the corpus format ({reason}); see ANNOTATION.md")]
    Gold {
        /// The annotation file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Score every annotated text of the corpus folder `dir` (with `minutes/`
/// and `gold/` inside), in file-name order. Returns the tally and a line for
/// each promise missed, commitment found wrongly, code missed and
/// resolution count wrong.
pub fn score(dir: &Path) -> Result<(Tally, Vec<String>), CorpusError> {
    let gold_dir = dir.join("gold");
    let read_err = |path: &Path, source| CorpusError::Read {
        path: path.display().to_string(),
        source,
    };
    let mut names: Vec<_> = std::fs::read_dir(&gold_dir)
        .map_err(|e| read_err(&gold_dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    names.sort();
    let mut tally = Tally::default();
    let mut findings = Vec::new();
    for path in names {
        let raw = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
        let gold: Gold = serde_json::from_str(&raw).map_err(|e| CorpusError::Gold {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let text_path = dir.join("minutes").join(&gold.file);
        let bytes = std::fs::read(&text_path).map_err(|e| read_err(&text_path, e))?;
        let options = Options {
            source: Some(gold.file.clone()),
            meeting_date: gold.meeting_date,
            max_findings: None,
            all_candidates: false,
        };
        let extract = crate::extract(&bytes, &options).ok();
        tally.add(&gold, extract.as_ref(), &mut findings);
    }
    Ok((tally, findings))
}

/// Text made lower case with runs of white space made one space, as the
/// scorer compares.
pub fn normalise(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn first_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}
