use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Status;

/// Counts of statuses over a set of actions: a plan, an ambition, a priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollUp {
    counts: [u32; 6],
    no_update: u32,
}

/// How much of a set of actions has seen progress, as a report would say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgressExtent {
    /// There are no actions.
    NoActions,
    /// Progress on every action.
    All,
    /// Progress on more than half.
    Majority,
    /// Progress on exactly half.
    Half,
    /// Progress on fewer than half but at least one.
    Some,
    /// Progress on none.
    None,
}

impl RollUp {
    /// The roll-up of the given latest statuses (none = no update yet).
    pub fn of(statuses: impl IntoIterator<Item = Option<Status>>) -> Self {
        let mut r = Self::default();
        for s in statuses {
            r.add(s);
        }
        r
    }

    /// Roll-ups per key (ambition, priority, …) of the given (key, status) pairs.
    pub fn by<K: Ord>(items: impl IntoIterator<Item = (K, Option<Status>)>) -> BTreeMap<K, RollUp> {
        let mut map = BTreeMap::<K, RollUp>::new();
        for (k, s) in items {
            map.entry(k).or_default().add(s);
        }
        map
    }

    /// Count one more action with latest status `status`.
    pub fn add(&mut self, status: Option<Status>) {
        match status {
            Some(s) => self.counts[s.index()] += 1,
            None => self.no_update += 1,
        }
    }

    /// How many actions have `status`.
    pub fn count(&self, status: Status) -> u32 {
        self.counts[status.index()]
    }

    /// How many actions have no update.
    pub fn no_update(&self) -> u32 {
        self.no_update
    }

    /// How many actions in all.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum::<u32>() + self.no_update
    }

    /// How many actions show progress (complete, on track, at risk).
    pub fn with_progress(&self) -> u32 {
        Status::ALL
            .iter()
            .filter(|s| s.shows_progress())
            .map(|s| self.count(*s))
            .sum()
    }

    /// The share of all actions with `status`, 0.0 to 1.0.
    pub fn share(&self, status: Status) -> f64 {
        match self.total() {
            0 => 0.0,
            t => f64::from(self.count(status)) / f64::from(t),
        }
    }

    /// How much has seen progress.
    pub fn extent(&self) -> ProgressExtent {
        let (p, t) = (self.with_progress(), self.total());
        match () {
            _ if t == 0 => ProgressExtent::NoActions,
            _ if p == t => ProgressExtent::All,
            _ if p == 0 => ProgressExtent::None,
            _ if 2 * p > t => ProgressExtent::Majority,
            _ if 2 * p == t => ProgressExtent::Half,
            _ => ProgressExtent::Some,
        }
    }

    /// The sentence a committee report uses: "progress had been made on the
    /// majority of the actions (17 of 21)".
    pub fn sentence(&self) -> String {
        let (p, t) = (self.with_progress(), self.total());
        match self.extent() {
            ProgressExtent::NoActions => "there were no actions to report on".to_owned(),
            ProgressExtent::All => {
                format!("progress had been made on all of the actions ({t} of {t})")
            }
            ProgressExtent::Majority => {
                format!("progress had been made on the majority of the actions ({p} of {t})")
            }
            ProgressExtent::Half => {
                format!("progress had been made on half of the actions ({p} of {t})")
            }
            ProgressExtent::Some => {
                format!("progress had been made on some of the actions ({p} of {t})")
            }
            ProgressExtent::None => {
                format!("progress had not yet been made on any of the actions (0 of {t})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sentences_follow_the_seeds() {
        let all = RollUp::of([
            Some(Status::Complete),
            Some(Status::OnTrack),
            Some(Status::AtRisk),
        ]);
        assert_eq!(all.extent(), ProgressExtent::All);
        assert_eq!(
            all.sentence(),
            "progress had been made on all of the actions (3 of 3)"
        );
        let most = RollUp::of([
            Some(Status::OnTrack),
            Some(Status::OnTrack),
            Some(Status::NotStarted),
        ]);
        assert_eq!(
            most.sentence(),
            "progress had been made on the majority of the actions (2 of 3)"
        );
        let half = RollUp::of([Some(Status::OnTrack), None]);
        assert_eq!(half.extent(), ProgressExtent::Half);
        assert_eq!(half.no_update(), 1);
        assert_eq!(
            RollUp::of([
                Some(Status::OffTrack),
                Some(Status::Deferred),
                Some(Status::OnTrack)
            ])
            .extent(),
            ProgressExtent::Some
        );
        assert_eq!(
            RollUp::of([Some(Status::Deferred)]).extent(),
            ProgressExtent::None
        );
        assert_eq!(RollUp::default().extent(), ProgressExtent::NoActions);
    }

    #[test]
    fn groups_by_key() {
        let by = RollUp::by([
            (2, Some(Status::OnTrack)),
            (5, Some(Status::Complete)),
            (2, None),
        ]);
        assert_eq!(by[&2].total(), 2);
        assert_eq!(by[&2].no_update(), 1);
        assert_eq!(by[&5].count(Status::Complete), 1);
        assert!((by[&5].share(Status::Complete) - 1.0).abs() < f64::EPSILON);
    }

    proptest! {
        #[test]
        fn counts_add_up(statuses in proptest::collection::vec(proptest::option::of(0usize..6), 0..200)) {
            let r = RollUp::of(statuses.iter().map(|s| s.map(|i| Status::ALL[i])));
            prop_assert_eq!(r.total() as usize, statuses.len());
            let sum: u32 = Status::ALL.iter().map(|s| r.count(*s)).sum::<u32>() + r.no_update();
            prop_assert_eq!(sum, r.total());
            prop_assert!(r.with_progress() <= r.total());
        }
    }
}
