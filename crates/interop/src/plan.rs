//! A plan read from a workbook: the tree's items, the actions with their
//! measures, and the updates, all checked before anything is returned.

use std::collections::HashMap;

use domain::{
    Direction, FinancialYear, Half, Indicator, LevelNames, Measure, MeasureTarget, Percent,
    RagMapping, ReportingPeriod, Status, TargetDate, Text, Title,
};
use serde::{Deserialize, Serialize};

use crate::headings::{Field, HeadingMatch, Mapping, match_headings};
use crate::problems::{Collector, Problems};
use crate::values;
use crate::workbook::{Cell, Row, Sheet, Workbook};

/// A plan item (ambition, priority, statement, … by the body's level
/// names) as the sheet gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetItem {
    /// Its level: 0 for the top (e.g. Ambition).
    pub depth: usize,
    /// Its reference as written (trimmed), if the sheet gives one; the
    /// caller parses it against the body's scheme.
    pub reference: Option<String>,
    /// Its wording.
    pub title: Title,
    /// The item above it: an index into [`PlanSheet::items`].
    pub parent: Option<usize>,
}

/// An action as the sheet gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetAction {
    /// Its reference as written (trimmed).
    pub reference: String,
    /// Its title.
    pub title: Title,
    /// The lead role or officer.
    pub lead: Option<Title>,
    /// The leading directorate.
    pub directorate: Option<Title>,
    /// When it is due.
    pub target: Option<TargetDate>,
    /// The reference of the previous year's action it continues.
    pub continues: Option<String>,
    /// Its measures of success, in sheet order.
    pub measures: Vec<Measure>,
    /// The item it sits under: an index into [`PlanSheet::items`].
    pub item: Option<usize>,
}

/// One figure for an indicator in an update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetActual {
    /// The indicator's name, as in the action's measures.
    pub indicator: String,
    /// The figure.
    pub value: f64,
}

/// One action's progress in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetUpdate {
    /// The action's reference, as written on the action.
    pub action: String,
    /// The half year it reports on.
    pub period: ReportingPeriod,
    /// The status.
    pub status: Status,
    /// What happened and what comes next (may be empty).
    pub commentary: Text,
    /// How far through the action is.
    pub percent: Option<Percent>,
    /// Whether it is one of the period's key achievements.
    pub key_achievement: bool,
    /// Who wrote it, if the sheet says.
    pub author: Option<Title>,
    /// Figures for the action's indicators.
    pub actuals: Vec<SheetActual>,
}

/// A plan read from a spreadsheet, checked: every reference unique, every
/// update for an action of the plan, every figure for one of its
/// indicators. Items come parents first; actions and updates in sheet order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSheet {
    /// The tree's items, each parent before its children.
    pub items: Vec<SheetItem>,
    /// The actions.
    pub actions: Vec<SheetAction>,
    /// The updates, from the Actions sheet's update columns and the
    /// Updates sheet.
    pub updates: Vec<SheetUpdate>,
}

/// Which kind of reference a reference check is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A plan item's reference at this depth.
    Item(usize),
    /// An action's reference.
    Action,
}

/// A check of references against the body's scheme: the error is the
/// message shown for the cell.
pub type RefCheck<'a> = &'a (dyn Fn(RefKind, &str) -> Result<(), String> + Sync);

/// How to read a plan.
#[derive(Clone)]
pub struct ReadOptions<'a> {
    /// The sheet of actions; by default one named "Actions", else the first
    /// sheet that is not Updates, About or Guidance.
    pub sheet: Option<String>,
    /// The sheet of updates (one row per action and period); by default one
    /// named "Updates", if there is one.
    pub updates_sheet: Option<String>,
    /// The user's heading overrides.
    pub mapping: Mapping,
    /// The body's level names.
    pub level_names: LevelNames,
    /// The body's RAG mapping, for RAG colours.
    pub rag: RagMapping,
    /// The plan's year: the year of a target given as a plain figure, and
    /// of periods written without one ("Q2").
    pub year: FinancialYear,
    /// The period of update columns on the Actions sheet when there is no
    /// Period column and the heading names no half.
    pub period: Option<ReportingPeriod>,
    /// An optional check of each reference against the body's scheme.
    pub check_reference: Option<RefCheck<'a>>,
    /// The most problems listed (the rest are counted).
    pub max_problems: usize,
}

impl std::fmt::Debug for ReadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("sheet", &self.sheet)
            .field("updates_sheet", &self.updates_sheet)
            .field("mapping", &self.mapping)
            .field("level_names", &self.level_names)
            .field("year", &self.year)
            .field("period", &self.period)
            .field("max_problems", &self.max_problems)
            .finish_non_exhaustive()
    }
}

impl ReadOptions<'_> {
    /// Options for a plan of `year` with the default level names and RAG
    /// mapping, no mapping overrides and up to 200 problems listed.
    pub fn new(year: FinancialYear) -> Self {
        Self {
            sheet: None,
            updates_sheet: None,
            mapping: Mapping::default(),
            level_names: LevelNames::default(),
            rag: RagMapping::default(),
            year,
            period: None,
            check_reference: None,
            max_problems: 200,
        }
    }
}

/// The headings found on one sheet and how each was matched, for the
/// mapping step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetHeadings {
    /// The sheet.
    pub sheet: String,
    /// The row the headings are on.
    pub row: u32,
    /// Each non-blank heading.
    pub headings: Vec<HeadingMatch>,
}

impl SheetHeadings {
    /// The headings not recognised: to be mapped to a field or ignored.
    pub fn unrecognised(&self) -> impl Iterator<Item = &HeadingMatch> {
        self.headings.iter().filter(|h| h.field.is_none())
    }
}

/// What the file offers, before reading it: its sheets, and the headings of
/// the actions and updates sheets with how each was matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Every sheet's name.
    pub sheets: Vec<String>,
    /// The actions sheet's headings, if a heading row was found.
    pub actions: Option<SheetHeadings>,
    /// The updates sheet's headings, if there is one.
    pub updates: Option<SheetHeadings>,
}

