//! Committee report packs, built from signed-off progress only: the cover
//! report (purpose, recommendation, the roll-up in words and as a chart,
//! key achievements by ambition), Appendix 1 (progress on every action) and,
//! when next year's plan exists, Appendix 2 (the refreshed plan and what
//! changed).
//!
//! `Contents::of` works out what a pack says once; each format lays the same
//! contents out: `html` (one self-contained, accessible document with a print
//! stylesheet for A4), `pdf` (typst, with its fonts in the binary), `docx`
//! (a Word document a clerk can publish unchanged: portrait cover,
//! landscape appendices, real headings, lists and tables) and `xlsx` (a
//! sheet per appendix with typed cells). Text from the plan is always
//! data, never markup, in every format, and no format reads the clock, so
//! the same contents always give the same bytes.

pub mod chart;
mod contents;
mod docx;
mod html;
mod pdf;
mod raster;
mod xlsx;

use std::fmt;
use std::str::FromStr;

use domain::{Body, Half, PlanTree, Portfolio, ReportCover, ReportingPeriod, Strategy};

pub use contents::{
    Achievement, Achievements, Appendix2, Contents, EndedRow, EndedSection, Fate, FateCount,
    Figure, NextRow, NextSection, Row, Section, StatusKey, SummaryRow,
};
pub use docx::docx;
pub use docx::matters::{Matter, MattersArising, matters_arising_docx};
pub use html::html;
pub use pdf::pdf;
pub use xlsx::xlsx;

/// Everything a pack is made from.
pub struct Pack<'a> {
    /// The body.
    pub body: &'a Body,
    /// The body's corporate strategy, for the cover's context (none when
    /// the body has not set one up).
    pub strategy: Option<&'a Strategy>,
    /// The portfolio.
    pub portfolio: &'a Portfolio,
    /// The plan reported on.
    pub tree: &'a PlanTree,
    /// Last year's plan, for the change since the previous period in H1.
    pub previous_year: Option<&'a PlanTree>,
    /// Next year's plan, for Appendix 2 of a year-end (H2) report.
    pub next_year: Option<&'a PlanTree>,
    /// The period reported on.
    pub period: ReportingPeriod,
    /// The cover's details; an empty committee means the portfolio's.
    pub cover: ReportCover,
}

/// "the first half of 2022/23".
pub fn period_words(p: ReportingPeriod) -> String {
    match p.half {
        Half::H1 => format!("the first half of {}", p.year),
        Half::H2 => format!("the second half of {}", p.year),
    }
}

/// The formats a pack is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One self-contained, accessible HTML document.
    Html,
    /// A4 PDF, tagged, with bookmarks and page numbers.
    Pdf,
    /// Word, with real headings, lists and tables a clerk can edit and publish.
    Docx,
    /// Excel: a filterable sheet per appendix, with typed cells.
    Xlsx,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 4] = [Format::Html, Format::Pdf, Format::Docx, Format::Xlsx];

    /// The file extension, which is also the format's name on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type to serve it with.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// Its name for people: "PDF", "Word (.docx)".
    pub fn label(self) -> &'static str {
        match self {
            Format::Html => "HTML",
            Format::Pdf => "PDF",
            Format::Docx => "Word (.docx)",
            Format::Xlsx => "Excel (.xlsx)",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = domain::ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| domain::ParseError::new("format", raw, "one of html, pdf, docx or xlsx"))
    }
}

/// Why a pack could not be laid out. None of these is the user's doing: the
/// contents are always valid; the message names the format that failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The HTML template failed.
    #[error("the HTML report could not be written: {0}")]
    Html(#[from] askama::Error),
    /// typst reported errors laying out the PDF.
    #[error("the PDF report could not be laid out: {0}")]
    Pdf(String),
    /// The Word document could not be packed.
    #[error("the Word report could not be written: {0}")]
    Docx(String),
    /// The spreadsheet could not be written.
    #[error("the Excel report could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A stored data version could not be read back as a pack's contents.
    #[error("the pack's data version could not be read: {0}")]
    Data(#[from] serde_json::Error),
}

/// Lay out the contents in a format.
pub fn render(contents: &Contents, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Html => Ok(html(contents)?.into_bytes()),
        Format::Pdf => pdf(contents),
        Format::Docx => docx(contents),
        Format::Xlsx => xlsx(contents),
    }
}

/// A pack laid out in every format, with the data version it came from.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The data version: the contents as JSON ([`Contents::to_data`]).
    pub data: String,
    /// Each format's file, in [`Format::ALL`]'s order.
    pub files: Vec<(Format, Vec<u8>)>,
}

impl Contents {
    /// The data version of a pack: everything it says, as JSON. Every
    /// format is laid out from the contents alone, so
    /// [`Contents::from_data`] of this gives the same files again.
    pub fn to_data(&self) -> Result<String, ReportError> {
        Ok(serde_json::to_string(self)?)
    }

    /// The contents a data version holds.
    pub fn from_data(data: &str) -> Result<Contents, ReportError> {
        Ok(serde_json::from_str(data)?)
    }
}

/// Lay out the contents in every format, as a pack is published: the one
/// place the web, the API and the command line make a pack's files.
pub fn render_all(contents: &Contents) -> Result<Rendered, ReportError> {
    let files = Format::ALL
        .into_iter()
        .map(|f| render(contents, f).map(|bytes| (f, bytes)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rendered {
        data: contents.to_data()?,
        files,
    })
}
