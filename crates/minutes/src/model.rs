//! The weights that turn a candidate's features into a confidence, and how
//! they are learnt from annotated minutes.
//!
//! The model is a logistic regression over the named features of
//! [`crate::cues`]: confidence = 1 / (1 + e^-(sum of the weights of the
//! features present)). Its weights, the output threshold (candidates below
//! it are not proposed at all) and the review threshold (proposals below it
//! are shown to the clerk apart, as "possible") are in
//! `crates/minutes/model/commitments.json`, built into the binary; nothing
//! is read or downloaded at run time. [`fit`] learns them again from
//! labelled candidates: `cargo run -p minutes --example train -- DEV_CORPUS`
//! (see `crates/minutes/corpus/README.md`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The learnt weights and thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The weight of each feature; features not named weigh nothing.
    pub weights: BTreeMap<String, f64>,
    /// Candidates below this confidence are not proposed.
    pub threshold: f64,
    /// Proposals below this confidence are shown apart as "possible".
    pub review: f64,
}

impl Model {
    /// The model built into the binary.
    pub fn built_in() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            serde_json::from_str(include_str!("../model/commitments.json"))
                .expect("the built-in model is valid JSON (checked by a test)")
        })
    }

    /// The confidence, from 0 to 1, of a candidate with `features`.
    pub fn confidence(&self, features: &[&str]) -> f64 {
        let z: f64 = features.iter().filter_map(|f| self.weights.get(*f)).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// One candidate with its features and whether an annotator counted it a
/// promise.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The features present.
    pub features: Vec<String>,
    /// Whether it matched an annotated promise.
    pub promise: bool,
    /// Where it comes from (the council): the thresholds are chosen on
    /// candidates scored by weights learnt without their group's.
    pub group: String,
}

/// The weights the rules' authors set by hand (`model/prior.json`), from
/// which [`fit`] starts and towards which it is pulled: with few annotated
/// texts, the data adjusts the rules' judgement rather than replacing it.
pub fn prior() -> Model {
    serde_json::from_str(include_str!("../model/prior.json"))
        .expect("the prior is valid JSON (checked by a test)")
}

/// Learn weights from `samples` by gradient descent on the logistic loss
/// with an L2 penalty towards `prior`'s weights, then pick the output
/// threshold, the lowest at which precision is at least `precision`, and a
/// review threshold at which it is at least `review_precision`.
///
/// The thresholds are chosen on how each group's (council's) candidates
/// score under weights learnt without that group: precision measured on the
/// candidates the weights were learnt from is optimistic, and minutes of a
/// council the extractor has never seen are what it must handle. With a
/// single group the candidates are scored by the weights learnt from all.
pub fn fit(samples: &[Sample], prior: &Model, precision: f64, review_precision: f64) -> Model {
    let mut model = learn(samples, prior);
    let mut groups: Vec<&str> = samples.iter().map(|s| s.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut scored: Vec<(f64, bool)> = if groups.len() < 2 {
        scores(&model, samples.iter())
    } else {
        groups
            .iter()
            .flat_map(|g| {
                let others: Vec<Sample> =
                    samples.iter().filter(|s| s.group != *g).cloned().collect();
                scores(
                    &learn(&others, prior),
                    samples.iter().filter(|s| s.group == *g),
                )
            })
            .collect()
    };
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    model.threshold = lowest_with_precision(&scored, precision);
    model.review = lowest_with_precision(&scored, review_precision).max(model.threshold);
    model
}

/// The confidence `model` gives each of `samples`, with its label.
fn scores<'a>(model: &Model, samples: impl Iterator<Item = &'a Sample>) -> Vec<(f64, bool)> {
    samples
        .map(|s| {
            let f: Vec<&str> = s.features.iter().map(String::as_str).collect();
            (model.confidence(&f), s.promise)
        })
        .collect()
}

