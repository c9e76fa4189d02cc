//! A plan as StratML Part 2 (ISO 17469-2, "Performance Plan or Report",
//! schema of 2016-02-16), and such a document read back.
//!
//! **Writing** ([`write_stratml`]): a Performance Plan, or, given a
//! reporting period, a Performance Report of the updates up to and
//! including it. The plan's tree is the document's goals, in tree order:
//! an ambition (the top level) is a goal, and so is each item below it,
//! whose `OtherInformation` says its level and the goal it sits within
//! (`Level: 2 (Priority)`, `Within: item-1`). Each action is an objective
//! of the goal of its item, its reference the `SequenceIndicator`, its
//! lead a stakeholder in the role "Lead" (a performer) and its directorate
//! one in the role "Directorate"; its target date and the action it
//! continues are its `OtherInformation`. Each measure is a performance
//! indicator: an indicator `Quantitative` (name as the measurement
//! dimension, unit, one measurement instance per period with its target
//! and, in a report, its actual result, direction and baseline in its
//! `OtherInformation`), a statement `Qualitative`. A report adds to each
//! action with updates a `Qualitative` "Progress" indicator: per period an
//! actual result with the status as a descriptor named "Status", the
//! percent complete as its number of units and the commentary as its
//! description (author and key achievement in its `OtherInformation`).
//! The root's `OtherInformation` holds the export's About table (see
//! [`crate::about`]) as tab-separated lines, so an empty database can take
//! the document. Dates are ISO days; a period is the span of its days
//! (1 April to 30 September is H1, 1 October to 31 March H2, 1 April to 31
//! March the year).
//!
//! **Reading** ([`read_stratml`]) takes the same mapping back to a
//! [`PlanSheet`] with the same checks as an export's JSON. The reader
//! refuses a DOCTYPE (so no entity can be defined, nor an external one
//! fetched), expands only XML's five entities and character references,
//! and keeps within [`StratmlLimits`] (file size, element depth and count,
//! text in one element), so memory stays bounded whatever the input.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use domain::{
    Direction, FinancialYear, Half, Indicator, Measure, MeasureTarget, Percent, ReportingPeriod,
    Status, TargetDate, Text, Title,
};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::about::{self, About};
use crate::export::{PlanExport, check_plan};
use crate::plan::{PlanSheet, SheetAction, SheetActual, SheetItem, SheetUpdate};
use crate::workbook::{Cell, FileKind, Row, Sheet, Workbook};

/// The namespace of StratML Part 2 documents.
pub const NAMESPACE: &str = "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport";

/// The media type a StratML document is served as.
pub const MEDIA_TYPE: &str = "application/xml";

/// The identifier of the one goal a plan with no items is written with
/// (the schema needs a goal); the reader skips it.
const EMPTY_GOAL: &str = "empty-plan";

/// What the reader accepts at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StratmlLimits {
    /// The file's size in bytes.
    pub max_bytes: usize,
    /// How deep elements may nest (a plan written by Ambit nests 7 deep).
    pub max_depth: usize,
    /// Elements in the whole document.
    pub max_elements: usize,
    /// Bytes of text (and of each attribute value) in one element.
    pub max_text_bytes: usize,
}

impl Default for StratmlLimits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_depth: 32,
            max_elements: 1_000_000,
            max_text_bytes: 256 * 1024,
        }
    }
}

/// Why a StratML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StratmlError {
    /// The file is refused whole: over a limit, or holding what the reader
    /// does not accept (a DOCTYPE, an entity other than XML's own).
    #[error("{file}: {why}; nothing was imported")]
    Refused {
        /// The file's name.
        file: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// The file is not well-formed XML.
    #[error(
        "{file}: this is not well-formed XML ({detail}, near byte {position}); export the plan again or correct the file"
    )]
    Malformed {
        /// The file's name.
        file: String,
        /// What is wrong.
        detail: String,
        /// About where, in bytes from the start.
        position: u64,
    },
    /// The XML is not a StratML Part 2 document.
    #[error(
        "{file}: this is not a StratML performance plan or report ({found}); give a file written by `ambit export plan --format stratml` or another StratML Part 2 document"
    )]
    NotStratml {
        /// The file's name.
        file: String,
        /// What was found instead.
        found: String,
    },
    /// The document was read and has these problems; nothing was imported.
    #[error("{file}: {} problem{} found; nothing was imported{}", .list.len(), if .list.len() == 1 { "" } else { "s" }, list_text(.list))]
    Problems {
        /// The file's name.
        file: String,
        /// Each problem, placed by the goal and objective it is in.
        list: Vec<String>,
    },
}

