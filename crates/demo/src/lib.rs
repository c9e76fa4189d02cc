//! The Bromley example: London Borough of Bromley's Adult Care and Health
//! portfolio plans for 2022/23 to 2024/25, drawn from the two committee
//! minutes in the project's seeds, and the loader that puts a plan file
//! like it into a [`store::Store`].
//!
//! The file (`data/bromley.toml`) says which records come from the minutes
//! and which are illustrative. Loading is two steps: the whole file is
//! parsed into domain types first, so any mistake is reported (naming the
//! plan, action and field) before anything is written; then it is written.

mod file;
pub mod national;
pub mod synthetic;

use std::collections::HashMap;

use domain::{ActionRef, FinancialYear, ParseError};
use store::{NewAction, NewBody, NewItem, Store, StoreError};

pub use file::PlanFile;

/// The Bromley example plan file.
pub const BROMLEY: &str = include_str!("../data/bromley.toml");

/// The actor named in the audit trail for demo data.
pub const ACTOR: &str = "demo loader";

/// Why a plan file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file is not well-formed TOML or does not have the expected shape.
    #[error("{file}: {message}")]
    Syntax {
        /// The file's name.
        file: String,
        /// What is wrong and where.
        message: String,
    },
    /// A value in the file is not valid.
    #[error("{file}: {place}: {source}")]
    Invalid {
        /// The file's name.
        file: String,
        /// Where in the file: "plan ACH 2022/23, action 6A".
        place: String,
        /// What is wrong.
        source: ParseError,
    },
    /// The store refused a write.
    #[error("{file}: {place}: {source}")]
    Store {
        /// The file's name.
        file: String,
        /// Where in the file.
        place: String,
        /// What the store said.
        source: Box<StoreError>,
    },
}

/// What a load created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Plans created.
    pub plans: usize,
    /// Actions created.
    pub actions: usize,
    /// Updates recorded.
    pub updates: usize,
}

/// The second demo body's plan file: Northmoor District Council, an
/// invented (illustrative) council with three levels (Theme → Outcome →
/// Action) and dotted references ("1.1.10" under "1.1").
pub const NORTHMOOR: &str = include_str!("../data/northmoor.toml");

/// Load the illustrative Northmoor example into `store`.
pub async fn load_northmoor(store: &Store) -> Result<LoadSummary, LoadError> {
    load(store, "northmoor.toml", NORTHMOOR).await
}

/// Northmoor's demo accounts: an administrator, a performance officer and
/// an action lead, at `northmoor.example`.
pub fn northmoor_accounts() -> Vec<DemoAccount> {
    use domain::Role;
    let account = |role: Role, name: &str, leads: Option<&str>| DemoAccount {
        role,
        email: format!("{name}@northmoor.example"),
        password: format!("demo-{name}-password"),
        leads: leads.map(str::to_owned),
    };
    vec![
        account(Role::Administrator, "admin", None),
        account(Role::PerformanceOfficer, "officer", None),
        account(
            Role::ActionLead,
            "lead",
            Some("Head of Climate and Sustainability"),
        ),
    ]
}

/// Create Northmoor's demo accounts, hashing passwords with `hash` (its
/// plans are published by its plan file).
pub async fn load_northmoor_people(
    store: &Store,
    hash: impl Fn(&domain::Password) -> String,
) -> Result<Vec<DemoAccount>, LoadError> {
    let accounts = northmoor_accounts();
    add_accounts(store, "northmoor", &accounts, hash).await?;
    Ok(accounts)
}

async fn add_accounts(
    store: &Store,
    slug: &str,
    accounts: &[DemoAccount],
    hash: impl Fn(&domain::Password) -> String,
) -> Result<(), LoadError> {
    let at = |place: &str| {
        let place = place.to_owned();
        move |source: StoreError| LoadError::Store {
            file: "demo accounts".into(),
            place,
            source: Box::new(source),
        }
    };
    let body = store
        .body(&slug.parse().expect("valid slug"))
        .await
        .map_err(at("body"))?;
    for a in accounts {
        let password = domain::Password::new(&a.password).expect("demo passwords are long enough");
        let name = domain::Title::parse("name", &format!("Demo {}", a.role.label().to_lowercase()))
            .expect("valid name");
        let email = a.email.parse().expect("valid email");
        let user = store
            .create_user(ACTOR, email, name, Some(hash(&password)))
            .await
            .map_err(at(&a.email))?;
        let leads = a
            .leads
            .as_deref()
            .map(|l| domain::Title::parse("lead role", l).expect("valid lead"));
        store
            .set_membership(ACTOR, user.id, body.id, a.role, leads)
            .await
            .map_err(at(&a.email))?;
    }
    Ok(())
}

/// Load the Bromley example into `store`.
pub async fn load_bromley(store: &Store) -> Result<LoadSummary, LoadError> {
    load(store, "bromley.toml", BROMLEY).await
}

