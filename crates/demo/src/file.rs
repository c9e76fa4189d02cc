//! The plan file: its raw TOML shape, and the same parsed into domain types.

use std::collections::HashSet;

use domain::{
    ActionDetails, ActionRef, AlignmentKind, Direction, FinancialYear, Indicator, ItemRef,
    LevelNames, Measure, MeasureTarget, ParseError, Percent, PortfolioCode, ReferenceScheme,
    ReportingPeriod, Slug, StrategyYears, Text, Title, UpdateInput,
};
use serde::Deserialize;

use crate::LoadError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    body: RawBody,
    strategy: RawStrategy,
    #[serde(default)]
    alignments: Vec<RawAlignment>,
    #[serde(default)]
    committees: Vec<RawCommittee>,
    #[serde(default)]
    portfolios: Vec<RawPortfolio>,
    #[serde(default)]
    plans: Vec<RawPlan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBody {
    name: String,
    slug: String,
    level_names: Option<Vec<String>>,
    reference_scheme: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrategy {
    title: String,
    years: String,
    #[serde(default)]
    ambitions: Vec<RawAmbition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmbition {
    number: u16,
    title: String,
    #[serde(default)]
    illustrative: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlignment {
    key: String,
    name: String,
    kind: String,
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommittee {
    name: String,
    clerk: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortfolio {
    code: String,
    name: String,
    committee: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    portfolio: String,
    year: String,
    #[serde(default)]
    published: bool,
    approved_on: Option<String>,
    #[serde(default)]
    aligned_with: Vec<String>,
    #[serde(default)]
    priorities: Vec<RawPriority>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    ambition: u16,
    #[serde(rename = "ref")]
    reference: Option<String>,
    title: String,
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    statements: Vec<RawStatement>,
    #[serde(default)]
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    number: Option<u16>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    title: String,
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    lead: String,
    directorate: Option<String>,
    target: Option<String>,
    continues: Option<String>,
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    measures: Vec<RawMeasure>,
    #[serde(default)]
    updates: Vec<RawUpdate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    statement: Option<String>,
    indicator: Option<String>,
    unit: Option<String>,
    direction: Option<String>,
    baseline: Option<f64>,
    #[serde(default)]
    targets: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    year: String,
    half: Option<String>,
    value: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpdate {
    period: String,
    status: String,
    percent: Option<i64>,
    #[serde(default)]
    commentary: String,
    #[serde(default)]
    key_achievement: bool,
    author: String,
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    actuals: Vec<RawActual>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActual {
    measure: String,
    value: f64,
}

/// A body as the file describes it.
#[derive(Debug, Clone)]
pub struct BodyDef {
    /// Full name.
    pub name: Title,
    /// Short name.
    pub slug: Slug,
    /// Plan tree levels: three (the second level holds the actions) or four.
    pub levels: LevelNames,
    /// How its actions and items are referenced (default: statement).
    pub reference_scheme: ReferenceScheme,
}

/// The strategy as the file describes it.
#[derive(Debug, Clone)]
pub struct StrategyDef {
    /// Title.
    pub title: Title,
    /// Years.
    pub years: StrategyYears,
    /// Ambitions.
    pub ambitions: Vec<AmbitionDef>,
}

/// An ambition.
#[derive(Debug, Clone)]
pub struct AmbitionDef {
    /// Its number.
    pub number: u16,
    /// Its wording.
    pub title: Title,
    /// Not from the minutes.
    pub illustrative: bool,
}

/// A programme or strategy plans align with.
#[derive(Debug, Clone)]
pub struct AlignmentDef {
    /// The file's short name for it.
    pub key: String,
    /// Its name.
    pub name: Title,
    /// Programme or strategy.
    pub kind: AlignmentKind,
    /// Its document.
    pub url: Option<String>,
}

/// A committee.
#[derive(Debug, Clone)]
pub struct CommitteeDef {
    /// Its name.
    pub name: Title,
    /// Who clerks it.
    pub clerk: Option<Title>,
}

/// A portfolio.
#[derive(Debug, Clone)]
pub struct PortfolioDef {
    /// Code.
    pub code: PortfolioCode,
    /// Name.
    pub name: Title,
    /// The committee that scrutinises it.
    pub committee: Option<String>,
}

/// A plan.
#[derive(Debug, Clone)]
pub struct PlanDef {
    /// The portfolio's code.
    pub portfolio: PortfolioCode,
    /// The year.
    pub year: FinancialYear,
    /// Whether to publish it once loaded.
    pub published: bool,
    /// The day the committee approved it, if it has been.
    pub approved_on: Option<chrono::NaiveDate>,
    /// Keys of the alignments.
    pub aligned_with: Vec<String>,
    /// Priorities, each under an ambition.
    pub priorities: Vec<PriorityDef>,
}

impl PlanDef {
    /// Every action of the plan, in file order.
    pub fn actions(&self) -> impl Iterator<Item = &ActionDef> {
        self.priorities.iter().flat_map(|pr| {
            pr.actions
                .iter()
                .chain(pr.statements.iter().flat_map(|s| s.actions.iter()))
        })
    }
}

/// A priority (an item of the second level).
#[derive(Debug, Clone)]
pub struct PriorityDef {
    /// The ambition's number.
    pub ambition: u16,
    /// Its reference, if it has one ("1.2").
    pub reference: Option<ItemRef>,
    /// Wording.
    pub title: Title,
    /// Not from the minutes.
    pub illustrative: bool,
    /// Statements (four-level bodies).
    pub statements: Vec<StatementDef>,
    /// Actions directly under it (three-level bodies).
    pub actions: Vec<ActionDef>,
}

/// A statement.
#[derive(Debug, Clone)]
pub struct StatementDef {
    /// Its reference: "10" (statement), "1.2.3" (dotted).
    pub reference: ItemRef,
    /// Wording.
    pub title: Title,
    /// Not from the minutes.
    pub illustrative: bool,
    /// Actions.
    pub actions: Vec<ActionDef>,
}

/// An action.
#[derive(Debug, Clone)]
pub struct ActionDef {
    /// Reference, title, lead, target.
    pub details: ActionDetails,
    /// Measures of success.
    pub measures: Vec<Measure>,
    /// The previous year's reference it continues.
    pub continues: Option<ActionRef>,
    /// Updates.
    pub updates: Vec<UpdateDef>,
}

/// An update.
#[derive(Debug, Clone)]
pub struct UpdateDef {
    /// Period.
    pub period: ReportingPeriod,
    /// What was reported (figures are in `actuals`).
    pub input: UpdateInput,
    /// Figures, by indicator name.
    pub actuals: Vec<(String, f64)>,
}

/// A plan file parsed into domain types and checked for consistency.
#[derive(Debug, Clone)]
pub struct PlanFile {
    /// The body.
    pub body: BodyDef,
    /// Its strategy.
    pub strategy: StrategyDef,
    /// Programmes and strategies.
    pub alignments: Vec<AlignmentDef>,
    /// Committees.
    pub committees: Vec<CommitteeDef>,
    /// Portfolios.
    pub portfolios: Vec<PortfolioDef>,
    /// Plans, oldest first.
    pub plans: Vec<PlanDef>,
}

impl PlanFile {
    /// Parse `text`, naming `file` and the place in it in any error.
    pub fn parse(file: &str, text: &str) -> Result<Self, LoadError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Syntax {
            file: file.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let mut place = String::from("body");
        let invalid = |place: &str, source: ParseError| LoadError::Invalid {
            file: file.to_owned(),
            place: place.to_owned(),
            source,
        };
        let title = |place: &str, field: &'static str, s: &str| {
            Title::parse(field, s).map_err(|e| invalid(place, e))
        };

        let levels = match &raw.body.level_names {
            Some(names) => LevelNames::new(names).map_err(|e| invalid(&place, e))?,
            None => LevelNames::default(),
        };
        if !(2..=3).contains(&levels.item_depths()) {
            return Err(invalid(
                &place,
                ParseError::new(
                    "level_names",
                    levels.name(0),
                    "three levels (ambition, priority, action) or four (ambition, priority, statement, action) in this file format",
                ),
            ));
        }
        let scheme: ReferenceScheme = match &raw.body.reference_scheme {
            Some(s) => s.parse().map_err(|e| invalid(&place, e))?,
            None => ReferenceScheme::default(),
        };
        let body = BodyDef {
            name: title(&place, "name", &raw.body.name)?,
            slug: raw.body.slug.parse().map_err(|e| invalid(&place, e))?,
            levels: levels.clone(),
            reference_scheme: scheme,
        };
        place = "strategy".into();
        let mut ambitions = Vec::new();
        for a in &raw.strategy.ambitions {
            let p = format!("ambition {}", a.number);
            if ambitions.iter().any(|x: &AmbitionDef| x.number == a.number) {
                return Err(invalid(
                    &p,
                    ParseError::new(
                        "number",
                        a.number.to_string(),
                        "a number no other ambition has",
                    ),
                ));
            }
            ambitions.push(AmbitionDef {
                number: a.number,
                title: title(&p, "title", &a.title)?,
                illustrative: a.illustrative,
            });
        }
        let strategy = StrategyDef {
            title: title(&place, "title", &raw.strategy.title)?,
            years: raw.strategy.years.parse().map_err(|e| invalid(&place, e))?,
            ambitions,
        };
        let mut alignments = Vec::new();
        for a in &raw.alignments {
            let p = format!("alignment {}", a.key);
            alignments.push(AlignmentDef {
                key: a.key.clone(),
                name: title(&p, "name", &a.name)?,
                kind: a.kind.parse().map_err(|e| invalid(&p, e))?,
                url: a
                    .url
                    .as_deref()
                    .map(domain::Alignment::parse_url)
                    .transpose()
                    .map_err(|e| invalid(&p, e))?,
            });
        }
        let committees = raw
            .committees
            .iter()
            .map(|c| {
                Ok(CommitteeDef {
                    name: title("committee", "name", &c.name)?,
                    clerk: c
                        .clerk
                        .as_ref()
                        .map(|k| title(&format!("committee {}", c.name), "clerk", k))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let mut portfolios = Vec::new();
        for p in &raw.portfolios {
            let here = format!("portfolio {}", p.code);
            if let Some(c) = p
                .committee
                .as_ref()
                .filter(|c| !committees.iter().any(|k| k.name.as_str() == c.as_str()))
            {
                return Err(invalid(
                    &here,
                    ParseError::new("committee", c, "the name of a committee listed in the file"),
                ));
            }
            portfolios.push(PortfolioDef {
                code: p.code.parse().map_err(|e| invalid(&here, e))?,
                name: title(&here, "name", &p.name)?,
                committee: p.committee.clone(),
            });
        }

        let mut plans: Vec<PlanDef> = Vec::new();
        for p in &raw.plans {
            let here = format!("plan {} {}", p.portfolio, p.year);
            let portfolio: PortfolioCode = p.portfolio.parse().map_err(|e| invalid(&here, e))?;
            if !portfolios.iter().any(|x| x.code == portfolio) {
                return Err(invalid(
                    &here,
                    ParseError::new(
                        "portfolio",
                        &p.portfolio,
                        "the code of a portfolio listed in the file",
                    ),
                ));
            }
            let year: FinancialYear = p.year.parse().map_err(|e| invalid(&here, e))?;
            for key in &p.aligned_with {
                if !alignments.iter().any(|a| &a.key == key) {
                    return Err(invalid(
                        &here,
                        ParseError::new(
                            "aligned_with",
                            key,
                            "the key of an alignment listed in the file",
                        ),
                    ));
                }
            }
            let previous_refs: HashSet<ActionRef> = plans
                .iter()
                .filter(|q| q.portfolio == portfolio && q.year == year.previous())
                .flat_map(|q| q.actions())
                .map(|a| a.details.reference.clone())
                .collect();
            let mut seen_refs = HashSet::new();
            let mut parse_actions = |list: &[RawAction],
                                     item: Option<&ItemRef>|
             -> Result<Vec<ActionDef>, LoadError> {
                let mut actions = Vec::new();
                for a in list {
                    let here = format!("{here}, action {}", a.reference);
                    let details = ActionDetails {
                        reference: scheme
                            .parse_action(&a.reference)
                            .map_err(|e| invalid(&here, e))?,
                        title: title(&here, "title", &a.title)?,
                        lead: title(&here, "lead", &a.lead)?,
                        directorate: a
                            .directorate
                            .as_deref()
                            .map(|d| title(&here, "directorate", d))
                            .transpose()?,
                        target: a
                            .target
                            .as_deref()
                            .map(str::parse)
                            .transpose()
                            .map_err(|e| invalid(&here, e))?,
                        illustrative: a.illustrative,
                    };
                    details
                        .check_under(scheme, item)
                        .map_err(|e| invalid(&here, e))?;
                    domain::Action::check_target_in(&details, year)
                        .map_err(|e| invalid(&here, e))?;
                    if !seen_refs.insert(details.reference.clone()) {
                        return Err(invalid(
                            &here,
                            ParseError::new(
                                "ref",
                                &a.reference,
                                "a reference no other action of the plan has",
                            ),
                        ));
                    }
                    let continues = a
                        .continues
                        .as_deref()
                        .map(|c| scheme.parse_action(c))
                        .transpose()
                        .map_err(|e| invalid(&here, e))?;
                    if let Some(c) = continues.as_ref().filter(|c| !previous_refs.contains(*c)) {
                        return Err(invalid(
                            &here,
                            ParseError::new(
                                "continues",
                                c.to_string(),
                                format!(
                                    "the reference of an action in the {} plan, listed before this plan",
                                    year.previous()
                                ),
                            ),
                        ));
                    }
                    let measures = a
                        .measures
                        .iter()
                        .map(|m| measure(m, &here, &invalid))
                        .collect::<Result<Vec<_>, _>>()?;
                    let mut updates = Vec::new();
                    for u in &a.updates {
                        let here = format!("{here}, update {}", u.period);
                        let period: ReportingPeriod =
                            u.period.parse().map_err(|e| invalid(&here, e))?;
                        if period.year != year {
                            return Err(invalid(
                                &here,
                                ParseError::new("period", &u.period, format!("a period of {year}")),
                            ));
                        }
                        let input = UpdateInput {
                            status: u.status.parse().map_err(|e| invalid(&here, e))?,
                            commentary: Text::parse("commentary", &u.commentary)
                                .map_err(|e| invalid(&here, e))?,
                            percent: u
                                .percent
                                .map(Percent::try_from)
                                .transpose()
                                .map_err(|e| invalid(&here, e))?,
                            key_achievement: u.key_achievement,
                            actuals: vec![],
                            author: title(&here, "author", &u.author)?,
                            illustrative: u.illustrative,
                        }
                        .validate()
                        .map_err(|e| invalid(&here, e))?;
                        for actual in &u.actuals {
                            let known = measures.iter().any(|m| matches!(m, Measure::Indicator(i) if i.name.eq_ignore_ascii_case(&actual.measure)));
                            if !known || !actual.value.is_finite() {
                                return Err(invalid(
                                    &here,
                                    ParseError::new(
                                        "actuals",
                                        &actual.measure,
                                        "the name of one of the action's indicators, with a finite value",
                                    ),
                                ));
                            }
                        }
                        if updates.iter().any(|x: &UpdateDef| x.period == period) {
                            return Err(invalid(
                                &here,
                                ParseError::new("period", &u.period, "one update per period"),
                            ));
                        }
                        updates.push(UpdateDef {
                            period,
                            input,
                            actuals: u
                                .actuals
                                .iter()
                                .map(|a| (a.measure.clone(), a.value))
                                .collect(),
                        });
                    }
                    actions.push(ActionDef {
                        details,
                        measures,
                        continues,
                        updates,
                    });
                }
                Ok(actions)
            };
            let mut priorities = Vec::new();
            for pr in &p.priorities {
                if !strategy.ambitions.iter().any(|a| a.number == pr.ambition) {
                    return Err(invalid(
                        &here,
                        ParseError::new(
                            "ambition",
                            pr.ambition.to_string(),
                            "the number of an ambition of the strategy",
                        ),
                    ));
                }
                let top: ItemRef = pr
                    .ambition
                    .to_string()
                    .parse()
                    .map_err(|e| invalid(&here, e))?;
                let reference = pr
                    .reference
                    .as_deref()
                    .map(|r| {
                        let r = scheme.parse_item(r)?;
                        scheme.check_item(&r, Some(&top))?;
                        Ok(r)
                    })
                    .transpose()
                    .map_err(|e| invalid(&format!("{here}, priority {}", pr.title), e))?;
                let (statements, actions) = if levels.item_depths() == 2 {
                    if !pr.statements.is_empty() {
                        return Err(invalid(
                            &here,
                            ParseError::new(
                                "statements",
                                &pr.title,
                                "actions directly under each item of the second level, as the body has three levels",
                            ),
                        ));
                    }
                    (vec![], parse_actions(&pr.actions, reference.as_ref())?)
                } else {
                    if !pr.actions.is_empty() {
                        return Err(invalid(
                            &here,
                            ParseError::new(
                                "actions",
                                &pr.title,
                                "actions under statements, as the body has four levels",
                            ),
                        ));
                    }
                    let mut statements = Vec::new();
                    for s in &pr.statements {
                        let raw_ref = match (&s.reference, s.number) {
                            (Some(r), None) => r.clone(),
                            (None, Some(n)) => n.to_string(),
                            _ => {
                                return Err(invalid(
                                    &here,
                                    ParseError::new(
                                        "statement",
                                        &s.title,
                                        "either `ref` or `number` for each statement",
                                    ),
                                ));
                            }
                        };
                        let place = format!("{here}, statement {raw_ref}");
                        let reference = scheme
                            .parse_item(&raw_ref)
                            .and_then(|r| {
                                scheme.check_item(&r, reference.as_ref())?;
                                Ok(r)
                            })
                            .map_err(|e| invalid(&place, e))?;
                        let actions = parse_actions(&s.actions, Some(&reference))?;
                        statements.push(StatementDef {
                            title: title(&place, "title", &s.title)?,
                            reference,
                            illustrative: s.illustrative,
                            actions,
                        });
                    }
                    (statements, vec![])
                };
                priorities.push(PriorityDef {
                    ambition: pr.ambition,
                    reference,
                    title: title(&here, "title", &pr.title)?,
                    illustrative: pr.illustrative,
                    statements,
                    actions,
                });
            }
            if plans
                .iter()
                .any(|q| q.portfolio == portfolio && q.year == year)
            {
                return Err(invalid(
                    &here,
                    ParseError::new("year", &p.year, "one plan per portfolio and year"),
                ));
            }
            plans.push(PlanDef {
                portfolio,
                year,
                published: p.published,
                approved_on: match &p.approved_on {
                    Some(d) => Some(
                        chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                            invalid(
                                &here,
                                ParseError::new("approved_on", d, "a date such as 2024-06-26"),
                            )
                        })?,
                    ),
                    None => None,
                },
                aligned_with: p.aligned_with.clone(),
                priorities,
            });
        }
        Ok(Self {
            body,
            strategy,
            alignments,
            committees,
            portfolios,
            plans,
        })
    }
}

fn measure(
    m: &RawMeasure,
    here: &str,
    invalid: &impl Fn(&str, ParseError) -> LoadError,
) -> Result<Measure, LoadError> {
    match (&m.statement, &m.indicator) {
        (Some(s), None) => Measure::statement(s).map_err(|e| invalid(here, e)),
        (None, Some(name)) => {
            let need = |v: &Option<String>, field: &'static str| {
                v.clone().ok_or_else(|| {
                    invalid(
                        here,
                        ParseError::new(field, "", "a value for every indicator"),
                    )
                })
            };
            let targets = m
                .targets
                .iter()
                .map(|t| {
                    Ok(MeasureTarget {
                        year: t.year.parse().map_err(|e| invalid(here, e))?,
                        half: t
                            .half
                            .as_deref()
                            .map(str::parse)
                            .transpose()
                            .map_err(|e| invalid(here, e))?,
                        value: t.value,
                    })
                })
                .collect::<Result<Vec<_>, LoadError>>()?;
            Indicator::new(
                Title::parse("indicator", name).map_err(|e| invalid(here, e))?,
                Title::parse("unit", &need(&m.unit, "unit")?).map_err(|e| invalid(here, e))?,
                need(&m.direction, "direction")?
                    .parse::<Direction>()
                    .map_err(|e| invalid(here, e))?,
                m.baseline,
                targets,
            )
            .map(Measure::Indicator)
            .map_err(|e| invalid(here, e))
        }
        _ => Err(invalid(
            here,
            ParseError::new(
                "measure",
                "",
                "either `statement` or `indicator` (with unit and direction), not both",
            ),
        )),
    }
}
