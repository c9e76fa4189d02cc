//! A synthetic national data set: many invented councils, each with a
//! strategy, portfolios with a plan a year (lineage across the years),
//! actions with measures, an update for every action for every half-year,
//! committees with their meetings, questions and promises, and accounts.
//!
//! Nothing in it is real. Every body is named "(synthetic)" and its slug
//! starts "syn-"; every ambition, plan item, action and update carries
//! `illustrative = true`. The same [`Params`] (seed included) always give
//! the same records: each body is drawn from its own stream of a small
//! pseudo-random generator seeded by the seed and the body's number, and
//! every time stamp comes from the records' own dates, never the clock.
//!
//! The records are made here, with no SQL; [`store::BulkLoader`] writes
//! them, one transaction per body.

use std::sync::mpsc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use domain::{
    ActionDetails, ActionRef, CommitmentStatus, Direction, Email, Fate, FinancialYear, Half,
    Indicator, ItemRef, LevelNames, Measure, MeasureActual, MeasureTarget, MeetingStatus,
    MemberRole, NewResolution, ParseError, Percent, PlanStatus, PortfolioCode, RagMapping,
    ReferenceScheme, ResolutionOutcome, Role, Slug, Status, StrategyYears, TargetDate, Text, Title,
    UpdateInput, UpdateState,
};
use store::{
    AccountRecord, ActionAt, ActionRecord, AgendaItemRecord, BodyRecord, BulkLoader,
    CommitmentRecord, CommitteeDetails, CommitteeRecord, DatabaseLocation, HalfRecord, ItemRecord,
    MeetingDetails, MeetingRecord, MemberDetails, NewBody, PlanAt, PlanRecord, PortfolioRecord,
    QuestionRecord, StoreError, StrategyRecord, UpdateRecord, Written,
};

/// The actor named in the audit trail of a synthetic data set.
pub const ACTOR: &str = "synthetic data generator";

/// How large a national data set to make, and from which seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// How many bodies (at most 999).
    pub bodies: usize,
    /// Portfolios per body (at most one per theme: 12).
    pub portfolios: usize,
    /// Actions in each plan.
    pub actions: usize,
    /// Plan years per portfolio, ending with `last_year` (at most 30).
    pub years: usize,
    /// The seed: the same seed gives the same data.
    pub seed: u64,
    /// The last plan year; its second half is still open for sign-off.
    pub last_year: FinancialYear,
}

impl Params {
    /// Refuse sizes the data set cannot have.
    pub fn check(&self) -> Result<(), ParseError> {
        let within = |field: &'static str, value: usize, max: usize| {
            if (1..=max).contains(&value) {
                Ok(())
            } else {
                Err(ParseError::new(
                    field,
                    value.to_string(),
                    format!("a number from 1 to {max}"),
                ))
            }
        };
        within("bodies", self.bodies, 999)?;
        within("portfolios", self.portfolios, THEMES.len())?;
        within("actions", self.actions, 2_000)?;
        within("years", self.years, 30)?;
        self.first_year().map(|_| ())
    }

    /// The first plan year.
    fn first_year(&self) -> Result<FinancialYear, ParseError> {
        FinancialYear::starting(self.last_year.start_year() - (self.years as i32 - 1))
    }

    /// Updates the data set holds: one per action per half-year.
    pub fn updates(&self) -> u64 {
        (self.bodies * self.portfolios * self.years * self.actions * 2) as u64
    }

    /// The reason its audit events give.
    pub fn reason(&self) -> String {
        format!(
            "synthetic national data set (seed {}): every record is invented",
            self.seed
        )
    }
}

/// Make the data set and write it to the database at `location` (created
/// and migrated if need be), one body per transaction; accounts get
/// `password_hash`. `progress` hears of each body written. Bodies are made
/// on another thread, ahead of the one being written.
pub async fn write(
    location: &DatabaseLocation,
    params: &Params,
    password_hash: Option<String>,
    progress: impl FnMut(&Written),
) -> Result<Written, StoreError> {
    params.check()?;
    let mut loader = BulkLoader::open(location, ACTOR, &params.reason(), password_hash).await?;
    let total = loader.write_all(bodies(params), progress).await?;
    loader.finish().await?;
    Ok(total)
}

/// Every body of the data set, in order, made on a background thread a
/// couple of bodies ahead of the reader.
pub fn bodies(params: &Params) -> impl Iterator<Item = BodyRecord> {
    let (send, receive) = mpsc::sync_channel(2);
    let params = params.clone();
    std::thread::spawn(move || {
        for index in 0..params.bodies {
            if send.send(body(&params, index)).is_err() {
                break;
            }
        }
    });
    receive.into_iter()
}

/// Body number `index` (from 0) of the data set.
pub fn body(params: &Params, index: usize) -> BodyRecord {
    Generator::new(params, index).body()
}

/// The slug of body number `index` (from 0): "syn-001-oakford".
pub fn slug(params: &Params, index: usize) -> Slug {
    Generator::new(params, index).slug()
}

/// SplitMix64: small, fast and the same everywhere, so a seed's data never
/// changes with a dependency's version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ (stream + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from 0 to `n - 1`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number from `lo` to `hi`, both included.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A service area a portfolio covers, with the words its plans use.
struct Theme {
    code: &'static str,
    name: &'static str,
    committee: &'static str,
    ambition: usize,
    leads: [&'static str; 4],
    subjects: &'static [&'static str],
    outcomes: &'static [&'static str],
    indicators: &'static [(&'static str, &'static str, Direction, f64)],
}

