//! Importing a plan from a spreadsheet on the web: upload → column mapping
//! → preview (a dry run) → confirm, the same import as `ambit import plan`.
//!
//! The uploaded file is kept between the steps in the database
//! (`Store::put_import_upload`), not in the server's memory, so any server
//! process over the database can answer the next step; each step reads it
//! for its own request only. An upload is found by a random token the pages
//! carry and is usable only by the session, body and plan that uploaded it;
//! it is bounded in number per session ([`PER_SESSION`]), in bytes per file
//! ([`crate::Limits::import_bytes`]) and for all of a body's uploads
//! together ([`crate::Limits::import_held_bytes`]), and in time
//! (`store::UPLOAD_TTL`, 30 minutes). Confirming imports the plan and ends
//! the upload in one transaction.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Body, FinancialYear, LevelNames, PortfolioCode, ReferenceScheme};
use interop::{Field, Mapping, MappingEntry, ReadOptions, RefKind, SheetHeadings, Workbook};
use store::{ImportDiff, ImportTarget, StoreError, UploadBounds, UploadKey};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{parsed, status_of};
use crate::request::PageResult;
use crate::request::{check_form, chrome, plan_href};
use crate::views::{Choice, Chrome, FieldError};
use crate::words::{capitalise, note};

/// The most uploads one session keeps for one body between the steps; the
/// oldest is dropped for a new one.
pub const PER_SESSION: usize = 8;

/// The key of the upload with `token`, for `viewer`'s session and the plan
/// of the address: the store keeps only hashes of the token and of the
/// session's CSRF secret.
fn upload_key(
    viewer: &Viewer,
    body: &Body,
    (code, _, year): &(PortfolioCode, String, FinancialYear),
    token: &str,
) -> UploadKey {
    UploadKey {
        token_hash: crate::auth::token_hash(token),
        owner_hash: crate::auth::token_hash(viewer.csrf.as_deref().unwrap_or_default()),
        body_id: body.id,
        portfolio: code.clone(),
        year: *year,
    }
}

fn bounds(state: &AppState) -> UploadBounds {
    UploadBounds {
        per_session: PER_SESSION,
        file_bytes: state.limits().import_bytes,
        body_bytes: state.limits().import_held_bytes,
    }
}

/// The banner of the import made from the upload with `token` by the
/// session whose CSRF secret is `owner`, once.
pub(crate) async fn banner(
    state: &AppState,
    token: &str,
    owner: &str,
) -> Result<Option<String>, StoreError> {
    state
        .store()
        .take_import_banner(
            &crate::auth::token_hash(token),
            &crate::auth::token_hash(owner),
        )
        .await
}

/// One problem of the file, as a row of the problems table.
pub struct ProblemRow {
    pub id: String,
    pub sheet: String,
    pub row: String,
    pub column: String,
    pub message: String,
}

/// One heading of the file and what it was matched to.
pub struct HeadingRow {
    pub column: usize,
    pub heading: String,
    /// The field it was recognised as, or none: then `options` to choose from.
    pub matched: Option<String>,
    pub options: Vec<Choice>,
    /// What is wrong with the choice, if anything.
    pub error: Option<String>,
}

/// One line of the preview's list of changes.
pub struct ChangeRow {
    pub entity: String,
    pub key: String,
    pub operation: String,
    pub fields: String,
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub back_href: String,
    pub action: String,
    /// "upload", "mapping" or "preview".
    pub step: &'static str,
    pub errors: Vec<crate::views::FieldError>,
    pub problems: Vec<ProblemRow>,
    pub more_problems: usize,
    pub token: String,
    pub file_name: String,
    pub headings: Vec<HeadingRow>,
    /// The mapping chosen, carried to the next step as hidden fields.
    pub chosen: Vec<(String, String)>,
    /// Rows of (what, created, changed, unchanged).
    pub counts: Vec<(String, usize, usize, usize)>,
    pub changes: Vec<ChangeRow>,
    pub more_changes: usize,
    pub unchanged: bool,
    /// What the file says of the plan itself (status, approval,
    /// publication, alignments) that the plan keeps: (what, in the file,
    /// in the plan).
    pub kept: Vec<(String, String, String)>,
    pub csrf: String,
}

