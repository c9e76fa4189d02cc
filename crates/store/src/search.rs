//! Full-text search over one body's record (migration 0019): actions,
//! updates' commentary, questions, promises and minutes, ranked, with the
//! matching words marked. SQLite searches its FTS5 table (Porter
//! stemming), PostgreSQL its tsvector column (English stemming); the
//! index is kept in step by triggers in every write's transaction. The
//! body is a word of each entry (migration 0022), matched in the index
//! with the words searched for, so a search reads only its body's entries
//! however many bodies share the database.
//!
//! What a viewer may find is decided in the query, by the same rules the
//! pages follow (`domain::Access`): only the body's own records; plans and
//! meetings not published only for people of the body; an update as
//! written only for those who see the work on its action (those who sign
//! off, the action's lead), its signed-off content for everyone else, and
//! nothing of an update never signed off.

use chrono::NaiveDate;
use domain::{FinancialYear, Half, SearchQuery};
use serde::Serialize;

use crate::rows::Cols;
use crate::{Engine, Store, StoreError};

/// Marks the start of a matching word in [`Marked`] text.
pub const MARK_START: char = '\u{2}';
/// Marks the end of a matching word in [`Marked`] text.
pub const MARK_END: char = '\u{3}';

/// Who is searching, as the visibility rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchScope {
    /// The body searched.
    pub body_id: domain::BodyId,
    /// Whether unpublished plans and meetings are seen (people of the body).
    pub sees_unpublished: bool,
    /// Whether every update's work in progress is seen (those who sign off).
    pub signs_off: bool,
    /// The lead whose actions' work in progress is seen (an action lead's).
    pub lead: Option<String>,
}

/// What kind of record a search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    /// An action (its reference and title).
    Action,
    /// An update's commentary.
    Update,
    /// A question asked at a meeting.
    Question,
    /// A promise made at a meeting.
    Promise,
    /// An agenda item's minutes (and its number and title).
    Minutes,
}

impl SearchKind {
    /// For people: "Action", "Update", …
    pub fn label(self) -> &'static str {
        match self {
            SearchKind::Action => "Action",
            SearchKind::Update => "Update",
            SearchKind::Question => "Question",
            SearchKind::Promise => "Promise",
            SearchKind::Minutes => "Minutes",
        }
    }
}

/// Text with the matching words between [`MARK_START`] and [`MARK_END`].
/// It is data: whoever shows it escapes it, marks included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Marked(pub String);

impl Marked {
    /// The text in pieces, each with whether it matched.
    pub fn pieces(&self) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut inside = false;
        let mut rest = self.0.as_str();
        while !rest.is_empty() {
            let next = rest.find([MARK_START, MARK_END]);
            let (piece, after) = match next {
                Some(i) => (
                    &rest[..i],
                    Some((rest[i..].starts_with(MARK_START), &rest[i + 1..])),
                ),
                None => (rest, None),
            };
            if !piece.is_empty() {
                out.push((inside, piece));
            }
            match after {
                Some((start, r)) => {
                    inside = start;
                    rest = r;
                }
                None => break,
            }
        }
        out
    }

    /// The text without marks.
    pub fn plain(&self) -> String {
        self.0.replace([MARK_START, MARK_END], "")
    }
}

/// One record found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// What it is.
    pub kind: SearchKind,
    /// Its id (the action's, update's, question's, promise's or agenda item's).
    pub id: i64,
    /// The heading matched (an action's reference and title, an agenda
    /// item's number and title), marked; empty for others.
    pub title: Marked,
    /// The passage matched, marked; empty for an action.
    pub text: Marked,
    /// The action it is, or whose update it is.
    pub action: Option<HitAction>,
    /// The half-year of an update.
    pub half: Option<Half>,
    /// The meeting it was said at (questions, promises, minutes).
    pub meeting: Option<HitMeeting>,
}

