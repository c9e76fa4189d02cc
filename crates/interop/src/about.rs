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
//! | Plan status | approved | 2024-03-20 (the day it was approved) | |
//! | Published | yes | 2024-04-02T09:30:00Z (when) | |
//! | Illustrative | partly (yes, partly or no) | what that means | |
//! | Alignment | Adult Social Care Strategy | strategy | https://… |
//!
//! Plan status, Published and Illustrative describe the plan itself; exports
//! made before they were carried have none of them, and read as before.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use domain::{
    AlignmentKind, FinancialYear, LevelNames, PlanState, PlanStatus, Rag, RagMapping, Slug, Status,
    StrategyYears, Title,
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

/// Whether a plan's records are example content (the `illustrative` flag
/// of its ambitions, items, actions and updates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Illustrative {
    /// None of them is.
    No,
    /// Some of them are.
    Partly,
    /// Every one of them is.
    Yes,
}

impl Illustrative {
    /// Of `flags` (one per record): yes when all are, no when none is
    /// (or there are none), else partly.
    pub fn of(flags: impl IntoIterator<Item = bool>) -> Self {
        let (mut any, mut all) = (false, true);
        for f in flags {
            any |= f;
            all &= f;
        }
        match (any, all) {
            (true, true) => Illustrative::Yes,
            (true, false) => Illustrative::Partly,
            (false, _) => Illustrative::No,
        }
    }

    /// "yes", "partly" or "no".
    pub fn as_str(self) -> &'static str {
        match self {
            Illustrative::No => "no",
            Illustrative::Partly => "partly",
            Illustrative::Yes => "yes",
        }
    }

    /// What the value means, for the About table's Detail column.
    fn meaning(self) -> &'static str {
        match self {
            Illustrative::No => "no record of this plan is marked as example content",
            Illustrative::Partly => {
                "some records of this plan are example content, not from a real plan; which ones is not carried, so an import marks every record it creates as example content"
            }
            Illustrative::Yes => {
                "every record of this plan is example content, not from a real plan; an import marks every record it creates so"
            }
        }
    }
}

impl std::str::FromStr for Illustrative {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        match crate::headings::squash(raw).as_str() {
            "no" | "none" | "false" => Ok(Illustrative::No),
            "partly" | "some" => Ok(Illustrative::Partly),
            "yes" | "all" | "true" => Ok(Illustrative::Yes),
            _ => Err(format!("'{raw}' is not accepted; write yes, partly or no")),
        }
    }
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
    /// The plan's status, approval and publication; none in exports made
    /// before they were carried.
    #[serde(default)]
    pub state: Option<PlanState>,
    /// Whether the plan's records are example content; none in exports
    /// made before it was carried.
    #[serde(default)]
    pub illustrative: Option<Illustrative>,
}

/// A publication time as the About table writes it: RFC 3339 in UTC, to the
/// microsecond when it has them, so it reads back the same.
fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A publication time as written (RFC 3339), as a spreadsheet may show it
/// ("2024-04-02 09:30", taken as UTC) or a day (its start, UTC).
fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    for form in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, form) {
            return Ok(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            format!(
                "'{raw}' is not a time; write when the plan was published, such as 2024-04-02T09:30:00Z or 2024-04-02"
            )
        })
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
    if let Some(st) = &about.state {
        let approved = st.approved_on.map(|d| d.to_string()).unwrap_or_default();
        out.push(row("Plan status", st.status.as_str(), &approved, ""));
        match &st.published_at {
            Some(t) => out.push(row("Published", "yes", &time_text(t), "")),
            None => out.push(row("Published", "no", "", "")),
        }
    }
    if let Some(i) = about.illustrative {
        out.push(row("Illustrative", i.as_str(), i.meaning(), ""));
    }
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
    let mut status: Option<(PlanStatus, Option<NaiveDate>)> = None;
    let mut published: Option<Option<DateTime<Utc>>> = None;
    let mut illustrative = None;
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
            "planstatus" => {
                let plan_status = value.parse::<PlanStatus>();
                if let Err(e) = &plan_status {
                    bad("Value", e.to_string());
                }
                let approved_on = if detail.is_empty() {
                    Ok(None)
                } else {
                    NaiveDate::parse_from_str(&detail, "%Y-%m-%d").map(Some)
                };
                if approved_on.is_err() {
                    bad(
                        "Detail",
                        format!(
                            "'{detail}' is not a day; write the day the plan was approved, such as 2024-03-20, or leave it blank"
                        ),
                    );
                }
                match (plan_status, approved_on) {
                    (Ok(PlanStatus::Draft), Ok(Some(_))) => bad(
                        "Detail",
                        "a draft plan has not been approved; leave the day blank or give the status approved".to_owned(),
                    ),
                    (Ok(s), Ok(on)) => status = Some((s, on)),
                    _ => {}
                }
            }
            "published" => match crate::headings::squash(&value).as_str() {
                "no" => published = Some(None),
                "yes" => match parse_time(&detail) {
                    Ok(t) => published = Some(Some(t)),
                    Err(e) => bad("Detail", e),
                },
                _ => bad(
                    "Value",
                    format!("'{value}' is not accepted; write yes (with the time in Detail) or no"),
                ),
            },
            "illustrative" => match value.parse::<Illustrative>() {
                Ok(i) => illustrative = Some(i),
                Err(e) => bad("Value", e),
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
                    "'{field}' is not a field of the About sheet; the fields are Body, Reference scheme, Level, RAG, Strategy, Ambition, Portfolio, Committee, Plan year, Plan status, Published, Illustrative, Alignment"
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
    if published.is_some() && status.is_none() {
        problems.push(
            &sheet.name,
            None,
            Some("Field"),
            "a Published row needs a Plan status row".to_owned(),
        );
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
        state: status.map(|(status, approved_on)| PlanState {
            status,
            approved_on,
            published_at: published.flatten(),
        }),
        illustrative,
    }))
}
