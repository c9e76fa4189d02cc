//! Bodies and what they own above the plans: strategy and ambitions,
//! alignments, committees, portfolios.

use domain::{
    Alignment, AlignmentKind, Ambition, Body, FinancialYear, LevelNames, Portfolio, PortfolioCode,
    RagMapping, ReferenceScheme, Slug, Strategy, StrategyYears, Title,
};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::rows::{Cols, flag, json, now, unique};
use crate::{Store, StoreError};

/// What is needed to create a body.
#[derive(Debug, Clone)]
pub struct NewBody {
    /// Short name for addresses.
    pub slug: Slug,
    /// Full name.
    pub name: Title,
    /// Plan tree level names.
    pub level_names: LevelNames,
    /// Status colours.
    pub rag: RagMapping,
    /// How its actions and plan items are referenced.
    pub reference_scheme: ReferenceScheme,
}

/// One plan as listed: which body and portfolio, which year, how many actions.
#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    /// The plan's id.
    pub plan_id: domain::PlanId,
    /// The body's slug.
    pub body: String,
    /// The portfolio's code.
    pub portfolio_code: String,
    /// The portfolio's name.
    pub portfolio_name: String,
    /// The plan's year.
    pub year: FinancialYear,
    /// How many actions it has.
    pub actions: i64,
    /// How many updates have been recorded on them.
    pub updates: i64,
    /// Whether it is published.
    pub published: bool,
}

fn body_from(row: &AnyRow) -> Result<Body, StoreError> {
    let c = Cols::new(row, "body")?;
    Ok(Body {
        id: c.id(),
        slug: c.parse("slug", str::parse)?,
        name: c.parse("name", |s| Title::parse("name", s))?,
        level_names: c.parse("level_names", |s| {
            serde_json::from_str::<Vec<String>>(s)
                .map_err(|_| domain::ParseError::new("level names", s, "a JSON list of names"))
                .and_then(|v| LevelNames::new(&v))
        })?,
        rag: c.parse("rag_mapping", |s| {
            serde_json::from_str(s).map_err(|_| {
                domain::ParseError::new("RAG mapping", s, "a JSON map of status to colour")
            })
        })?,
        reference_scheme: c.parse("reference_scheme", str::parse)?,
        version: c.key("version")?,
    })
}

fn portfolio_from(row: &AnyRow) -> Result<Portfolio, StoreError> {
    let c = Cols::new(row, "portfolio")?;
    Ok(Portfolio {
        id: c.id(),
        body_id: c.key("body_id")?,
        code: c.parse("code", str::parse)?,
        name: c.parse("name", |s| Title::parse("name", s))?,
        committee: c.parse_opt("committee", |s| Title::parse("committee", s))?,
        version: c.key("version")?,
    })
}

pub(crate) fn alignment_from(row: &AnyRow) -> Result<Alignment, StoreError> {
    let c = Cols::new(row, "alignment")?;
    Ok(Alignment {
        id: c.id(),
        name: c.parse("name", |s| Title::parse("name", s))?,
        kind: c.parse("kind", str::parse)?,
        url: c.opt_string("url")?,
    })
}

async fn plan_count(conn: &mut sqlx::AnyConnection, body_id: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM plans pl JOIN portfolios po ON po.id = pl.portfolio_id \
         WHERE po.body_id = $1 AND pl.deleted_at IS NULL",
    )
    .bind(body_id)
    .fetch_one(conn)
    .await?)
}

const PORTFOLIO_COLUMNS: &str = "p.id, p.body_id, p.code, p.name, p.version, c.name AS committee \
     FROM portfolios p LEFT JOIN committees c ON c.id = p.committee_id";