/// Names of sheets that are never the actions sheet by default.
const OTHER_SHEETS: [&str; 4] = ["updates", "about", "guidance", "instructions"];

fn find_sheet<'w>(book: &'w Workbook, options: &ReadOptions<'_>) -> Result<&'w Sheet, String> {
    if let Some(name) = &options.sheet {
        return book.sheet(name).ok_or_else(|| {
            format!(
                "there is no sheet called '{name}'; the sheets are {}",
                sheet_list(book)
            )
        });
    }
    book.sheet("Actions")
        .or_else(|| {
            book.sheets
                .iter()
                .find(|s| !OTHER_SHEETS.contains(&s.name.trim().to_lowercase().as_str()))
        })
        .ok_or_else(|| "the file has no sheet of actions".to_owned())
}

fn updates_sheet<'w>(
    book: &'w Workbook,
    main: &Sheet,
    options: &ReadOptions<'_>,
) -> Result<Option<&'w Sheet>, String> {
    match &options.updates_sheet {
        Some(name) => book.sheet(name).map(Some).ok_or_else(|| {
            format!(
                "there is no sheet called '{name}'; the sheets are {}",
                sheet_list(book)
            )
        }),
        None => Ok(book.sheet("Updates").filter(|s| s.name != main.name)),
    }
}