/// The portfolio and year of the address, checked.
async fn target(
    state: &AppState,
    body: &Body,
    code: &str,
    year: &str,
) -> Result<(PortfolioCode, String, FinancialYear), WebError> {
    let (Ok(code), Ok(year)) = (code.parse::<PortfolioCode>(), year.parse::<FinancialYear>())
    else {
        return Err(WebError::NotFound);
    };
    let portfolio = match state.store().portfolio(Some(body.id), &code).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    Ok((code, portfolio.name.to_string(), year))
}

fn page(
    viewer: &Viewer,
    body: &Body,
    (code, name, year): &(PortfolioCode, String, FinancialYear),
    step: &'static str,
) -> ImportPage {
    let base = format!(
        "{}/import",
        plan_href(body.slug.as_str(), code.as_str(), *year)
    );
    ImportPage {
        chrome: chrome(Some(viewer), Some(body)),
        heading: match step {
            "upload" => "Import a plan from a spreadsheet".into(),
            "mapping" => "Match the columns".into(),
            _ => "Check the import".into(),
        },
        caption: format!("{name} plan {year}"),
        back_href: plan_href(body.slug.as_str(), code.as_str(), *year),
        action: match step {
            "upload" => base,
            "mapping" => format!("{base}/preview"),
            _ => format!("{base}/confirm"),
        },
        step,
        errors: vec![],
        problems: vec![],
        more_problems: 0,
        token: String::new(),
        file_name: String::new(),
        headings: vec![],
        chosen: vec![],
        counts: vec![],
        changes: vec![],
        more_changes: 0,
        kept: vec![],
        unchanged: false,
        csrf: viewer.csrf.clone().unwrap_or_default(),
    }
}

fn show(page: ImportPage) -> PageResult {
    let status = status_of(!page.errors.is_empty());
    Ok((status, Html(page.render()?)).into_response())
}

fn error(field: &str, message: String) -> crate::views::FieldError {
    crate::views::FieldError {
        field: field.to_owned(),
        message,
    }
}

/// `GET /b/{body}/plans/{code}/{year}/import`: the upload step.
pub async fn form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    let t = target(&state, &body, &code, &year).await?;
    show(page(&viewer, &body, &t, "upload"))
}

const EXTENSIONS: [&str; 4] = [".xlsx", ".xls", ".ods", ".csv"];

pub(crate) fn too_large(limit: usize) -> WebError {
    WebError::TooLarge {
        what: "the spreadsheet",
        limit,
        advice: "import the plan's actions only, or split the file by portfolio",
    }
}

/// `POST /b/{body}/plans/{code}/{year}/import`: the file, read chunk by
/// chunk and refused with 413 as soon as it passes
/// [`crate::Limits::import_bytes`]; then the mapping step.
pub async fn upload(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    headers: HeaderMap,
    Path((_, code, year)): Path<(String, String, String)>,
    mut form: axum::extract::Multipart,
) -> PageResult {
    let limit = state.limits().import_bytes;
    let t = target(&state, &body, &code, &year).await?;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit + crate::form::FORM_SLACK) {
        return Err(too_large(limit));
    }
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large(limit);
        }
        WebError::Refused(format!("the file could not be read ({e}); choose it again"))
    };
    let mut csrf = String::new();
    let mut file = Vec::new();
    let mut file_name = String::new();
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => {
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if csrf.len() + chunk.len() > 256 {
                        return Err(WebError::Forged);
                    }
                    csrf.push_str(&String::from_utf8_lossy(&chunk));
                }
            }
            Some("file") => {
                check_form(&headers, &viewer, &csrf)?;
                file_name = field
                    .file_name()
                    .map(|n| {
                        n.rsplit(['/', '\\'])
                            .next()
                            .unwrap_or(n)
                            .chars()
                            .take(200)
                            .collect()
                    })
                    .unwrap_or_default();
                file = Vec::with_capacity(declared.unwrap_or(0).min(limit));
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if file.len() + chunk.len() > limit {
                        return Err(too_large(limit));
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    check_form(&headers, &viewer, &csrf)?;
    drop(form);
    let mut p = page(&viewer, &body, &t, "upload");
    let lower = file_name.to_ascii_lowercase();
    if file.is_empty() {
        p.errors
            .push(error("file", "Choose a spreadsheet to import".into()));
        return show(p);
    }
    if !EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        p.errors.push(error(
            "file",
            "The file must be a spreadsheet: .xlsx, .xls, .ods or .csv".into(),
        ));
        return show(p);
    }
    let book = match read(&file_name, &file) {
        Ok(b) => b,
        Err(m) => {
            p.errors.push(error("file", m));
            return show(p);
        }
    };
    let token = crate::auth::new_token();
    let key = upload_key(&viewer, &body, &t, &token);
    match state
        .store()
        .put_import_upload(&key, &file_name, &file, bounds(&state))
        .await
    {
        Ok(()) => {}
        Err(e @ StoreError::UploadsFull { .. }) => {
            p.errors.push(error("file", capitalise(&e.to_string())));
            return show(p);
        }
        Err(e) => return Err(e.into()),
    }
    drop(file);
    let chosen = MappingFields {
        token,
        ..MappingFields::default()
    };
    mapping(&viewer, &body, &t, &book, file_name, &chosen, vec![])
}