impl Store {
    /// Create a body.
    pub async fn create_body(&self, actor: &str, new: NewBody) -> Result<Body, StoreError> {
        let mut tx = self.begin_write().await?;
        let levels: Vec<String> = new.level_names.clone().into();
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bodies (slug, name, level_names, rag_mapping, reference_scheme, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.slug.as_str())
        .bind(new.name.as_str())
        .bind(serde_json::to_string(&levels).expect("strings serialise"))
        .bind(serde_json::to_string(&new.rag).expect("mapping serialises"))
        .bind(new.reference_scheme.as_str())
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("body", &new.slug, "slug"))?;
        let body = Body {
            id: domain::BodyId::new(id),
            slug: new.slug,
            name: new.name,
            level_names: new.level_names,
            rag: new.rag,
            reference_scheme: new.reference_scheme,
            version: domain::Version::FIRST,
        };
        record(
            &mut tx,
            Change::create(Some(id), actor, "body", id, json(&body)),
        )
        .await?;
        tx.commit().await?;
        Ok(body)
    }

    /// Choose how `body_id` references its actions and plan items, based
    /// on the body's `expected_version`. Refused once the body has a plan
    /// (its references were written in the scheme it has).
    pub async fn set_reference_scheme(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        expected_version: domain::Version,
        scheme: ReferenceScheme,
    ) -> Result<Body, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT * FROM bodies WHERE id = $1 AND deleted_at IS NULL")
            .bind(body_id.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("body", body_id))?;
        let before = body_from(&row)?;
        crate::rows::claim(
            &mut tx,
            "bodies",
            "body",
            body_id,
            body_id,
            expected_version,
        )
        .await?;
        if scheme != before.reference_scheme {
            let plans = plan_count(&mut tx, body_id.get()).await?;
            if plans > 0 {
                return Err(StoreError::Invalid(domain::ParseError::new(
                    "reference scheme",
                    scheme.as_str(),
                    format!(
                        "\"{}\", the scheme {} already has: a body's scheme can be changed only while it has no plans, and it has {plans}",
                        before.reference_scheme, before.slug
                    ),
                )));
            }
        }
        sqlx::query("UPDATE bodies SET reference_scheme = $1, updated_at = $2 WHERE id = $3")
            .bind(scheme.as_str())
            .bind(now())
            .bind(body_id.get())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Change::between(
                Some(body_id.get()),
                actor,
                "body",
                body_id.get(),
                "edit",
                serde_json::json!({ "reference_scheme": before.reference_scheme }),
                serde_json::json!({ "reference_scheme": scheme }),
            ),
        )
        .await?;
        tx.commit().await?;
        let mut body = before;
        body.reference_scheme = scheme;
        body.version = expected_version.next();
        Ok(body)
    }

    /// How many plans `body_id` has (a body with none may change its reference scheme).
    pub async fn plan_count(&self, body_id: domain::BodyId) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        plan_count(&mut conn, body_id.get()).await
    }

    /// Every body, by name.
    pub async fn bodies(&self) -> Result<Vec<Body>, StoreError> {
        let rows = sqlx::query("SELECT * FROM bodies WHERE deleted_at IS NULL ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(body_from).collect()
    }

    /// The body with `slug`.
    pub async fn body(&self, slug: &Slug) -> Result<Body, StoreError> {
        let row = sqlx::query("SELECT * FROM bodies WHERE slug = $1 AND deleted_at IS NULL")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("body", slug))?;
        body_from(&row)
    }

    /// The body with id `id`.
    pub async fn body_by_id(&self, id: domain::BodyId) -> Result<Body, StoreError> {
        let row = sqlx::query("SELECT * FROM bodies WHERE id = $1 AND deleted_at IS NULL")
            .bind(id.get())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("body", id))?;
        body_from(&row)
    }

    /// Give `body_id` its corporate strategy (without ambitions yet).
    pub async fn create_strategy(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        title: Title,
        years: StrategyYears,
    ) -> Result<Strategy, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO strategies (body_id, title, first_year, last_year, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id.get())
        .bind(title.as_str())
        .bind(i64::from(years.first))
        .bind(i64::from(years.last))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let strategy = Strategy {
            id: domain::StrategyId::new(id),
            title,
            years,
            ambitions: vec![],
            version: domain::Version::FIRST,
        };
        record(
            &mut tx,
            Change::create(Some(body_id.get()), actor, "strategy", id, json(&strategy)),
        )
        .await?;
        tx.commit().await?;
        Ok(strategy)
    }

    /// Add numbered ambition to a strategy.
    pub async fn add_ambition(
        &self,
        actor: &str,
        strategy_id: domain::StrategyId,
        number: u16,
        title: Title,
        illustrative: bool,
    ) -> Result<Ambition, StoreError> {
        let mut tx = self.begin_write().await?;
        let body_id: i64 = sqlx::query_scalar(
            "SELECT body_id FROM strategies WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(strategy_id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("strategy", strategy_id))?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ambitions (strategy_id, number, title, illustrative, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(strategy_id.get())
        .bind(i64::from(number))
        .bind(title.as_str())
        .bind(flag(illustrative))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("ambition", number, "number"))?;
        let ambition = Ambition {
            id: domain::AmbitionId::new(id),
            number,
            title,
            illustrative,
        };
        record(
            &mut tx,
            Change::create(Some(body_id), actor, "ambition", id, json(&ambition)),
        )
        .await?;
        tx.commit().await?;
        Ok(ambition)
    }

    /// The body's current strategy with its ambitions, if it has one.
    pub async fn strategy(&self, body_id: domain::BodyId) -> Result<Option<Strategy>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, title, first_year, last_year, version FROM strategies \
             WHERE body_id = $1 AND deleted_at IS NULL ORDER BY last_year DESC, id DESC LIMIT 1",
        )
        .bind(body_id.get())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let c = Cols::new(&row, "strategy")?;
        let years = StrategyYears {
            first: c.i64("first_year")? as i32,
            last: c.i64("last_year")? as i32,
        };
        let ambitions = sqlx::query(
            "SELECT id, number, title, illustrative FROM ambitions WHERE strategy_id = $1 AND deleted_at IS NULL ORDER BY number",
        )
        .bind(c.id::<i64>())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let a = Cols::new(row, "ambition")?;
            Ok(Ambition {
                id: a.id(),
                number: u16::try_from(a.i64("number")?)
                    .map_err(|_| a.corrupt(domain::ParseError::new("number", "?", "1 to 65535")))?,
                title: a.parse("title", |s| Title::parse("title", s))?,
                illustrative: a.flag("illustrative")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(Some(Strategy {
            id: c.id(),
            title: c.parse("title", |s| Title::parse("title", s))?,
            years,
            ambitions,
            version: c.key("version")?,
        }))
    }

    /// Change the strategy's title and years and its ambitions' wording, in
    /// one transaction; `expected_version` is the strategy's version.
    pub async fn edit_strategy(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        expected_version: domain::Version,
        title: Title,
        years: StrategyYears,
        ambitions: Vec<(domain::AmbitionId, Title)>,
    ) -> Result<Strategy, StoreError> {
        let before = self
            .strategy(body_id)
            .await?
            .ok_or_else(|| StoreError::not_found("strategy of body", body_id))?;
        let mut tx = self.begin_write().await?;
        crate::rows::claim(
            &mut tx,
            "strategies",
            "strategy",
            &before.title,
            before.id.get(),
            expected_version,
        )
        .await?;
        let t = now();
        for (id, new_title) in &ambitions {
            let Some(old) = before.ambitions.iter().find(|a| a.id == *id) else {
                return Err(StoreError::not_found("ambition", id));
            };
            if old.title != *new_title {
                // Ambitions are edited under the strategy's version, claimed above.
                sqlx::query("UPDATE ambitions SET title = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(new_title.as_str())
                    .bind(&t)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
                let after = Ambition {
                    title: new_title.clone(),
                    ..old.clone()
                };
                record(
                    &mut tx,
                    Change::between(
                        Some(body_id.get()),
                        actor,
                        "ambition",
                        id.get(),
                        "edit",
                        json(old),
                        json(&after),
                    ),
                )
                .await?;
            }
        }
        sqlx::query(
            "UPDATE strategies SET title = $1, first_year = $2, last_year = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(title.to_string())
        .bind(i64::from(years.first))
        .bind(i64::from(years.last))
        .bind(&t)
        .bind(before.id.get())
        .execute(&mut *tx)
        .await?;
        let mut after = before.clone();
        after.title = title;
        after.years = years;
        after.version = expected_version.next();
        for a in after.ambitions.iter_mut() {
            if let Some((_, t)) = ambitions.iter().find(|(id, _)| *id == a.id) {
                a.title = t.clone();
            }
        }
        record(
            &mut tx,
            Change::between(
                Some(body_id.get()),
                actor,
                "strategy",
                after.id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Record a programme or strategy that plans can align with.
    pub async fn create_alignment(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        name: Title,
        kind: AlignmentKind,
        url: Option<String>,
    ) -> Result<Alignment, StoreError> {
        let url = url.map(|u| Alignment::parse_url(&u)).transpose()?;
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO alignments (body_id, name, kind, url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id.get())
        .bind(name.as_str())
        .bind(kind.as_str())
        .bind(url.clone())
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("alignment", &name, "name"))?;
        let alignment = Alignment {
            id: domain::AlignmentId::new(id),
            name,
            kind,
            url,
        };
        record(
            &mut tx,
            Change::create(
                Some(body_id.get()),
                actor,
                "alignment",
                id,
                json(&alignment),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(alignment)
    }

    /// Every programme and strategy `body_id`'s plans can align with, by name.
    pub async fn alignments(&self, body_id: domain::BodyId) -> Result<Vec<Alignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM alignments WHERE body_id = $1 AND deleted_at IS NULL ORDER BY name",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(alignment_from).collect()
    }

    /// Create a portfolio of `body_id`, optionally scrutinised by a committee.
    pub async fn create_portfolio(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        code: PortfolioCode,
        name: Title,
        committee_id: Option<domain::CommitteeId>,
    ) -> Result<Portfolio, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO portfolios (body_id, code, name, committee_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id.get())
        .bind(code.as_str())
        .bind(name.as_str())
        .bind(committee_id.map(|v| v.get()))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("portfolio", &code, "code"))?;
        let row = sqlx::query(&format!("SELECT {PORTFOLIO_COLUMNS} WHERE p.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let portfolio = portfolio_from(&row)?;
        record(
            &mut tx,
            Change::create(
                Some(body_id.get()),
                actor,
                "portfolio",
                id,
                json(&portfolio),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(portfolio)
    }

    /// The portfolio with `code`. When `body_id` is none the code must be
    /// unique across all bodies.
    pub async fn portfolio(
        &self,
        body_id: Option<domain::BodyId>,
        code: &PortfolioCode,
    ) -> Result<Portfolio, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PORTFOLIO_COLUMNS} WHERE p.code = $1 AND p.deleted_at IS NULL AND ($2 = 0 OR p.body_id = $3)"
        ))
        .bind(code.as_str())
        .bind(body_id.map_or(0, |b| b.get()))
        .bind(body_id.map_or(0, |b| b.get()))
        .fetch_all(&self.pool)
        .await?;
        match rows.as_slice() {
            [row] => portfolio_from(row),
            [] => {
                let known: Vec<String> = sqlx::query_scalar(
                    "SELECT DISTINCT code FROM portfolios WHERE deleted_at IS NULL ORDER BY code",
                )
                .fetch_all(&self.pool)
                .await?;
                Err(StoreError::NotFound {
                    entity: "portfolio",
                    key: code.to_string(),
                    hint: if known.is_empty() {
                        "; there are no portfolios yet (run `ambit demo` for an example)".into()
                    } else {
                        format!("; known portfolios: {}", known.join(", "))
                    },
                })
            }
            _ => Err(StoreError::NotFound {
                entity: "portfolio",
                key: code.to_string(),
                hint: "; several bodies have a portfolio with this code; name the body with --body SLUG"
                    .into(),
            }),
        }
    }

    /// Every portfolio of `body_id`, by code.
    pub async fn portfolios(&self, body_id: domain::BodyId) -> Result<Vec<Portfolio>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PORTFOLIO_COLUMNS} WHERE p.body_id = $1 AND p.deleted_at IS NULL ORDER BY p.code"
        ))
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(portfolio_from).collect()
    }

    /// The portfolios committee `committee_id` scrutinises, by code.
    pub async fn committee_portfolios(
        &self,
        committee_id: domain::CommitteeId,
    ) -> Result<Vec<Portfolio>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PORTFOLIO_COLUMNS} WHERE p.committee_id = $1 AND p.deleted_at IS NULL ORDER BY p.code"
        ))
        .bind(committee_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(portfolio_from).collect()
    }

    /// The portfolio with id `id`.
    pub async fn portfolio_by_id(&self, id: domain::PortfolioId) -> Result<Portfolio, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PORTFOLIO_COLUMNS} WHERE p.id = $1 AND p.deleted_at IS NULL"
        ))
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("portfolio", id))?;
        portfolio_from(&row)
    }

    /// Every plan of every body, by body, portfolio and year.
    pub async fn plans(&self) -> Result<Vec<PlanSummary>, StoreError> {
        self.plan_summaries(None).await
    }

    /// The plans of body `body_id`, by portfolio and year: read through
    /// the body's portfolios, whatever the number of other bodies.
    pub async fn body_plans(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<PlanSummary>, StoreError> {
        self.plan_summaries(Some(body_id.get())).await
    }

    async fn plan_summaries(&self, body_id: Option<i64>) -> Result<Vec<PlanSummary>, StoreError> {
        let sql = format!(
            "SELECT pl.id, b.slug, po.code, po.name, pl.year, pl.published_at, \
               (SELECT COUNT(*) FROM actions a WHERE a.plan_id = pl.id AND a.deleted_at IS NULL) AS actions, \
               (SELECT COUNT(*) FROM updates u JOIN actions a ON a.id = u.action_id \
                 WHERE a.plan_id = pl.id AND a.deleted_at IS NULL AND u.deleted_at IS NULL) AS updates \
             FROM plans pl JOIN portfolios po ON po.id = pl.portfolio_id JOIN bodies b ON b.id = po.body_id \
             WHERE pl.deleted_at IS NULL AND po.deleted_at IS NULL AND b.deleted_at IS NULL {} \
             ORDER BY b.slug, po.code, pl.year",
            if body_id.is_some() {
                "AND po.body_id = $1"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = body_id {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "plan")?;
                Ok(PlanSummary {
                    plan_id: c.id(),
                    body: c.string("slug")?,
                    portfolio_code: c.string("code")?,
                    portfolio_name: c.string("name")?,
                    year: FinancialYear::starting(c.i64("year")? as i32)
                        .map_err(|e| c.corrupt(e))?,
                    actions: c.i64("actions")?,
                    updates: c.i64("updates")?,
                    published: c.opt_string("published_at")?.is_some(),
                })
            })
            .collect()
    }
}