const THEMES: [Theme; 12] = [
    Theme {
        code: "ACH",
        name: "Adult Care and Health",
        committee: "Adult Care",
        ambition: 1,
        leads: [
            "Director of Adult Social Care",
            "Assistant Director for Integrated Commissioning",
            "Head of Safeguarding and Quality",
            "Head of Reablement",
        ],
        subjects: &[
            "the reablement service",
            "home care commissioning",
            "the unpaid carers' offer",
            "day opportunities for adults with learning disabilities",
            "extra care housing",
            "hospital discharge arrangements",
            "adult safeguarding training",
            "direct payments",
            "assistive technology in the home",
            "community mental health support",
            "the care home market",
            "the autism strategy",
        ],
        outcomes: &[
            "People are supported to live independently at home for longer",
            "Carers are recognised and supported",
            "Adults at risk are kept safe from abuse and neglect",
            "The care market is sustainable and of good quality",
            "People get the right help at the right time",
        ],
        indicators: &[
            (
                "People supported by reablement",
                "people",
                Direction::Up,
                850.0,
            ),
            (
                "Average days from referral to assessment",
                "days",
                Direction::Down,
                28.0,
            ),
            (
                "Carers' assessments completed",
                "assessments",
                Direction::Up,
                1200.0,
            ),
            ("Reviews completed on time", "%", Direction::Up, 68.0),
        ],
    },
    Theme {
        code: "CYP",
        name: "Children, Education and Families",
        committee: "Children's Services",
        ambition: 0,
        leads: [
            "Director of Children's Services",
            "Assistant Director for Education",
            "Head of Early Help",
            "Head of Children's Social Care",
        ],
        subjects: &[
            "the early help offer",
            "family hubs",
            "school place planning",
            "support for children with special educational needs",
            "the fostering recruitment campaign",
            "the youth offer",
            "education, health and care plan timeliness",
            "support for care leavers",
            "attendance at school",
            "the children's centres network",
            "holiday activities and food",
            "edge of care support",
        ],
        outcomes: &[
            "Children grow up safe in their families",
            "Every child has a good school place",
            "Young people are ready for adult life",
            "Families get help early",
            "Children with additional needs thrive",
        ],
        indicators: &[
            (
                "Education, health and care plans issued within 20 weeks",
                "%",
                Direction::Up,
                55.0,
            ),
            (
                "Children in foster care with in-house carers",
                "children",
                Direction::Up,
                140.0,
            ),
            ("Persistent absence from school", "%", Direction::Down, 18.0),
            (
                "Families supported by early help",
                "families",
                Direction::Up,
                900.0,
            ),
        ],
    },
    Theme {
        code: "ENV",
        name: "Environment and Climate",
        committee: "Environment",
        ambition: 2,
        leads: [
            "Director of Environment",
            "Head of Climate and Sustainability",
            "Head of Waste and Street Services",
            "Head of Parks and Green Spaces",
        ],
        subjects: &[
            "food waste collections",
            "the tree planting programme",
            "LED street lighting",
            "the council's own carbon emissions",
            "flood resilience schemes",
            "air quality monitoring",
            "fly-tipping enforcement",
            "recycling at flats",
            "the electric vehicle charging network",
            "parks and open spaces",
            "the climate action plan",
            "street cleansing standards",
        ],
        outcomes: &[
            "Carbon emissions fall every year",
            "Streets are clean and well kept",
            "More waste is reused and recycled",
            "Green spaces are valued and well used",
            "The borough adapts to a changing climate",
        ],
        indicators: &[
            (
                "Household waste sent for reuse, recycling or composting",
                "%",
                Direction::Up,
                44.0,
            ),
            (
                "Council carbon emissions",
                "tonnes CO2e",
                Direction::Down,
                12_500.0,
            ),
            ("Trees planted", "trees", Direction::Up, 1500.0),
            (
                "Fly-tipping incidents",
                "incidents",
                Direction::Down,
                3200.0,
            ),
        ],
    },
    Theme {
        code: "HSG",
        name: "Housing and Homelessness",
        committee: "Housing",
        ambition: 3,
        leads: [
            "Director of Housing",
            "Head of Housing Options",
            "Head of Housing Strategy",
            "Head of Private Sector Housing",
        ],
        subjects: &[
            "homelessness prevention",
            "temporary accommodation",
            "the affordable homes programme",
            "private rented sector licensing",
            "disabled facilities grants",
            "empty homes brought back into use",
            "the rough sleeping pathway",
            "council housing repairs",
            "damp and mould inspections",
            "the housing allocations policy",
            "supported housing",
            "the tenant engagement strategy",
        ],
        outcomes: &[
            "Fewer households become homeless",
            "More affordable homes are built",
            "Homes are safe, warm and well managed",
            "Nobody needs to sleep rough",
            "Tenants have a say in their homes",
        ],
        indicators: &[
            (
                "Households prevented from becoming homeless",
                "households",
                Direction::Up,
                650.0,
            ),
            (
                "Households in temporary accommodation",
                "households",
                Direction::Down,
                1400.0,
            ),
            ("Affordable homes completed", "homes", Direction::Up, 220.0),
            ("Repairs completed within target", "%", Direction::Up, 82.0),
        ],
    },
    Theme {
        code: "TRN",
        name: "Transport and Highways",
        committee: "Transport",
        ambition: 5,
        leads: [
            "Director of Highways",
            "Head of Transport Planning",
            "Head of Traffic and Road Safety",
            "Head of Parking Services",
        ],
        subjects: &[
            "the highways maintenance programme",
            "school streets",
            "the cycle network",
            "bus priority measures",
            "road safety schemes",
            "pothole repairs",
            "the parking strategy",
            "pavement accessibility",
            "the local transport plan",
            "winter gritting routes",
            "residential parking zones",
            "active travel to school",
        ],
        outcomes: &[
            "Roads and pavements are safe and well maintained",
            "More journeys are made on foot, by bike or by bus",
            "Fewer people are hurt on our roads",
            "Parking is fair and easy to understand",
            "The network keeps moving",
        ],
        indicators: &[
            (
                "Potholes repaired within 24 hours",
                "%",
                Direction::Up,
                78.0,
            ),
            (
                "People killed or seriously injured on local roads",
                "people",
                Direction::Down,
                95.0,
            ),
            (
                "Kilometres of protected cycle lane",
                "km",
                Direction::Up,
                18.0,
            ),
            ("Roads in need of maintenance", "%", Direction::Down, 9.0),
        ],
    },
    Theme {
        code: "ECO",
        name: "Economy and Regeneration",
        committee: "Economy",
        ambition: 4,
        leads: [
            "Director of Regeneration",
            "Head of Economic Development",
            "Head of Town Centres",
            "Head of Skills and Employment",
        ],
        subjects: &[
            "the town centre masterplan",
            "business rate relief",
            "the adult skills offer",
            "apprenticeships with local employers",
            "the high street grants scheme",
            "inward investment",
            "the markets programme",
            "digital skills for small businesses",
            "the employment support service",
            "the regeneration of the station quarter",
            "social value in contracts",
            "the visitor economy plan",
        ],
        outcomes: &[
            "Town centres are busy and attractive",
            "Residents have the skills for good jobs",
            "Local businesses start and grow",
            "Regeneration benefits local people",
            "The borough attracts investment",
        ],
        indicators: &[
            ("Residents helped into work", "people", Direction::Up, 480.0),
            (
                "Apprenticeships started",
                "apprenticeships",
                Direction::Up,
                160.0,
            ),
            ("Vacant town centre units", "%", Direction::Down, 12.0),
            ("Businesses supported", "businesses", Direction::Up, 300.0),
        ],
    },
    Theme {
        code: "CUL",
        name: "Culture, Leisure and Libraries",
        committee: "Culture and Leisure",
        ambition: 7,
        leads: [
            "Head of Culture",
            "Head of Libraries",
            "Head of Leisure and Sport",
            "Head of Heritage",
        ],
        subjects: &[
            "the library modernisation programme",
            "the leisure centre refurbishment",
            "the arts grants programme",
            "the heritage trail",
            "summer reading for children",
            "community sport",
            "the museum's learning offer",
            "the events programme",
            "swimming lessons for schools",
            "the borough of culture bid",
            "volunteering in libraries",
            "the playing pitch strategy",
        ],
        outcomes: &[
            "Everyone can take part in culture",
            "Residents are active and healthy",
            "Libraries are hubs for their communities",
            "Our heritage is cared for and enjoyed",
            "Events bring people together",
        ],
        indicators: &[
            ("Library visits", "visits", Direction::Up, 610_000.0),
            (
                "Leisure centre attendances",
                "attendances",
                Direction::Up,
                900_000.0,
            ),
            (
                "Children completing the summer reading challenge",
                "children",
                Direction::Up,
                2600.0,
            ),
            (
                "Volunteer hours in libraries",
                "hours",
                Direction::Up,
                7000.0,
            ),
        ],
    },
    Theme {
        code: "RES",
        name: "Resources, Finance and Commercial",
        committee: "Resources",
        ambition: 6,
        leads: [
            "Director of Finance",
            "Head of Procurement",
            "Head of Property and Assets",
            "Head of Revenues and Benefits",
        ],
        subjects: &[
            "the medium-term financial strategy",
            "council tax collection",
            "the procurement strategy",
            "the asset disposal programme",
            "the transformation programme",
            "the savings programme",
            "commercial income",
            "the accommodation strategy",
            "the debt recovery process",
            "the capital programme",
            "the audit action plan",
            "the workforce strategy",
        ],
        outcomes: &[
            "The budget is balanced and sustainable",
            "Money owed to the council is collected",
            "Buildings and land are used well",
            "Contracts give value for money",
            "The workforce is skilled and motivated",
        ],
        indicators: &[
            ("Council tax collected in year", "%", Direction::Up, 96.0),
            ("Savings delivered", "£000", Direction::Up, 4500.0),
            ("Invoices paid within 30 days", "%", Direction::Up, 90.0),
            (
                "Staff sickness absence",
                "days per employee",
                Direction::Down,
                9.0,
            ),
        ],
    },
    Theme {
        code: "PHW",
        name: "Public Health and Wellbeing",
        committee: "Public Health",
        ambition: 1,
        leads: [
            "Director of Public Health",
            "Consultant in Public Health",
            "Head of Health Improvement",
            "Head of Public Health Commissioning",
        ],
        subjects: &[
            "the stop smoking service",
            "NHS health checks",
            "the healthy weight programme",
            "sexual health services",
            "substance misuse treatment",
            "the suicide prevention plan",
            "childhood immunisations",
            "the health visiting service",
            "social prescribing",
            "the physical activity strategy",
            "health inequalities in the most deprived wards",
            "the joint strategic needs assessment",
        ],
        outcomes: &[
            "People live longer, healthier lives",
            "The gap in healthy life expectancy narrows",
            "Children get the best start in life",
            "Fewer people smoke or misuse drugs and alcohol",
            "Mental wellbeing improves",
        ],
        indicators: &[
            (
                "Smokers who quit at four weeks",
                "people",
                Direction::Up,
                700.0,
            ),
            (
                "Eligible residents offered a health check",
                "%",
                Direction::Up,
                60.0,
            ),
            (
                "Children fully immunised by age two",
                "%",
                Direction::Up,
                88.0,
            ),
            (
                "People completing drug treatment",
                "people",
                Direction::Up,
                320.0,
            ),
        ],
    },
    Theme {
        code: "PLN",
        name: "Planning and Building Control",
        committee: "Planning",
        ambition: 3,
        leads: [
            "Head of Planning",
            "Head of Building Control",
            "Head of Planning Policy",
            "Head of Planning Enforcement",
        ],
        subjects: &[
            "the local plan review",
            "planning application processing times",
            "the design code",
            "conservation area appraisals",
            "planning enforcement",
            "the community infrastructure levy spending plan",
            "neighbourhood plans",
            "building safety inspections",
            "the brownfield land register",
            "the planning validation checklist",
            "biodiversity net gain",
            "the digital planning service",
        ],
        outcomes: &[
            "Growth is planned and well designed",
            "Decisions are made quickly and fairly",
            "Buildings are safe",
            "Our historic places are protected",
            "Development pays for the infrastructure it needs",
        ],
        indicators: &[
            (
                "Major applications decided within 13 weeks",
                "%",
                Direction::Up,
                72.0,
            ),
            (
                "Minor applications decided within 8 weeks",
                "%",
                Direction::Up,
                70.0,
            ),
            ("Open enforcement cases", "cases", Direction::Down, 480.0),
            (
                "Building control inspections within 24 hours",
                "%",
                Direction::Up,
                85.0,
            ),
        ],
    },
    Theme {
        code: "CSF",
        name: "Community Safety",
        committee: "Community Safety",
        ambition: 2,
        leads: [
            "Head of Community Safety",
            "Head of Regulatory Services",
            "Head of Licensing",
            "Community Safety Partnership Manager",
        ],
        subjects: &[
            "the anti-social behaviour strategy",
            "CCTV coverage",
            "the domestic abuse service",
            "trading standards enforcement",
            "the night-time economy plan",
            "the Prevent duty",
            "licensing inspections",
            "the violence against women and girls strategy",
            "food hygiene inspections",
            "the community trigger process",
            "youth violence prevention",
            "noise nuisance response",
        ],
        outcomes: &[
            "People feel safe where they live",
            "Victims get the support they need",
            "Businesses trade fairly and safely",
            "Fewer young people are drawn into crime",
            "Anti-social behaviour is tackled quickly",
        ],
        indicators: &[
            (
                "Reports of anti-social behaviour",
                "reports",
                Direction::Down,
                5200.0,
            ),
            (
                "Food businesses rated 4 or 5 for hygiene",
                "%",
                Direction::Up,
                86.0,
            ),
            (
                "Domestic abuse victims supported",
                "people",
                Direction::Up,
                1100.0,
            ),
            (
                "Noise complaints answered within 2 days",
                "%",
                Direction::Up,
                75.0,
            ),
        ],
    },
    Theme {
        code: "DIG",
        name: "Digital and Customer Services",
        committee: "Customer Services",
        ambition: 6,
        leads: [
            "Director of Digital",
            "Head of Customer Services",
            "Head of IT",
            "Head of Information Governance",
        ],
        subjects: &[
            "the customer contact centre",
            "online council tax accounts",
            "the website redesign",
            "cyber security",
            "the data strategy",
            "freedom of information response times",
            "the complaints process",
            "digital inclusion support",
            "the telephony replacement",
            "the move to cloud hosting",
            "the customer experience strategy",
            "records management",
        ],
        outcomes: &[
            "Residents can do more online",
            "Customers get answers first time",
            "Our systems are secure and reliable",
            "Information is used well and kept safe",
            "Nobody is left behind by digital services",
        ],
        indicators: &[
            ("Calls answered within 60 seconds", "%", Direction::Up, 70.0),
            ("Transactions completed online", "%", Direction::Up, 55.0),
            (
                "Complaints answered within 10 working days",
                "%",
                Direction::Up,
                80.0,
            ),
            (
                "Freedom of information requests answered on time",
                "%",
                Direction::Up,
                85.0,
            ),
        ],
    },
];

