//! Export → read gives the same plan and About, in xlsx, CSV and JSON, for
//! generated plans with references of every scheme and awkward text.

use chrono::NaiveDate;
use domain::{
    AlignmentKind, Direction, FinancialYear, Half, Indicator, LevelNames, Measure, MeasureTarget,
    Percent, PlanState, PlanStatus, Rag, RagMapping, ReportingPeriod, Slug, Status, StrategyYears,
    TargetDate, Text, Title,
};
use interop::{
    About, AboutAlignment, AboutAmbition, AboutPortfolio, AboutStrategy, Illustrative, Limits,
    PlanExport, PlanSheet, ReadOptions, SheetAction, SheetActual, SheetItem, SheetUpdate,
};
use proptest::prelude::*;

const AWKWARD: [&str; 12] = [
    "Support unpaid carers",
    "Quotes \"here\" and 'there'",
    "Comma, inside, text",
    "Two\nlines",
    "=1+1",
    "+44 20 7946 0000",
    "@SUM(A1:A3)",
    "-minus first",
    "Ysgol Gymraeg Llanelli — ŵ ŷ",
    "Emoji 🎉👍🏽",
    "'=already quoted",
    "Semi; colon\ttab",
];

fn title(i: usize, n: usize) -> Title {
    Title::parse("title", &format!("{} {n}", AWKWARD[i % AWKWARD.len()])).unwrap()
}

fn text(i: usize) -> Text {
    Text::parse("text", AWKWARD[i % AWKWARD.len()]).unwrap()
}

/// A reference of one of the schemes, made unique by `n`.
fn reference(form: u8, n: usize) -> String {
    match form % 5 {
        0 => format!("{}{}", n + 1, ["", "A", "B", "E"][n % 4]),
        1 => format!("{}.{}.{}", n % 3 + 1, n % 7 + 1, n + 1),
        2 => format!("CP{}.{}", n % 4 + 1, n + 1),
        3 => format!("ASC {}", n + 1),
        _ => format!("P&R-{:02}", n + 1),
    }
}

fn levels(pick: u8) -> LevelNames {
    let names: &[&str] = match pick % 3 {
        0 => &["Ambition", "Priority", "Statement", "Action"],
        1 => &["Theme", "Outcome", "Action"],
        _ => &["Priority", "Task"],
    };
    LevelNames::new(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
}

const FIGURES: [f64; 8] = [0.0, 1.0, 0.1, -3.5, 1e-7, 12345.678, 150.0, 2.0 / 3.0];

/// An action: reference form, place, title, extras, measures (kind,
/// value) and updates (period, status, commentary, figures).
type ActionSeed = (u8, u8, u8, u8, Vec<(u8, u8)>, Vec<(u8, u8, u8, u8)>);

#[derive(Debug, Clone)]
struct Seed {
    levels: u8,
    shape: Vec<(u8, bool, u8)>,
    actions: Vec<ActionSeed>,
    about: (u8, bool, bool, u8),
}

fn seeds() -> impl Strategy<Value = Seed> {
    (
        any::<u8>(),
        prop::collection::vec((any::<u8>(), any::<bool>(), any::<u8>()), 0..7),
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                prop::collection::vec((any::<u8>(), any::<u8>()), 0..3),
                prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..3),
            ),
            0..7,
        ),
        (any::<u8>(), any::<bool>(), any::<bool>(), any::<u8>()),
    )
        .prop_map(|(levels, shape, actions, about)| Seed {
            levels,
            shape,
            actions,
            about,
        })
}

