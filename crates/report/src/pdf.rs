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
use typst::layout::Point;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::{Contents, ReportError};

const TEMPLATE: &str = include_str!("../templates/report.typ");
const FOOTERS: &str = include_str!("../templates/footers.typ");

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

/// The world one typst document is compiled in: its template and one JSON
/// file, and nothing else (no other files, no packages, no clock).
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
const ROWS_PER_PART: usize = 100;

/// Appendix 1 rows below which a pack is not split to be laid out on more
/// than one thread: each compilation costs a little of its own.
const ROWS_TO_SPLIT: usize = 60;

/// Parts laid out at the same time at most, one thread each. Each holds its
/// layouts in memory until it ends, so this bounds memory as well as time.
const PARALLEL_PARTS: usize = 2;

/// How many parts this machine lays out at the same time.
fn parallel_parts() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(PARALLEL_PARTS))
}

/// One compilation's share of the pack.
struct Part {
    /// Whether it has the cover report (the first part).
    cover: bool,
    /// The Appendix 1 sections it lays out.
    sections: std::ops::Range<usize>,
    /// Whether it has Appendix 2 (the last part).
    appendix2: bool,
}

/// The parts of `contents`, whole sections each (see [`split`]).
fn parts(contents: &Contents, parallel: usize) -> Vec<Part> {
    let rows: Vec<usize> = contents.sections.iter().map(|s| s.rows.len()).collect();
    let parts = split(&rows, parallel);
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

/// The sections (given by their number of rows) of each part: at most
/// [`ROWS_PER_PART`] rows a part, the rows shared between `parallel` parts
/// when there are enough of them to be worth it, and a part never ending on
/// a heading whose rows are in the next (a section without rows of its own,
/// such as a priority over its statements).
fn split(rows: &[usize], parallel: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = rows.iter().sum();
    let per_part = if total >= ROWS_TO_SPLIT {
        total.div_ceil(parallel.max(1)).min(ROWS_PER_PART)
    } else {
        ROWS_PER_PART
    };
    let mut parts = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, &n) in rows.iter().enumerate() {
        if count > 0 && count + n > per_part {
            let mut cut = i;
            while cut > start + 1 && rows[cut - 1] == 0 {
                cut -= 1;
            }
            parts.push(start..cut);
            start = cut;
            count = rows[cut..i].iter().sum();
        }
        count += n;
    }
    parts.push(start..rows.len());
    parts
}

/// What the footers' template reads: the title and each page's size in
/// points, in the pack's order.
#[derive(Serialize)]
struct Footers<'a> {
    full_title: &'a str,
    pages: Vec<[f64; 2]>,
}