/// The ambitions of every synthetic strategy ("{place}" is the body's place).
const AMBITIONS: [&str; 8] = [
    "For children and young people to grow up safe, healthy and able to achieve their potential in {place}",
    "For adults and older people to enjoy fulfilled, healthy and independent lives",
    "For {place} to be clean, green and safe",
    "For everyone to have a decent, affordable home",
    "For a thriving local economy with good jobs and busy town centres",
    "For people to get around {place} easily, safely and sustainably",
    "To manage our resources well, providing value for money and efficient services",
    "For communities to be active, creative and connected",
];

const VERBS: [&str; 12] = [
    "Expand",
    "Review",
    "Redesign",
    "Commission",
    "Deliver",
    "Improve",
    "Develop",
    "Introduce",
    "Extend",
    "Strengthen",
    "Modernise",
    "Evaluate",
];

const PURPOSES: [&str; 10] = [
    "so that residents get help sooner",
    "to reduce waiting times",
    "with health and voluntary sector partners",
    "to make the service financially sustainable",
    "to improve outcomes for the people who use it",
    "in line with the refreshed corporate strategy",
    "to meet rising demand",
    "across every ward",
    "using what residents told us in consultation",
    "to close the gap between the most and least deprived areas",
];

const PREFIXES: [&str; 24] = [
    "Ash", "Brook", "Castle", "Elm", "Fair", "Green", "High", "King", "Lang", "Mill", "North",
    "Oak", "Red", "Stone", "West", "Wood", "Bar", "Cold", "East", "Hazel", "Long", "Market",
    "South", "Thorn",
];