fn build(seed: &Seed) -> PlanExport {
    let level_names = levels(seed.levels);
    let depths = level_names.item_depths();
    let year: FinancialYear = "2024/25".parse().unwrap();
    // Items in depth-first order: each new item sits at most one level
    // below the one before, under the latest item of the level above.
    let mut items: Vec<SheetItem> = Vec::new();
    let mut latest: Vec<Option<usize>> = vec![None; depths];
    for (n, (b, has_ref, t)) in seed.shape.iter().enumerate() {
        let deepest = items
            .last()
            .map_or(0, |i: &SheetItem| i.depth + 1)
            .min(depths - 1);
        let depth = usize::from(*b) % (deepest + 1);
        let parent = if depth == 0 { None } else { latest[depth - 1] };
        latest[depth] = Some(items.len());
        for l in latest.iter_mut().skip(depth + 1) {
            *l = None;
        }
        items.push(SheetItem {
            depth,
            reference: has_ref.then(|| reference(*t, n)),
            title: title(usize::from(*t), n),
            parent,
        });
    }
    let mut actions = Vec::new();
    let mut updates = Vec::new();
    for (n, (form, place, t, extra, measures, ups)) in seed.actions.iter().enumerate() {
        let item = if items.is_empty() || place % 4 == 0 {
            None
        } else {
            Some(usize::from(*place) % items.len())
        };
        let mut ms = Vec::new();
        for (j, (kind, v)) in measures.iter().enumerate() {
            if kind % 2 == 0 {
                ms.push(Measure::Statement {
                    text: Text::parse("m", AWKWARD[usize::from(*v) % AWKWARD.len()]).unwrap(),
                });
            } else {
                let targets = match v % 4 {
                    0 => vec![],
                    1 => vec![MeasureTarget {
                        year,
                        half: None,
                        value: FIGURES[usize::from(*v) % 8],
                    }],
                    2 => vec![
                        MeasureTarget {
                            year,
                            half: Some(Half::H1),
                            value: 3.0,
                        },
                        MeasureTarget {
                            year,
                            half: None,
                            value: FIGURES[usize::from(*v) % 8],
                        },
                    ],
                    _ => vec![MeasureTarget {
                        year: year.previous(),
                        half: None,
                        value: 7.5,
                    }],
                };
                ms.push(Measure::Indicator(
                    Indicator::new(
                        title(usize::from(*v), j),
                        Title::parse("u", ["people", "%", "days", "£"][usize::from(*v) % 4])
                            .unwrap(),
                        if v % 3 == 0 {
                            Direction::Down
                        } else {
                            Direction::Up
                        },
                        (v % 5 != 0).then_some(FIGURES[usize::from(*kind) % 8]),
                        targets,
                    )
                    .unwrap(),
                ));
            }
        }
        let indicators: Vec<String> = ms
            .iter()
            .filter_map(|m| match m {
                Measure::Indicator(i) => Some(i.name.to_string()),
                _ => None,
            })
            .collect();
        let action_ref = reference(*form, n + 100);
        let periods = [
            ReportingPeriod::new(year.previous(), Half::H2),
            ReportingPeriod::new(year, Half::H1),
            ReportingPeriod::new(year, Half::H2),
        ];
        let mut used = Vec::new();
        for (p, s, c, f) in ups {
            let period = periods[usize::from(*p) % 3];
            if used.contains(&period) {
                continue;
            }
            used.push(period);
            let status = Status::ALL[usize::from(*s) % 6];
            let percent = match (status, f % 3) {
                (_, 0) => None,
                (Status::Complete, _) => Some(100),
                (Status::NotStarted, _) => Some(0),
                _ => Some(i64::from(*f) % 101),
            };
            updates.push(SheetUpdate {
                action: action_ref.clone(),
                period,
                status,
                commentary: if c % 4 == 0 {
                    Text::default()
                } else {
                    text(usize::from(*c))
                },
                percent: percent.map(|p| Percent::try_from(p).unwrap()),
                key_achievement: c % 2 == 1,
                author: (f % 2 == 0).then(|| title(usize::from(*f), 1)),
                actuals: indicators
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (usize::from(*f) >> k) & 1 == 1)
                    .map(|(k, name)| SheetActual {
                        indicator: name.clone(),
                        value: FIGURES[(usize::from(*c) + k) % 8],
                    })
                    .collect(),
            });
        }
        actions.push(SheetAction {
            reference: action_ref,
            title: title(usize::from(*t), n),
            lead: (extra % 2 == 0).then(|| title(usize::from(*extra), 9)),
            directorate: (extra % 3 == 0).then(|| title(usize::from(*extra) + 1, 8)),
            target: match extra % 3 {
                0 => None,
                1 => Some(TargetDate::Day(
                    NaiveDate::from_ymd_opt(2025, 1, 1 + u32::from(*extra) % 28).unwrap(),
                )),
                _ => Some(TargetDate::Month {
                    year: 2025,
                    month: 1 + u32::from(*extra) % 12,
                }),
            },
            continues: (extra % 5 == 0).then(|| reference(*form, n)),
            measures: ms,
            item,
        });
    }
    // Actions come out grouped as the tree is walked: outside the tree
    // first, then by item in depth-first order.
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by_key(|&i| actions[i].item.map_or(0, |it| it + 1));
    let actions: Vec<SheetAction> = order.iter().map(|&i| actions[i].clone()).collect();
    let (a, strategy, committee, kinds) = seed.about;
    let about = About {
        body_name: title(usize::from(a), 0),
        body_slug: "test-council".parse::<Slug>().unwrap(),
        reference_scheme: ["statement", "dotted", "free"][usize::from(a) % 3].to_owned(),
        level_names,
        rag: if a % 2 == 0 {
            RagMapping::default()
        } else {
            RagMapping::default().with(Status::Complete, Rag::Green)
        },
        strategy: strategy.then(|| AboutStrategy {
            title: title(usize::from(a) + 1, 0),
            years: "2021-2031".parse::<StrategyYears>().unwrap(),
            ambitions: (1..=u16::from(kinds % 4))
                .map(|n| AboutAmbition {
                    number: n,
                    title: title(usize::from(n), 5),
                })
                .collect(),
        }),
        portfolio: AboutPortfolio {
            code: "ACH".parse().unwrap(),
            name: title(usize::from(a) + 2, 0),
            committee: committee.then(|| title(usize::from(a) + 3, 0)),
        },
        year,
        alignments: (0..kinds % 3)
            .map(|k| AboutAlignment {
                name: title(usize::from(k) + 4, 2),
                kind: if k == 0 {
                    AlignmentKind::Strategy
                } else {
                    AlignmentKind::Programme
                },
                url: (k == 1).then(|| "https://example.org/strategy?x=1&y=2".to_owned()),
            })
            .collect(),
        // Every few plans are as exports made before the plan's own state
        // was carried; the rest draft, approved or superseded, published
        // (to the microsecond) or not.
        state: (a % 5 != 0).then(|| {
            let status = [
                PlanStatus::Draft,
                PlanStatus::Approved,
                PlanStatus::Superseded,
            ][usize::from(a) % 3];
            PlanState {
                status,
                approved_on: (status != PlanStatus::Draft && kinds % 2 == 0)
                    .then(|| NaiveDate::from_ymd_opt(2024, 3, 1 + u32::from(a) % 28).unwrap()),
                published_at: (kinds % 3 != 0).then(|| {
                    NaiveDate::from_ymd_opt(2024, 4, 2)
                        .unwrap()
                        .and_hms_micro_opt(9, 30, u32::from(kinds) % 60, u32::from(a) * 1001)
                        .unwrap()
                        .and_utc()
                }),
            }
        }),
        illustrative: [
            None,
            Some(Illustrative::No),
            Some(Illustrative::Partly),
            Some(Illustrative::Yes),
        ][usize::from(kinds) % 4],
    };
    PlanExport {
        about,
        plan: PlanSheet {
            items,
            actions,
            updates,
        },
    }
}