fn sheet_list(book: &Workbook) -> String {
    book.sheets
        .iter()
        .map(|s| format!("'{}'", s.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Find the heading row among the first rows: the first with at least two
/// recognised headings, one of them `key`.
fn heading_row(
    sheet: &Sheet,
    options: &ReadOptions<'_>,
    key: &[Field],
) -> Option<(usize, Vec<HeadingMatch>)> {
    sheet.rows.iter().take(30).enumerate().find_map(|(i, row)| {
        let headings: Vec<(usize, String)> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_blank())
            .map(|(col, c)| (col, c.text().trim().to_owned()))
            .collect();
        let matched = match_headings(&headings, &options.mapping, &options.level_names);
        let known = matched
            .iter()
            .filter(|m| m.field.is_some_and(|f| f != Field::Ignore))
            .count();
        let has_key = matched
            .iter()
            .any(|m| m.field.is_some_and(|f| key.contains(&f)));
        (known >= 2 && has_key).then_some((i, matched))
    })
}

/// List the sheets and the headings of the actions and updates sheets with
/// how each was matched: the mapping step of an import.
pub fn inspect(book: &Workbook, options: &ReadOptions<'_>) -> Result<Inspection, Problems> {
    let mut problems = Collector::new(options.max_problems);
    let main = match find_sheet(book, options) {
        Ok(s) => s,
        Err(m) => {
            problems.push(options.sheet.as_deref().unwrap_or("?"), None, None, m);
            return Err(problems.finish(&book.file_name));
        }
    };
    let headings = |sheet: &Sheet, key: &[Field]| {
        heading_row(sheet, options, key).map(|(i, h)| SheetHeadings {
            sheet: sheet.name.clone(),
            row: sheet.rows[i].number,
            headings: h,
        })
    };
    let updates = match updates_sheet(book, main, options) {
        Ok(s) => s.and_then(|s| headings(s, &[Field::Reference])),
        Err(m) => {
            problems.push(
                options.updates_sheet.as_deref().unwrap_or("?"),
                None,
                None,
                m,
            );
            return Err(problems.finish(&book.file_name));
        }
    };
    Ok(Inspection {
        sheets: book.sheets.iter().map(|s| s.name.clone()).collect(),
        actions: headings(main, &[Field::Reference, Field::Title]),
        updates,
    })
}

/// A reference compared ignoring case and spaces: "asc 3.2" = "ASC 3.2".
pub fn reference_key(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The columns of one group of update columns (the same half).
#[derive(Debug, Default, Clone)]
struct UpdateCols {
    half: Option<Half>,
    period: Option<usize>,
    status: Option<usize>,
    commentary: Option<usize>,
    percent: Option<usize>,
    actual: Option<usize>,
    key: Option<usize>,
    author: Option<usize>,
}

impl UpdateCols {
    fn slot(&mut self, field: Field) -> Option<&mut Option<usize>> {
        Some(match field {
            Field::Period => &mut self.period,
            Field::Status => &mut self.status,
            Field::Commentary => &mut self.commentary,
            Field::Percent => &mut self.percent,
            Field::Actual => &mut self.actual,
            Field::KeyAchievement => &mut self.key,
            Field::Author => &mut self.author,
            _ => return None,
        })
    }

    fn columns(&self) -> impl Iterator<Item = usize> + '_ {
        [
            self.period,
            self.status,
            self.commentary,
            self.percent,
            self.actual,
            self.key,
            self.author,
        ]
        .into_iter()
        .flatten()
    }
}

/// The sheet's columns, by field.
struct Columns {
    fields: HashMap<Field, usize>,
    groups: Vec<UpdateCols>,
    headings: HashMap<usize, String>,
    fractions: HashMap<usize, bool>,
}

impl Columns {
    fn get(&self, f: Field) -> Option<usize> {
        self.fields.get(&f).copied()
    }

    fn heading(&self, col: usize) -> &str {
        self.headings.get(&col).map_or("?", String::as_str)
    }
}

fn is_update_field(f: Field) -> bool {
    matches!(
        f,
        Field::Period
            | Field::Status
            | Field::Commentary
            | Field::Percent
            | Field::Actual
            | Field::KeyAchievement
            | Field::Author
    )
}

/// Sort the matched headings into columns, reporting unrecognised and
/// doubled headings.
fn columns(
    sheet: &Sheet,
    matched: &[HeadingMatch],
    heading_row: u32,
    allowed: impl Fn(Field) -> bool,
    problems: &mut Collector,
) -> Columns {
    let mut cols = Columns {
        fields: HashMap::new(),
        groups: Vec::new(),
        headings: HashMap::new(),
        fractions: HashMap::new(),
    };
    for m in matched {
        cols.headings.insert(m.column, m.heading.clone());
        let Some(field) = m.field else {
            problems.push(
                &sheet.name,
                Some(heading_row),
                Some(&m.heading),
                format!(
                    "the heading '{}' is not recognised; map it to a field (\"{}=field\") or leave it out (\"{}=ignore\")",
                    m.heading, m.heading, m.heading
                ),
            );
            continue;
        };
        if field == Field::Ignore || !allowed(field) {
            continue;
        }
        let taken = if is_update_field(field) {
            let half = if field == Field::Period { None } else { m.half };
            let group = match cols.groups.iter().position(|g| g.half == half) {
                Some(i) => &mut cols.groups[i],
                None => {
                    cols.groups.push(UpdateCols {
                        half,
                        ..UpdateCols::default()
                    });
                    cols.groups.last_mut().expect("just pushed")
                }
            };
            let slot = group.slot(field).expect("an update field");
            let before = *slot;
            if before.is_none() {
                *slot = Some(m.column);
            }
            before
        } else {
            let before = cols.fields.get(&field).copied();
            if before.is_none() {
                cols.fields.insert(field, m.column);
            }
            before
        };
        if let Some(first) = taken {
            let first = cols.heading(first).to_owned();
            problems.push(
                &sheet.name,
                Some(heading_row),
                Some(&m.heading),
                format!(
                    "the columns '{first}' and '{}' both hold the {field}; leave one out (\"{}=ignore\")",
                    m.heading, m.heading
                ),
            );
        }
    }
    // "RAG" beside "Q2 update", with no Period column: one update, of
    // the half the other heading names.
    let halves: Vec<usize> = (0..cols.groups.len())
        .filter(|i| cols.groups[*i].half.is_some())
        .collect();
    if let ([named], Some(plain)) = (
        halves.as_slice(),
        cols.groups
            .iter()
            .position(|g| g.half.is_none() && g.period.is_none()),
    ) {
        let mut plain_group = cols.groups.remove(plain);
        let named = if plain < *named { named - 1 } else { *named };
        let group = &mut cols.groups[named];
        for field in [
            Field::Status,
            Field::Commentary,
            Field::Percent,
            Field::Actual,
            Field::KeyAchievement,
            Field::Author,
        ] {
            let taken = plain_group.slot(field).and_then(|s| *s);
            if let (Some(c), Some(slot)) = (taken, group.slot(field))
                && slot.is_none()
            {
                *slot = Some(c);
            }
        }
    }
    // A percent column of numbers between 0 and 1 holds Excel
    // percent-formatted figures (0.5 shown as 50%).
    for g in &cols.groups {
        if let Some(c) = g.percent {
            let mut numbers = sheet.rows.iter().filter_map(|r| match r.cell(c) {
                Cell::Number(n) => Some(*n),
                _ => None,
            });
            let (mut any, mut all_small, mut fractional) = (false, true, false);
            for n in numbers.by_ref() {
                any = true;
                all_small &= (0.0..=1.0).contains(&n);
                fractional |= n > 0.0 && n < 1.0;
            }
            cols.fractions.insert(c, any && all_small && fractional);
        }
    }
    cols
}

/// Text of a cell, trimmed, or none when blank.
fn text_of(row: &Row, col: Option<usize>) -> Option<String> {
    let c = row.cell(col?);
    if c.is_blank() {
        None
    } else {
        Some(c.text().trim().to_owned())
    }
}

fn blank(row: &Row, col: Option<usize>) -> bool {
    col.is_none_or(|c| row.cell(c).is_blank())
}

/// Reading state shared by the sheets.
struct Reader<'o, 'a> {
    options: &'o ReadOptions<'a>,
    problems: Collector,
    plan: PlanSheet,
    /// Item index by (depth, reference key).
    item_refs: HashMap<(usize, String), usize>,
    /// Item index by (depth, parent, title).
    item_titles: HashMap<(usize, Option<usize>, String), usize>,
    /// Action index by reference key, and the row it was first given on.
    action_refs: HashMap<String, (usize, u32)>,
    /// Update index by (action key, period), and its row.
    update_keys: HashMap<(String, ReportingPeriod), (u32, String)>,
}

impl Reader<'_, '_> {
    fn problem(&mut self, sheet: &str, row: u32, column: &str, message: impl Into<String>) {
        let column = Some(column).filter(|c| !c.is_empty());
        self.problems.push(sheet, Some(row), column, message);
    }

    fn check_ref(&mut self, sheet: &str, row: u32, column: &str, kind: RefKind, raw: &str) {
        if raw.chars().count() > 40 || raw.chars().any(char::is_control) {
            self.problem(
                sheet,
                row,
                column,
                format!(
                    "'{}' is not a reference; write a short code such as 10A, 1.2.3 or CP2.3.1",
                    raw.chars().take(40).collect::<String>()
                ),
            );
            return;
        }
        if let Some(check) = self.options.check_reference
            && let Err(m) = check(kind, raw)
        {
            self.problem(sheet, row, column, m);
        }
    }

    fn title(
        &mut self,
        sheet: &str,
        row: u32,
        column: &str,
        field: &'static str,
        raw: &str,
    ) -> Option<Title> {
        match Title::parse(field, raw) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(sheet, row, column, format!("{e}"));
                None
            }
        }
    }
}

