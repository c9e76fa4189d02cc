//! The pack as one self-contained, accessible HTML document with a print
//! stylesheet for A4. askama escapes every text; the chart is built from
//! numbers and escaped text.

use askama::Template;

use crate::Contents;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportHtml<'a> {
    c: &'a Contents,
}

/// The pack as one self-contained HTML document.
pub fn html(contents: &Contents) -> Result<String, askama::Error> {
    ReportHtml { c: contents }.render()
}
