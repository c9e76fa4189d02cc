//! Column headings: the canonical fields, the synonyms councils use for
//! them, and the user's own mapping.

use std::fmt;
use std::str::FromStr;

use domain::{Half, LevelNames};
use serde::{Deserialize, Serialize};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The action's reference ("10A", "1.2.3", "CP2.3.1").
    Reference,
    /// The action's title.
    Title,
    /// The lead role or officer.
    Lead,
    /// The leading directorate.
    Directorate,
    /// When the action is due.
    TargetDate,
    /// The reference of last year's action this one continues.
    Continues,
    /// The title of the plan item at a tree level (0 = top, e.g. Ambition).
    Level(usize),
    /// The reference of the plan item at a tree level.
    LevelRef(usize),
    /// A measure of success written as a statement.
    Measure,
    /// A measure of success that is an indicator: its name.
    Indicator,
    /// The indicator's unit.
    Unit,
    /// Whether up or down is good for the indicator.
    Direction,
    /// The indicator's baseline figure.
    Baseline,
    /// The indicator's target (a figure for the plan year, or a list such
    /// as "H1 2024/25: 20; 2024/25: 50").
    Target,
    /// The update's reporting period.
    Period,
    /// The update's status (or RAG).
    Status,
    /// The update's commentary.
    Commentary,
    /// How far through the action is.
    Percent,
    /// The indicator's figure for the period.
    Actual,
    /// Whether the update is a key achievement.
    KeyAchievement,
    /// Who wrote the update.
    Author,
    /// A column to leave out.
    Ignore,
}

/// The fixed field names (the tree levels are named after the body's
/// level names, or `level1`, `level1_ref`, …).
const FIXED: [(&str, Field); 20] = [
    ("reference", Field::Reference),
    ("title", Field::Title),
    ("lead", Field::Lead),
    ("directorate", Field::Directorate),
    ("target_date", Field::TargetDate),
    ("continues", Field::Continues),
    ("measure", Field::Measure),
    ("indicator", Field::Indicator),
    ("unit", Field::Unit),
    ("direction", Field::Direction),
    ("baseline", Field::Baseline),
    ("target", Field::Target),
    ("period", Field::Period),
    ("status", Field::Status),
    ("commentary", Field::Commentary),
    ("percent", Field::Percent),
    ("actual", Field::Actual),
    ("key_achievement", Field::KeyAchievement),
    ("author", Field::Author),
    ("ignore", Field::Ignore),
];

impl Field {
    /// The field's name for `--map` and the mapping step: "lead",
    /// "target_date", "level2", "level2_ref", ….
    pub fn name(self) -> String {
        match self {
            Field::Level(d) => format!("level{}", d + 1),
            Field::LevelRef(d) => format!("level{}_ref", d + 1),
            other => FIXED
                .iter()
                .find(|(_, f)| *f == other)
                .map(|(n, _)| (*n).to_owned())
                .unwrap_or_default(),
        }
    }

    /// The canonical heading the template uses for this field, with the
    /// body's level names.
    pub fn heading(self, levels: &LevelNames) -> String {
        match self {
            Field::Reference => "Ref".to_owned(),
            Field::Title => levels.action().to_owned(),
            Field::Lead => "Lead".to_owned(),
            Field::Directorate => "Directorate".to_owned(),
            Field::TargetDate => "Target date".to_owned(),
            Field::Continues => "Continues".to_owned(),
            Field::Level(d) => levels.name(d).to_owned(),
            Field::LevelRef(d) => format!("{} ref", levels.name(d)),
            Field::Measure => "Measure of success".to_owned(),
            Field::Indicator => "Indicator".to_owned(),
            Field::Unit => "Unit".to_owned(),
            Field::Direction => "Direction".to_owned(),
            Field::Baseline => "Baseline".to_owned(),
            Field::Target => "Target".to_owned(),
            Field::Period => "Period".to_owned(),
            Field::Status => "Status".to_owned(),
            Field::Commentary => "Commentary".to_owned(),
            Field::Percent => "% complete".to_owned(),
            Field::Actual => "Actual".to_owned(),
            Field::KeyAchievement => "Key achievement".to_owned(),
            Field::Author => "Author".to_owned(),
            Field::Ignore => "Ignore".to_owned(),
        }
    }