/// Read a plan from `book`: the actions sheet (one row per action, with
/// its place in the tree, measures and optionally update columns), and an
/// Updates sheet (one row per action and period) if there is one.
///
/// All or nothing: every problem in the file is collected (up to
/// `options.max_problems`, then counted) and any problem refuses the whole
/// file. Rows are numbered as the spreadsheet program shows them.
///
/// The shape of a sheet, as councils' trackers have it: a heading row
/// (found among the first 30 rows, so title rows above it are fine); tree
/// columns left blank repeat the item of the row above (as merged cells
/// read); a row with only tree columns adds items without actions; a row
/// with no reference or title but a measure, indicator or figure adds
/// another measure to the action above.
pub fn read_plan(book: &Workbook, options: &ReadOptions<'_>) -> Result<PlanSheet, Problems> {
    let mut reader = Reader {
        options,
        problems: Collector::new(options.max_problems),
        plan: PlanSheet::default(),
        item_refs: HashMap::new(),
        item_titles: HashMap::new(),
        action_refs: HashMap::new(),
        update_keys: HashMap::new(),
    };
    let main = match find_sheet(book, options) {
        Ok(s) => s,
        Err(m) => {
            let name = options.sheet.clone().unwrap_or_else(|| "?".to_owned());
            reader.problems.push(&name, None, None, m);
            return Err(reader.problems.finish(&book.file_name));
        }
    };
    let updates = match updates_sheet(book, main, options) {
        Ok(s) => s,
        Err(m) => {
            let name = options.updates_sheet.clone().unwrap_or_default();
            reader.problems.push(&name, None, None, m);
            None
        }
    };
    read_actions(&mut reader, main);
    if let Some(sheet) = updates {
        read_updates(&mut reader, sheet);
    }
    check_actuals(&mut reader);
    if reader.problems.is_empty() {
        Ok(reader.plan)
    } else {
        Err(reader.problems.finish(&book.file_name))
    }
}

fn read_actions(r: &mut Reader<'_, '_>, sheet: &Sheet) {
    let options = r.options;
    let Some((start, matched)) = heading_row(sheet, options, &[Field::Reference, Field::Title])
    else {
        r.problems.push(
            &sheet.name,
            None,
            None,
            format!(
                "no heading row was found in the first 30 rows; the headings should include {} and {}, such as \"Ref\", \"{}\", \"Lead\", \"Target date\"",
                Field::Reference.heading(&options.level_names),
                Field::Title.heading(&options.level_names),
                options.level_names.action(),
            ),
        );
        return;
    };
    let heading_number = sheet.rows[start].number;
    let cols = columns(sheet, &matched, heading_number, |_| true, &mut r.problems);
    for (field, name) in [(Field::Reference, "reference"), (Field::Title, "title")] {
        if cols.get(field).is_none() {
            r.problems.push(
                &sheet.name,
                Some(heading_number),
                None,
                format!(
                    "there is no {name} column; add one headed '{}' or map a column to {field}",
                    field.heading(&options.level_names)
                ),
            );
        }
    }
    // Update groups need a period.
    for g in &cols.groups {
        if g.half.is_none() && g.period.is_none() && options.period.is_none() {
            let first = g.columns().next().unwrap_or(0);
            let heading = cols.heading(first).to_owned();
            r.problem(
                &sheet.name,
                heading_number,
                &heading,
                "update columns need a period: add a Period column, name the column for its half (\"Q2 update\", \"Year end RAG\"), or choose the period",
            );
        }
        if g.status.is_none() && (g.commentary.is_some() || g.percent.is_some()) {
            let first = g.columns().next().unwrap_or(0);
            let heading = cols.heading(first).to_owned();
            r.problem(
                &sheet.name,
                heading_number,
                &heading,
                "updates need a status column (Status or RAG) beside this one",
            );
        }
    }
    let depths = options.level_names.item_depths();
    let mut path: Vec<Option<usize>> = vec![None; depths];
    let mut last_action: Option<usize> = None;
    for row in &sheet.rows[start + 1..] {
        let n = row.number;
        let used = cols
            .fields
            .values()
            .copied()
            .chain(cols.groups.iter().flat_map(UpdateCols::columns))
            .any(|c| !row.cell(c).is_blank());
        if !used {
            continue;
        }
        // The row's place in the tree.
        let given = (0..depths).find(|d| {
            !blank(row, cols.get(Field::Level(*d))) || !blank(row, cols.get(Field::LevelRef(*d)))
        });
        if let Some(shallowest) = given {
            for d in shallowest..depths {
                path[d] = tree_item(r, sheet, row, &cols, d, &path);
            }
        }
        let item = path.iter().rev().find_map(|p| *p);
        let reference = text_of(row, cols.get(Field::Reference));
        let title = text_of(row, cols.get(Field::Title));
        let action = match (reference, title) {
            (Some(reference), Some(title)) => {
                new_action(r, sheet, row, &cols, reference, &title, item)
            }
            (Some(_), None) => {
                let h = cols.heading(cols.get(Field::Title).unwrap_or(0)).to_owned();
                r.problem(
                    &sheet.name,
                    n,
                    &h,
                    "the action has a reference but no title",
                );
                None
            }
            (None, Some(_)) => {
                let h = cols
                    .heading(cols.get(Field::Reference).unwrap_or(0))
                    .to_owned();
                r.problem(
                    &sheet.name,
                    n,
                    &h,
                    "the action has a title but no reference",
                );
                None
            }
            (None, None) => {
                let more = [
                    Field::Measure,
                    Field::Indicator,
                    Field::Unit,
                    Field::Direction,
                    Field::Baseline,
                    Field::Target,
                ]
                .iter()
                .any(|f| !blank(row, cols.get(*f)));
                let update_text = cols.groups.iter().any(|g| {
                    [g.status, g.commentary, g.percent, g.key, g.author]
                        .into_iter()
                        .any(|c| !blank(row, c))
                });
                let other = [
                    Field::Lead,
                    Field::Directorate,
                    Field::TargetDate,
                    Field::Continues,
                ]
                .iter()
                .find(|f| !blank(row, cols.get(**f)));
                if let Some(f) = other {
                    let h = cols.heading(cols.get(*f).unwrap_or(0)).to_owned();
                    r.problem(
                        &sheet.name,
                        n,
                        &h,
                        "this row has no action reference or title",
                    );
                    None
                } else if update_text {
                    r.problems.push(
                        &sheet.name,
                        Some(n),
                        None,
                        "this row has an update but no action reference",
                    );
                    None
                } else if more || cols.groups.iter().any(|g| !blank(row, g.actual)) {
                    match last_action {
                        Some(a) => Some(a),
                        None => {
                            r.problems.push(
                                &sheet.name,
                                Some(n),
                                None,
                                "this measure comes before any action; put it on the action's row or the rows below it",
                            );
                            None
                        }
                    }
                } else {
                    // Only tree columns: items without actions.
                    continue;
                }
            }
        };
        let Some(a) = action else { continue };
        last_action = Some(a);
        let indicator = row_measures(r, sheet, row, &cols, a);
        row_updates(r, sheet, row, &cols, a, indicator);
    }
}