fn list_text(list: &[String]) -> String {
    list.iter().fold(String::new(), |mut out, p| {
        let _ = write!(out, "\n  {p}");
        out
    })
}

/// A StratML document read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StratmlPlan {
    /// The About part, when the document carries one (Ambit's do).
    pub about: Option<About>,
    /// The plan.
    pub plan: PlanSheet,
    /// Whether it is a performance report (with results) rather than a plan.
    pub report: bool,
}

// ---------------------------------------------------------------- writing

/// Builds the document as text; every value is escaped.
struct Out {
    xml: String,
    depth: usize,
}

impl Out {
    fn indent(&mut self) {
        self.xml.push('\n');
        for _ in 0..self.depth {
            self.xml.push_str("  ");
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.xml.push('<');
        self.xml.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.xml, " {k}=\"{}\"", quick_xml::escape::escape(*v));
        }
        self.xml.push('>');
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = write!(self.xml, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = write!(
            self.xml,
            "<{name}>{}</{name}>",
            quick_xml::escape::partial_escape(text)
        );
    }
}

/// A number as `xsd:decimal` writes it (never with an exponent).
fn decimal(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// The days a target or result covers: a half, or the whole year.
fn span(year: FinancialYear, half: Option<Half>) -> (NaiveDate, NaiveDate) {
    match half {
        Some(h) => {
            let p = ReportingPeriod::new(year, h);
            (p.first_day(), p.last_day())
        }
        None => (year.first_day(), year.last_day()),
    }
}

/// The year (and half) a span of days is, if it is one.
fn period_of(start: NaiveDate, end: NaiveDate) -> Option<(FinancialYear, Option<Half>)> {
    let year = FinancialYear::containing(start);
    [None, Some(Half::H1), Some(Half::H2)]
        .into_iter()
        .find(|h| span(year, *h) == (start, end))
        .map(|h| (year, h))
}

fn result(out: &mut Out, element: &str, days: (NaiveDate, NaiveDate), value: Option<f64>) {
    out.open(element, &[]);
    out.leaf("StartDate", &days.0.to_string());
    out.leaf("EndDate", &days.1.to_string());
    if let Some(v) = value {
        out.leaf("NumberOfUnits", &decimal(v));
    }
    out.close(element);
}

/// The plan of `export` as a StratML Part 2 document: a Performance Plan,
/// or with `report`, a Performance Report with each action's updates and
/// figures for the periods up to and including it.
pub fn write_stratml(export: &PlanExport, report: Option<ReportingPeriod>) -> Vec<u8> {
    let about = &export.about;
    let plan = &export.plan;
    let levels = &about.level_names;
    let mut out = Out {
        xml: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        depth: 0,
    };
    let kind = if report.is_some() {
        "Performance_Report"
    } else {
        "Performance_Plan"
    };
    out.open(
        "PerformancePlanOrReport",
        &[("xmlns", NAMESPACE), ("Type", kind)],
    );
    out.leaf(
        "Name",
        &format!("{} plan {}", about.portfolio.name, about.year),
    );
    let mut description = format!(
        "{}: the {} portfolio's plan for {}",
        about.body_name, about.portfolio.name, about.year
    );
    if let Some(p) = report {
        let _ = write!(description, ", with progress reported to the end of {p}");
    }
    description.push('.');
    out.leaf("Description", &description);
    let table: Vec<String> = about::rows(about)
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| c.replace(['\t', '\n', '\r'], " "))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    out.leaf("OtherInformation", &table.join("\n"));
    out.open("StrategicPlanCore", &[]);
    out.open("Organization", &[]);
    out.leaf("Name", &about.body_name);
    out.leaf("Acronym", about.body_slug.as_str());
    out.leaf(
        "Description",
        &format!(
            "{} portfolio ({})",
            about.portfolio.name, about.portfolio.code
        ),
    );
    if let Some(c) = &about.portfolio.committee {
        stakeholder(&mut out, c, "Scrutiny committee", true);
    }
    out.close("Organization");

    let mut actions_of: Vec<Vec<usize>> = vec![Vec::new(); plan.items.len()];
    for (i, a) in plan.actions.iter().enumerate() {
        if let Some(it) = a.item.filter(|it| *it < plan.items.len()) {
            actions_of[it].push(i);
        }
    }
    let mut updates_of: HashMap<String, Vec<&SheetUpdate>> = HashMap::new();
    if let Some(upto) = report {
        for u in plan.updates.iter().filter(|u| u.period <= upto) {
            updates_of
                .entry(crate::reference_key(&u.action))
                .or_default()
                .push(u);
        }
    }
    if plan.items.is_empty() {
        out.open("Goal", &[]);
        out.leaf(
            "Name",
            &format!("{} plan {}", about.portfolio.name, about.year),
        );
        out.leaf("Description", "The plan has no ambitions or actions yet.");
        out.leaf("Identifier", EMPTY_GOAL);
        out.close("Goal");
    }
    for (i, item) in plan.items.iter().enumerate() {
        out.open("Goal", &[]);
        out.leaf("Name", &item.title);
        let level = levels.name(item.depth);
        out.leaf(
            "Description",
            &match &item.reference {
                Some(r) => format!("{level} {r}"),
                None => level.to_owned(),
            },
        );
        out.leaf("Identifier", &format!("item-{}", i + 1));
        if let Some(r) = &item.reference {
            out.leaf("SequenceIndicator", r);
        }
        let mut info = format!("Level: {} ({level})", item.depth + 1);
        if let Some(p) = item.parent {
            let _ = write!(info, "\nWithin: item-{}", p + 1);
        }
        out.leaf("OtherInformation", &info);
        for &a in &actions_of[i] {
            let action = &plan.actions[a];
            let key = crate::reference_key(&action.reference);
            let updates = updates_of
                .get(key.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            objective(&mut out, action, a + 1, updates);
        }
        out.close("Goal");
    }
    out.close("StrategicPlanCore");
    out.open("AdministrativeInformation", &[]);
    out.leaf("StartDate", &about.year.first_day().to_string());
    let end = report.map_or(about.year.last_day(), ReportingPeriod::last_day);
    out.leaf("EndDate", &end.to_string());
    if let Some(t) = about.state.as_ref().and_then(|s| s.published_at) {
        out.leaf("PublicationDate", &t.date_naive().to_string());
    }
    out.close("AdministrativeInformation");
    out.close("PerformancePlanOrReport");
    out.xml.push('\n');
    out.xml.into_bytes()
}

fn stakeholder(out: &mut Out, name: &str, role: &str, organisation: bool) {
    if organisation {
        out.open("Stakeholder", &[("StakeholderTypeType", "Organization")]);
    } else {
        out.open("Stakeholder", &[]);
    }
    out.leaf("Name", name);
    out.open("Role", &[]);
    out.leaf("Name", role);
    out.leaf("RoleType", "Performer");
    out.close("Role");
    out.close("Stakeholder");
}

fn objective(out: &mut Out, action: &SheetAction, n: usize, updates: &[&SheetUpdate]) {
    out.open("Objective", &[]);
    out.leaf("Name", &action.title);
    out.leaf("Identifier", &format!("action-{n}"));
    out.leaf("SequenceIndicator", &action.reference);
    if let Some(lead) = &action.lead {
        stakeholder(out, lead, "Lead", false);
    }
    if let Some(d) = &action.directorate {
        stakeholder(out, d, "Directorate", true);
    }
    let mut info = Vec::new();
    if let Some(t) = action.target {
        info.push(format!("Target date: {}", t.to_iso()));
    }
    if let Some(c) = &action.continues {
        info.push(format!("Continues: {c}"));
    }
    if !info.is_empty() {
        out.leaf("OtherInformation", &info.join("\n"));
    }
    for (m, measure) in action.measures.iter().enumerate() {
        let id = format!("action-{n}-measure-{}", m + 1);
        match measure {
            Measure::Statement { text } => {
                out.open(
                    "PerformanceIndicator",
                    &[("PerformanceIndicatorType", "Qualitative")],
                );
                out.leaf("SequenceIndicator", &(m + 1).to_string());
                out.leaf("MeasurementDimension", text.as_str());
                out.leaf("UnitOfMeasurement", "");
                out.leaf("Identifier", &id);
                out.close("PerformanceIndicator");
            }
            Measure::Indicator(i) => indicator(out, i, m + 1, &id, updates),
        }
    }
    if !updates.is_empty() {
        progress(out, n, updates);
    }
    out.close("Objective");
}

fn indicator(out: &mut Out, i: &Indicator, seq: usize, id: &str, updates: &[&SheetUpdate]) {
    out.open(
        "PerformanceIndicator",
        &[("PerformanceIndicatorType", "Quantitative")],
    );
    out.leaf("SequenceIndicator", &seq.to_string());
    out.leaf("MeasurementDimension", &i.name);
    out.leaf("UnitOfMeasurement", &i.unit);
    out.leaf("Identifier", id);
    // One measurement instance per span of days, the targets' in their
    // order and then the reported periods': the target set for it and the
    // figure reported for it.
    let mut spans: Vec<(NaiveDate, NaiveDate)> = i
        .targets
        .iter()
        .map(|t| span(t.year, t.half))
        .chain(
            updates
                .iter()
                .filter(|u| {
                    u.actuals
                        .iter()
                        .any(|a| a.indicator.to_lowercase() == i.name.to_lowercase())
                })
                .map(|u| span(u.period.year, Some(u.period.half))),
        )
        .collect();
    let mut seen = std::collections::HashSet::new();
    spans.retain(|s| seen.insert(*s));
    for days in spans {
        out.open("MeasurementInstance", &[]);
        for t in i.targets.iter().filter(|t| span(t.year, t.half) == days) {
            result(out, "TargetResult", days, Some(t.value));
        }
        for u in updates
            .iter()
            .filter(|u| span(u.period.year, Some(u.period.half)) == days)
        {
            for a in u
                .actuals
                .iter()
                .filter(|a| a.indicator.to_lowercase() == i.name.to_lowercase())
            {
                result(out, "ActualResult", days, Some(a.value));
            }
        }
        out.close("MeasurementInstance");
    }
    let mut info = format!("Direction: {} ({})", i.direction, i.direction.describe());
    if let Some(b) = i.baseline {
        let _ = write!(info, "\nBaseline: {}", decimal(b));
    }
    out.leaf("OtherInformation", &info);
    out.close("PerformanceIndicator");
}

fn progress(out: &mut Out, n: usize, updates: &[&SheetUpdate]) {
    out.open(
        "PerformanceIndicator",
        &[("PerformanceIndicatorType", "Qualitative")],
    );
    out.leaf("MeasurementDimension", "Progress");
    out.leaf("UnitOfMeasurement", "percent complete");
    out.leaf("Identifier", &format!("action-{n}-progress"));
    let mut info = Vec::new();
    for u in updates {
        let (start, end) = span(u.period.year, Some(u.period.half));
        out.open("MeasurementInstance", &[]);
        out.open("ActualResult", &[]);
        out.leaf("StartDate", &start.to_string());
        out.leaf("EndDate", &end.to_string());
        if let Some(p) = u.percent {
            out.leaf("NumberOfUnits", &p.value().to_string());
        }
        out.open("Descriptor", &[]);
        out.leaf("DescriptorName", "Status");
        out.leaf("DescriptorValue", u.status.label());
        out.close("Descriptor");
        if !u.commentary.is_empty() {
            out.leaf("Description", u.commentary.as_str());
        }
        out.close("ActualResult");
        out.close("MeasurementInstance");
        if let Some(a) = &u.author {
            info.push(format!("Author {}: {a}", u.period));
        }
        if u.key_achievement {
            info.push(format!("Key achievement: {}", u.period));
        }
    }
    if !info.is_empty() {
        out.leaf("OtherInformation", &info.join("\n"));
    }
    out.close("PerformanceIndicator");
}

// ---------------------------------------------------------------- reading

/// One element as read: its local name, attributes (local names), text
/// and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the child `name`, if there is one and it is not
    /// blank.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> String {
    name.to_owned()
}

