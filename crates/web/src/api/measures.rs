//! An action's measures of success through the API: the whole list set at
//! once, as the action page's forms do one at a time, through the same
//! [`store::Store::set_measures`].

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use domain::{Direction, Indicator, Measure, MeasureTarget, ParseError, Text, Title};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    ActionDto, ApiError, ApiResult, Ids, Payload, action_dto, caller, forbidden, update_dto,
    visible_action,
};
use crate::{AppState, visible};

/// An action's measures of success, replacing those it has.
#[derive(Deserialize, ToSchema)]
pub struct MeasuresEdit {
    /// The action's version the change is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// Why an approved plan is amended (required when the plan is approved).
    amendment: Option<String>,
    /// The measures, in order; those of the action left out are removed
    /// (their figures stay in its history).
    #[schema(max_items = 50)]
    measures: Vec<MeasureEdit>,
}

/// One measure of success.
#[derive(Deserialize, ToSchema)]
pub struct MeasureEdit {
    /// The measure it replaces (an id from the action's `measures`); omit
    /// for a new one.
    #[schema(value_type = Option<i64>)]
    id: Option<domain::MeasureId>,
    /// "statement" (success in words) or "indicator" (a number reported each half-year).
    #[schema(pattern = r"^(statement|indicator)$")]
    kind: String,
    /// The statement, or what the indicator counts.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    text: String,
    /// The indicator's unit ("carers", "%"); required for an indicator.
    unit: Option<String>,
    /// Which way is better for an indicator: "up" or "down"; required for an indicator.
    #[schema(pattern = r"^(up|down)$")]
    direction: Option<String>,
    /// Where the indicator started.
    baseline: Option<f64>,
    /// The indicator's target for the end of the plan's year. Targets of
    /// other years and half-years of a replaced measure are kept.
    target: Option<f64>,
}

/// The measure `m` (the `i`th of the list) describes, keeping the other
/// years' targets of `before`.
fn measure_of(
    i: usize,
    m: &MeasureEdit,
    year: domain::FinancialYear,
    before: Option<&Measure>,
) -> Result<Measure, ApiError> {
    let at = |e: ParseError, field: &str| ApiError {
        field: Some(format!("measures[{i}].{field}")),
        ..ApiError::invalid(e)
    };
    match m.kind.as_str() {
        "statement" => {
            if m.text.trim().is_empty() {
                return Err(at(ParseError::new("text", "", "the statement"), "text"));
            }
            Measure::statement(&m.text).map_err(|e| at(e, "text"))
        }
        "indicator" => {
            let name = Title::parse("text", &m.text).map_err(|e| at(e, "text"))?;
            let unit = Title::parse("unit", m.unit.as_deref().unwrap_or_default())
                .map_err(|e| at(e, "unit"))?;
            let direction = m
                .direction
                .as_deref()
                .unwrap_or_default()
                .parse::<Direction>()
                .map_err(|e| at(e, "direction"))?;
            let kept = match before {
                Some(Measure::Indicator(old)) => old.targets.as_slice(),
                _ => &[],
            };
            let targets = MeasureTarget::with_year_end(kept, year, m.target);
            Indicator::new(name, unit, direction, m.baseline, targets)
                .map(Measure::Indicator)
                .map_err(|e| at(e, "target"))
        }
        other => Err(at(
            ParseError::new("kind", other, "statement or indicator"),
            "kind",
        )),
    }
}

#[utoipa::path(put, path = "/api/v1/actions/{id}/measures", request_body = MeasuresEdit,
    params(("id" = i64, Path, description = "The action's id")),
    responses((status = 200, body = ActionDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn set_measures(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::ActionId>,
    Payload(edit): Payload<MeasuresEdit>,
) -> ApiResult<ActionDto> {
    let viewer = caller(&state, &headers).await?;
    let Some(viewer) = viewer else {
        return Err(forbidden(None));
    };
    let (action, plan, access) = visible_action(&state, Some(&viewer), id).await?;
    if !access.edits_plans() {
        return Err(forbidden(Some(&viewer)));
    }
    let mut measures = Vec::with_capacity(edit.measures.len());
    for (i, m) in edit.measures.iter().enumerate() {
        let before = match m.id {
            Some(mid) => Some(
                action
                    .measures
                    .iter()
                    .find(|(id, _)| *id == mid)
                    .map(|(_, m)| m)
                    .ok_or_else(|| ApiError {
                        field: Some(format!("measures[{i}].id")),
                        ..ApiError::invalid(ParseError::new(
                            "id",
                            mid.to_string(),
                            "the id of one of the action's measures, or none for a new one",
                        ))
                    })?,
            ),
            None => None,
        };
        if m.id.is_some() && edit.measures[..i].iter().any(|o| o.id == m.id) {
            return Err(ApiError {
                field: Some(format!("measures[{i}].id")),
                ..ApiError::invalid(ParseError::new(
                    "id",
                    m.id.map(|id| id.to_string()).unwrap_or_default(),
                    "each measure once",
                ))
            });
        }
        measures.push((m.id, measure_of(i, m, plan.year, before)?));
    }
    let writer = match edit
        .amendment
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(reason) => state
            .store()
            .amending(&Text::parse("amendment", reason).map_err(ApiError::invalid)?)?,
        None => state.store().clone(),
    };
    let actor = format!("{} (API)", viewer.actor());
    let saved = writer
        .set_measures(&actor, id, edit.version, &measures)
        .await?;
    let updates = visible::updates(&state, &saved, &access)
        .await?
        .iter()
        .map(update_dto)
        .collect();
    Ok(Json(action_dto(&saved, plan.year, updates)))
}