/// The item at `depth` on this row, found or added; none when the row
/// leaves the level blank.
fn tree_item(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    depth: usize,
    path: &[Option<usize>],
) -> Option<usize> {
    let n = row.number;
    let ref_col = cols.get(Field::LevelRef(depth));
    let title_col = cols.get(Field::Level(depth));
    let reference = text_of(row, ref_col);
    let title = text_of(row, title_col);
    let parent = path[..depth].iter().rev().find_map(|p| *p);
    let level = r.options.level_names.name(depth).to_owned();
    if reference.is_none() && title.is_none() {
        return None;
    }
    let ref_heading = ref_col
        .map(|c| cols.heading(c).to_owned())
        .unwrap_or_default();
    let title_heading = title_col
        .map(|c| cols.heading(c).to_owned())
        .unwrap_or_default();
    if let Some(reference) = &reference {
        r.check_ref(
            &sheet.name,
            n,
            &ref_heading,
            RefKind::Item(depth),
            reference,
        );
        let key = (depth, reference_key(reference));
        if let Some(&i) = r.item_refs.get(&key) {
            let existing = &r.plan.items[i];
            if let Some(t) = &title
                && let Ok(t) = Title::parse("title", t)
                && t != existing.title
            {
                let msg = format!(
                    "the {level} ref '{reference}' is already used for '{}'; give each {level} its own ref",
                    existing.title
                );
                r.problem(&sheet.name, n, &title_heading, msg);
            } else if existing.parent != parent {
                let msg = format!(
                    "the {level} ref '{reference}' is already used under another {}",
                    r.options.level_names.name(depth.saturating_sub(1))
                );
                r.problem(&sheet.name, n, &ref_heading, msg);
            }
            return Some(i);
        }
    }
    let Some(raw_title) = title else {
        let msg = format!(
            "the {level} ref '{}' has no {level} title; write its title on the first row that uses it",
            reference.unwrap_or_default()
        );
        r.problem(&sheet.name, n, &title_heading, msg);
        return None;
    };
    let field: &'static str = "title";
    let title = r.title(&sheet.name, n, &title_heading, field, &raw_title)?;
    let title_key = (depth, parent, title.as_str().to_lowercase());
    if reference.is_none()
        && let Some(&i) = r.item_titles.get(&title_key)
    {
        return Some(i);
    }
    let index = r.plan.items.len();
    r.plan.items.push(SheetItem {
        depth,
        reference: reference.clone(),
        title,
        parent,
    });
    r.item_titles.entry(title_key).or_insert(index);
    if let Some(reference) = reference {
        r.item_refs
            .insert((depth, reference_key(&reference)), index);
    }
    Some(index)
}

fn new_action(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    reference: String,
    title: &str,
    item: Option<usize>,
) -> Option<usize> {
    let n = row.number;
    let heading = |f: Field| {
        cols.get(f)
            .map(|c| cols.heading(c).to_owned())
            .unwrap_or_default()
    };
    r.check_ref(
        &sheet.name,
        n,
        &heading(Field::Reference),
        RefKind::Action,
        &reference,
    );
    let key = reference_key(&reference);
    if let Some((_, first)) = r.action_refs.get(&key) {
        let msg = format!(
            "the reference '{reference}' is also used on row {first}; each action needs its own reference"
        );
        r.problem(&sheet.name, n, &heading(Field::Reference), msg);
        return None;
    }
    let title = r.title(&sheet.name, n, &heading(Field::Title), "title", title);
    let mut optional_title = |f: Field, name: &'static str| {
        text_of(row, cols.get(f)).and_then(|t| r.title(&sheet.name, n, &heading(f), name, &t))
    };
    let lead = optional_title(Field::Lead, "lead");
    let directorate = optional_title(Field::Directorate, "directorate");
    let target = match cols.get(Field::TargetDate) {
        Some(c) if !row.cell(c).is_blank() => match values::date(row.cell(c)) {
            Ok(t) => Some(t),
            Err(e) => {
                r.problem(&sheet.name, n, &heading(Field::TargetDate), e.0);
                None
            }
        },
        _ => None,
    };
    let continues = text_of(row, cols.get(Field::Continues));
    if let Some(c) = &continues {
        r.check_ref(
            &sheet.name,
            n,
            &heading(Field::Continues),
            RefKind::Action,
            c,
        );
    }
    let title = title?;
    let index = r.plan.actions.len();
    r.action_refs.insert(key, (index, n));
    r.plan.actions.push(SheetAction {
        reference,
        title,
        lead,
        directorate,
        target,
        continues,
        measures: Vec::new(),
        item,
    });
    Some(index)
}