/// Parse `bytes` into elements within `limits`, refusing DOCTYPEs and any
/// entity XML does not define itself.
fn parse(file: &str, bytes: &[u8], limits: &StratmlLimits) -> Result<Node, StratmlError> {
    let refused = |why: String| StratmlError::Refused {
        file: file.to_owned(),
        why,
    };
    if bytes.len() > limits.max_bytes {
        return Err(refused(format!(
            "the file is {} bytes, more than the {} a StratML document may be",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| StratmlError::Malformed {
        file: file.to_owned(),
        detail: "it is not UTF-8 text; save it as UTF-8".to_owned(),
        position: e.valid_up_to() as u64,
    })?;
    let mut reader = Reader::from_str(text);
    let malformed = |reader: &Reader<&[u8]>, detail: String| StratmlError::Malformed {
        file: file.to_owned(),
        detail,
        position: reader.error_position(),
    };
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    let open = |e: &BytesStart<'_>,
                stack: &Vec<Node>,
                elements: &mut usize|
     -> Result<Node, StratmlError> {
        *elements += 1;
        if *elements > limits.max_elements {
            return Err(refused(format!(
                "it has more than {} elements",
                limits.max_elements
            )));
        }
        if stack.len() >= limits.max_depth {
            return Err(refused(format!(
                "its elements nest more than {} deep",
                limits.max_depth
            )));
        }
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| StratmlError::Malformed {
                file: file.to_owned(),
                detail: err.to_string(),
                position: 0,
            })?;
            let key = local(a.key.local_name().as_ref());
            if key == "xmlns" || a.key.as_ref().starts_with("xmlns:") {
                continue;
            }
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| {
                    refused(format!(
                        "the attribute {key} has a reference XML does not define ({err}); write the character itself"
                    ))
                })?;
            if value.len() > limits.max_text_bytes {
                return Err(refused(format!(
                    "the attribute {key} is longer than {} bytes",
                    limits.max_text_bytes
                )));
            }
            attrs.push((key, value.into_owned()));
        }
        Ok(Node {
            name: local(e.local_name().as_ref()),
            attrs,
            ..Node::default()
        })
    };
    let push_text = |stack: &mut Vec<Node>, s: &str| -> Result<(), StratmlError> {
        if let Some(top) = stack.last_mut() {
            if top.text.len() + s.len() > limits.max_text_bytes {
                return Err(refused(format!(
                    "the text of a <{}> element is longer than {} bytes",
                    top.name, limits.max_text_bytes
                )));
            }
            top.text.push_str(s);
        }
        Ok(())
    };
    let close = |stack: &mut Vec<Node>, root: &mut Option<Node>, node: Node| match stack.last_mut()
    {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(&reader, e.to_string()))?;
        match event {
            Event::DocType(_) => {
                return Err(refused(
                    "it has a DOCTYPE declaration, which can define entities and fetch external files; StratML needs none, so remove the <!DOCTYPE …> and import it again".to_owned(),
                ));
            }
            Event::Start(e) => {
                if root.is_some() {
                    return Err(malformed(
                        &reader,
                        "there is more than one root element".into(),
                    ));
                }
                let node = open(&e, &stack, &mut elements)?;
                stack.push(node);
            }
            Event::Empty(e) => {
                if root.is_some() {
                    return Err(malformed(
                        &reader,
                        "there is more than one root element".into(),
                    ));
                }
                let node = open(&e, &stack, &mut elements)?;
                close(&mut stack, &mut root, node);
            }
            Event::End(_) => {
                if let Some(node) = stack.pop() {
                    close(&mut stack, &mut root, node);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let c = resolve(&r).ok_or_else(|| {
                    refused(format!(
                        "it refers to the entity &{};, which XML does not define; Ambit expands only &amp; &lt; &gt; &quot; &apos; and character references, so write the text itself",
                        r.xml10_content()
                    ))
                })?;
                push_text(&mut stack, &c)?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            &reader,
            format!(
                "the <{}> element is not closed",
                stack[stack.len() - 1].name
            ),
        ));
    }
    root.ok_or_else(|| StratmlError::NotStratml {
        file: file.to_owned(),
        found: "it has no elements".to_owned(),
    })
}