const SUFFIXES: [&str; 16] = [
    "bury", "field", "ford", "ham", "ley", "mouth", "stead", "ton", "wick", "worth", "bridge",
    "dale", "moor", "well", "by", "combe",
];

const KINDS: [&str; 5] = [
    "Borough Council",
    "District Council",
    "City Council",
    "County Council",
    "Metropolitan Borough Council",
];

const FIRST_NAMES: [&str; 24] = [
    "Aisha", "Ben", "Chloe", "David", "Eleanor", "Farhan", "Grace", "Harry", "Imran", "Julia",
    "Kwame", "Laura", "Mohammed", "Nina", "Oliver", "Priya", "Rachel", "Sam", "Tom", "Uma",
    "Victoria", "William", "Yasmin", "Zoe",
];

const SURNAMES: [&str; 24] = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morris",
    "Nolan",
    "Owens",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Walker",
    "Wright",
    "Young",
    "Zielinski",
];

const PROGRESS: [&str; 10] = [
    "Engagement with residents closed with more responses than expected.",
    "The project board has met monthly and the risk log has been refreshed.",
    "A procurement exercise is under way, with the contract award due next quarter.",
    "Staff training is more than half complete.",
    "A pilot in two wards has shown encouraging early results.",
    "The business case was agreed by the Executive.",
    "Partners have signed the joint delivery plan.",
    "Recruitment to the new team is complete.",
    "Monitoring data now comes from the new case management system.",
    "The first phase went live on schedule.",
];

const RISKS: [&str; 8] = [
    "recruitment to key posts remains difficult",
    "a supplier has withdrawn from the contract",
    "costs have risen above the budget set",
    "partner funding has not yet been confirmed",
    "data-sharing arrangements are not yet agreed",
    "demand has risen faster than forecast",
    "the lead officer post was vacant for three months",
    "the consultation had to be extended",
];

const RECOVERY: [&str; 6] = [
    "A recovery plan has been agreed with the portfolio holder.",
    "Interim staffing has been secured to the end of the year.",
    "The timetable has been revised and will be reported to the next meeting.",
    "Options are being costed for the portfolio holder to decide.",
    "The risk has been escalated to the corporate leadership team.",
    "A revised scope has been agreed with partners.",
];

const ACHIEVED: [&str; 6] = [
    "Feedback from residents has been positive.",
    "It was delivered within budget.",
    "The new arrangements are now part of business as usual.",
    "It was shortlisted for a national award.",
    "Early results show the expected improvement.",
    "An evaluation will be reported to the committee.",
];

const DROPPED: [&str; 4] = [
    "Superseded by the refreshed strategy",
    "Now part of business as usual",
    "Funding was withdrawn",
    "Replaced by a joint programme with partners",
];

/// One action as it runs through the years.
#[derive(Clone)]
struct Live {
    item: usize,
    reference: ActionRef,
    title: Title,
    subject: &'static str,
    lead: Title,
    statement: Measure,
    indicator: Option<(usize, f64)>,
    halves: u32,
    done: u32,
    trouble: f64,
    complete: bool,
    deferred: bool,
    percent: i64,
    last_index: usize,
}

/// The lowest items of a portfolio's tree: each one's place in the plan's
/// items and its reference.
struct Slot {
    item: usize,
    reference: Option<ItemRef>,
}

/// What a meeting considers of each of its portfolios' plans: the plan's
/// year and the half reported on (none: the plan itself, for approval);
/// none for a meeting still to come.
type Business = Option<(FinancialYear, Option<Half>)>;

/// Makes one body.
struct Generator<'p> {
    params: &'p Params,
    index: usize,
    rng: Rng,
    scheme: ReferenceScheme,
    place: String,
    first: FinancialYear,
}

fn title(s: &str) -> Title {
    Title::parse("title", s).expect("generated titles are valid")
}

fn text(s: &str) -> Text {
    Text::parse("text", s).expect("generated text is valid")
}

/// `day` at `hour`:`minute`, UTC.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, minute, 0)
        .expect("a valid time")
        .and_utc()
}

fn day(year: i32, month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, d).expect("a valid date")
}

/// The second Tuesday of a month: when the committees meet.
fn meeting_day(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Tue, 2).expect("a second Tuesday")
}

