//! From what the minutes say to what enters the committee's record.

use domain::{
    AcceptedMinutes, ActionRef, NewCommitment, NewQuestion, NewResolution, PlanTree, Text, Title,
};

use crate::Extract;

/// The action with `reference` in `tree`, if both are known.
pub fn action_id(
    tree: Option<&PlanTree>,
    reference: Option<&ActionRef>,
) -> Option<domain::ActionId> {
    let (tree, reference) = (tree?, reference?);
    tree.actions
        .iter()
        .find(|a| &a.details.reference == reference)
        .map(|a| a.id)
}

fn title(raw: Option<&str>) -> Option<Title> {
    raw.and_then(|r| Title::parse("name", r).ok())
}

impl Extract {
    /// Everything found, as it would enter the record of an agenda item
    /// whose `minutes` these are, with action references resolved against
    /// the plan the item covers (when it covers one). Findings whose text
    /// cannot be recorded (empty, or longer than the record allows) are left
    /// out rather than cut.
    pub fn accepted(&self, minutes: &str, tree: Option<&PlanTree>) -> AcceptedMinutes {
        AcceptedMinutes {
            minutes: minutes.to_owned(),
            questions: self
                .questions
                .iter()
                .filter_map(|q| {
                    Some(NewQuestion {
                        asker: title(q.asker.as_deref()),
                        responder: title(q.responder.as_deref()),
                        action_id: action_id(tree, q.action_ref.as_ref()),
                        source: Text::parse("question", &q.text).ok()?,
                    })
                })
                .collect(),
            commitments: self
                .commitments
                .iter()
                .filter_map(|c| {
                    let text = Text::parse("commitment", &c.text).ok()?;
                    Some(NewCommitment {
                        source: text.clone(),
                        text,
                        owner: title(c.owner.as_deref()),
                        due_by: c.due.as_ref().and_then(|d| d.date),
                        due_text: c.due.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
                        action_id: action_id(tree, c.action_ref.as_ref()),
                    })
                })
                .collect(),
            resolutions: self
                .resolutions
                .iter()
                .filter_map(|r| {
                    Some(NewResolution {
                        text: Text::parse("resolution", &r.text).ok()?,
                        outcome: r.outcome,
                    })
                })
                .collect(),
            reviewed: Vec::new(),
        }
    }
}