/// The action a hit belongs to, to name and link it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitAction {
    /// The action's id.
    pub id: domain::ActionId,
    /// Its reference, as written.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its portfolio's code.
    pub portfolio: String,
    /// Its plan's year.
    pub year: FinancialYear,
}

/// The meeting a hit belongs to, to name and link it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitMeeting {
    /// The meeting's id.
    pub id: domain::MeetingId,
    /// The committee's name.
    pub committee: String,
    /// When it was held.
    pub held_on: NaiveDate,
    /// The agenda item's number and title.
    pub item: String,
}

/// One page of results, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many records were found in all.
    pub total: i64,
    /// This page's.
    pub hits: Vec<SearchHit>,
}

/// What may be seen of the joined rows (see the module's rules). Its
/// parameters are $2 (body), $3 (sees unpublished), $4 (signs off) and
/// $5 (the lead, or '').
const VISIBLE: &str = "s.body_id = $2 AND (
    (s.action_id IS NOT NULL AND a.deleted_at IS NULL AND p.deleted_at IS NULL
        AND ($3 = 1 OR p.published_at IS NOT NULL)
        AND (s.audience = 0
            OR (s.audience = 1 AND ($4 = 1 OR ($5 <> '' AND LOWER(a.lead) = LOWER($5))))
            OR (s.audience = 2 AND NOT ($4 = 1 OR ($5 <> '' AND LOWER(a.lead) = LOWER($5))))))
    OR (s.item_id IS NOT NULL AND ai.deleted_at IS NULL AND m.deleted_at IS NULL
        AND ($3 = 1 OR m.published = 1)))";

/// The joins [`VISIBLE`] and the hits' context read.
const JOINS: &str = "LEFT JOIN actions a ON a.id = s.action_id
    LEFT JOIN plans p ON p.id = a.plan_id
    LEFT JOIN portfolios po ON po.id = p.portfolio_id
    LEFT JOIN updates u ON u.id = s.record_id AND s.kind IN (2, 3)
    LEFT JOIN agenda_items ai ON ai.id = s.item_id
    LEFT JOIN meetings m ON m.id = ai.meeting_id
    LEFT JOIN committees c ON c.id = m.committee_id";

/// The context columns of a hit.
const CONTEXT: &str = "s.kind AS kind, s.record_id AS id, a.id AS a_id, a.reference AS a_ref,
    a.title AS a_title, po.code AS po_code, p.year AS p_year, u.half AS u_half, m.id AS m_id,
    c.name AS c_name, m.held_on AS m_held_on, ai.number AS ai_number, ai.title AS ai_title";