/// What an entity or character reference stands for: XML's five entities
/// and character references only.
fn resolve(r: &BytesRef<'_>) -> Option<String> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().map(String::from);
    }
    quick_xml::escape::resolve_xml_entity(&r.xml10_content()).map(str::to_owned)
}

/// Collects the problems of a document, each placed by where it is.
struct Problems {
    list: Vec<String>,
}

impl Problems {
    const CAP: usize = 200;

    fn push(&mut self, at: &str, message: impl std::fmt::Display) {
        if self.list.len() < Self::CAP {
            self.list.push(format!("{at}: {message}"));
        }
    }
}

/// `Key: value` lines of an `OtherInformation`, keys compared ignoring case.
fn info_lines(node: &Node) -> Vec<(String, String)> {
    node.child("OtherInformation")
        .map(|o| {
            o.text
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn info<'a>(lines: &'a [(String, String)], key: &str) -> Option<&'a str> {
    lines
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The About table of the root's `OtherInformation`, when it holds one.
fn read_about_table(file: &str, root: &Node) -> Result<Option<About>, StratmlError> {
    let Some(text) = root.child("OtherInformation").map(|o| o.text.trim()) else {
        return Ok(None);
    };
    let mut lines = text.lines();
    let is_table = lines.next().is_some_and(|first| {
        let mut cells = first.split('\t').map(str::trim);
        cells.next() == Some("Field") && cells.next() == Some("Value")
    });
    if !is_table {
        return Ok(None);
    }
    let rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| Row {
            number: u32::try_from(i + 1).unwrap_or(u32::MAX),
            cells: l.split('\t').map(|c| Cell::Text(c.to_owned())).collect(),
        })
        .collect();
    let book = Workbook {
        file_name: file.to_owned(),
        kind: FileKind::Csv,
        sheets: vec![Sheet {
            name: "About".to_owned(),
            rows,
        }],
    };
    crate::read_about(&book).map_err(|p| StratmlError::Problems {
        file: file.to_owned(),
        list: p
            .list
            .iter()
            .map(|x| {
                format!(
                    "the About table (the document's OtherInformation), line {}: {}",
                    x.row.unwrap_or(0),
                    x.message
                )
            })
            .collect(),
    })
}

fn day(raw: Option<&str>) -> Option<NaiveDate> {
    raw.and_then(|r| NaiveDate::parse_from_str(r, "%Y-%m-%d").ok())
}

/// The year and half a target or actual result covers, from its dates.
fn result_period(r: &Node) -> Result<(FinancialYear, Option<Half>), String> {
    let (start, end) = (r.text_of("StartDate"), r.text_of("EndDate"));
    match (day(start), day(end)) {
        (Some(s), Some(e)) => period_of(s, e).ok_or_else(|| {
            format!(
                "{s} to {e} is not a half or whole financial year; give 1 April to 30 September, 1 October to 31 March or 1 April to 31 March"
            )
        }),
        _ => Err(format!(
            "its StartDate and EndDate ('{}' and '{}') must be days such as 2024-04-01",
            start.unwrap_or(""),
            end.unwrap_or("")
        )),
    }
}

fn number(r: &Node) -> Result<Option<f64>, String> {
    match r.text_of("NumberOfUnits") {
        None => Ok(None),
        Some(t) => t
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| format!("NumberOfUnits '{t}' is not a number")),
    }
}