fn read_back(book: &interop::Workbook) -> (About, PlanSheet) {
    let about = interop::read_about(book).unwrap().expect("an About part");
    let mut options = ReadOptions::new(about.year);
    options.level_names = about.level_names.clone();
    options.rag = about.rag.clone();
    let plan = interop::read_plan(book, &options).unwrap_or_else(|p| panic!("{p}"));
    (about, plan)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn export_then_read_gives_the_same_plan(seed in seeds()) {
        let export = build(&seed);

        let xlsx = interop::write_xlsx(&export).unwrap();
        let book = interop::read_workbook("plan.xlsx", &xlsx, &Limits::default()).unwrap();
        let (about, plan) = read_back(&book);
        prop_assert_eq!(&about, &export.about);
        prop_assert_eq!(&plan, &export.plan);

        let csv = interop::write_csv(&export).unwrap();
        let book = interop::csv_workbook(
            &[
                ("Actions", "plan-actions.csv", &csv.actions),
                ("Updates", "plan-updates.csv", &csv.updates),
                ("About", "plan-about.csv", &csv.about),
            ],
            &Limits::default(),
        )
        .unwrap();
        let (about, plan) = read_back(&book);
        prop_assert_eq!(&about, &export.about);
        prop_assert_eq!(&plan, &export.plan);

        let json = interop::write_json(&export).unwrap();
        let back = interop::read_json("plan.json", &json).unwrap();
        prop_assert_eq!(&back, &export);
    }
}