/// Parse the plan file `text` (named `file` in errors) and write it to `store`.
pub async fn load(store: &Store, file: &str, text: &str) -> Result<LoadSummary, LoadError> {
    let parsed = PlanFile::parse(file, text)?;
    write(store, file, &parsed).await
}

/// Write a parsed plan file to `store`, naming `file` in errors.
pub async fn write(store: &Store, file: &str, f: &PlanFile) -> Result<LoadSummary, LoadError> {
    let at = |place: &str| {
        let (file, place) = (file.to_owned(), place.to_owned());
        move |source: StoreError| LoadError::Store {
            file,
            place,
            source: Box::new(source),
        }
    };
    let body = store
        .create_body(
            ACTOR,
            NewBody {
                slug: f.body.slug.clone(),
                name: f.body.name.clone(),
                level_names: f.body.levels.clone(),
                rag: Default::default(),
                reference_scheme: f.body.reference_scheme,
            },
        )
        .await
        .map_err(at("body"))?;
    let strategy = store
        .create_strategy(ACTOR, body.id, f.strategy.title.clone(), f.strategy.years)
        .await
        .map_err(at("strategy"))?;
    let mut ambitions = HashMap::new();
    for a in &f.strategy.ambitions {
        let created = store
            .add_ambition(
                ACTOR,
                strategy.id,
                a.number,
                a.title.clone(),
                a.illustrative,
            )
            .await
            .map_err(at(&format!("ambition {}", a.number)))?;
        ambitions.insert(a.number, created.id);
    }
    let mut alignments = HashMap::new();
    for a in &f.alignments {
        let created = store
            .create_alignment(ACTOR, body.id, a.name.clone(), a.kind, a.url.clone())
            .await
            .map_err(at(&format!("alignment {}", a.key)))?;
        alignments.insert(a.key.clone(), created.id);
    }
    let mut committees = HashMap::new();
    for c in &f.committees {
        let created = store
            .create_committee(
                ACTOR,
                body.id,
                &store::CommitteeDetails {
                    name: c.name.clone(),
                    clerk: c.clerk.clone(),
                },
            )
            .await
            .map_err(at(&format!("committee {}", c.name)))?;
        committees.insert(c.name.to_string(), created.id);
    }
    let mut portfolios = HashMap::new();
    for p in &f.portfolios {
        let committee = p.committee.as_ref().map(|c| committees[c.as_str()]);
        let created = store
            .create_portfolio(ACTOR, body.id, p.code.clone(), p.name.clone(), committee)
            .await
            .map_err(at(&format!("portfolio {}", p.code)))?;
        portfolios.insert(p.code.clone(), created.id);
    }

    let mut summary = LoadSummary::default();
    let mut actions_by_year: ActionsByYear = HashMap::new();
    for plan in &f.plans {
        let place = format!("plan {} {}", plan.portfolio, plan.year);
        let aligned: Vec<domain::AlignmentId> = plan
            .aligned_with
            .iter()
            .map(|k| alignments[k.as_str()])
            .collect();
        let created = store
            .create_plan(ACTOR, portfolios[&plan.portfolio], plan.year, &aligned)
            .await
            .map_err(at(&place))?;
        summary.plans += 1;
        let mut top_items = HashMap::new();
        for priority in &plan.priorities {
            let top = match top_items.get(&priority.ambition) {
                Some(id) => *id,
                None => {
                    let ambition = &f
                        .strategy
                        .ambitions
                        .iter()
                        .find(|a| a.number == priority.ambition)
                        .expect("checked in parse");
                    let item = store
                        .add_item(
                            ACTOR,
                            NewItem {
                                plan_id: created.id,
                                parent_id: None,
                                ambition_id: Some(domain::AmbitionId::new(
                                    ambitions[&priority.ambition].get(),
                                )),
                                reference: Some(
                                    priority.ambition.to_string().parse().expect("a number"),
                                ),
                                title: ambition.title.clone(),
                                illustrative: ambition.illustrative,
                            },
                        )
                        .await
                        .map_err(at(&place))?;
                    top_items.insert(priority.ambition, item.id);
                    item.id
                }
            };
            let priority_item = store
                .add_item(
                    ACTOR,
                    NewItem {
                        plan_id: created.id,
                        parent_id: Some(top),
                        ambition_id: None,
                        reference: priority.reference.clone(),
                        title: priority.title.clone(),
                        illustrative: priority.illustrative,
                    },
                )
                .await
                .map_err(at(&place))?;
            for action in &priority.actions {
                write_action(
                    store,
                    &at,
                    &place,
                    plan,
                    priority_item.id.get(),
                    action,
                    &mut actions_by_year,
                    &mut summary,
                )
                .await?;
            }
            for statement in &priority.statements {
                let statement_item = store
                    .add_item(
                        ACTOR,
                        NewItem {
                            plan_id: created.id,
                            parent_id: Some(priority_item.id),
                            ambition_id: None,
                            reference: Some(statement.reference.clone()),
                            title: statement.title.clone(),
                            illustrative: statement.illustrative,
                        },
                    )
                    .await
                    .map_err(at(&format!("{place}, statement {}", statement.reference)))?;
                for action in &statement.actions {
                    write_action(
                        store,
                        &at,
                        &place,
                        plan,
                        statement_item.id.get(),
                        action,
                        &mut actions_by_year,
                        &mut summary,
                    )
                    .await?;
                }
            }
        }
        if let Some(on) = plan.approved_on {
            let current = store.plan_by_id(created.id).await.map_err(at(&place))?;
            // The plan as the committee approved and published it, gaps
            // and all.
            let reason = domain::Text::parse("reason", "Loaded as the committee approved it")
                .map_err(|e| at(&place)(e.into()))?;
            store
                .approve_plan(ACTOR, created.id, current.version, on, Some(&reason))
                .await
                .map_err(at(&place))?;
        }
        if plan.published {
            let current = store.plan_by_id(created.id).await.map_err(at(&place))?;
            store
                .publish_plan(ACTOR, created.id, current.version, true)
                .await
                .map_err(at(&place))?;
        }
    }
    Ok(summary)
}