fn is_progress(pi: &Node) -> bool {
    pi.all("MeasurementInstance")
        .flat_map(|m| m.all("ActualResult"))
        .any(|r| {
            r.child("Descriptor")
                .and_then(|d| d.text_of("DescriptorName"))
                .is_some_and(|n| n.eq_ignore_ascii_case("status"))
        })
}

/// Read a StratML Part 2 document (a performance plan or report) back to
/// a plan, with the About part when it carries one; within `limits`. Every
/// problem in its content is listed, placed by goal and objective.
pub fn read_stratml(
    file_name: &str,
    bytes: &[u8],
    limits: &StratmlLimits,
) -> Result<StratmlPlan, StratmlError> {
    let root = parse(file_name, bytes, limits)?;
    if root.name != "PerformancePlanOrReport" {
        return Err(StratmlError::NotStratml {
            file: file_name.to_owned(),
            found: format!("its root element is <{}>", root.name),
        });
    }
    let report = root.attr("Type") == Some("Performance_Report");
    let Some(core) = root.child("StrategicPlanCore") else {
        return Err(StratmlError::NotStratml {
            file: file_name.to_owned(),
            found: "it has no StrategicPlanCore".to_owned(),
        });
    };
    let about = read_about_table(file_name, &root)?;
    let mut problems = Problems { list: Vec::new() };
    let mut plan = PlanSheet::default();
    let mut goal_index: HashMap<String, usize> = HashMap::new();
    let mut updates: Vec<(usize, SheetUpdate)> = Vec::new();
    for (g, goal) in core.all("Goal").enumerate() {
        let id = goal.text_of("Identifier");
        if id == Some(EMPTY_GOAL) && goal.child("Objective").is_none() {
            continue;
        }
        let at = format!(
            "Goal {} ({})",
            g + 1,
            goal.text_of("Name").unwrap_or("without a Name")
        );
        let lines = info_lines(goal);
        let parent = match info(&lines, "within") {
            None => None,
            Some(p) => match goal_index.get(p) {
                Some(i) => Some(*i),
                None => {
                    problems.push(
                        &at,
                        format!(
                            "it is within '{p}', which is not the Identifier of a goal before it"
                        ),
                    );
                    None
                }
            },
        };
        let depth = match info(&lines, "level") {
            Some(l) => match l
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=16).contains(n))
            {
                Some(n) => n - 1,
                None => {
                    problems.push(&at, format!("Level '{l}' is not a level from 1 to 16"));
                    0
                }
            },
            None => parent.map_or(0, |p| plan.items[p].depth + 1),
        };
        if let Some(p) = parent
            && plan.items[p].depth >= depth
        {
            problems.push(
                &at,
                format!(
                    "it is at level {} within a goal at level {}; a goal sits within one above it",
                    depth + 1,
                    plan.items[p].depth + 1
                ),
            );
        }
        let title = match Title::parse("Name", goal.text_of("Name").unwrap_or("")) {
            Ok(t) => t,
            Err(e) => {
                problems.push(&at, e);
                continue;
            }
        };
        let index = plan.items.len();
        if let Some(id) = id {
            goal_index.insert(id.to_owned(), index);
        }
        plan.items.push(SheetItem {
            depth,
            reference: goal.text_of("SequenceIndicator").map(str::to_owned),
            title,
            parent,
        });
        for (o, objective) in goal.all("Objective").enumerate() {
            let at = format!(
                "{at}, Objective {} ({})",
                o + 1,
                objective
                    .text_of("SequenceIndicator")
                    .or(objective.text_of("Name"))
                    .unwrap_or("without a SequenceIndicator")
            );
            if let Some((action, mut ups)) = read_objective(objective, index, &at, &mut problems) {
                let n = plan.actions.len();
                plan.actions.push(action);
                updates.extend(ups.drain(..).map(|u| (n, u)));
            }
        }
    }
    updates.sort_by_key(|(n, u)| (u.period, *n));
    plan.updates = updates.into_iter().map(|(_, u)| u).collect();
    check_plan(&plan, &mut |m| problems.push("Plan", m));
    if problems.list.is_empty() {
        Ok(StratmlPlan {
            about,
            plan,
            report,
        })
    } else {
        Err(StratmlError::Problems {
            file: file_name.to_owned(),
            list: problems.list,
        })
    }
}