/// Parse a target cell: a figure for the plan year, or a list such as
/// "H1 2024/25: 20; 2024/25: 50".
fn targets(cell: &Cell, year: FinancialYear) -> Result<Vec<MeasureTarget>, String> {
    if let Ok(value) = values::number(cell) {
        return Ok(vec![MeasureTarget {
            year,
            half: None,
            value,
        }]);
    }
    let text = cell.text();
    let help = "write a figure for the plan year, such as 50, or a list such as \"H1 2024/25: 20; 2024/25: 50\"";
    text.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|part| {
            let (when, value) = part
                .rsplit_once(':')
                .ok_or_else(|| format!("'{}' is not a target; {help}", part.trim()))?;
            let value = values::number(&Cell::Text(value.to_owned())).map_err(|e| e.0)?;
            let when = when.trim();
            if let Ok(year) = when.parse::<FinancialYear>() {
                return Ok(MeasureTarget {
                    year,
                    half: None,
                    value,
                });
            }
            let p = when
                .parse::<ReportingPeriod>()
                .map_err(|_| format!("'{when}' is not a year or half year; {help}"))?;
            Ok(MeasureTarget {
                year: p.year,
                half: Some(p.half),
                value,
            })
        })
        .collect()
}

/// The row's measures, added to action `a`; gives the name of the row's
/// indicator, for the row's figures.
fn row_measures(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    a: usize,
) -> Option<String> {
    let n = row.number;
    let heading = |f: Field| {
        cols.get(f)
            .map(|c| cols.heading(c).to_owned())
            .unwrap_or_default()
    };
    if let Some(text) = text_of_raw(row, cols.get(Field::Measure)) {
        match Measure::statement(&text) {
            Ok(m) => r.plan.actions[a].measures.push(m),
            Err(e) => r.problem(&sheet.name, n, &heading(Field::Measure), e.to_string()),
        }
    }
    let name = text_of(row, cols.get(Field::Indicator));
    let details = [
        Field::Unit,
        Field::Direction,
        Field::Baseline,
        Field::Target,
    ];
    let Some(name) = name else {
        if let Some(f) = details.iter().find(|f| !blank(row, cols.get(**f))) {
            r.problem(
                &sheet.name,
                n,
                &heading(*f),
                "this is part of an indicator, but the row has no indicator name",
            );
        }
        return None;
    };
    let indicator_title = r.title(
        &sheet.name,
        n,
        &heading(Field::Indicator),
        "indicator",
        &name,
    );
    let unit = match text_of(row, cols.get(Field::Unit)) {
        Some(u) => r.title(&sheet.name, n, &heading(Field::Unit), "unit", &u),
        None => {
            let h = if cols.get(Field::Unit).is_some() {
                heading(Field::Unit)
            } else {
                heading(Field::Indicator)
            };
            r.problem(
                &sheet.name,
                n,
                &h,
                "an indicator needs a unit, such as \"people\", \"%\" or \"days\"",
            );
            None
        }
    };
    let direction = match text_of(row, cols.get(Field::Direction)) {
        None => Some(Direction::Up),
        Some(d) => match d.parse::<Direction>() {
            Ok(d) => Some(d),
            Err(_) => {
                r.problem(
                    &sheet.name,
                    n,
                    &heading(Field::Direction),
                    format!("'{d}' is not a direction; write Up (higher is better) or Down (lower is better)"),
                );
                None
            }
        },
    };
    let baseline = match cols.get(Field::Baseline) {
        Some(c) if !row.cell(c).is_blank() => match values::number(row.cell(c)) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                r.problem(&sheet.name, n, &heading(Field::Baseline), e.0);
                None
            }
        },
        _ => Some(None),
    };
    let targets = match cols.get(Field::Target) {
        Some(c) if !row.cell(c).is_blank() => match targets(row.cell(c), r.options.year) {
            Ok(t) => Some(t),
            Err(e) => {
                r.problem(&sheet.name, n, &heading(Field::Target), e);
                None
            }
        },
        _ => Some(Vec::new()),
    };
    if let (Some(name_t), Some(unit), Some(direction), Some(baseline), Some(targets)) =
        (indicator_title, unit, direction, baseline, targets)
    {
        let action = &r.plan.actions[a];
        let doubled = action.measures.iter().any(|m| {
            matches!(m, Measure::Indicator(i) if i.name.to_lowercase() == name_t.to_lowercase())
        });
        if doubled {
            let msg = format!(
                "the action {} already has an indicator called '{name_t}'",
                action.reference
            );
            r.problem(&sheet.name, n, &heading(Field::Indicator), msg);
            return None;
        }
        match Indicator::new(name_t.clone(), unit, direction, baseline, targets) {
            Ok(i) => {
                r.plan.actions[a].measures.push(Measure::Indicator(i));
                return Some(name_t.to_string());
            }
            Err(e) => r.problem(&sheet.name, n, &heading(Field::Target), e.to_string()),
        }
    }
    None
}

/// Text of a cell untrimmed inside (commentary keeps its lines), or none
/// when blank.
fn text_of_raw(row: &Row, col: Option<usize>) -> Option<String> {
    let c = row.cell(col?);
    if c.is_blank() {
        None
    } else {
        Some(c.text().into_owned())
    }
}

/// The updates in the row's update columns, for action `a`.
fn row_updates(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    a: usize,
    indicator: Option<String>,
) {
    let options = r.options;
    for g in &cols.groups {
        let has_update = [g.status, g.commentary, g.percent, g.key, g.author]
            .into_iter()
            .any(|c| !blank(row, c));
        let has_actual = !blank(row, g.actual);
        if !has_update && !has_actual {
            continue;
        }
        let period = match (g.half, g.period) {
            (Some(h), _) => Some(ReportingPeriod::new(options.year, h)),
            (None, Some(c)) if !row.cell(c).is_blank() => {
                match values::period(row.cell(c), Some(options.year)) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        r.problem(&sheet.name, row.number, cols.heading(c), e.0);
                        continue;
                    }
                }
            }
            (None, Some(c)) => match options.period {
                Some(p) => Some(p),
                None => {
                    r.problem(
                        &sheet.name,
                        row.number,
                        cols.heading(c),
                        "the update has no period; write one such as H1 2024/25",
                    );
                    continue;
                }
            },
            (None, None) => options.period,
        };
        let Some(period) = period else { continue };
        let fields = UpdateFields {
            period,
            status: g.status,
            commentary: g.commentary,
            percent: g.percent,
            key: g.key,
            author: g.author,
            actual: g.actual,
            indicator_col: None,
        };
        if has_update {
            add_update(r, sheet, row, cols, a, &fields, indicator.clone());
        } else if let Some(c) = g.actual {
            add_actual(r, sheet, row, cols, a, period, c, indicator.clone());
        }
    }
}

