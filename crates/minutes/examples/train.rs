//! Learn the commitment model's weights from annotated minutes and write
//! them to `crates/minutes/model/commitments.json`.
//!
//! ```text
//! cargo run -p minutes --release --example train -- crates/minutes/corpus/dev [MORE_CORPORA…]
//! ```
//!
//! Every candidate sentence of every text is labelled a promise when it
//! matches an annotated promise (required or borderline), the weights are
//! fitted starting from, and pulled towards, the hand-set `model/prior.json`,
//! and the output threshold is set where the candidates reach 0.85
//! precision (the review threshold where they reach 0.95), each council's
//! candidates scored by weights learnt without that council's texts. Train
//! on the development part only; measure on the test part with
//! `scripts/score-minutes`.

use std::path::{Path, PathBuf};

use minutes::model::{Sample, fit, prior};
use minutes::score::Gold;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        return Err("name one or more corpus folders (each with minutes/ and gold/)".into());
    }
    let mut samples = Vec::new();
    for dir in &dirs {
        samples.extend(samples_of(dir)?);
    }
    let positives = samples.iter().filter(|s| s.promise).count();
    let model = fit(&samples, &prior(), 0.85, 0.95);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("model/commitments.json");
    std::fs::write(&out, serde_json::to_string_pretty(&model)? + "\n")?;
    println!(
        "{} candidates ({positives} promises); threshold {} review {}; written to {}",
        samples.len(),
        model.threshold,
        model.review,
        out.display()
    );
    Ok(())
}

/// The labelled candidates of one corpus folder.
fn samples_of(dir: &Path) -> Result<Vec<Sample>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir.join("gold"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    names.sort();
    for path in names {
        let gold: Gold = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let bytes = std::fs::read(dir.join("minutes").join(&gold.file))?;
        let options = minutes::Options {
            source: None,
            meeting_date: gold.meeting_date,
            max_findings: None,
            all_candidates: true,
        };
        let extract = minutes::extract(&bytes, &options)?;
        let council = council_of(&gold.file);
        out.extend(extract.commitments.into_iter().map(|c| Sample {
            promise: gold.annotates(&c.text),
            features: c.features,
            group: council.clone(),
        }));
    }
    Ok(out)
}

/// The council a corpus text is from: its file is named
/// `NUMBER_COUNCIL_…` (`104_denbighshire_scrutiny_work_programme_2023.txt`).
fn council_of(file: &str) -> String {
    file.split('_').nth(1).unwrap_or(file).to_owned()
}