fn read(file_name: &str, bytes: &[u8]) -> Result<Workbook, String> {
    interop::read_workbook(file_name, bytes, &interop::Limits::default())
        .map_err(|e| capitalise(&e.to_string()))
}

/// The select's choices: every field, the body's level names among them.
fn field_choices(levels: &LevelNames, chosen: &str) -> Vec<Choice> {
    let mut fields = vec![
        Field::Ignore,
        Field::Reference,
        Field::Title,
        Field::Lead,
        Field::Directorate,
        Field::TargetDate,
        Field::Continues,
    ];
    for d in 0..levels.item_depths() {
        fields.push(Field::Level(d));
        fields.push(Field::LevelRef(d));
    }
    fields.extend([
        Field::Measure,
        Field::Indicator,
        Field::Unit,
        Field::Direction,
        Field::Baseline,
        Field::Target,
        Field::Period,
        Field::Status,
        Field::Commentary,
        Field::Percent,
        Field::Actual,
        Field::KeyAchievement,
        Field::Author,
    ]);
    fields
        .into_iter()
        .map(|f| Choice {
            value: f.name(),
            label: if f == Field::Ignore {
                "Ignore this column".into()
            } else {
                f.heading(levels)
            },
            selected: f.name() == chosen,
        })
        .collect()
}

fn options<'a>(
    body: &Body,
    year: FinancialYear,
    entries: Vec<MappingEntry>,
    check: interop::RefCheck<'a>,
) -> ReadOptions<'a> {
    let mut options = ReadOptions::new(year);
    options.mapping = Mapping::new(entries);
    options.level_names = body.level_names.clone();
    options.rag = body.rag.clone();
    options.check_reference = Some(check);
    options
}

fn checker(scheme: ReferenceScheme) -> impl Fn(RefKind, &str) -> Result<(), String> + Sync {
    move |kind: RefKind, raw: &str| {
        match kind {
            RefKind::Item(_) => scheme.parse_item(raw).map(drop),
            RefKind::Action => scheme.parse_action(raw).map(drop),
        }
        .map_err(|e| e.to_string())
    }
}

/// The mapping step: each heading of the actions sheet with what it was
/// matched to, and a select for each one not recognised, showing `chosen`
/// and `errors` against its select.
fn mapping(
    viewer: &Viewer,
    body: &Body,
    t: &(PortfolioCode, String, FinancialYear),
    book: &Workbook,
    file_name: String,
    chosen: &MappingFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let check = checker(body.reference_scheme);
    let mut p = page(viewer, body, t, "mapping");
    p.token = chosen.token.clone();
    p.file_name = file_name;
    match interop::inspect(book, &options(body, t.2, vec![], &check)) {
        Ok(found) => match found.actions {
            Some(sheet) => {
                p.headings = sheet
                    .headings
                    .iter()
                    .map(|h| HeadingRow {
                        column: h.column,
                        heading: h.heading.clone(),
                        matched: h.field.map(|f| f.heading(&body.level_names)),
                        options: field_choices(&body.level_names, chosen.field(h.column)),
                        error: crate::views::error_for(&errors, &map_field(h.column))
                            .map(str::to_owned),
                    })
                    .collect();
                p.errors = errors;
            }
            None => p.errors.push(error(
                "file",
                "The file has no row of headings with a reference and a title column (such as \"Ref\" and \"Action\")".into(),
            )),
        },
        Err(problems) => problems_into(&mut p, &problems),
    }
    show(p)
}