struct UpdateFields {
    period: ReportingPeriod,
    status: Option<usize>,
    commentary: Option<usize>,
    percent: Option<usize>,
    key: Option<usize>,
    author: Option<usize>,
    actual: Option<usize>,
    indicator_col: Option<usize>,
}

/// Add a new update for action `a` from the row.
fn add_update(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    a: usize,
    f: &UpdateFields,
    indicator: Option<String>,
) {
    let n = row.number;
    let action = r.plan.actions[a].reference.clone();
    let status_heading = f
        .status
        .map(|c| cols.heading(c).to_owned())
        .unwrap_or_default();
    let status = match f.status.map(|c| row.cell(c)) {
        Some(c) if !c.is_blank() => match values::status(&c.text(), &r.options.rag) {
            Ok(s) => Some(s),
            Err(e) => {
                r.problem(&sheet.name, n, &status_heading, e.0);
                None
            }
        },
        _ => {
            r.problem(
                &sheet.name,
                n,
                &status_heading,
                "the update has no status; write one such as On track or G",
            );
            None
        }
    };
    let commentary = match text_of_raw(row, f.commentary) {
        None => Some(Text::default()),
        Some(t) => match Text::parse("commentary", &t) {
            Ok(t) => Some(t),
            Err(e) => {
                r.problem(
                    &sheet.name,
                    n,
                    cols.heading(f.commentary.unwrap_or(0)),
                    e.to_string(),
                );
                None
            }
        },
    };
    let percent = match f.percent {
        Some(c) if !row.cell(c).is_blank() => {
            let fractions = cols.fractions.get(&c).copied().unwrap_or(false);
            match values::percent(row.cell(c), fractions) {
                Ok(p) => Some(Some(p)),
                Err(e) => {
                    r.problem(&sheet.name, n, cols.heading(c), e.0);
                    None
                }
            }
        }
        _ => Some(None),
    };
    let key_achievement = match f.key {
        Some(c) => match values::yes_no(row.cell(c)) {
            Ok(b) => Some(b),
            Err(e) => {
                r.problem(&sheet.name, n, cols.heading(c), e.0);
                None
            }
        },
        None => Some(false),
    };
    let author = match text_of(row, f.author) {
        Some(t) => r
            .title(
                &sheet.name,
                n,
                cols.heading(f.author.unwrap_or(0)),
                "author",
                &t,
            )
            .map(Some),
        None => Some(None),
    };
    let (Some(status), Some(commentary), Some(percent), Some(key_achievement), Some(author)) =
        (status, commentary, percent, key_achievement, author)
    else {
        return;
    };
    // The same rules as every update in Ambit.
    let pc_heading = f
        .percent
        .map(|c| cols.heading(c).to_owned())
        .unwrap_or_default();
    match (status, percent.map(Percent::value)) {
        (Status::Complete, Some(p)) if p < 100 => {
            let msg =
                format!("a complete action is 100% done, not {p}%; write 100 or leave it blank");
            r.problem(&sheet.name, n, &pc_heading, msg);
            return;
        }
        (Status::NotStarted, Some(p)) if p > 0 => {
            let msg =
                format!("an action not started is 0% done, not {p}%; write 0 or leave it blank");
            r.problem(&sheet.name, n, &pc_heading, msg);
            return;
        }
        _ => {}
    }
    let key = (reference_key(&action), f.period);
    if let Some((first, first_sheet)) = r.update_keys.get(&key) {
        let msg = format!(
            "the action {action} already has an update for {} (sheet {first_sheet}, row {first})",
            f.period
        );
        r.problems.push(&sheet.name, Some(n), None, msg);
        return;
    }
    r.update_keys.insert(key, (n, sheet.name.clone()));
    r.plan.updates.push(SheetUpdate {
        action,
        period: f.period,
        status,
        commentary,
        percent,
        key_achievement,
        author,
        actuals: Vec::new(),
    });
    if let Some(c) = f.actual
        && !row.cell(c).is_blank()
    {
        let ind = indicator_for(r, sheet, row, cols, f.indicator_col, indicator);
        add_actual_to_last(r, sheet, row, cols, c, ind);
    }
}

/// The indicator a figure is for: the row's Indicator column on the
/// Updates sheet, or the indicator of the row on the Actions sheet.
fn indicator_for(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    indicator_col: Option<usize>,
    indicator: Option<String>,
) -> Option<String> {
    if let Some(c) = indicator_col {
        return text_of(row, Some(c)).or_else(|| {
            r.problem(
                &sheet.name,
                row.number,
                cols.heading(c),
                "the figure has no indicator; write the indicator's name",
            );
            None
        });
    }
    if indicator.is_none() {
        r.problems.push(
            &sheet.name,
            Some(row.number),
            None,
            "the figure has no indicator on its row",
        );
    }
    indicator
}

fn add_actual_to_last(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    c: usize,
    indicator: Option<String>,
) {
    let value = match values::number(row.cell(c)) {
        Ok(v) => v,
        Err(e) => {
            r.problem(&sheet.name, row.number, cols.heading(c), e.0);
            return;
        }
    };
    let Some(indicator) = indicator else { return };
    let Some(update) = r.plan.updates.last_mut() else {
        return;
    };
    if update
        .actuals
        .iter()
        .any(|x| x.indicator.to_lowercase() == indicator.to_lowercase())
    {
        let msg = format!("the update already has a figure for '{indicator}'");
        r.problem(&sheet.name, row.number, cols.heading(c), msg);
        return;
    }
    update.actuals.push(SheetActual { indicator, value });
}