/// Actions of earlier plans by portfolio, year and reference, for lineage.
type ActionsByYear = HashMap<(String, FinancialYear, ActionRef), domain::ActionId>;

/// Write one action of `plan` under item `item_id`, with its updates.
#[allow(clippy::too_many_arguments)]
async fn write_action<F, E>(
    store: &Store,
    at: &F,
    place: &str,
    plan: &file::PlanDef,
    item_id: i64,
    action: &file::ActionDef,
    actions_by_year: &mut ActionsByYear,
    summary: &mut LoadSummary,
) -> Result<(), LoadError>
where
    F: Fn(&str) -> E,
    E: FnOnce(StoreError) -> LoadError,
{
    let place = format!("{place}, action {}", action.details.reference);
    let continues = action
        .continues
        .as_ref()
        .map(|r| actions_by_year[&(plan.portfolio.to_string(), plan.year.previous(), r.clone())]);
    let added = store
        .add_action(
            ACTOR,
            NewAction {
                item_id: domain::PlanItemId::new(item_id),
                details: action.details.clone(),
                measures: action.measures.clone(),
                continues,
            },
        )
        .await
        .map_err(at(&place))?;
    actions_by_year.insert(
        (
            plan.portfolio.to_string(),
            plan.year,
            action.details.reference.clone(),
        ),
        added.id,
    );
    summary.actions += 1;
    for update in &action.updates {
        let mut input = update.input.clone();
        input.actuals = update
            .actuals
            .iter()
            .map(|(name, value)| domain::MeasureActual {
                measure_id: Store::measure_named(&added, name)
                    .expect("checked in parse")
                    .0,
                value: *value,
            })
            .collect();
        store
            .record_update(ACTOR, added.id, update.period, input, None)
            .await
            .map_err(at(&format!("{place}, update {}", update.period)))?;
        summary.updates += 1;
    }
    Ok(())
}

/// One demo account: its role, email address and password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// The role in Bromley.
    pub role: domain::Role,
    /// Sign-in address.
    pub email: String,
    /// Password (demo only; printed for the person trying Ambit).
    pub password: String,
    /// For the action lead: the lead role on the actions they lead.
    pub leads: Option<String>,
}

/// The demo's accounts, one per role.
pub fn demo_accounts() -> Vec<DemoAccount> {
    use domain::Role;
    let account = |role: Role, name: &str, leads: Option<&str>| DemoAccount {
        role,
        email: format!("{name}@bromley.example"),
        password: format!("demo-{name}-password"),
        leads: leads.map(str::to_owned),
    };
    vec![
        account(Role::Administrator, "admin", None),
        account(Role::PerformanceOfficer, "officer", None),
        account(
            Role::ActionLead,
            "lead",
            Some("Assistant Director for Integrated Commissioning"),
        ),
        account(Role::Clerk, "clerk", None),
        account(Role::Member, "member", None),
    ]
}