/// The action an objective is, with its updates.
fn read_objective(
    objective: &Node,
    item: usize,
    at: &str,
    problems: &mut Problems,
) -> Option<(SheetAction, Vec<SheetUpdate>)> {
    let before = problems.list.len();
    let reference = objective.text_of("SequenceIndicator").map(str::to_owned);
    if reference.is_none() {
        problems.push(
            at,
            "it has no SequenceIndicator; give the action's reference there",
        );
    }
    let title = Title::parse("Name", objective.text_of("Name").unwrap_or(""))
        .map_err(|e| problems.push(at, e))
        .ok();
    let role_of = |s: &Node| {
        s.child("Role")
            .and_then(|r| r.text_of("Name"))
            .map(str::to_lowercase)
    };
    let stakeholders: Vec<&Node> = objective.all("Stakeholder").collect();
    let lead_node = stakeholders
        .iter()
        .find(|s| role_of(s).as_deref() == Some("lead"))
        .or_else(|| {
            stakeholders
                .iter()
                .find(|s| role_of(s).as_deref() != Some("directorate"))
        });
    let mut person = |s: Option<&&Node>, what: &str| {
        s.and_then(|s| s.text_of("Name")).and_then(|n| {
            Title::parse("Stakeholder", n)
                .map_err(|e| problems.push(at, format!("its {what}: {e}")))
                .ok()
        })
    };
    let lead = person(lead_node, "lead");
    let directorate = person(
        stakeholders
            .iter()
            .find(|s| role_of(s).as_deref() == Some("directorate")),
        "directorate",
    );
    let lines = info_lines(objective);
    let target = info(&lines, "target date").and_then(|t| {
        t.parse::<TargetDate>()
            .map_err(|e| problems.push(at, e))
            .ok()
    });
    let continues = info(&lines, "continues").map(str::to_owned);
    let mut measures = Vec::new();
    let mut actuals: Vec<(ReportingPeriod, SheetActual)> = Vec::new();
    let mut updates = Vec::new();
    for (p, pi) in objective.all("PerformanceIndicator").enumerate() {
        let at = format!("{at}, PerformanceIndicator {}", p + 1);
        if is_progress(pi) {
            updates.extend(read_progress(
                pi,
                reference.as_deref().unwrap_or(""),
                &at,
                problems,
            ));
            continue;
        }
        let dimension = pi.text_of("MeasurementDimension").unwrap_or("");
        let unit = pi.text_of("UnitOfMeasurement");
        let quantitative = match pi.attr("PerformanceIndicatorType") {
            Some("Quantitative") => true,
            Some("Qualitative") => false,
            _ => unit.is_some(),
        };
        if !quantitative {
            match Measure::statement(dimension) {
                Ok(m) => measures.push(m),
                Err(e) => problems.push(&at, e),
            }
            continue;
        }
        if let Some(m) = read_indicator(pi, dimension, unit, &at, problems, &mut actuals) {
            measures.push(m);
        }
    }
    let reference = reference?;
    // A figure whose period's status was wrong is not reported again.
    let checked = problems.list.len() == before;
    for (period, actual) in actuals.into_iter().filter(|_| checked) {
        match updates.iter_mut().find(|u: &&mut SheetUpdate| u.period == period) {
            Some(u) => u.actuals.push(actual),
            None => problems.push(
                at,
                format!(
                    "it has an actual result for '{}' in {period} but no status for that period; give the Progress indicator's result for {period}",
                    actual.indicator
                ),
            ),
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some((
        SheetAction {
            reference,
            title: title?,
            lead,
            directorate,
            target,
            continues,
            measures,
            item: Some(item),
        },
        updates,
    ))
}

fn read_indicator(
    pi: &Node,
    dimension: &str,
    unit: Option<&str>,
    at: &str,
    problems: &mut Problems,
    actuals: &mut Vec<(ReportingPeriod, SheetActual)>,
) -> Option<Measure> {
    let before = problems.list.len();
    let name = Title::parse("MeasurementDimension", dimension)
        .map_err(|e| problems.push(at, e))
        .ok();
    let unit = Title::parse("UnitOfMeasurement", unit.unwrap_or(""))
        .map_err(|e| problems.push(at, format!("an indicator needs a unit: {e}")))
        .ok();
    let lines = info_lines(pi);
    let direction = match info(&lines, "direction") {
        None => Direction::Up,
        Some(d) => d
            .split(" (")
            .next()
            .unwrap_or(d)
            .parse()
            .map_err(|e| problems.push(at, e))
            .unwrap_or(Direction::Up),
    };
    let baseline = info(&lines, "baseline").and_then(|b| {
        b.parse::<f64>().ok().filter(|n| n.is_finite()).or_else(|| {
            problems.push(at, format!("Baseline '{b}' is not a number"));
            None
        })
    });
    let mut targets = Vec::new();
    for instance in pi.all("MeasurementInstance") {
        for t in instance.all("TargetResult") {
            match (result_period(t), number(t)) {
                (Ok((year, half)), Ok(Some(value))) => {
                    targets.push(MeasureTarget { year, half, value })
                }
                (Ok(_), Ok(None)) => {}
                (Err(e), _) | (_, Err(e)) => problems.push(at, format!("a TargetResult: {e}")),
            }
        }
        for r in instance.all("ActualResult") {
            match (result_period(r), number(r)) {
                (Ok((year, Some(half))), Ok(Some(value))) => actuals.push((
                    ReportingPeriod::new(year, half),
                    SheetActual {
                        indicator: dimension.to_owned(),
                        value,
                    },
                )),
                (Ok((year, None)), Ok(Some(_))) => problems.push(
                    at,
                    format!("an ActualResult covers the whole of {year}; give the figure for a half year (1 October to 31 March for the year end)"),
                ),
                (Ok(_), Ok(None)) => {}
                (Err(e), _) | (_, Err(e)) => problems.push(at, format!("an ActualResult: {e}")),
            }
        }
    }
    if problems.list.len() > before {
        return None;
    }
    match Indicator::new(name?, unit?, direction, baseline, targets) {
        Ok(i) => Some(Measure::Indicator(i)),
        Err(e) => {
            problems.push(at, e);
            None
        }
    }
}

fn read_progress(pi: &Node, action: &str, at: &str, problems: &mut Problems) -> Vec<SheetUpdate> {
    let lines = info_lines(pi);
    let mut out: Vec<SheetUpdate> = Vec::new();
    for r in pi
        .all("MeasurementInstance")
        .flat_map(|m| m.all("ActualResult"))
    {
        let period = match result_period(r) {
            Ok((year, Some(half))) => ReportingPeriod::new(year, half),
            Ok((year, None)) => {
                problems.push(
                    at,
                    format!("a status covers the whole of {year}; give it for a half year"),
                );
                continue;
            }
            Err(e) => {
                problems.push(at, format!("a status: {e}"));
                continue;
            }
        };
        let status = match r
            .child("Descriptor")
            .and_then(|d| d.text_of("DescriptorValue"))
            .map(str::parse::<Status>)
        {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                problems.push(at, format!("{period}: {e}"));
                continue;
            }
            None => {
                problems.push(
                    at,
                    format!("{period}: the Status descriptor has no DescriptorValue"),
                );
                continue;
            }
        };
        let percent = match number(r) {
            Ok(None) => None,
            Ok(Some(n)) if n.fract() == 0.0 && (0.0..=100.0).contains(&n) => {
                Percent::try_from(n as i64).ok()
            }
            Ok(Some(n)) => {
                problems.push(
                    at,
                    format!("{period}: {n} is not a percent complete from 0 to 100"),
                );
                continue;
            }
            Err(e) => {
                problems.push(at, format!("{period}: {e}"));
                continue;
            }
        };
        let commentary = match Text::parse(
            "Description",
            r.child("Description").map_or("", |d| d.text.as_str()),
        ) {
            Ok(t) => t,
            Err(e) => {
                problems.push(at, format!("{period}: {e}"));
                continue;
            }
        };
        let author = info(
            &lines,
            &format!("author {}", period.to_string().to_lowercase()),
        )
        .and_then(|a| {
            Title::parse("Author", a)
                .map_err(|e| problems.push(at, format!("{period}: {e}")))
                .ok()
        });
        let key_achievement = lines
            .iter()
            .any(|(k, v)| k == "key achievement" && v.eq_ignore_ascii_case(&period.to_string()));
        out.push(SheetUpdate {
            action: action.to_owned(),
            period,
            status,
            commentary,
            percent,
            key_achievement,
            author,
            actuals: Vec::new(),
        });
    }
    out
}