/// A figure on an Actions-sheet row that has no update of its own: for the
/// action's update of that period, given on an earlier row.
#[allow(clippy::too_many_arguments)]
fn add_actual(
    r: &mut Reader<'_, '_>,
    sheet: &Sheet,
    row: &Row,
    cols: &Columns,
    a: usize,
    period: ReportingPeriod,
    c: usize,
    indicator: Option<String>,
) {
    let action = reference_key(&r.plan.actions[a].reference);
    let found = r
        .plan
        .updates
        .iter()
        .rposition(|u| reference_key(&u.action) == action && u.period == period);
    let Some(i) = found else {
        let msg = format!(
            "the figure is for {period}, but the action has no update for it yet; give its status first"
        );
        r.problem(&sheet.name, row.number, cols.heading(c), msg);
        return;
    };
    // Move it last so the figure lands on it.
    let update = r.plan.updates.remove(i);
    r.plan.updates.push(update);
    let ind = indicator_for(r, sheet, row, cols, None, indicator);
    add_actual_to_last(r, sheet, row, cols, c, ind);
    let update = r.plan.updates.pop().expect("pushed above");
    r.plan.updates.insert(i, update);
}

fn read_updates(r: &mut Reader<'_, '_>, sheet: &Sheet) {
    let options = r.options;
    let Some((start, matched)) = heading_row(sheet, options, &[Field::Reference]) else {
        r.problems.push(
            &sheet.name,
            None,
            None,
            "no heading row was found in the first 30 rows; the headings should include Ref, Period and Status",
        );
        return;
    };
    let heading_number = sheet.rows[start].number;
    // Columns describing the action are read from the actions sheet only.
    let cols = columns(
        sheet,
        &matched,
        heading_number,
        |f| is_update_field(f) || matches!(f, Field::Reference | Field::Indicator),
        &mut r.problems,
    );
    let group = cols
        .groups
        .iter()
        .find(|g| g.half.is_none())
        .cloned()
        .unwrap_or_default();
    if cols.get(Field::Reference).is_none() || group.status.is_none() {
        r.problems.push(
            &sheet.name,
            Some(heading_number),
            None,
            "the updates sheet needs a Ref column and a Status column",
        );
        return;
    }
    if group.period.is_none() && options.period.is_none() {
        r.problems.push(
            &sheet.name,
            Some(heading_number),
            None,
            "the updates sheet needs a Period column",
        );
        return;
    }
    let ref_col = cols.get(Field::Reference);
    let indicator_col = cols.get(Field::Indicator);
    let mut last: Option<ReportingPeriod> = None;
    for row in &sheet.rows[start + 1..] {
        let n = row.number;
        let reference = text_of(row, ref_col);
        let has_update = [
            group.status,
            group.commentary,
            group.percent,
            group.key,
            group.author,
        ]
        .into_iter()
        .any(|c| !blank(row, c));
        let Some(reference) = reference else {
            if has_update {
                r.problem(
                    &sheet.name,
                    n,
                    cols.heading(ref_col.unwrap_or(0)),
                    "the update has no action reference",
                );
            } else if let Some(c) = group.actual.filter(|c| !row.cell(*c).is_blank()) {
                // A further figure for the update above.
                if last.is_none() {
                    r.problem(
                        &sheet.name,
                        n,
                        cols.heading(c),
                        "this figure comes before any update",
                    );
                    continue;
                }
                let ind = indicator_for(r, sheet, row, &cols, indicator_col, None);
                add_actual_to_last(r, sheet, row, &cols, c, ind);
            }
            continue;
        };
        let period = match group.period {
            Some(c) if !row.cell(c).is_blank() => {
                match values::period(row.cell(c), Some(options.year)) {
                    Ok(p) => p,
                    Err(e) => {
                        r.problem(&sheet.name, n, cols.heading(c), e.0);
                        last = None;
                        continue;
                    }
                }
            }
            _ => match options.period {
                Some(p) => p,
                None => {
                    r.problem(
                        &sheet.name,
                        n,
                        cols.heading(group.period.unwrap_or(0)),
                        "the update has no period; write one such as H1 2024/25",
                    );
                    last = None;
                    continue;
                }
            },
        };
        let Some(&(a, _)) = r.action_refs.get(&reference_key(&reference)) else {
            let msg = format!(
                "there is no action '{reference}' on the actions sheet; check the reference"
            );
            r.problem(&sheet.name, n, cols.heading(ref_col.unwrap_or(0)), msg);
            last = None;
            continue;
        };
        let before = r.plan.updates.len();
        let fields = UpdateFields {
            period,
            status: group.status,
            commentary: group.commentary,
            percent: group.percent,
            key: group.key,
            author: group.author,
            actual: group.actual,
            indicator_col,
        };
        add_update(r, sheet, row, &cols, a, &fields, None);
        last = (r.plan.updates.len() > before).then_some(period);
    }
}

/// Every figure must be for an indicator of its action.
fn check_actuals(r: &mut Reader<'_, '_>) {
    let by_ref: HashMap<String, usize> = r
        .plan
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| (reference_key(&a.reference), i))
        .collect();
    let mut found = Vec::new();
    for u in &r.plan.updates {
        let Some(&a) = by_ref.get(&reference_key(&u.action)) else {
            continue;
        };
        let action = &r.plan.actions[a];
        for x in &u.actuals {
            let known = action.measures.iter().any(|m| {
                matches!(m, Measure::Indicator(i) if i.name.to_lowercase() == x.indicator.to_lowercase())
            });
            if !known {
                found.push(format!(
                    "the {} update of action {} has a figure for '{}', which is not one of its indicators",
                    u.period, action.reference, x.indicator
                ));
            }
        }
    }
    for m in found {
        r.problems.push("Updates", None, None, m);
    }
}