fn uncapitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl<'p> Generator<'p> {
    fn new(params: &'p Params, index: usize) -> Self {
        let mut rng = Rng::new(params.seed, index as u64);
        let place = format!("{}{}", rng.pick(&PREFIXES), rng.pick(&SUFFIXES));
        Self {
            params,
            index,
            scheme: ReferenceScheme::ALL[index % 3],
            place,
            first: params.first_year().expect("checked parameters"),
            rng,
        }
    }

    fn years(&self) -> Vec<FinancialYear> {
        let first = self.first.start_year();
        (0..self.params.years as i32)
            .map(|y| FinancialYear::starting(first + y).expect("checked parameters"))
            .collect()
    }

    fn person(&mut self) -> String {
        format!(
            "{} {}",
            self.rng.pick(&FIRST_NAMES),
            self.rng.pick(&SURNAMES)
        )
    }

    fn slug(&self) -> Slug {
        format!("syn-{:03}-{}", self.index + 1, self.place.to_lowercase())
            .parse()
            .expect("a valid slug")
    }

    fn body(mut self) -> BodyRecord {
        let slug = self.slug();
        let kind = *self.rng.pick(&KINDS);
        let levels: &[&str] = match self.scheme {
            ReferenceScheme::Statement => &["Ambition", "Priority", "Statement", "Action"],
            ReferenceScheme::Dotted => &["Theme", "Outcome", "Action"],
            ReferenceScheme::Free => &["Ambition", "Priority", "Action"],
        };
        let levels: Vec<String> = levels.iter().map(|s| s.to_string()).collect();
        let first = self.first.start_year();
        let last = self.params.last_year.start_year() + 1;
        let strategy = StrategyRecord {
            title: title(&format!("{} Together {first}-{last}", self.place)),
            years: StrategyYears { first, last },
            ambitions: AMBITIONS
                .iter()
                .map(|a| title(&a.replace("{place}", &self.place)))
                .collect(),
            illustrative: true,
        };
        // A shuffled choice of themes, one per portfolio.
        let mut themes: Vec<usize> = (0..THEMES.len()).collect();
        for i in (1..themes.len()).rev() {
            let j = self.rng.below(i + 1);
            themes.swap(i, j);
        }
        themes.truncate(self.params.portfolios);
        let portfolios: Vec<PortfolioRecord> = themes
            .iter()
            .enumerate()
            .map(|(i, t)| self.portfolio(&THEMES[*t], i / 2))
            .collect();
        let committees = (0..themes.len().div_ceil(2))
            .map(|c| self.committee(c, &themes, &portfolios))
            .collect();
        let accounts = self.accounts(&slug, &THEMES[themes[0]]);
        BodyRecord {
            body: NewBody {
                slug,
                name: title(&format!("{} {kind} (synthetic)", self.place)),
                level_names: LevelNames::new(&levels).expect("valid level names"),
                rag: RagMapping::default(),
                reference_scheme: self.scheme,
            },
            set_up: at(day(first, 1, 6), 9, 0),
            strategy,
            committees,
            portfolios,
            accounts,
        }
    }

    fn accounts(&mut self, slug: &Slug, theme: &Theme) -> Vec<AccountRecord> {
        let roles: [(&str, Role, Option<&str>); 6] = [
            ("admin", Role::Administrator, None),
            ("officer", Role::PerformanceOfficer, None),
            ("lead", Role::ActionLead, Some(theme.leads[0])),
            ("lead2", Role::ActionLead, Some(theme.leads[1])),
            ("clerk", Role::Clerk, None),
            ("member", Role::Member, None),
        ];
        roles
            .iter()
            .map(|(local, role, leads)| AccountRecord {
                email: format!("{local}@{slug}.example")
                    .parse::<Email>()
                    .expect("a valid email"),
                name: title(&format!(
                    "{} (synthetic {})",
                    self.person(),
                    role.label().to_lowercase()
                )),
                role: *role,
                lead_role: leads.map(title),
            })
            .collect()
    }

    /// The plan tree every year of a portfolio shares, and its lowest items.
    fn tree(&mut self, theme: &Theme) -> (Vec<ItemRecord>, Vec<Slot>) {
        let lowest_count = self.params.actions.div_ceil(8).max(1);
        let second = loop {
            let a = self.rng.below(AMBITIONS.len());
            if a != theme.ambition {
                break a;
            }
        };
        let tops = [theme.ambition + 1, second + 1];
        let mut items = Vec::new();
        let mut slots = Vec::new();
        let outcome = |n: usize| {
            let base = theme.outcomes[n % theme.outcomes.len()];
            if n < theme.outcomes.len() {
                title(base)
            } else {
                title(&format!("{base} ({})", n / theme.outcomes.len() + 1))
            }
        };
        let per_top = lowest_count.div_ceil(tops.len());
        let mut made = 0;
        for (k, ambition) in tops.iter().enumerate() {
            let here = per_top.min(lowest_count - made);
            if here == 0 {
                break;
            }
            let top = items.len();
            items.push(ItemRecord {
                parent: None,
                ambition: Some(*ambition as u16),
                reference: Some(ambition.to_string().parse().expect("a number")),
                title: title(&AMBITIONS[ambition - 1].replace("{place}", &self.place)),
                illustrative: true,
            });
            match self.scheme {
                ReferenceScheme::Statement => {
                    // Two priorities under each ambition, statements under them.
                    let priorities = here.min(2);
                    for p in 0..priorities {
                        let parent = items.len();
                        items.push(ItemRecord {
                            parent: Some(top),
                            ambition: None,
                            reference: None,
                            title: title(&format!(
                                "Priority {}: {}",
                                2 * k + p + 1,
                                theme.outcomes[(2 * k + p) % theme.outcomes.len()]
                            )),
                            illustrative: true,
                        });
                        let count = here / priorities + usize::from(p < here % priorities);
                        for _ in 0..count {
                            made += 1;
                            let reference: ItemRef = made.to_string().parse().expect("a number");
                            slots.push(Slot {
                                item: items.len(),
                                reference: Some(reference.clone()),
                            });
                            items.push(ItemRecord {
                                parent: Some(parent),
                                ambition: None,
                                reference: Some(reference),
                                title: title(&format!(
                                    "We will make sure that {}",
                                    uncapitalised(outcome(made - 1).as_str())
                                )),
                                illustrative: true,
                            });
                        }
                    }
                }
                ReferenceScheme::Dotted | ReferenceScheme::Free => {
                    for n in 1..=here {
                        made += 1;
                        let reference: ItemRef = match self.scheme {
                            ReferenceScheme::Dotted => format!("{ambition}.{n}"),
                            _ => format!("{}{}", theme.code, made),
                        }
                        .parse()
                        .expect("a valid item reference");
                        slots.push(Slot {
                            item: items.len(),
                            reference: Some(reference.clone()),
                        });
                        items.push(ItemRecord {
                            parent: Some(top),
                            ambition: None,
                            reference: Some(reference),
                            title: outcome(made - 1),
                            illustrative: true,
                        });
                    }
                }
            }
        }
        (items, slots)
    }

    /// A reference for a new action under `slot`, unused in the plan.
    fn reference(
        &self,
        theme: &Theme,
        slot: &Slot,
        used: &[&ActionRef],
        counter: &mut usize,
    ) -> Option<ActionRef> {
        let taken = |r: &str| used.iter().any(|u| u.key() == r);
        let item = slot
            .reference
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        match self.scheme {
            ReferenceScheme::Statement => ('A'..='Z')
                .map(|l| format!("{item}{l}"))
                .find(|r| !taken(r))
                .map(|r| r.parse().expect("a statement reference")),
            ReferenceScheme::Dotted => (1..=999)
                .map(|n| format!("{item}.{n}"))
                .find(|r| !taken(r))
                .map(|r| r.parse().expect("a dotted reference")),
            ReferenceScheme::Free => {
                *counter += 1;
                Some(
                    format!("{}-{:03}", theme.code, counter)
                        .parse()
                        .expect("a free reference"),
                )
            }
        }
    }

    fn new_action(&mut self, theme: &Theme, item: usize, reference: ActionRef) -> Live {
        let subject = *self.rng.pick(theme.subjects);
        let verb = *self.rng.pick(&VERBS);
        let purpose = *self.rng.pick(&PURPOSES);
        let lead = *self.rng.pick(&theme.leads);
        let indicator = self.rng.chance(0.6).then(|| {
            let i = self.rng.below(theme.indicators.len());
            let base = theme.indicators[i].3;
            (
                i,
                (base * (0.8 + 0.4 * self.rng.below(100) as f64 / 100.0)).round(),
            )
        });
        let statements = [
            format!(
                "{} is delivered to the agreed timetable",
                capitalised(subject)
            ),
            format!("Residents report a better experience of {subject}"),
            format!("The committee receives an evaluation of {subject}"),
        ];
        Live {
            item,
            reference,
            title: title(&format!("{verb} {subject} {purpose}")),
            subject,
            lead: title(lead),
            statement: Measure::statement(self.rng.pick(&statements[..]).as_str())
                .expect("a statement"),
            indicator,
            halves: self.rng.between(2, 6) as u32,
            done: 0,
            trouble: [0.02, 0.05, 0.1, 0.18][self.rng.below(4)],
            complete: false,
            deferred: false,
            percent: 0,
            last_index: 0,
        }
    }

    /// The status and percent of `live` for the next half, moving it on.
    fn step(&mut self, live: &mut Live) -> Status {
        if live.complete {
            live.percent = 100;
            return Status::Complete;
        }
        if live.deferred {
            return Status::Deferred;
        }
        if live.done == 0 && self.rng.chance(0.1) {
            live.percent = 0;
            return Status::NotStarted;
        }
        if self.rng.chance(0.015) {
            live.deferred = true;
            return Status::Deferred;
        }
        if self.rng.chance(live.trouble) {
            return if self.rng.chance(0.35) {
                Status::OffTrack
            } else {
                Status::AtRisk
            };
        }
        live.done += 1;
        if live.done >= live.halves {
            live.complete = true;
            live.percent = 100;
            return Status::Complete;
        }
        live.percent = ((live.done * 100 / live.halves) as i64 / 5 * 5).clamp(5, 95);
        if self.rng.chance(live.trouble / 2.0) {
            Status::AtRisk
        } else {
            Status::OnTrack
        }
    }

    fn commentary(&mut self, live: &Live, status: Status, half: Half) -> String {
        let subject = live.subject;
        let when = match half {
            Half::H1 => "this half-year",
            Half::H2 => "this year",
        };
        match status {
            Status::Complete => format!(
                "{} has been delivered. {}",
                capitalised(subject),
                self.rng.pick(&ACHIEVED)
            ),
            Status::OnTrack => format!(
                "Work on {subject} is on track {when}. {} {}",
                self.rng.pick(&PROGRESS),
                self.rng.pick(&PROGRESS)
            ),
            Status::AtRisk => format!(
                "Work on {subject} is at risk because {}. {}",
                self.rng.pick(&RISKS),
                self.rng.pick(&RECOVERY)
            ),
            Status::OffTrack => format!(
                "Work on {subject} is off track: {}. {}",
                self.rng.pick(&RISKS),
                self.rng.pick(&RECOVERY)
            ),
            Status::NotStarted => format!(
                "Work on {subject} has not started yet; it is planned to begin next half-year once {}.",
                [
                    "funding is confirmed",
                    "the lead officer is in post",
                    "the design is agreed"
                ][self.rng.below(3)]
            ),
            Status::Deferred => format!(
                "Work on {subject} has been deferred by decision of the portfolio holder while priorities are reviewed."
            ),
        }
    }

    fn portfolio(&mut self, theme: &Theme, committee: usize) -> PortfolioRecord {
        let (items, slots) = self.tree(theme);
        let mut plans: Vec<PlanRecord> = Vec::new();
        let mut carried: Vec<Live> = Vec::new();
        let mut counter = 0;
        let years = self.years();
        for (y, year) in years.iter().enumerate() {
            let last = y + 1 == years.len();
            let mut lives: Vec<Live> = std::mem::take(&mut carried);
            let continued = lives.len();
            while lives.len() < self.params.actions {
                let mut counts = vec![0usize; slots.len()];
                for l in &lives {
                    if let Some(s) = slots.iter().position(|s| s.item == l.item) {
                        counts[s] += 1;
                    }
                }
                let mut order: Vec<usize> = (0..slots.len()).collect();
                order.sort_by_key(|s| counts[*s]);
                let used: Vec<&ActionRef> = lives.iter().map(|l| &l.reference).collect();
                let found = order.iter().find_map(|s| {
                    self.reference(theme, &slots[*s], &used, &mut counter)
                        .map(|r| (slots[*s].item, r))
                });
                let Some((item, reference)) = found else {
                    break;
                };
                let live = self.new_action(theme, item, reference);
                lives.push(live);
            }
            let mut actions = Vec::with_capacity(lives.len());
            for (i, live) in lives.iter_mut().enumerate() {
                let continues = (i < continued).then_some(live.last_index);
                let record = self.action(theme, live, *year, last, continues);
                actions.push(record);
            }
            // The refresh into next year: carry forward, complete or drop.
            if !last {
                for (i, (live, action)) in lives.into_iter().zip(actions.iter_mut()).enumerate() {
                    let fate = if live.complete {
                        Fate::Completed
                    } else if live.deferred || self.rng.chance(0.06) {
                        let reason = *self.rng.pick(&DROPPED);
                        Fate::dropped(reason).expect("a reason")
                    } else {
                        Fate::CarriedForward {
                            reference: live.reference.clone(),
                            target: None,
                        }
                    };
                    if matches!(fate, Fate::CarriedForward { .. }) {
                        carried.push(Live {
                            last_index: i,
                            ..live
                        });
                    }
                    action.fate = Some(fate);
                }
            }
            plans.push(self.plan(*year, last, items.clone(), actions));
        }
        PortfolioRecord {
            code: theme.code.parse::<PortfolioCode>().expect("a valid code"),
            name: title(theme.name),
            committee: Some(committee),
            plans,
        }
    }

    fn plan(
        &mut self,
        year: FinancialYear,
        last: bool,
        items: Vec<ItemRecord>,
        actions: Vec<ActionRecord>,
    ) -> PlanRecord {
        let start = year.start_year();
        let approved_on = meeting_day(start, 3);
        let half = |h: Half, closed: bool| {
            let (y, m) = match h {
                Half::H1 => (start, 9),
                Half::H2 => (start + 1, 3),
            };
            let (dy, dm) = match h {
                Half::H1 => (start, 10),
                Half::H2 => (start + 1, 4),
            };
            HalfRecord {
                half: h,
                deadline: day(dy, dm, 15),
                reminder_days: 7,
                opened_at: at(day(y, m, 1), 9, 0),
                closed_at: closed.then(|| at(day(dy, dm, 28), 16, 0)),
            }
        };
        PlanRecord {
            year,
            status: if last {
                PlanStatus::Approved
            } else {
                PlanStatus::Superseded
            },
            approved_on: Some(approved_on),
            published_at: Some(at(approved_on + Duration::days(8), 12, 0)),
            made: at(approved_on - Duration::days(50), 10, 0),
            items,
            actions,
            periods: vec![half(Half::H1, true), half(Half::H2, !last)],
        }
    }

    fn action(
        &mut self,
        theme: &Theme,
        live: &mut Live,
        year: FinancialYear,
        last: bool,
        continues: Option<usize>,
    ) -> ActionRecord {
        let start = year.start_year();
        let target = {
            let remaining = live.halves.saturating_sub(live.done);
            let (y, m) = match remaining {
                0 | 1 => (start, [9, 10, 12][self.rng.below(3)]),
                _ => (start + 1, 3),
            };
            TargetDate::Month { year: y, month: m }
        };
        let mut measures = vec![live.statement.clone()];
        let mut target_value = 0.0;
        if let Some((i, baseline)) = live.indicator {
            let (name, unit, direction, _) = theme.indicators[i];
            let step = 0.05 + 0.05 * self.rng.below(3) as f64;
            let years_in = f64::from(year.start_year() - self.first.start_year() + 1);
            let factor = match direction {
                Direction::Up => 1.0 + step * years_in,
                Direction::Down => (1.0 - step * years_in).max(0.3),
            };
            target_value = (baseline * factor).round();
            measures.push(Measure::Indicator(
                Indicator::new(
                    title(name),
                    title(unit),
                    direction,
                    Some(baseline),
                    vec![MeasureTarget {
                        year,
                        half: None,
                        value: target_value,
                    }],
                )
                .expect("a valid indicator"),
            ));
        }
        let mut updates = Vec::with_capacity(2);
        for half in [Half::H1, Half::H2] {
            let status = self.step(live);
            let percent = match status {
                Status::Complete => Some(100),
                Status::NotStarted => Some(0),
                _ => Some(live.percent),
            };
            let actuals = match (live.indicator, status) {
                (Some((_, baseline)), s) if s != Status::NotStarted => {
                    let share = match half {
                        Half::H1 => 0.5,
                        Half::H2 => 1.0,
                    };
                    let slip = match s {
                        Status::AtRisk => 0.85,
                        Status::OffTrack | Status::Deferred => 0.6,
                        _ => 0.95 + 0.1 * self.rng.below(10) as f64 / 10.0,
                    };
                    let value = baseline + (target_value - baseline) * share * slip;
                    vec![MeasureActual {
                        measure_id: domain::MeasureId::new(1),
                        value: value.round(),
                    }]
                }
                _ => vec![],
            };
            let commentary = self.commentary(live, status, half);
            let (y, m) = match half {
                Half::H1 => (start, 10),
                Half::H2 => (start + 1, 4),
            };
            let written = at(
                day(y, m, 1 + self.rng.below(14) as u32),
                9 + self.rng.below(8) as u32,
                self.rng.below(60) as u32,
            );
            let state = if last && half == Half::H2 {
                match self.rng.below(10) {
                    0 | 1 => UpdateState::Draft,
                    2 | 3 => UpdateState::Submitted,
                    _ => UpdateState::SignedOff,
                }
            } else {
                UpdateState::SignedOff
            };
            updates.push(UpdateRecord {
                half,
                input: UpdateInput {
                    status,
                    commentary: text(&commentary),
                    percent: percent.map(|p| Percent::try_from(p).expect("a percent")),
                    key_achievement: status == Status::Complete && self.rng.chance(0.4),
                    actuals,
                    author: live.lead.clone(),
                    illustrative: true,
                },
                state,
                at: written,
            });
        }
        ActionRecord {
            item: live.item,
            details: ActionDetails {
                reference: live.reference.clone(),
                title: live.title.clone(),
                lead: live.lead.clone(),
                directorate: None,
                target: Some(target),
                illustrative: true,
            },
            measures,
            continues,
            fate: None,
            updates,
        }
    }

    /// Committee `c`, for the portfolios `2c` and `2c + 1`: members, and
    /// three meetings a year (March: next year's plans; July: the year
    /// end; November: the first half), the last (the final year end)
    /// still to come.
    fn committee(
        &mut self,
        c: usize,
        themes: &[usize],
        portfolios: &[PortfolioRecord],
    ) -> CommitteeRecord {
        let mine: Vec<usize> = (2 * c..(2 * c + 2).min(portfolios.len())).collect();
        let words: Vec<&str> = mine.iter().map(|p| THEMES[themes[*p]].committee).collect();
        let name = format!(
            "{} Policy Development and Scrutiny Committee",
            words.join(" and ")
        );
        let first = self.first.start_year();
        let members: Vec<MemberDetails> = (0..8)
            .map(|i| {
                let role = match i {
                    0 => MemberRole::Chair,
                    1 => MemberRole::ViceChair,
                    7 => MemberRole::CoOpted,
                    _ => MemberRole::Member,
                };
                let person = self.person();
                MemberDetails {
                    name: title(&if role == MemberRole::CoOpted {
                        person
                    } else {
                        format!("Councillor {person}")
                    }),
                    role,
                    term_from: Some(day(first, 5, 1)),
                    term_to: None,
                }
            })
            .collect();
        let councillors: Vec<String> = members
            .iter()
            .filter(|m| m.role != MemberRole::CoOpted)
            .map(|m| m.name.to_string())
            .collect();
        let clerk = title(&format!("{}, Democratic Services", self.person()));
        let mut meetings = Vec::new();
        let mut previous: Option<NaiveDate> = None;
        let years = self.years();
        let present = day(self.params.last_year.start_year() + 1, 4, 15);
        let mut report = 10 + self.rng.below(30);
        for (y, year) in years.iter().enumerate() {
            let start = year.start_year();
            // March before the year: its plans approved.
            let mut slots: Vec<(NaiveDate, Business)> =
                vec![(meeting_day(start, 3), Some((*year, None)))];
            if y > 0 {
                slots.push((meeting_day(start, 7), Some((years[y - 1], Some(Half::H2)))));
            }
            slots.push((meeting_day(start, 11), Some((*year, Some(Half::H1)))));
            if y + 1 == years.len() {
                slots.push((meeting_day(start + 1, 7), None));
            }
            for (held_on, business) in slots {
                let held = business.is_some();
                let mut items = vec![
                    self.formal_item("1", "Apologies for absence", &councillors, held),
                    self.formal_item("2", "Declarations of interest", &councillors, held),
                ];
                if let Some(prev) = previous {
                    items.push(AgendaItemRecord {
                        number: title("3"),
                        title: title(&format!(
                            "Minutes of the meeting held on {}",
                            prev.format("%-d %B %Y")
                        )),
                        report_ref: String::new(),
                        plan: None,
                        half: None,
                        minutes: if held {
                            format!(
                                "RESOLVED that the minutes of the meeting held on {} be agreed.",
                                prev.format("%-d %B %Y")
                            )
                        } else {
                            String::new()
                        },
                        questions: vec![],
                        commitments: vec![],
                        resolutions: vec![],
                    });
                }
                let (plan_year, half) = match business {
                    Some((y, h)) => (y, h),
                    None => (*years.last().expect("a year"), Some(Half::H2)),
                };
                for p in &mine {
                    report += 1;
                    let number = (items.len() + 1).to_string();
                    items.push(self.report_item(
                        &number,
                        *p,
                        &portfolios[*p],
                        plan_year,
                        half,
                        (held_on, report, held, present),
                        &councillors,
                    ));
                }
                meetings.push(MeetingRecord {
                    details: MeetingDetails {
                        held_on,
                        venue: "Committee Room 1, Civic Centre".into(),
                        status: if held {
                            MeetingStatus::Held
                        } else {
                            MeetingStatus::Scheduled
                        },
                        published: held,
                    },
                    items,
                });
                previous = Some(held_on);
            }
        }
        CommitteeRecord {
            details: CommitteeDetails {
                name: title(&name),
                clerk: Some(clerk),
            },
            members,
            meetings,
        }
    }

    fn formal_item(
        &mut self,
        number: &str,
        heading: &str,
        councillors: &[String],
        held: bool,
    ) -> AgendaItemRecord {
        let minutes = if !held {
            String::new()
        } else if number == "1" {
            format!(
                "Apologies for absence were received from {}.",
                self.rng.pick(councillors)
            )
        } else {
            "There were no declarations of interest.".to_owned()
        };
        AgendaItemRecord {
            number: title(number),
            title: title(heading),
            report_ref: String::new(),
            plan: None,
            half: None,
            minutes,
            questions: vec![],
            commitments: vec![],
            resolutions: vec![],
        }
    }

    /// The item of a meeting on `d`'s report on portfolio `p`'s plan for
    /// `year`: its approval (no half) or progress at `half`, with the
    /// minutes, questions, promises and resolution when it was held.
    #[allow(clippy::too_many_arguments)]
    fn report_item(
        &mut self,
        number: &str,
        p: usize,
        portfolio: &PortfolioRecord,
        year: FinancialYear,
        half: Option<Half>,
        (held_on, report, held, present): (NaiveDate, usize, bool, NaiveDate),
        councillors: &[String],
    ) -> AgendaItemRecord {
        let plan = portfolio
            .plans
            .iter()
            .find(|plan| plan.year == year)
            .expect("a plan of the year");
        let at = PlanAt { portfolio: p, year };
        let report_ref = format!("{}{:02}-{report:03}", portfolio.code, held_on.year() % 100);
        let name = &portfolio.name;
        let Some(half) = half else {
            return AgendaItemRecord {
                number: title(number),
                title: title(&format!("{name} Portfolio Plan {year}")),
                report_ref: report_ref.clone(),
                plan: Some(at),
                half: None,
                minutes: format!(
                    "The Committee considered report {report_ref}, the draft {name} Portfolio Plan {year} of {} actions. RESOLVED that the {name} Portfolio Plan {year} be approved.",
                    plan.actions.len()
                ),
                questions: vec![],
                commitments: vec![],
                resolutions: vec![NewResolution {
                    text: text(&format!("the {name} Portfolio Plan {year} be approved")),
                    outcome: ResolutionOutcome::Approved,
                }],
            };
        };
        let label = match half {
            Half::H1 => "half-year",
            Half::H2 => "year-end",
        };
        let heading = title(&format!("{name} Portfolio Plan {year}: {label} progress"));
        if !held {
            return AgendaItemRecord {
                number: title(number),
                title: heading,
                report_ref,
                plan: Some(at),
                half: Some(half),
                minutes: String::new(),
                questions: vec![],
                commitments: vec![],
                resolutions: vec![],
            };
        }
        let mut counts = [0usize; 4];
        for a in &plan.actions {
            if let Some(u) = a.updates.iter().find(|u| u.half == half) {
                let k = match u.input.status {
                    Status::Complete => 0,
                    Status::OnTrack => 1,
                    Status::AtRisk => 2,
                    _ => 3,
                };
                counts[k] += 1;
            }
        }
        let mut minutes = format!(
            "The Committee considered report {report_ref} on progress at the {label} against the {name} Portfolio Plan {year}. Of its {} actions, {} were complete, {} on track, {} at risk and {} off track, not started or deferred.",
            plan.actions.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
        let mut questions = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            let a = self.rng.below(plan.actions.len());
            let action = &plan.actions[a];
            let asker = self.rng.pick(councillors).clone();
            let concern = [
                "whether the target date would still be met",
                "how residents had been involved",
                "what the cost had been so far",
                "how progress would be measured",
                "why the work had slipped",
            ][self.rng.below(5)];
            let answer = [
                "the work remained a priority and a timetable would be shared",
                "partners had been closely involved throughout",
                "the figures would be reported at the next meeting",
                "a review was under way",
            ][self.rng.below(4)];
            let source = format!(
                "In response to a question from {asker} about action {} ({}), {concern}, the {} said that {answer}.",
                action.details.reference, action.details.title, action.details.lead
            );
            minutes.push(' ');
            minutes.push_str(&source);
            questions.push(QuestionRecord {
                asker: Some(title(&asker)),
                responder: Some(action.details.lead.clone()),
                action: Some(ActionAt {
                    plan: at,
                    action: a,
                }),
                source: text(&source),
            });
        }
        let mut commitments = Vec::new();
        let promises = match self.rng.below(10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        for _ in 0..promises {
            let a = self.rng.below(plan.actions.len());
            let action = &plan.actions[a];
            let months = self.rng.between(1, 6) as u32;
            let due = held_on
                .checked_add_months(chrono::Months::new(months))
                .expect("a date");
            let due_by = TargetDate::Month {
                year: due.year(),
                month: due.month(),
            };
            let subject = action
                .details
                .title
                .as_str()
                .split_once(' ')
                .map_or(action.details.title.as_str(), |(_, rest)| rest)
                .to_owned();
            let promise = match self.rng.below(3) {
                0 => format!("a written response on {subject} would be provided to Members"),
                1 => format!(
                    "a report on {subject} would be brought to the Committee in {}",
                    due.format("%B %Y")
                ),
                _ => "the latest performance figures would be circulated to Members".to_owned(),
            };
            let source = format!(
                "The {} undertook that {promise} (action {}).",
                action.details.lead, action.details.reference
            );
            minutes.push(' ');
            minutes.push_str(&source);
            let due_day = due_by.due_by();
            let (status, closed_on, note) = if due_day < present {
                let closed =
                    (held_on + Duration::days(14 + self.rng.below(60) as i64)).min(due_day);
                match self.rng.below(20) {
                    0..=15 => (
                        CommitmentStatus::Delivered,
                        Some(closed),
                        format!("Circulated to Members on {}.", closed.format("%-d %B %Y")),
                    ),
                    16 => (
                        CommitmentStatus::Withdrawn,
                        Some(closed),
                        "No longer needed: the action was reshaped at the refresh.".to_owned(),
                    ),
                    _ => (CommitmentStatus::Open, None, String::new()),
                }
            } else {
                (CommitmentStatus::Open, None, String::new())
            };
            commitments.push(CommitmentRecord {
                text: text(&capitalised(&promise)),
                owner: Some(action.details.lead.clone()),
                due_by: Some(due_by),
                due_text: format!("by {}", due.format("%B %Y")),
                action: Some(ActionAt {
                    plan: at,
                    action: a,
                }),
                status,
                delivery_note: note,
                closed_on,
                source: text(&source),
            });
        }
        let resolution = format!(
            "the progress on the actions in the {name} Portfolio Plan {year} (Appendix 1) be noted"
        );
        minutes.push_str(&format!(" RESOLVED that {resolution}."));
        AgendaItemRecord {
            number: title(number),
            title: heading,
            report_ref,
            plan: Some(at),
            half: Some(half),
            minutes,
            questions,
            commitments,
            resolutions: vec![NewResolution {
                text: text(&resolution),
                outcome: ResolutionOutcome::Noted,
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: u64) -> Params {
        Params {
            bodies: 3,
            portfolios: 2,
            actions: 12,
            years: 3,
            seed,
            last_year: "2025/26".parse().unwrap(),
        }
    }

    #[test]
    fn every_plan_has_its_actions_and_an_update_per_half() {
        let p = params(7);
        for index in 0..p.bodies {
            let b = body(&p, index);
            assert!(b.body.name.as_str().ends_with("(synthetic)"));
            assert_eq!(b.portfolios.len(), 2);
            for portfolio in &b.portfolios {
                assert_eq!(portfolio.plans.len(), 3);
                for plan in &portfolio.plans {
                    assert_eq!(plan.actions.len(), 12, "{} {}", portfolio.code, plan.year);
                    for a in &plan.actions {
                        assert_eq!(a.updates.len(), 2);
                        assert!(a.details.illustrative);
                    }
                }
                // Later years continue actions of the year before.
                assert!(
                    portfolio.plans[1]
                        .actions
                        .iter()
                        .any(|a| a.continues.is_some())
                );
            }
        }
    }

    #[test]
    fn bodies_use_every_reference_scheme() {
        let p = params(1);
        let schemes: Vec<ReferenceScheme> =
            (0..3).map(|i| body(&p, i).body.reference_scheme).collect();
        assert_eq!(schemes, ReferenceScheme::ALL.to_vec());
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        let mut p = params(1);
        p.portfolios = 13;
        assert_eq!(p.check().unwrap_err().field, "portfolios");
        p.portfolios = 2;
        p.bodies = 0;
        assert_eq!(p.check().unwrap_err().field, "bodies");
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let (mut a, mut b, mut c) = (Rng::new(7, 3), Rng::new(7, 3), Rng::new(8, 3));
        let draws = |r: &mut Rng| (0..5).map(|_| r.next()).collect::<Vec<_>>();
        let first = draws(&mut a);
        assert_eq!(first, draws(&mut b));
        assert_ne!(first, draws(&mut c));
    }
}
