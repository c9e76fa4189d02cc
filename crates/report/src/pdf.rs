//! The pack as an A4 PDF, laid out by typst used as a library.
//!
//! The contents go to typst as a JSON file that the template
//! (`templates/report.typ`) reads with `json()`: text from the plan is only
//! ever a string value, never typst markup, so commentary such as
//! `#set text(red)` prints as written. The fonts (DejaVu Sans, with Noto
//! Emoji as fallback) are compiled into the binary; no system font is read.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, Severity};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::{Contents, ReportError};

const TEMPLATE: &str = include_str!("../templates/report.typ");

/// The fonts every PDF is set in, parsed once.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let files: [&'static [u8]; 5] = [
        dejavu::sans::regular(),
        dejavu::sans::bold(),
        dejavu::sans::oblique(),
        dejavu::sans::bold_oblique(),
        epaint_default_fonts::NOTO_EMOJI_REGULAR,
    ];
    let fonts: Vec<Font> = files
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a fixed, valid path"),
    ))
}

/// The world one report is compiled in: the template and its contents, and
/// nothing else (no files, no packages, no clock).
struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// What the template reads: the contents and the title with its reference.
#[derive(Serialize)]
struct Input<'a> {
    full_title: String,
    #[serde(flatten)]
    contents: &'a Contents,
}

/// Appendix 1 rows laid out in one typst compilation at most. typst keeps
/// every layout of a compilation in memory until it ends, so a large pack is
/// laid out in parts (each whole sections) whose pages are then joined.
const ROWS_PER_PART: usize = 200;

/// One compilation's share of the pack.
struct Part {
    /// Whether it has the cover report (the first part).
    cover: bool,
    /// The Appendix 1 sections it lays out.
    sections: std::ops::Range<usize>,
    /// Whether it has Appendix 2 (the last part).
    appendix2: bool,
}

/// The parts of `contents`: one for a pack of up to [`ROWS_PER_PART`] rows.
fn parts(contents: &Contents) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut rows = 0;
    for (i, s) in contents.sections.iter().enumerate() {
        if rows > 0 && rows + s.rows.len() > ROWS_PER_PART {
            parts.push(start..i);
            start = i;
            rows = 0;
        }
        rows += s.rows.len();
    }
    parts.push(start..contents.sections.len());
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, sections)| Part {
            cover: i == 0,
            sections,
            appendix2: i == last,
        })
        .collect()
}

/// The pack as a tagged A4 PDF (PDF/UA-1) with page numbers, repeated table
/// headers and bookmarks for the cover's sections and the appendices.
pub fn pdf(contents: &Contents) -> Result<Vec<u8>, ReportError> {
    let failed = |e: serde_json::Error| ReportError::Pdf(e.to_string());
    let whole = serde_json::to_value(Input {
        full_title: contents.full_title(),
        contents,
    })
    .map_err(failed)?;
    let parts = parts(contents);
    // Each part's JSON: its sections, the cover and Appendix 2 only where
    // they fall, and its page numbers.
    let input = |part: &Part, first_page: usize, total_pages: Option<usize>| {
        let mut v = whole.clone();
        v["sections"] = serde_json::Value::Array(
            contents.sections[part.sections.clone()]
                .iter()
                .map(|s| serde_json::to_value(s).unwrap_or_default())
                .collect(),
        );
        if !part.appendix2 {
            v["appendix2"] = serde_json::Value::Null;
        }
        v["part"] = serde_json::json!({
            "cover": part.cover,
            "first_page": first_page,
            "total_pages": total_pages,
        });
        serde_json::to_vec(&v).map_err(failed)
    };
    let document = if parts.len() == 1 {
        compile(0, input(&parts[0], 1, None)?)?
    } else {
        // First the page count of each part, for "Page 12 of 340"; then the
        // parts again with their numbers, joined.
        let mut total = 0;
        for (i, part) in parts.iter().enumerate() {
            total += compile(i, input(part, 1, Some(0))?)?.pages().len();
        }
        let mut pages = typst::diag::EcoVec::new();
        let mut info = None;
        for (i, part) in parts.iter().enumerate() {
            let mut document = compile(i, input(part, pages.len() + 1, Some(total))?)?;
            info.get_or_insert_with(|| document.info_mut().clone());
            pages.extend(document.pages().iter().cloned());
        }
        PagedDocument::new(pages, info.unwrap_or_default())
    };
    let options = PdfOptions {
        standards: PdfStandards::new(&[PdfStandard::Ua_1])
            .map_err(|e| ReportError::Pdf(format!("{e:?}")))?,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Lay out part `index` of a pack from its JSON. Each part is its own file
/// to typst, so the locations of its elements (which tag the PDF) never
/// collide with another part's. typst's memoised layouts are dropped after
/// each part, keeping memory to one part's worth.
fn compile(index: usize, data: Vec<u8>) -> Result<PagedDocument, ReportError> {
    let world = ReportWorld {
        main: Source::new(
            file_id(&format!("/report-{index}.typ")),
            TEMPLATE.to_owned(),
        ),
        data_id: file_id("/contents.json"),
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    typst::comemo::evict(0);
    compiled.output.map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
