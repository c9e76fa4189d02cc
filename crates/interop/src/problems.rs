//! What is wrong with a file, each problem placed by sheet, row and column.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One thing wrong with the file, placed where the user will find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The sheet's name ("Actions"; "Sheet1" for CSV).
    pub sheet: String,
    /// The row number as the spreadsheet program shows it, when the problem
    /// is on one row.
    pub row: Option<u32>,
    /// The column's heading as written, when the problem is in one column.
    pub column: Option<String>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sheet {}", self.sheet)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a file (up to a cap), so all can be fixed at once.
/// A file with any problem is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct Problems {
    /// The file's name.
    pub file: String,
    /// The problems, in sheet and row order, at most the cap.
    pub list: Vec<Problem>,
    /// How many more were found beyond the cap.
    pub more: usize,
}

impl Problems {
    /// How many problems were found in all.
    pub fn total(&self) -> usize {
        self.list.len() + self.more
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.total();
        write!(
            f,
            "{}: {} problem{} found; nothing was imported",
            self.file,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.list {
            write!(f, "\n  {p}")?;
        }
        if self.more > 0 {
            write!(f, "\n  and {} more", self.more)?;
        }
        Ok(())
    }
}

/// Gathers problems up to a cap, counting the rest.
#[derive(Debug)]
pub(crate) struct Collector {
    pub(crate) list: Vec<Problem>,
    pub(crate) more: usize,
    cap: usize,
}

impl Collector {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            list: Vec::new(),
            more: 0,
            cap: cap.max(1),
        }
    }

    pub(crate) fn push(
        &mut self,
        sheet: &str,
        row: Option<u32>,
        column: Option<&str>,
        message: impl Into<String>,
    ) {
        if self.list.len() < self.cap {
            self.list.push(Problem {
                sheet: sheet.to_owned(),
                row,
                column: column.map(str::to_owned),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }

    pub(crate) fn finish(self, file: &str) -> Problems {
        Problems {
            file: file.to_owned(),
            list: self.list,
            more: self.more,
        }
    }
}
