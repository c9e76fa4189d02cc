//! The About part of an export: the body, its reference scheme, strategy,
//! ambitions and portfolio, so an import into an empty database can
//! create them before the plan.
//!
//! In xlsx it is the sheet "About"; in CSV its own file. Either way it is a
//! table headed Field, Value, Detail, Link with one row per fact:
//!
//! | Field | Value | Detail | Link |
//! | --- | --- | --- | --- |
//! | Body | London Borough of Bromley | bromley | |
//! | Reference scheme | statement | | |
//! | Level | Ambition (one row per level, top first) | | |
//! | RAG | Complete | blue | |
//! | Strategy | Making Bromley Even Better | 2021-2031 | |
//! | Ambition | its wording | 2 (its number) | |
//! | Portfolio | Adult Care and Health | ACH | |
//! | Committee | Adult Care and Health Policy Development and Scrutiny Committee | | |
//! | Plan year | 2024/25 | | |
//! | Alignment | Adult Social Care Strategy | strategy | https://… |

use domain::{
    AlignmentKind, FinancialYear, LevelNames, Rag, RagMapping, Slug, Status, StrategyYears, Title,
};
use serde::{Deserialize, Serialize};

use crate::problems::{Collector, Problems};
use crate::workbook::{Sheet, Workbook};

/// A numbered ambition of the strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AboutAmbition {
    /// Its number: "Ambition 2".
    pub number: u16,
    /// Its wording.
    pub title: Title,
}

/// The body's strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AboutStrategy {
    /// Its title.
    pub title: Title,
    /// The years it runs.
    pub years: StrategyYears,
    /// Its ambitions, by number.
    pub ambitions: Vec<AboutAmbition>,
}

/// The portfolio whose plan this is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AboutPortfolio {
    /// Its code: "ACH".
    pub code: domain::PortfolioCode,
    /// Its name.
    pub name: Title,
    /// The committee that scrutinises it.
    pub committee: Option<Title>,
}

/// A programme or strategy the plan is aligned with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AboutAlignment {
    /// Its name.
    pub name: Title,
    /// Programme or strategy.
    pub kind: AlignmentKind,
    /// Its document's address.
    pub url: Option<String>,
}

/// What an export says about where its plan belongs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct About {
    /// The body's full name.
    pub body_name: Title,
    /// The body's short name.
    pub body_slug: Slug,
    /// The name of the body's reference scheme ("statement", "dotted",
    /// "free"), as the caller names it.
    pub reference_scheme: String,
    /// The plan tree's level names.
    pub level_names: LevelNames,
    /// Which colour each status shows.
    pub rag: RagMapping,
    /// The strategy, if the body has one.
    pub strategy: Option<AboutStrategy>,
    /// The portfolio.
    pub portfolio: AboutPortfolio,
    /// The plan's year.
    pub year: FinancialYear,
    /// The programmes and strategies the plan is aligned with.
    pub alignments: Vec<AboutAlignment>,
}

/// The About table's rows: field, value, detail, link.
pub(crate) fn rows(about: &About) -> Vec<[String; 4]> {
    let row = |f: &str, v: &str, d: &str, l: &str| {
        [f.to_owned(), v.to_owned(), d.to_owned(), l.to_owned()]
    };
    let mut out = vec![
        row("Field", "Value", "Detail", "Link"),
        row("Body", &about.body_name, about.body_slug.as_str(), ""),
        row("Reference scheme", &about.reference_scheme, "", ""),
    ];
    let levels: Vec<String> = about.level_names.clone().into();
    for l in &levels {
        out.push(row("Level", l, "", ""));
    }
    for s in Status::ALL {
        out.push(row("RAG", s.label(), about.rag.rag(s).as_str(), ""));
    }
    if let Some(s) = &about.strategy {
        out.push(row("Strategy", &s.title, &s.years.to_string(), ""));
        for a in &s.ambitions {
            out.push(row("Ambition", &a.title, &a.number.to_string(), ""));
        }
    }
    let p = &about.portfolio;
    out.push(row("Portfolio", &p.name, p.code.as_str(), ""));
    if let Some(c) = &p.committee {
        out.push(row("Committee", c, "", ""));
    }
    out.push(row("Plan year", &about.year.to_string(), "", ""));
    for a in &about.alignments {
        out.push(row(
            "Alignment",
            &a.name,
            a.kind.as_str(),
            a.url.as_deref().unwrap_or(""),
        ));
    }
    out
}

fn about_sheet(book: &Workbook) -> Option<&Sheet> {
    book.sheet("About").or_else(|| {
        book.sheets.iter().find(|s| {
            s.rows.first().is_some_and(|r| {
                crate::headings::squash(&r.cell(0).text()) == "field"
                    && crate::headings::squash(&r.cell(1).text()) == "value"
            })
        })
    })
}