fn problems_into(p: &mut ImportPage, problems: &interop::Problems) {
    for (i, pr) in problems.list.iter().enumerate() {
        let id = format!("problem-{}", i + 1);
        p.errors.push(error(&id, pr.to_string()));
        p.problems.push(ProblemRow {
            id,
            sheet: pr.sheet.clone(),
            row: pr.row.map(|r| r.to_string()).unwrap_or_default(),
            column: pr.column.clone().unwrap_or_default(),
            message: pr.message.clone(),
        });
    }
    p.more_problems = problems.more;
}

/// The select of the column numbered `column` on the mapping step.
fn map_field(column: usize) -> String {
    format!("map-{column}")
}

/// The mapping step's form (carried on to the preview's as hidden
/// fields), as typed: the upload's token and, for each heading not
/// recognised, the field chosen for its column (`map-COLUMN`).
#[derive(Debug, Default, Clone)]
pub struct MappingFields {
    /// The upload's token.
    token: String,
    /// The field name chosen, by column.
    chosen: BTreeMap<usize, String>,
}

impl From<Vec<(String, String)>> for MappingFields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = MappingFields::default();
        for (name, value) in pairs {
            if name == "token" {
                f.token = value;
            } else if let Some(column) = name
                .strip_prefix("map-")
                .and_then(|c| c.parse::<usize>().ok())
            {
                f.chosen.insert(column, value);
            }
        }
        f
    }
}

impl MappingFields {
    /// The field chosen for `column`; "ignore" when none was.
    fn field(&self, column: usize) -> &str {
        self.chosen.get(&column).map_or("ignore", String::as_str)
    }

    /// The choices as the next step's hidden fields.
    fn hidden(&self) -> Vec<(String, String)> {
        self.chosen
            .iter()
            .map(|(column, field)| (map_field(*column), field.clone()))
            .collect()
    }
}

/// The columns mapped: each heading not recognised with the field chosen
/// for it.
struct ColumnMapping(Vec<MappingEntry>);

impl TryFrom<(&MappingFields, &SheetHeadings, &LevelNames)> for ColumnMapping {
    type Error = Vec<FieldError>;

    /// The choices for `sheet`'s headings not recognised, field names read
    /// with the body's level names; an error names its column's heading.
    fn try_from(
        (f, sheet, levels): (&MappingFields, &SheetHeadings, &LevelNames),
    ) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for h in sheet.unrecognised() {
            let Some(chosen) = f.chosen.get(&h.column) else {
                continue;
            };
            match MappingEntry::parse_with_levels(&format!("{}={chosen}", h.heading), Some(levels))
            {
                Ok(entry) => entries.push(entry),
                Err(_) => note(
                    &mut errors,
                    &map_field(h.column),
                    &format!(
                        "Choose what the column {} holds from the list, or ignore it",
                        h.heading
                    ),
                ),
            }
        }
        parsed(errors, Some(ColumnMapping(entries)))
    }
}