/// Create the demo accounts in the Bromley body, hashing passwords with
/// `hash`, and publish the 2022/23 and 2023/24 plans (2024/25 stays a draft).
pub async fn load_people(
    store: &Store,
    hash: impl Fn(&domain::Password) -> String,
) -> Result<Vec<DemoAccount>, LoadError> {
    let at = |place: &str| {
        let place = place.to_owned();
        move |source: StoreError| LoadError::Store {
            file: "demo accounts".into(),
            place,
            source: Box::new(source),
        }
    };
    let body = store
        .body(&"bromley".parse().expect("valid slug"))
        .await
        .map_err(at("body"))?;
    let accounts = demo_accounts();
    add_accounts(store, "bromley", &accounts, hash).await?;
    let portfolio = store
        .portfolio(Some(body.id), &"ACH".parse().expect("valid code"))
        .await
        .map_err(at("portfolio ACH"))?;
    for year in ["2022/23", "2023/24"] {
        let plan = store
            .plan(portfolio.id, year.parse().expect("valid year"))
            .await
            .map_err(at(year))?;
        store
            .publish_plan(ACTOR, plan.id, plan.version, true)
            .await
            .map_err(at(year))?;
    }
    Ok(accounts)
}

/// The two meetings of the Adult Care and Health PDS Committee that the
/// minutes in `data/minutes` record (the minutes are the seeds' text; the
/// meeting dates are illustrative, as the minutes do not give them).
const MEETINGS: [(&str, &str, &str, &str, domain::Half, &str); 2] = [
    (
        "2022-11-29",
        "ACH22-038",
        "ACH Portfolio Plan 2022 Q2 update",
        "2022/23",
        domain::Half::H1,
        include_str!("../data/minutes/ACH22-038.txt"),
    ),
    (
        "2024-06-27",
        "ACH24-030",
        "ACH Portfolio Plan 2023-24 year-end update and 2024-25 refresh",
        "2023/24",
        domain::Half::H2,
        include_str!("../data/minutes/ACH24-030.txt"),
    ),
];

/// Record the committee's two meetings in the Bromley example: each with
/// the agenda item for its portfolio plan report, and the minutes with the
/// questions, commitments and resolutions the extractor finds in them,
/// accepted as a clerk would; and the cover of each report (its reference
/// and meeting date). Run after [`load_bromley`].
pub async fn load_committee_record(store: &Store) -> Result<(), LoadError> {
    let at = |place: &str| {
        let place = place.to_owned();
        move |source: StoreError| LoadError::Store {
            file: "committee record".into(),
            place,
            source: Box::new(source),
        }
    };
    let body = store
        .body(&"bromley".parse().expect("valid slug"))
        .await
        .map_err(at("body"))?;
    let portfolio = store
        .portfolio(Some(body.id), &"ACH".parse().expect("valid code"))
        .await
        .map_err(at("portfolio ACH"))?;
    let committee = store
        .committees(body.id)
        .await
        .map_err(at("committees"))?
        .into_iter()
        .find(|c| portfolio.committee.as_ref().map(|t| t.as_str()) == Some(c.name.as_str()))
        .ok_or_else(|| LoadError::Syntax {
            file: "committee record".into(),
            message: "portfolio ACH has no committee; load the Bromley example first".into(),
        })?
        .id;
    for (date, reference, title, year, half, text) in MEETINGS {
        let held_on: chrono::NaiveDate = date.parse().expect("valid date");
        let meeting = store
            .create_meeting(
                ACTOR,
                committee,
                &store::MeetingDetails {
                    held_on,
                    venue: "Bromley Civic Centre".into(),
                    status: domain::MeetingStatus::Held,
                    published: true,
                },
            )
            .await
            .map_err(at(reference))?;
        let plan = store
            .plan(portfolio.id, year.parse().expect("valid year"))
            .await
            .map_err(at(reference))?;
        let item = store
            .add_agenda_item(
                ACTOR,
                meeting.id,
                store::NewAgendaItem {
                    number: domain::Title::parse("number", "7").expect("valid number"),
                    title: domain::Title::parse("title", title).expect("valid title"),
                    report_ref: reference.into(),
                    plan_id: Some(plan.id),
                    half: Some(half),
                },
            )
            .await
            .map_err(at(reference))?;
        // The report's cover: its reference and the meeting it went to.
        let cover = domain::ReportCover {
            reference: domain::ReportReference::parse(reference).expect("valid reference"),
            meeting_date: Some(held_on),
            ..domain::ReportCover::default()
        };
        store
            .save_report_cover(
                ACTOR,
                plan.id,
                domain::ReportingPeriod::new(plan.year, half),
                domain::Version::new(0),
                &cover,
            )
            .await
            .map_err(at(reference))?;
        let tree = store.plan_tree(plan.id).await.map_err(at(reference))?;
        let found = minutes::extract(
            text.as_bytes(),
            &minutes::Options {
                source: Some(format!("{reference}.txt")),
                meeting_date: Some(held_on),
                max_findings: None,
                all_candidates: false,
            },
        )
        .expect("the seeds' minutes are text");
        store
            .accept_minutes(
                ACTOR,
                item.id,
                item.version,
                found.accepted(text, Some(&tree)),
            )
            .await
            .map_err(at(reference))?;
    }
    Ok(())
}