impl Store {
    /// Records of `scope`'s body matching `query`, as `scope` may see
    /// them, best first: `limit` of them after the first `offset`.
    pub async fn search(
        &self,
        scope: &SearchScope,
        query: &SearchQuery,
        limit: i64,
        offset: i64,
    ) -> Result<SearchResults, StoreError> {
        let (matched, count_sql, page_sql) = match self.engine {
            Engine::Sqlite => {
                // The body's own word and the words searched for, matched
                // together in the index (migration 0022); the words only in
                // the title and text, so a search for a number is not a
                // search for a body.
                let words = query
                    .terms()
                    .iter()
                    .map(|t| format!("\"{}\"", t.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let matched = format!(
                    "body_id : \"{}\" AND {{title text}} : ({words})",
                    scope.body_id
                );
                let from = format!(
                    "FROM search_index s {JOINS} WHERE search_index MATCH $1 AND {VISIBLE}"
                );
                (
                    matched,
                    format!("SELECT COUNT(*) {from}"),
                    format!(
                        "SELECT {CONTEXT},
                            highlight(search_index, 0, char(2), char(3)) AS title_marked,
                            snippet(search_index, 1, char(2), char(3), '…', 32) AS text_marked
                         {from}
                         ORDER BY bm25(search_index, 4.0, 1.0, 0.0), s.rowid LIMIT $6 OFFSET $7"
                    ),
                )
            }
            Engine::Postgres => {
                let from = format!(
                    "FROM search_index s {JOINS}
                     WHERE s.document @@ websearch_to_tsquery('english', $1)
                         AND s.document @@ quote_literal('body ' || $2::bigint::text)::tsquery
                         AND {VISIBLE}"
                );
                (
                    query.to_string(),
                    format!("SELECT COUNT(*) {from}"),
                    format!(
                        "SELECT {CONTEXT},
                            ts_headline('english', s.title, websearch_to_tsquery('english', $1),
                                'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS title_marked,
                            CASE WHEN s.text = '' THEN '' ELSE
                            ts_headline('english', s.text, websearch_to_tsquery('english', $1),
                                'MaxWords=32, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \", StartSel='
                                || chr(2) || ', StopSel=' || chr(3)) END AS text_marked
                         FROM (SELECT s.id, ts_rank(s.document, websearch_to_tsquery('english', $1)) AS rank
                               {from}
                               ORDER BY rank DESC, s.id LIMIT $6 OFFSET $7) hit
                         JOIN search_index s ON s.id = hit.id
                         {JOINS}
                         ORDER BY hit.rank DESC, s.id"
                    ),
                )
            }
        };
        let lead = scope.lead.clone().unwrap_or_default();
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&matched)
            .bind(scope.body_id.get())
            .bind(i64::from(scope.sees_unpublished))
            .bind(i64::from(scope.signs_off))
            .bind(&lead)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(&page_sql)
            .bind(&matched)
            .bind(scope.body_id.get())
            .bind(i64::from(scope.sees_unpublished))
            .bind(i64::from(scope.signs_off))
            .bind(&lead)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let mut hits = Vec::with_capacity(rows.len());
        for row in &rows {
            hits.push(hit_from(row)?);
        }
        Ok(SearchResults { total, hits })
    }
}

fn hit_from(row: &sqlx::any::AnyRow) -> Result<SearchHit, StoreError> {
    let c = Cols::new(row, "search index entry")?;
    let id = c.id();
    let kind = match c.i64("kind")? {
        1 => SearchKind::Action,
        2 | 3 => SearchKind::Update,
        4 => SearchKind::Question,
        5 => SearchKind::Promise,
        _ => SearchKind::Minutes,
    };
    let action = match c.opt_i64("a_id")? {
        Some(action_id) => Some(HitAction {
            id: domain::ActionId::new(action_id),
            reference: c.string("a_ref")?,
            title: c.string("a_title")?,
            portfolio: c.string("po_code")?,
            year: FinancialYear::starting(c.i64("p_year")? as i32).map_err(|e| c.corrupt(e))?,
        }),
        None => None,
    };
    let half = match c.opt_i64("u_half")? {
        Some(1) => Some(Half::H1),
        Some(_) => Some(Half::H2),
        None => None,
    };
    let meeting = match c.opt_i64("m_id")? {
        Some(meeting_id) => Some(HitMeeting {
            id: domain::MeetingId::new(meeting_id),
            committee: c.string("c_name")?,
            held_on: c.parse("m_held_on", |raw| {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| domain::ParseError::new("date", raw, "a date such as 2024-03-12"))
            })?,
            item: format!("{} {}", c.string("ai_number")?, c.string("ai_title")?)
                .trim()
                .to_owned(),
        }),
        None => None,
    };
    Ok(SearchHit {
        kind,
        id,
        title: Marked(c.string("title_marked")?),
        text: Marked(c.string("text_marked")?),
        action,
        half,
        meeting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_text_comes_apart_in_pieces() {
        let m = Marked(format!(
            "a {MARK_START}care{MARK_END} home{MARK_START}s{MARK_END}"
        ));
        assert_eq!(
            m.pieces(),
            vec![(false, "a "), (true, "care"), (false, " home"), (true, "s")]
        );
        assert_eq!(m.plain(), "a care homes");
        // A stray mark in the data cannot leave a piece open past the end.
        let m = Marked(format!("{MARK_END}x{MARK_START}"));
        assert_eq!(m.pieces(), vec![(false, "x")]);
    }
}