/// What the checks and the store say about the file: its diff, or the page
/// shows the problems.
async fn run(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    t: &(PortfolioCode, String, FinancialYear),
    fields: &MappingFields,
    dry_run: bool,
) -> Result<Result<(String, ImportDiff), PageResult>, WebError> {
    let key = upload_key(viewer, body, t, &fields.token);
    let mut p = page(viewer, body, t, "preview");
    p.token = fields.token.clone();
    p.chosen = fields.hidden();
    let Some(upload) = state.store().import_upload(&key).await? else {
        return Ok(Err(show(expired(viewer, body, t))));
    };
    let file_name = upload.file_name;
    p.file_name = file_name.clone();
    let book = match read(&file_name, &upload.content) {
        Ok(b) => b,
        Err(m) => {
            p.errors.push(error("file", m));
            return Ok(Err(show(p)));
        }
    };
    drop(upload.content);
    let check = checker(body.reference_scheme);
    let headings = interop::inspect(&book, &options(body, t.2, vec![], &check))
        .ok()
        .and_then(|found| found.actions);
    let entries = match headings
        .as_ref()
        .map(|sheet| ColumnMapping::try_from((fields, sheet, &body.level_names)))
    {
        None => vec![],
        Some(Ok(ColumnMapping(entries))) => entries,
        Some(Err(errors)) => {
            return Ok(Err(mapping(
                viewer, body, t, &book, file_name, fields, errors,
            )));
        }
    };
    let check = checker(body.reference_scheme);
    let sheet = match interop::read_plan(&book, &options(body, t.2, entries, &check)) {
        Ok(s) => s,
        Err(problems) => {
            problems_into(&mut p, &problems);
            return Ok(Err(show(p)));
        }
    };
    let plan = match interop::to_plan_import(&sheet, body.reference_scheme) {
        Ok(plan) => plan,
        Err(messages) => {
            for (i, m) in messages.into_iter().enumerate() {
                let id = format!("problem-{}", i + 1);
                p.errors.push(error(&id, capitalise(&m)));
                p.problems.push(ProblemRow {
                    id,
                    sheet: String::new(),
                    row: String::new(),
                    column: String::new(),
                    message: m,
                });
            }
            return Ok(Err(show(p)));
        }
    };
    // An export's About part says what the plan itself is (its status,
    // publication and alignments): taken by a plan the import creates,
    // compared with the plan that is there.
    let about = match interop::read_about(&book) {
        Ok(about) => about,
        Err(problems) => {
            problems_into(&mut p, &problems);
            return Ok(Err(show(p)));
        }
    };
    drop(book);
    let plan = interop::with_about(plan, about.as_ref(), &body.slug, &t.0, t.2);
    let target = ImportTarget {
        body: &body.slug,
        portfolio: &t.0,
        year: t.2,
        setup: None,
    };
    let result = if dry_run {
        state
            .store()
            .import_plan(&viewer.actor(), target, &plan, &file_name, true)
            .await
            .map(Some)
    } else {
        state
            .store()
            .import_plan_upload(&viewer.actor(), target, &plan, &key, |diff| {
                imported(&file_name, diff)
            })
            .await
    };
    match result {
        Ok(Some(diff)) => Ok(Ok((file_name, diff))),
        Ok(None) => Ok(Err(show(expired(viewer, body, t)))),
        Err(e) if e.is_user_error() => {
            p.errors.push(error("file", capitalise(&e.to_string())));
            Ok(Err(show(p)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The upload step again, saying the file is gone.
fn expired(viewer: &Viewer, body: &Body, t: &(PortfolioCode, String, FinancialYear)) -> ImportPage {
    let mut p = page(viewer, body, t, "upload");
    p.errors.push(error(
        "file",
        "The uploaded file has expired or was already imported; choose it again".into(),
    ));
    p
}

/// What the plan page's banner says after an import.
fn imported(file_name: &str, diff: &ImportDiff) -> String {
    format!(
        "Imported {file_name}: {} actions created, {} changed and {} left as they were; {} updates created, {} changed",
        diff.actions.created,
        diff.actions.changed,
        diff.actions.unchanged,
        diff.updates.created,
        diff.updates.changed,
    )
}

/// `POST /b/{body}/plans/{code}/{year}/import/preview`: a dry run.
pub async fn preview(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields = MappingFields::from(pairs);
    let t = target(&state, &body, &code, &year).await?;
    match run(&state, &viewer, &body, &t, &fields, true).await? {
        Err(shown) => shown,
        Ok((_, diff)) => {
            let mut p = page(&viewer, &body, &t, "preview");
            p.token = fields.token.clone();
            p.chosen = fields.hidden();
            p.counts = [
                ("Plan items", diff.items),
                ("Actions", diff.actions),
                ("Updates", diff.updates),
            ]
            .into_iter()
            .map(|(k, c)| (k.to_owned(), c.created, c.changed, c.unchanged))
            .collect();
            p.changes = diff
                .changes
                .iter()
                .take(200)
                .map(|c| ChangeRow {
                    entity: capitalise(c.entity),
                    key: c.key.clone(),
                    operation: c.operation.to_owned(),
                    fields: c.fields.join(", "),
                })
                .collect();
            p.more_changes = diff.changes.len().saturating_sub(200);
            p.unchanged = diff.is_unchanged();
            p.kept = diff
                .plan_differences
                .iter()
                .map(|d| (capitalise(d.field), d.file.clone(), d.plan.clone()))
                .collect();
            show(p)
        }
    }
}

/// `POST /b/{body}/plans/{code}/{year}/import/confirm`: the import for
/// real, ending the upload in the same transaction, then the plan with a
/// banner saying what was imported.
pub async fn confirm(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields = MappingFields::from(pairs);
    let t = target(&state, &body, &code, &year).await?;
    match run(&state, &viewer, &body, &t, &fields, false).await? {
        Err(shown) => shown,
        Ok(_) => {
            let to = format!(
                "{}?imported={}",
                plan_href(body.slug.as_str(), t.0.as_str(), t.2),
                fields.token
            );
            Ok(Redirect::to(&to).into_response())
        }
    }
}

/// The routes of importing a plan from a spreadsheet.
pub(crate) fn routes(limits: &crate::Limits) -> axum::Router<AppState> {
    let import_limit =
        axum::extract::DefaultBodyLimit::max(limits.import_bytes + crate::form::FORM_SLACK);
    axum::Router::new()
        .route(
            "/b/{body}/plans/{code}/{year}/import",
            axum::routing::get(form).post(upload).layer(import_limit),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/import/preview",
            axum::routing::post(preview),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/import/confirm",
            axum::routing::post(confirm),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(column: usize, heading: &str, field: Option<Field>) -> interop::HeadingMatch {
        interop::HeadingMatch {
            column,
            heading: heading.into(),
            field,
            mapped: false,
            half: None,
        }
    }

    fn sheet() -> SheetHeadings {
        SheetHeadings {
            sheet: "Actions".into(),
            row: 1,
            headings: vec![
                heading(0, "Ref", Some(Field::Reference)),
                heading(1, "Action", Some(Field::Title)),
                heading(2, "Responsible officer", None),
                heading(3, "RAG", None),
                heading(4, "Notes", None),
            ],
        }
    }

    fn posted(posted: &[(&str, &str)]) -> MappingFields {
        MappingFields::from(crate::form::pairs(posted))
    }

    #[test]
    fn a_mapping_wrong_in_several_columns_names_each_columns_select() {
        let f = posted(&[
            ("token", "abc"),
            ("map-2", "owner"),
            ("map-3", "status"),
            ("map-4", "remarks"),
        ]);
        let Err(errors) = ColumnMapping::try_from((&f, &sheet(), &LevelNames::default())) else {
            panic!("two columns are mapped to no field");
        };
        assert_eq!(crate::form::fields_of(&errors), ["map-2", "map-4"]);
        assert_eq!(
            errors[0].message,
            "Choose what the column Responsible officer holds from the list, or ignore it"
        );
    }

    #[test]
    fn a_mapping_chosen_maps_each_column_and_carries_on() {
        let f = posted(&[
            ("csrf", "secret"),
            ("token", "abc"),
            ("map-2", "lead"),
            ("map-3", "status"),
            ("map-1", "commentary"),
        ]);
        let ColumnMapping(entries) =
            ColumnMapping::try_from((&f, &sheet(), &LevelNames::default()))
                .unwrap_or_else(|e| panic!("{e:?}"));
        let mapped: Vec<(&str, Field)> = entries
            .iter()
            .map(|e| (e.heading.as_str(), e.field))
            .collect();
        assert_eq!(
            mapped,
            [("Responsible officer", Field::Lead), ("RAG", Field::Status)],
            "a recognised heading keeps its field; a column left out is ignored"
        );
        assert_eq!(f.token, "abc");
        assert_eq!(f.field(4), "ignore");
        assert_eq!(
            f.hidden(),
            [
                ("map-1".to_owned(), "commentary".to_owned()),
                ("map-2".to_owned(), "lead".to_owned()),
                ("map-3".to_owned(), "status".to_owned())
            ]
        );
    }
}