/// The weights learnt from `samples` (both thresholds left at 0.5).
fn learn(samples: &[Sample], prior: &Model) -> Model {
    let mut names: Vec<String> = samples
        .iter()
        .flat_map(|s| s.features.iter().cloned())
        .chain(prior.weights.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let rows: Vec<(Vec<usize>, f64)> = samples
        .iter()
        .map(|s| {
            (
                s.features.iter().map(|f| index[f.as_str()]).collect(),
                if s.promise { 1.0 } else { 0.0 },
            )
        })
        .collect();
    let start: Vec<f64> = names
        .iter()
        .map(|n| prior.weights.get(n).copied().unwrap_or(0.0))
        .collect();
    let mut w = start.clone();
    let n = rows.len().max(1) as f64;
    let (rate, l2) = (0.5, 0.05);
    for _ in 0..4000 {
        let mut grad = vec![0.0f64; w.len()];
        for (features, y) in &rows {
            let z: f64 = features.iter().map(|&i| w[i]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for &i in features {
                grad[i] += p - y;
            }
        }
        for (i, g) in grad.iter().enumerate() {
            let penalty = if names[i] == "bias" {
                0.0
            } else {
                l2 * (w[i] - start[i])
            };
            w[i] -= rate * (g / n + penalty);
        }
    }
    Model {
        weights: names
            .iter()
            .cloned()
            .zip(w.iter().map(|x| round(*x)))
            .collect(),
        threshold: 0.5,
        review: 0.5,
    }
}

/// The lowest confidence such that the candidates at or above it are right
/// at least `precision` of the time (0.5 when none is).
fn lowest_with_precision(sorted: &[(f64, bool)], precision: f64) -> f64 {
    let mut right = 0usize;
    let mut best = None;
    for (i, (c, ok)) in sorted.iter().enumerate() {
        right += usize::from(*ok);
        let next_differs = sorted.get(i + 1).is_none_or(|n| n.0 < *c);
        if next_differs && right as f64 / (i + 1) as f64 >= precision {
            best = Some(*c);
        }
    }
    (best.unwrap_or(0.5) * 1000.0).floor() / 1000.0
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_model_and_the_prior_read() {
        assert!(prior().weights.contains_key("bias"));
        let m = Model::built_in();
        assert!(m.threshold > 0.0 && m.threshold <= m.review && m.review < 1.0);
    }

    #[test]
    fn fitting_separates_what_the_labels_separate() {
        let sample = |f: &[&str], promise| Sample {
            features: f.iter().map(|s| (*s).to_owned()).collect(),
            promise,
            group: "one council".to_owned(),
        };
        let mut samples = Vec::new();
        for _ in 0..20 {
            samples.push(sample(&["bias", "cue:undertaking"], true));
            samples.push(sample(&["bias", "neg:evaluative"], false));
        }
        let m = fit(&samples, &prior(), 0.9, 0.95);
        assert!(m.confidence(&["bias", "cue:undertaking"]) > 0.8);
        assert!(m.confidence(&["bias", "neg:evaluative"]) < 0.2);
        assert!(m.threshold > 0.2 && m.threshold <= m.confidence(&["bias", "cue:undertaking"]));
    }

    #[test]
    fn thresholds_are_chosen_on_councils_left_out() {
        // Every council's promises are marked by an undertaking, or by a
        // quirk of that council's clerk; other candidates are not promises.
        // A quirk is learnt as a sign of a promise, but says nothing of a
        // council not yet seen: scored with its council left out, a
        // candidate with a quirk is no surer than one without.
        let sample = |f: &[&str], promise, group: &str| Sample {
            features: f.iter().map(|s| (*s).to_owned()).collect(),
            promise,
            group: group.to_owned(),
        };
        let mut samples = Vec::new();
        for group in ["a", "b", "c"] {
            let quirk = format!("quirk:{group}");
            for _ in 0..5 {
                samples.push(sample(&["bias", "cue:undertaking"], true, group));
                samples.push(sample(&["bias", "cue:modal_be", &quirk], true, group));
                samples.push(sample(&["bias", "cue:modal_be"], false, group));
            }
        }
        let pooled: Vec<Sample> = samples
            .iter()
            .cloned()
            .map(|s| Sample {
                group: "one".into(),
                ..s
            })
            .collect();
        let optimistic = fit(&pooled, &prior(), 0.9, 0.95);
        let grouped = fit(&samples, &prior(), 0.9, 0.95);
        let quirky = ["bias", "cue:modal_be", "quirk:a"];
        let undertaking = ["bias", "cue:undertaking"];
        assert!(optimistic.confidence(&quirky) >= optimistic.threshold);
        assert!(
            grouped.confidence(&quirky) < grouped.threshold,
            "a quirk of one council is not trusted: {} < {}",
            grouped.confidence(&quirky),
            grouped.threshold
        );
        assert!(grouped.confidence(&undertaking) >= grouped.threshold);
    }
}