    /// Every field's name, for messages: "reference, title, lead, …".
    pub fn names(levels: Option<&LevelNames>) -> String {
        let mut names: Vec<String> = FIXED.iter().map(|(n, _)| (*n).to_owned()).collect();
        match levels {
            Some(l) => {
                for d in 0..l.item_depths() {
                    let n = squash(l.name(d));
                    names.push(n.clone());
                    names.push(format!("{n}_ref"));
                }
            }
            None => names.push("level1 … level6, level1_ref … level6_ref".to_owned()),
        }
        names.join(", ")
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A heading reduced for comparison: lower case, letters and digits only,
/// "%" read as "percent" ("% Complete" → "percentcomplete", "Ref." →
/// "ref").
pub fn squash(heading: &str) -> String {
    let mut out = String::with_capacity(heading.len());
    for c in heading.chars() {
        if c == '%' {
            out.push_str("percent");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A field named as in `--map "Heading=field"`: a fixed name, `levelN`,
/// `levelN_ref`, or (with `levels`) a level's own name.
fn field_named(name: &str, levels: Option<&LevelNames>) -> Option<Field> {
    let key = squash(name);
    if let Some((_, f)) = FIXED.iter().find(|(n, _)| squash(n) == key) {
        return Some(*f);
    }
    let (stem, is_ref) = match key.strip_suffix("ref") {
        Some(stem) => (stem, true),
        None => (key.as_str(), false),
    };
    let depth = stem
        .strip_prefix("level")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=6).contains(n))
        .map(|n| n - 1)
        .or_else(|| {
            let l = levels?;
            (0..l.item_depths()).find(|d| squash(l.name(*d)) == stem)
        })?;
    Some(if is_ref {
        Field::LevelRef(depth)
    } else {
        Field::Level(depth)
    })
}

/// Why a mapping entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

/// One user mapping: the column headed `heading` holds `field`.
///
/// Parsed from `"Lead officer=lead"` or `"Notes=ignore"` (as given to
/// `--map`); the heading is compared like any other heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingEntry {
    /// The heading as the user wrote it.
    pub heading: String,
    /// The field it holds.
    pub field: Field,
}

impl MappingEntry {
    /// Parse `"Heading=field"`, accepting the body's level names as field
    /// names too ("Theme=theme", "Theme no=theme_ref").
    pub fn parse_with_levels(raw: &str, levels: Option<&LevelNames>) -> Result<Self, MappingError> {
        let Some((heading, field)) = raw.rsplit_once('=') else {
            return Err(MappingError(format!(
                "'{raw}' is not a column mapping; write it as \"Heading=field\", such as \"Lead officer=lead\""
            )));
        };
        if squash(heading).is_empty() {
            return Err(MappingError(format!(
                "'{raw}' has no heading before '='; write it as \"Heading=field\""
            )));
        }
        let field = field_named(field, levels).ok_or_else(|| {
            MappingError(format!(
                "'{}' is not a field; the fields are {}",
                field.trim(),
                Field::names(levels)
            ))
        })?;
        Ok(Self {
            heading: heading.trim().to_owned(),
            field,
        })
    }
}

impl FromStr for MappingEntry {
    type Err = MappingError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse_with_levels(raw, None)
    }
}

/// The user's overrides of how headings are matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The overrides, in the order given; a later one for the same heading wins.
    pub entries: Vec<MappingEntry>,
}

impl Mapping {
    /// A mapping from entries.
    pub fn new(entries: Vec<MappingEntry>) -> Self {
        Self { entries }
    }

    /// The field the user mapped `heading` to, if any.
    pub fn get(&self, heading: &str) -> Option<Field> {
        let key = squash(heading);
        self.entries
            .iter()
            .rev()
            .find(|e| squash(&e.heading) == key)
            .map(|e| e.field)
    }
}