/// Read the About part of an export: the sheet "About", or a sheet (such
/// as the about CSV) headed Field, Value. None when there is none; every
/// problem when it is there but wrong.
pub fn read_about(book: &Workbook) -> Result<Option<About>, Problems> {
    let Some(sheet) = about_sheet(book) else {
        return Ok(None);
    };
    let mut problems = Collector::new(200);
    let mut body: Option<(Title, Slug)> = None;
    let mut scheme = None;
    let mut levels: Vec<String> = Vec::new();
    let mut rag = RagMapping::default();
    let mut strategy: Option<AboutStrategy> = None;
    let mut portfolio: Option<(Title, domain::PortfolioCode)> = None;
    let mut committee = None;
    let mut year = None;
    let mut alignments = Vec::new();
    for row in sheet.rows.iter().skip(1) {
        let n = row.number;
        let field = row.cell(0).text().trim().to_owned();
        let value = row.cell(1).text().trim().to_owned();
        let detail = row.cell(2).text().trim().to_owned();
        let link = row.cell(3).text().trim().to_owned();
        let mut bad = |column: &str, message: String| {
            problems.push(&sheet.name, Some(n), Some(column), message);
        };
        let title = |raw: &str, bad: &mut dyn FnMut(&str, String)| match Title::parse("value", raw)
        {
            Ok(t) => Some(t),
            Err(e) => {
                bad("Value", e.to_string());
                None
            }
        };
        match crate::headings::squash(&field).as_str() {
            "body" => {
                let slug = detail.parse::<Slug>();
                if let Err(e) = &slug {
                    bad("Detail", e.to_string());
                }
                if let (Some(t), Ok(s)) = (title(&value, &mut bad), slug) {
                    body = Some((t, s));
                }
            }
            "referencescheme" => scheme = Some(value),
            "level" => levels.push(value),
            "rag" => match (value.parse::<Status>(), detail.parse::<Rag>()) {
                (Ok(s), Ok(r)) => rag = rag.with(s, r),
                (Err(e), _) => bad("Value", e.to_string()),
                (_, Err(e)) => bad("Detail", e.to_string()),
            },
            "strategy" => {
                let years = detail.parse::<StrategyYears>();
                if let Err(e) = &years {
                    bad("Detail", e.to_string());
                }
                if let (Some(t), Ok(y)) = (title(&value, &mut bad), years) {
                    strategy = Some(AboutStrategy {
                        title: t,
                        years: y,
                        ambitions: Vec::new(),
                    });
                }
            }
            "ambition" => {
                let number = detail.parse::<u16>();
                if number.is_err() {
                    bad(
                        "Detail",
                        format!("'{detail}' is not an ambition number; write 1, 2, …"),
                    );
                }
                match (title(&value, &mut bad), number, strategy.as_mut()) {
                    (Some(t), Ok(number), Some(s)) => {
                        s.ambitions.push(AboutAmbition { number, title: t })
                    }
                    (_, _, None) => bad(
                        "Field",
                        "an ambition must follow its Strategy row".to_owned(),
                    ),
                    _ => {}
                }
            }
            "portfolio" => {
                let code = detail.parse::<domain::PortfolioCode>();
                if let Err(e) = &code {
                    bad("Detail", e.to_string());
                }
                if let (Some(t), Ok(c)) = (title(&value, &mut bad), code) {
                    portfolio = Some((t, c));
                }
            }
            "committee" => committee = title(&value, &mut bad),
            "planyear" => match value.parse::<FinancialYear>() {
                Ok(y) => year = Some(y),
                Err(e) => bad("Value", e.to_string()),
            },
            "alignment" => {
                let kind = detail.parse::<AlignmentKind>();
                if let Err(e) = &kind {
                    bad("Detail", e.to_string());
                }
                let url = if link.is_empty() {
                    Ok(None)
                } else {
                    domain::Alignment::parse_url(&link).map(Some)
                };
                if let Err(e) = &url {
                    bad("Link", e.to_string());
                }
                if let (Some(name), Ok(kind), Ok(url)) = (title(&value, &mut bad), kind, url) {
                    alignments.push(AboutAlignment { name, kind, url });
                }
            }
            "" => {}
            _ => bad(
                "Field",
                format!(
                    "'{field}' is not a field of the About sheet; the fields are Body, Reference scheme, Level, RAG, Strategy, Ambition, Portfolio, Committee, Plan year, Alignment"
                ),
            ),
        }
    }
    let level_names = match LevelNames::new(&levels) {
        Ok(l) => Some(l),
        Err(e) => {
            problems.push(&sheet.name, None, Some("Level"), e.to_string());
            None
        }
    };
    let mut missing = |what: &str| {
        problems.push(&sheet.name, None, None, format!("there is no {what} row"));
    };
    if body.is_none() {
        missing("Body");
    }
    if portfolio.is_none() {
        missing("Portfolio");
    }
    if year.is_none() {
        missing("Plan year");
    }
    if !problems.is_empty() {
        return Err(problems.finish(&book.file_name));
    }
    let ((body_name, body_slug), (name, code), year, level_names) = (
        body.expect("checked"),
        portfolio.expect("checked"),
        year.expect("checked"),
        level_names.expect("checked"),
    );
    Ok(Some(About {
        body_name,
        body_slug,
        reference_scheme: scheme.unwrap_or_default(),
        level_names,
        rag,
        strategy,
        portfolio: AboutPortfolio {
            code,
            name,
            committee,
        },
        year,
        alignments,
    }))
}
