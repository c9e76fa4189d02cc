//! `ambit minutes extract`: what a committee's minutes say, as JSON or text;
//! `ambit minutes score`: how well that matches annotated minutes.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::UserError;

/// How the extract is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExtractFormat {
    /// The JSON of minutes-extract.schema.json.
    Json,
    /// A readable summary.
    Text,
}

/// `ambit minutes …`.
#[derive(Subcommand)]
pub enum MinutesCommand {
    /// Read minutes (plain text, or the HTML of a committee-system page) and print the
    /// reports, periods, actions, questions, commitments and resolutions they contain.
    Extract {
        /// The minutes file.
        file: PathBuf,
        /// json or text.
        #[arg(long, value_enum, default_value_t = ExtractFormat::Json)]
        format: ExtractFormat,
        /// The meeting's date (e.g. 2022-11-24), to resolve due dates such as "later in the year".
        #[arg(long)]
        meeting_date: Option<String>,
    },
    /// The minutes clerks have reviewed, as an annotated corpus.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Measure the extractor on annotated minutes: for each corpus folder (holding
    /// minutes/NAME.txt and gold/NAME.gold.json, as crates/minutes/corpus/ANNOTATION.md
    /// describes), print promise recall and precision, owners and due months right,
    /// reports and codes found, and resolution counts right.
    Score {
        /// The corpus folders.
        #[arg(required = true)]
        corpus: Vec<PathBuf>,
        /// Also list every promise missed, commitment found wrongly, code missed and
        /// resolution count wrong.
        #[arg(long)]
        verbose: bool,
    },
}

/// `ambit minutes corpus …`.
#[derive(Subcommand)]
pub enum CorpusCommand {
    /// Write every agenda item of the body whose minutes a clerk reviewed as a corpus
    /// folder (minutes/, meta/ and gold/, as crates/minutes/corpus/README.md describes):
    /// the promises the clerk recorded are the annotation, and those the clerk left out
    /// are named in its notes. Score the extractor on it with `ambit minutes score DIR`.
    Export {
        /// The folder to write (created if missing; files of the same names are replaced).
        dir: PathBuf,
    },
}

/// `ambit minutes corpus export DIR`.
async fn export_corpus(
    location: &store::DatabaseLocation,
    body: Option<&domain::Slug>,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use minutes::score::{Gold, GoldCommitment};

    let store = store::Store::open(location).await?;
    let body = crate::accounts::the_body(&store, body).await?;
    let items = store.reviewed_minutes(body.id).await?;
    for sub in ["minutes", "meta", "gold"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("{}: cannot create it", dir.join(sub).display()))?;
    }
    for item in &items {
        let name = format!("{}-item-{}", body.slug, item.agenda_item_id);
        let file = format!("{name}.txt");
        let left_out: Vec<&str> = item
            .proposals
            .iter()
            .filter(|p| !p.kept)
            .map(|p| p.proposed.as_str())
            .collect();
        let gold = Gold {
            file: file.clone(),
            meeting_date: Some(item.held_on),
            complete: true,
            reports: if item.report.is_empty() {
                Vec::new()
            } else {
                vec![item.report.clone()]
            },
            action_refs: Vec::new(),
            commitments: item
                .commitments
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    GoldCommitment::recorded(
                        i + 1,
                        &c.text,
                        c.owner.as_deref(),
                        c.due_by.map(|d| d.to_iso().chars().take(7).collect()),
                    )
                })
                .collect(),
            resolutions: item.resolutions,
            notes: if left_out.is_empty() {
                "Reviewed by a clerk in Ambit; every proposal was kept.".to_owned()
            } else {
                format!(
                    "Reviewed by a clerk in Ambit. Proposals the clerk left out: {}",
                    left_out.join(" | ")
                )
            },
        };
        let write = |path: std::path::PathBuf, bytes: &[u8]| {
            std::fs::write(&path, bytes)
                .with_context(|| format!("{}: cannot write it", path.display()))
        };
        write(dir.join("minutes").join(&file), item.minutes.as_bytes())?;
        write(
            dir.join("meta").join(format!("{name}.meta.txt")),
            format!(
                "SOURCE: Ambit, {}, agenda item {} of the meeting of {}\nNOTE: COMPLETE. Reviewed by a clerk: {} proposals kept, {} left out.\n",
                body.name,
                item.agenda_item_id,
                item.held_on,
                item.proposals.len() - left_out.len(),
                left_out.len()
            )
            .as_bytes(),
        )?;
        write(
            dir.join("gold").join(format!("{name}.gold.json")),
            (serde_json::to_string_pretty(&gold)? + "\n").as_bytes(),
        )?;
    }
    println!(
        "{}: {} reviewed agenda items written to {}",
        body.name,
        items.len(),
        dir.display()
    );
    Ok(())
}

/// Run `ambit minutes …`; only `corpus export` reads the database at `location`.
pub async fn run(
    command: MinutesCommand,
    location: &store::DatabaseLocation,
    body: Option<&domain::Slug>,
) -> anyhow::Result<()> {
    match command {
        MinutesCommand::Extract {
            file,
            format,
            meeting_date,
        } => {
            let meeting_date = meeting_date
                .as_deref()
                .map(|d| {
                    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                        UserError(format!(
                            "meeting date: {d:?} is not accepted; enter a date such as 2022-11-24"
                        ))
                    })
                })
                .transpose()?;
            let bytes = std::fs::read(&file)
                .map_err(|e| UserError(format!("{}: cannot read it ({e})", file.display())))?;
            let options = minutes::Options {
                source: file.file_name().map(|n| n.to_string_lossy().into_owned()),
                meeting_date,
                max_findings: None,
                all_candidates: false,
            };
            let extract = minutes::extract(&bytes, &options)
                .map_err(|e| UserError(format!("{}: {e}", file.display())))?;
            match format {
                ExtractFormat::Json => println!("{}", serde_json::to_string_pretty(&extract)?),
                ExtractFormat::Text => print!("{}", extract.to_text()),
            }
            Ok(())
        }
        MinutesCommand::Corpus(CorpusCommand::Export { dir }) => {
            export_corpus(location, body, &dir).await
        }
        MinutesCommand::Score { corpus, verbose } => {
            for dir in corpus {
                let (tally, findings) =
                    minutes::score::score(&dir).map_err(|e| UserError(e.to_string()))?;
                if verbose {
                    for line in findings {
                        println!("{line}");
                    }
                }
                println!("{}: {tally}", dir.display());
            }
            Ok(())
        }
    }
}