/// How one column's heading was matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadingMatch {
    /// The column (0 = A).
    pub column: usize,
    /// The heading as written.
    pub heading: String,
    /// The field, or none when the heading was not recognised.
    pub field: Option<Field>,
    /// Whether the user's mapping decided it.
    pub mapped: bool,
    /// The half the heading itself names ("Q2 update" is H1, "Year end
    /// update" H2), used when there is no period column.
    pub half: Option<Half>,
}

/// The half a heading names: "Q2 update", "H1 commentary", "Mid-year" are
/// H1; "Q4 update", "H2 RAG", "Year end update" are H2.
fn heading_half(key: &str) -> Option<Half> {
    ["q2", "h1", "midyear", "q1"]
        .iter()
        .any(|p| key.starts_with(p))
        .then_some(Half::H1)
        .or_else(|| {
            ["q4", "h2", "yearend", "q3"]
                .iter()
                .any(|p| key.starts_with(p))
                .then_some(Half::H2)
        })
}

/// The field a heading stands for by its wording alone.
pub fn recognise(heading: &str, levels: &LevelNames) -> Option<Field> {
    let key = squash(heading);
    if key.is_empty() {
        return None;
    }
    // The body's level names first: "Priority", "Priority ref".
    let action = squash(levels.action());
    for d in 0..levels.item_depths() {
        let n = squash(levels.name(d));
        if key == n || key == format!("{n}title") || key == format!("{n}name") {
            return Some(Field::Level(d));
        }
        for suffix in ["ref", "reference", "no", "number", "id", "code", "num"] {
            if key == format!("{n}{suffix}") {
                return Some(Field::LevelRef(d));
            }
        }
    }
    for suffix in ["ref", "reference", "no", "number", "id", "code", "num"] {
        if key == format!("{action}{suffix}") {
            return Some(Field::Reference);
        }
    }
    if key == action || key == format!("{action}title") || key == format!("{action}name") {
        return Some(Field::Title);
    }
    // Update columns named for a period: "Q2 update", "H1 RAG".
    let stem = ["q1", "q2", "q3", "q4", "h1", "h2", "midyear", "yearend"]
        .iter()
        .find_map(|p| key.strip_prefix(p))
        .filter(|s| !s.is_empty())
        .unwrap_or(&key);
    let field = match stem {
        "ref" | "reference" | "actionref" | "actionreference" | "actionno" | "actionnumber"
        | "actionnum" | "actionid" | "actioncode" | "id" | "code" | "no" | "number" | "refno" => {
            Field::Reference
        }
        "action" | "actiontitle" | "actionname" | "description" | "actiondescription" | "title"
        | "whatwewilldo" => Field::Title,
        "lead" | "leadofficer" | "responsibleofficer" | "owner" | "responsible" | "leadrole"
        | "actionlead" | "actionowner" | "leadperson" | "officer" => Field::Lead,
        "directorate" | "department" | "service" | "leaddirectorate" | "division" => {
            Field::Directorate
        }
        "due"
        | "duedate"
        | "targetdate"
        | "deadline"
        | "completiondate"
        | "targetcompletiondate"
        | "timescale"
        | "timescales"
        | "bywhen"
        | "datedue"
        | "enddate" => Field::TargetDate,
        "continues" | "continuesfrom" | "previousref" | "lastyearsref" | "previousreference" => {
            Field::Continues
        }
        "measure"
        | "measures"
        | "measureofsuccess"
        | "measuresofsuccess"
        | "successmeasure"
        | "successmeasures"
        | "howsuccesswillbemeasured"
        | "measurestatement" => Field::Measure,
        "indicator" | "kpi" | "performanceindicator" | "indicatorname" | "measurename" | "pi" => {
            Field::Indicator
        }
        "unit" | "units" | "unitofmeasure" => Field::Unit,
        "direction" | "polarity" | "goodis" | "betteris" => Field::Direction,
        "baseline" | "baselinevalue" => Field::Baseline,
        "target" | "targetvalue" | "indicatortarget" | "yearendtarget" | "targets" => Field::Target,
        "period" | "halfyear" | "half" | "quarter" | "reportingperiod" => Field::Period,
        "rag" | "status" | "ragstatus" | "progressstatus" | "ragrating" | "rating" => Field::Status,
        "commentary" | "update" | "progressupdate" | "comments" | "comment" | "progress"
        | "progresscommentary" | "latestupdate" | "narrative" => Field::Commentary,
        "percentcomplete" | "percent" | "progresspercent" | "completepercent"
        | "percentagecomplete" | "percentage" => Field::Percent,
        "actual" | "measureactual" | "actualvalue" | "outturn" | "actuals" | "figure" => {
            Field::Actual
        }
        "keyachievement" | "achievement" => Field::KeyAchievement,
        "author" | "updatedby" | "reportedby" | "submittedby" | "completedby" => Field::Author,
        _ => return None,
    };
    Some(field)
}