#[test]
fn the_about_csv_alone_reads_as_about() {
    let export = build(&Seed {
        levels: 0,
        shape: vec![(0, true, 1)],
        actions: vec![],
        about: (1, true, true, 5),
    });
    let csv = interop::write_csv(&export).unwrap();
    let book = interop::read_workbook("about.csv", &csv.about, &Limits::default()).unwrap();
    assert_eq!(interop::read_about(&book).unwrap().unwrap(), export.about);
}

#[test]
fn a_rich_plan_round_trips_in_every_format() {
    let seed = Seed {
        levels: 0,
        shape: vec![
            (0, true, 1),
            (1, false, 2),
            (2, true, 3),
            (1, true, 4),
            (0, false, 5),
            (1, true, 6),
        ],
        actions: (0..12u8)
            .map(|n| {
                (
                    n,
                    n.wrapping_mul(7).wrapping_add(1),
                    n,
                    n,
                    vec![(0, n), (1, n), (1, n.wrapping_add(1))],
                    vec![
                        (n, n, n.wrapping_add(1), 7),
                        (n.wrapping_add(1), n.wrapping_add(2), n, 2),
                    ],
                )
            })
            .collect(),
        about: (3, true, true, 5),
    };
    let export = build(&seed);
    assert!(export.plan.items.len() == 6 && export.plan.actions.len() == 12);
    assert!(export.plan.updates.len() >= 12);
    assert!(export.plan.updates.iter().any(|u| u.actuals.len() == 2));
    let xlsx = interop::write_xlsx(&export).unwrap();
    let book = interop::read_workbook("plan.xlsx", &xlsx, &Limits::default()).unwrap();
    assert_eq!(
        read_back(&book),
        (export.about.clone(), export.plan.clone())
    );
    let csv = interop::write_csv(&export).unwrap();
    let book = interop::csv_workbook(
        &[
            ("Actions", "a.csv", &csv.actions),
            ("Updates", "u.csv", &csv.updates),
            ("About", "b.csv", &csv.about),
        ],
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        read_back(&book),
        (export.about.clone(), export.plan.clone())
    );
    let text = String::from_utf8(csv.actions).unwrap();
    assert!(
        text.contains("'=1+1") && text.contains("'@SUM(A1:A3)"),
        "{text}"
    );
}

