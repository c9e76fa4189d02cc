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

/// The pack as a tagged A4 PDF (PDF/UA-1) with page numbers, repeated table
/// headers and bookmarks for the cover's sections and the appendices.
pub fn pdf(contents: &Contents) -> Result<Vec<u8>, ReportError> {
    let input = Input {
        full_title: contents.full_title(),
        contents,
    };
    let data = serde_json::to_vec(&input).map_err(|e| ReportError::Pdf(e.to_string()))?;
    let world = ReportWorld {
        main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()),
        data_id: file_id("/contents.json"),
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = PdfOptions {
        standards: PdfStandards::new(&[PdfStandard::Ua_1])
            .map_err(|e| ReportError::Pdf(format!("{e:?}")))?,
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    });
    // typst memoises layout across compilations; a report is compiled once,
    // so keep the server's memory flat.
    typst::comemo::evict(0);
    bytes
}
