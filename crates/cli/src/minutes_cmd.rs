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

/// Run `ambit minutes …`.
pub fn run(command: MinutesCommand) -> anyhow::Result<()> {
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