/// Match each heading of a heading row: the user's mapping first, then the
/// wording. Blank headings are left out.
pub fn match_headings(
    headings: &[(usize, String)],
    mapping: &Mapping,
    levels: &LevelNames,
) -> Vec<HeadingMatch> {
    headings
        .iter()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(column, heading)| {
            let mapped = mapping.get(heading);
            let field = mapped.or_else(|| recognise(heading, levels));
            HeadingMatch {
                column: *column,
                heading: heading.trim().to_owned(),
                field,
                mapped: mapped.is_some(),
                half: heading_half(&squash(heading)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_match_whatever_the_case_and_punctuation() {
        let l = LevelNames::default();
        for (h, f) in [
            ("Ref.", Field::Reference),
            ("Action No.", Field::Reference),
            ("Action number", Field::Reference),
            ("ID", Field::Reference),
            ("Action", Field::Title),
            ("Description", Field::Title),
            ("Lead officer", Field::Lead),
            ("Responsible Officer", Field::Lead),
            ("Due", Field::TargetDate),
            ("Deadline", Field::TargetDate),
            ("Priority", Field::Level(1)),
            ("Priority ref", Field::LevelRef(1)),
            ("Statement No", Field::LevelRef(2)),
            ("RAG", Field::Status),
            ("RAG status", Field::Status),
            ("Q2 update", Field::Commentary),
            ("% complete", Field::Percent),
            ("Progress %", Field::Percent),
            ("Half year", Field::Period),
        ] {
            assert_eq!(recognise(h, &l), Some(f), "{h}");
        }
        assert_eq!(recognise("Notes", &l), None);
        let theme = LevelNames::new(&["Theme".into(), "Outcome".into(), "Action".into()]).unwrap();
        assert_eq!(recognise("Outcome", &theme), Some(Field::Level(1)));
        assert_eq!(recognise("theme code", &theme), Some(Field::LevelRef(0)));
    }

    #[test]
    fn mapping_entries_parse_and_explain() {
        let e: MappingEntry = "Lead officer=lead".parse().unwrap();
        assert_eq!(e.field, Field::Lead);
        assert_eq!(
            "Notes=ignore".parse::<MappingEntry>().unwrap().field,
            Field::Ignore
        );
        assert_eq!(
            "X=level2_ref".parse::<MappingEntry>().unwrap().field,
            Field::LevelRef(1)
        );
        let err = "Notes=nonsense".parse::<MappingEntry>().unwrap_err();
        assert!(err.to_string().contains("target_date"), "{err}");
        assert!("no equals".parse::<MappingEntry>().is_err());
        let l = LevelNames::new(&["Theme".into(), "Action".into()]).unwrap();
        let e = MappingEntry::parse_with_levels("Our theme=theme", Some(&l)).unwrap();
        assert_eq!(e.field, Field::Level(0));
        let m = Mapping::new(vec![e]);
        assert_eq!(m.get("OUR THEME"), Some(Field::Level(0)));
    }
}