#[test]
fn the_csv_zip_holds_the_three_files_that_read_back() {
    use std::io::Read;
    let export = build(&Seed {
        levels: 0,
        shape: vec![(0, true, 1), (1, true, 2)],
        actions: vec![(1, 1, 1, 1, vec![(0, 1)], vec![(1, 1, 1, 1)])],
        about: (3, true, true, 5),
    });
    let bytes = interop::write_csv_zip(&export, "test-council-ACH-2024-25").unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = Vec::new();
    for part in ["actions", "updates", "about"] {
        let mut file = zip
            .by_name(&format!("test-council-ACH-2024-25-{part}.csv"))
            .unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        files.push(bytes);
    }
    assert_eq!(zip.len(), 3);
    let book = interop::csv_workbook(
        &[
            ("Actions", "a.csv", &files[0]),
            ("Updates", "u.csv", &files[1]),
            ("About", "b.csv", &files[2]),
        ],
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(read_back(&book), (export.about, export.plan));
}

/// The About table of `rows` (Field, Value, Detail) after a valid head.
fn about_with(rows: &[[&str; 3]]) -> Result<Option<About>, interop::Problems> {
    let mut text = String::from(
        "Field,Value,Detail\r\nBody,Test Council,test-council\r\nLevel,Ambition\r\nLevel,Action\r\nPortfolio,Adult Care,ACH\r\nPlan year,2024/25\r\n",
    );
    for r in rows {
        text.push_str(&format!("{},{},{}\r\n", r[0], r[1], r[2]));
    }
    let book = interop::read_workbook("about.csv", text.as_bytes(), &Limits::default()).unwrap();
    interop::read_about(&book)
}

#[test]
fn the_plan_s_own_state_reads_from_the_about_rows_and_older_exports_have_none() {
    let older = about_with(&[]).unwrap().unwrap();
    assert_eq!((older.state, older.illustrative), (None, None));

    let about = about_with(&[
        ["Plan status", "Approved", "2024-03-20"],
        ["Published", "yes", "2024-04-02 09:30"],
        ["Illustrative", "partly", "anything"],
    ])
    .unwrap()
    .unwrap();
    assert_eq!(
        about.state,
        Some(PlanState {
            status: PlanStatus::Approved,
            approved_on: NaiveDate::from_ymd_opt(2024, 3, 20),
            published_at: Some(
                NaiveDate::from_ymd_opt(2024, 4, 2)
                    .unwrap()
                    .and_hms_opt(9, 30, 0)
                    .unwrap()
                    .and_utc()
            ),
        })
    );
    assert_eq!(about.illustrative, Some(Illustrative::Partly));
    let unpublished = about_with(&[["Plan status", "superseded", ""], ["Published", "no", ""]])
        .unwrap()
        .unwrap();
    assert_eq!(
        unpublished
            .state
            .map(|s| (s.status, s.approved_on, s.published_at)),
        Some((PlanStatus::Superseded, None, None))
    );

    let problems = about_with(&[
        ["Plan status", "draft", "2024-03-20"],
        ["Published", "perhaps", ""],
        ["Illustrative", "maybe", ""],
    ])
    .unwrap_err()
    .to_string();
    for expected in [
        "a draft plan has not been approved",
        "'perhaps' is not accepted; write yes (with the time in Detail) or no",
        "'maybe' is not accepted; write yes, partly or no",
    ] {
        assert!(problems.contains(expected), "{expected}: {problems}");
    }
    let problems = about_with(&[["Published", "yes", "2024-04-02"]])
        .unwrap_err()
        .to_string();
    assert!(
        problems.contains("a Published row needs a Plan status row"),
        "{problems}"
    );
    let problems = about_with(&[["Plan status", "approved", ""], ["Published", "yes", ""]])
        .unwrap_err()
        .to_string();
    assert!(problems.contains("is not a time"), "{problems}");
}

#[test]
fn illustrative_is_yes_partly_or_no_of_the_records() {
    assert_eq!(Illustrative::of([true, true]), Illustrative::Yes);
    assert_eq!(Illustrative::of([true, false]), Illustrative::Partly);
    assert_eq!(Illustrative::of([false, false]), Illustrative::No);
    assert_eq!(Illustrative::of([]), Illustrative::No);
}