/// The pack as a tagged A4 PDF (PDF/UA-1) with page numbers, repeated table
/// headers and bookmarks for the cover's sections and the appendices.
///
/// Each part is laid out once, up to [`PARALLEL_PARTS`] at a time; then
/// the footers ("Page 12 of 340"), which are all that depends on the page
/// count, are laid out in one small compilation over the pages' sizes and
/// laid over the pages.
pub fn pdf(contents: &Contents) -> Result<Vec<u8>, ReportError> {
    let failed = |e: serde_json::Error| ReportError::Pdf(e.to_string());
    let full_title = contents.full_title();
    let whole = serde_json::to_value(Input {
        full_title: full_title.clone(),
        contents,
    })
    .map_err(failed)?;
    // Each part's JSON: its sections, and the cover and Appendix 2 only
    // where they fall.
    let parallel = parallel_parts();
    let inputs = parts(contents, parallel)
        .iter()
        .map(|part| {
            let mut v = whole.clone();
            v["sections"] = serde_json::to_value(&contents.sections[part.sections.clone()])?;
            if !part.appendix2 {
                v["appendix2"] = serde_json::Value::Null;
            }
            v["part"] = serde_json::json!({ "cover": part.cover });
            serde_json::to_vec(&v)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    drop(whole);

    let rounds = inputs.len().div_ceil(parallel.max(1));
    let _done = EvictWhenDone;
    let mut pages = typst::diag::EcoVec::new();
    let mut info = None;
    for mut document in lay_out_parts(inputs, parallel)? {
        info.get_or_insert_with(|| document.info_mut().clone());
        pages.extend(document.pages().iter().cloned());
    }
    let footers = serde_json::to_vec(&Footers {
        full_title: &full_title,
        pages: pages
            .iter()
            .map(|p| [p.frame.width().to_pt(), p.frame.height().to_pt()])
            .collect(),
    })
    .map_err(failed)?;
    let footers = compile(source("/footers.typ", FOOTERS), "/footers.json", footers);
    if rounds > 1 {
        typst::comemo::evict(0);
    }
    let footers = footers?;
    for (page, footer) in pages.make_mut().iter_mut().zip(footers.pages()) {
        page.frame.push_frame(Point::zero(), footer.frame.clone());
    }
    let document = PagedDocument::new(pages, info.unwrap_or_default());

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

/// Drops typst's memoised layouts when a pack is done, however it ends, on
/// a thread of its own: a pack laid out in one round (at most
/// [`PARALLEL_PARTS`] parts) is ready without waiting for that memory to be
/// freed. A pack of more rounds also drops them before its PDF is written,
/// which bounds its memory.
struct EvictWhenDone;

impl Drop for EvictWhenDone {
    fn drop(&mut self) {
        let spawned = std::thread::Builder::new()
            .name("pdf evict".into())
            .spawn(|| typst::comemo::evict(0));
        if spawned.is_err() {
            typst::comemo::evict(0);
        }
    }
}

/// Lay out each part's JSON, `parallel` at a time, in order. Each
/// part is its own file to typst (`/report-{k}.typ`), so the locations of
/// its elements (which tag the PDF) never collide with another part's.
/// typst's memoised layouts are dropped between rounds, keeping memory to
/// a round's worth (the last round's are dropped by [`EvictWhenDone`]).
fn lay_out_parts(inputs: Vec<Vec<u8>>, parallel: usize) -> Result<Vec<PagedDocument>, ReportError> {
    let mut documents = Vec::with_capacity(inputs.len());
    let mut inputs = inputs.into_iter().enumerate().peekable();
    while inputs.peek().is_some() {
        let round: Vec<_> = inputs.by_ref().take(parallel.max(1)).collect();
        let laid_out: Vec<_> = std::thread::scope(|scope| {
            let threads: Vec<_> = round
                .into_iter()
                .map(|(k, data)| scope.spawn(move || lay_out_part(k, data)))
                .collect();
            threads
                .into_iter()
                .map(|t| {
                    t.join().unwrap_or_else(|_| {
                        Err(ReportError::Pdf(
                            "laying out a part of the pack failed".into(),
                        ))
                    })
                })
                .collect()
        });
        if inputs.peek().is_some() {
            typst::comemo::evict(0);
        }
        for document in laid_out {
            documents.push(document?);
        }
    }
    Ok(documents)
}

/// Lay out part `k` of the pack from its JSON.
fn lay_out_part(k: usize, data: Vec<u8>) -> Result<PagedDocument, ReportError> {
    compile(
        source(&format!("/report-{k}.typ"), TEMPLATE),
        "/contents.json",
        data,
    )
}

/// A template as the typst source file `path`.
fn source(path: &str, template: &str) -> Source {
    Source::new(file_id(path), template.to_owned())
}

/// Compile `main` with `data` as the JSON file at `data_path`.
fn compile(main: Source, data_path: &str, data: Vec<u8>) -> Result<PagedDocument, ReportError> {
    let world = ReportWorld {
        main,
        data_id: file_id(data_path),
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn a_small_pack_is_one_part() {
        assert_eq!(split(&[0, 5, 10, 0, 20], 2), vec![0..5]);
        assert_eq!(split(&[], 2), vec![0..0]);
    }

    #[test]
    fn rows_are_shared_between_the_threads_and_headings_stay_with_their_rows() {
        // An ambition, a priority and its statements, twice: 80 rows over
        // two threads is two parts of up to 40, cut before the second
        // ambition's headings rather than after them.
        let rows = [0, 0, 20, 20, 0, 0, 20, 20];
        assert_eq!(split(&rows, 2), vec![0..4, 4..8]);
        // One thread: one part, as long as it is not too large.
        assert_eq!(split(&rows, 1), vec![0..8]);
    }

    #[test]
    fn a_large_pack_is_cut_at_most_every_hundred_rows() {
        let rows = vec![10; 100];
        let parts = split(&rows, 2);
        assert_eq!(parts.len(), 10);
        assert!(
            parts
                .iter()
                .all(|p| rows[p.clone()].iter().sum::<usize>() <= 100)
        );
        assert_eq!(parts.last().map(|p| p.end), Some(100));
    }

    #[test]
    fn a_section_larger_than_a_part_is_a_part_of_its_own() {
        assert_eq!(split(&[0, 150, 0, 30], 1), vec![0..2, 2..4]);
    }
}
