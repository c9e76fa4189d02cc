//! The OParl 1.1 objects of one body, built from what the public may see
//! of it ([`Snapshot`]): every object of a kind in one go, so a list and an
//! object read the same way and an object's address always finds it in its
//! list.

use std::collections::HashMap;

use domain::{AgendaItem, Body, Committee, CommitteeMember, Meeting, MeetingStatus};
use serde_json::{Map, Value, json};
use store::{PublicRecord, PublishedPack, Stamps};

/// The address every OParl 1.1 `type` starts with.
const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// What a body shows through OParl: its public record, the packs of its
/// published plans and its committees' members (public, as on the
/// committee pages).
pub(crate) struct Snapshot {
    /// `scheme://host` of this site.
    pub(crate) site: String,
    /// The body.
    pub(crate) body: Body,
    /// Its committees, published meetings and their items.
    pub(crate) record: PublicRecord,
    /// Its packs whose plan is published.
    pub(crate) packs: Vec<PublishedPack>,
    /// The members of its committees, with their role and term.
    pub(crate) members: Vec<(CommitteeMember, Stamps)>,
}

/// The kinds of object a body has, each with its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Committees.
    Organization,
    /// Committee members, one person per membership.
    Person,
    /// A member's seat on a committee.
    Membership,
    /// Published meetings.
    Meeting,
    /// Items on their agendas.
    AgendaItem,
    /// Published committee report packs.
    Paper,
    /// A pack considered at a meeting.
    Consultation,
    /// A pack's file in one format.
    File,
    /// Where a meeting was held.
    Location,
}

impl Kind {
    /// Every kind.
    pub(crate) const ALL: [Kind; 9] = [
        Kind::Organization,
        Kind::Person,
        Kind::Membership,
        Kind::Meeting,
        Kind::AgendaItem,
        Kind::Paper,
        Kind::Consultation,
        Kind::File,
        Kind::Location,
    ];

    /// Its OParl type name.
    fn type_name(self) -> &'static str {
        match self {
            Kind::Organization => "Organization",
            Kind::Person => "Person",
            Kind::Membership => "Membership",
            Kind::Meeting => "Meeting",
            Kind::AgendaItem => "AgendaItem",
            Kind::Paper => "Paper",
            Kind::Consultation => "Consultation",
            Kind::File => "File",
            Kind::Location => "Location",
        }
    }

    /// The path segment of one object: `…/meeting/{id}`.
    pub(crate) fn one(self) -> &'static str {
        match self {
            Kind::Organization => "organization",
            Kind::Person => "person",
            Kind::Membership => "membership",
            Kind::Meeting => "meeting",
            Kind::AgendaItem => "agenda-item",
            Kind::Paper => "paper",
            Kind::Consultation => "consultation",
            Kind::File => "file",
            Kind::Location => "location",
        }
    }

    /// The path segment of the body's list: `…/meetings`.
    pub(crate) fn list(self) -> &'static str {
        match self {
            Kind::Organization => "organizations",
            Kind::Person => "people",
            Kind::Membership => "memberships",
            Kind::Meeting => "meetings",
            Kind::AgendaItem => "agenda-items",
            Kind::Paper => "papers",
            Kind::Consultation => "consultations",
            Kind::File => "files",
            Kind::Location => "locations",
        }
    }

    /// The kind whose object segment is `segment`.
    pub(crate) fn from_one(segment: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.one() == segment)
    }

    /// The kind whose list segment is `segment`.
    pub(crate) fn from_list(segment: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.list() == segment)
    }
}

/// The address of the OParl API on `site`.
pub(crate) fn root(site: &str) -> String {
    format!("{site}/oparl/v1.1")
}

/// The System object: the entry point, listing the bodies at `bodies`;
/// created with the first body and changed with the last one changed.
pub(crate) fn system(site: &str, bodies: &[&Stamps]) -> Value {
    let mut o = json!({
        "id": format!("{}/", root(site)),
        "type": format!("{SCHEMA}System"),
        "oparlVersion": SCHEMA,
        "name": "Ambit",
        "body": format!("{}/bodies", root(site)),
        "website": format!("{site}/"),
        "web": format!("{site}/open-data"),
        "product": "Ambit",
    });
    let m = o.as_object_mut().expect("an object");
    if let (Some(created), Some(modified)) = (
        bodies.iter().map(|s| s.created.as_str()).min(),
        bodies.iter().map(|s| s.modified.as_str()).max(),
    ) {
        stamp(
            m,
            &Stamps {
                created: created.to_owned(),
                modified: modified.to_owned(),
            },
        );
    }
    o
}

/// The Body object of `body`, created and changed at `stamps`.
pub(crate) fn body(site: &str, body: &Body, stamps: &Stamps) -> Value {
    let base = body_base(site, body);
    let mut o = json!({
        "id": base,
        "type": format!("{SCHEMA}Body"),
        "system": format!("{}/", root(site)),
        "name": body.name.as_str(),
        "shortName": body.slug.as_str(),
        "website": format!("{site}/b/{}", body.slug),
        "web": format!("{site}/b/{}", body.slug),
        "legislativeTerm": [],
    });
    let m = o.as_object_mut().expect("an object");
    for (field, kind) in [
        ("organization", Kind::Organization),
        ("person", Kind::Person),
        ("membership", Kind::Membership),
        ("meeting", Kind::Meeting),
        ("agendaItem", Kind::AgendaItem),
        ("paper", Kind::Paper),
        ("consultation", Kind::Consultation),
        ("file", Kind::File),
        ("locationList", Kind::Location),
    ] {
        m.insert(
            field.into(),
            Value::String(format!("{base}/{}", kind.list())),
        );
    }
    stamp(m, stamps);
    o
}

/// The address of `body`'s Body object, which its objects' addresses extend.
pub(crate) fn body_base(site: &str, body: &Body) -> String {
    format!("{}/bodies/{}", root(site), body.slug)
}

fn stamp(m: &mut Map<String, Value>, stamps: &Stamps) {
    m.insert("created".into(), Value::String(stamps.created.clone()));
    m.insert("modified".into(), Value::String(stamps.modified.clone()));
}

/// A pack's publication time as both stamps (a pack never changes).
fn pack_stamps(pack: &PublishedPack) -> Stamps {
    Stamps {
        created: pack.published_at.clone(),
        modified: pack.published_at.clone(),
    }
}

/// One pack considered at one meeting, at one of its items when the item
/// names the pack's reference or covers its plan and half.
struct Considered<'a> {
    pack: &'a PublishedPack,
    meeting: &'a Meeting,
    committee: &'a Committee,
    item: Option<&'a AgendaItem>,
}

impl Snapshot {
    fn base(&self) -> String {
        body_base(&self.site, &self.body)
    }

    fn url(&self, kind: Kind, id: impl std::fmt::Display) -> String {
        format!("{}/{}/{id}", self.base(), kind.one())
    }

    fn typed(&self, kind: Kind, id: impl std::fmt::Display) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), Value::String(self.url(kind, id)));
        m.insert(
            "type".into(),
            Value::String(format!("{SCHEMA}{}", kind.type_name())),
        );
        m
    }

    fn committees(&self) -> HashMap<domain::CommitteeId, &Committee> {
        self.record
            .committees
            .iter()
            .map(|(c, _)| (c.id, c))
            .collect()
    }

    /// Where each pack went: the meetings of its committee (or any, when it
    /// names none) held on its meeting date, as the meeting page lists them.
    fn considered(&self) -> Vec<Considered<'_>> {
        let committees = self.committees();
        let mut found = Vec::new();
        for pack in &self.packs {
            let Some(date) = pack.meeting_date else {
                continue;
            };
            for (meeting, _) in &self.record.meetings {
                let Some(committee) = committees.get(&meeting.committee_id) else {
                    continue;
                };
                let named = pack.committee.trim();
                if meeting.held_on != date
                    || !(named.is_empty() || named.eq_ignore_ascii_case(committee.name.trim()))
                {
                    continue;
                }
                let items = || {
                    self.record
                        .items
                        .iter()
                        .map(|(i, _)| i)
                        .filter(|i| i.meeting_id == meeting.id)
                };
                let item = items()
                    .find(|i| {
                        i.report_ref
                            .trim()
                            .eq_ignore_ascii_case(pack.reference.trim())
                    })
                    .or_else(|| {
                        items().find(|i| {
                            i.plan_id == Some(pack.plan_id) && i.half == Some(pack.period.half)
                        })
                    });
                found.push(Considered {
                    pack,
                    meeting,
                    committee,
                    item,
                });
            }
        }
        found
    }

    fn consultation_id(c: &Considered) -> String {
        format!("{}-{}", c.pack.id, c.meeting.id)
    }

    /// Every object of `kind`, in a stable order, with the stamps lists
    /// filter on.
    pub(crate) fn objects(&self, kind: Kind) -> Vec<Value> {
        match kind {
            Kind::Organization => self.organizations(None),
            Kind::Person => self.people(),
            Kind::Membership => self.memberships(),
            Kind::Meeting => self.meetings(None),
            Kind::AgendaItem => {
                let (considered, orders) = (self.considered(), self.orders());
                self.record
                    .items
                    .iter()
                    .map(|(i, s)| self.agenda_item(i, s, &considered, &orders))
                    .collect()
            }
            Kind::Paper => self.papers(),
            Kind::Consultation => self
                .considered()
                .iter()
                .map(|c| self.consultation(c))
                .collect(),
            Kind::File => self.packs.iter().flat_map(|p| self.files(p)).collect(),
            Kind::Location => self
                .record
                .meetings
                .iter()
                .filter_map(|(m, s)| self.location(m, s))
                .collect(),
        }
    }

    /// The object of `kind` whose address ends in `id`, if the public may
    /// see it.
    pub(crate) fn object(&self, kind: Kind, id: &str) -> Option<Value> {
        let url = self.url(kind, id);
        self.objects(kind)
            .into_iter()
            .find(|o| o["id"].as_str() == Some(url.as_str()))
    }

    /// The committees, or only committee `only`.
    fn organizations(&self, only: Option<i64>) -> Vec<Value> {
        self.record
            .committees
            .iter()
            .filter(|(c, _)| only.is_none_or(|id| id == c.id.get()))
            .map(|(c, s)| {
                let mut m = self.typed(Kind::Organization, c.id);
                m.insert("body".into(), Value::String(self.base()));
                m.insert("name".into(), Value::String(c.name.clone()));
                m.insert(
                    "membership".into(),
                    self.members
                        .iter()
                        .filter(|(mb, _)| mb.committee_id == c.id)
                        .map(|(mb, _)| Value::String(self.url(Kind::Membership, mb.id)))
                        .collect(),
                );
                m.insert(
                    "meeting".into(),
                    Value::String(format!("{}/meetings", self.url(Kind::Organization, c.id))),
                );
                m.insert("organizationType".into(), "Gremium".into());
                m.insert("classification".into(), "Committee".into());
                m.insert(
                    "web".into(),
                    Value::String(format!(
                        "{}/b/{}/committees/{}",
                        self.site, self.body.slug, c.id
                    )),
                );
                stamp(&mut m, s);
                Value::Object(m)
            })
            .collect()
    }

    /// One Person per membership: Ambit knows a member by the name given
    /// for each committee, not as one person across committees. Each holds
    /// its Membership embedded, as OParl 1.1 sets.
    fn people(&self) -> Vec<Value> {
        self.members
            .iter()
            .map(|(mb, s)| {
                let mut m = self.typed(Kind::Person, mb.id);
                m.insert("body".into(), Value::String(self.base()));
                m.insert("name".into(), Value::String(mb.name.clone()));
                m.insert(
                    "membership".into(),
                    Value::Array(vec![self.membership(mb, s, false)]),
                );
                stamp(&mut m, s);
                Value::Object(m)
            })
            .collect()
    }

    fn memberships(&self) -> Vec<Value> {
        self.members
            .iter()
            .map(|(mb, s)| self.membership(mb, s, true))
            .collect()
    }

    /// Member `mb`'s seat on their committee: its role and term, and the
    /// committee page that lists it. `person` names its Person, which
    /// OParl leaves out when the Membership is embedded in that Person.
    fn membership(&self, mb: &CommitteeMember, s: &Stamps, person: bool) -> Value {
        let mut m = self.typed(Kind::Membership, mb.id);
        if person {
            m.insert(
                "person".into(),
                Value::String(self.url(Kind::Person, mb.id)),
            );
        }
        m.insert(
            "organization".into(),
            Value::String(self.url(Kind::Organization, mb.committee_id)),
        );
        m.insert("role".into(), mb.role.label().into());
        if let Some(d) = mb.term_from {
            m.insert("startDate".into(), d.to_string().into());
        }
        if let Some(d) = mb.term_to {
            m.insert("endDate".into(), d.to_string().into());
        }
        m.insert(
            "web".into(),
            Value::String(format!(
                "{}/b/{}/committees/{}#members",
                self.site, self.body.slug, mb.committee_id
            )),
        );
        stamp(&mut m, s);
        Value::Object(m)
    }

    /// The published meetings, or only committee `of`'s.
    pub(crate) fn meetings(&self, of: Option<i64>) -> Vec<Value> {
        let committees = self.committees();
        let (considered, orders) = (self.considered(), self.orders());
        self.record
            .meetings
            .iter()
            .filter(|(m, _)| of.is_none_or(|c| c == m.committee_id.get()))
            .filter_map(|(meeting, s)| {
                let committee = committees.get(&meeting.committee_id)?;
                let mut m = self.typed(Kind::Meeting, meeting.id);
                m.insert(
                    "name".into(),
                    Value::String(format!(
                        "{}, {}",
                        committee.name,
                        meeting.held_on.format("%-d %B %Y")
                    )),
                );
                m.insert("meetingState".into(), meeting.status.label().into());
                m.insert(
                    "cancelled".into(),
                    (meeting.status == MeetingStatus::Cancelled).into(),
                );
                if let Some(location) = self.location(meeting, s) {
                    m.insert("location".into(), location);
                }
                m.insert(
                    "organization".into(),
                    json!([self.url(Kind::Organization, committee.id)]),
                );
                m.insert(
                    "agendaItem".into(),
                    self.record
                        .items
                        .iter()
                        .filter(|(i, _)| i.meeting_id == meeting.id)
                        .map(|(i, s)| self.agenda_item(i, s, &considered, &orders))
                        .collect(),
                );
                m.insert(
                    "web".into(),
                    Value::String(format!(
                        "{}/b/{}/meetings/{}",
                        self.site, self.body.slug, meeting.id
                    )),
                );
                stamp(&mut m, s);
                Some(Value::Object(m))
            })
            .collect()
    }

    /// Whether committee `id` is the body's.
    pub(crate) fn has_committee(&self, id: domain::CommitteeId) -> bool {
        self.record.committees.iter().any(|(c, _)| c.id == id)
    }

    fn location(&self, meeting: &Meeting, s: &Stamps) -> Option<Value> {
        let venue = meeting.venue.trim();
        if venue.is_empty() {
            return None;
        }
        let mut m = self.typed(Kind::Location, meeting.id);
        m.insert("description".into(), venue.into());
        m.insert(
            "meetings".into(),
            json!([self.url(Kind::Meeting, meeting.id)]),
        );
        stamp(&mut m, s);
        Some(Value::Object(m))
    }

    /// Each item's place on its meeting's agenda, from 1.
    fn orders(&self) -> HashMap<domain::AgendaItemId, usize> {
        let mut next: HashMap<domain::MeetingId, usize> = HashMap::new();
        self.record
            .items
            .iter()
            .map(|(i, _)| {
                let n = next.entry(i.meeting_id).or_default();
                *n += 1;
                (i.id, *n)
            })
            .collect()
    }

    fn agenda_item(
        &self,
        item: &AgendaItem,
        s: &Stamps,
        considered: &[Considered],
        orders: &HashMap<domain::AgendaItemId, usize>,
    ) -> Value {
        let order = orders.get(&item.id).copied().unwrap_or(1);
        let mut m = self.typed(Kind::AgendaItem, item.id);
        m.insert(
            "meeting".into(),
            Value::String(self.url(Kind::Meeting, item.meeting_id)),
        );
        m.insert("number".into(), Value::String(item.number.clone()));
        m.insert("order".into(), order.into());
        m.insert("name".into(), Value::String(item.title.clone()));
        m.insert("public".into(), true.into());
        if let Some(c) = considered
            .iter()
            .find(|c| c.item.is_some_and(|i| i.id == item.id))
        {
            m.insert(
                "consultation".into(),
                Value::String(self.url(Kind::Consultation, Self::consultation_id(c))),
            );
        }
        m.insert(
            "web".into(),
            Value::String(format!(
                "{}/b/{}/meetings/{}",
                self.site, self.body.slug, item.meeting_id
            )),
        );
        stamp(&mut m, s);
        Value::Object(m)
    }

    fn papers(&self) -> Vec<Value> {
        let considered = self.considered();
        self.packs
            .iter()
            .map(|pack| {
                let mut m = self.typed(Kind::Paper, pack.id);
                m.insert("body".into(), Value::String(self.base()));
                m.insert("name".into(), Value::String(pack.title.clone()));
                m.insert("reference".into(), Value::String(pack.reference.clone()));
                if let Some(day) = pack.published_at.get(..10) {
                    m.insert("date".into(), day.into());
                }
                m.insert("paperType".into(), "Committee report".into());
                let mut files = self.files(pack);
                // The PDF is the report as the committee reads it; the
                // other formats go beside it.
                let main = files
                    .iter()
                    .position(|f| f["mimeType"] == "application/pdf")
                    .unwrap_or(0);
                if !files.is_empty() {
                    m.insert("mainFile".into(), files.remove(main));
                }
                m.insert("auxiliaryFile".into(), Value::Array(files));
                let committees: Vec<Value> = self
                    .record
                    .committees
                    .iter()
                    .filter(|(c, _)| c.name.trim().eq_ignore_ascii_case(pack.committee.trim()))
                    .map(|(c, _)| Value::String(self.url(Kind::Organization, c.id)))
                    .collect();
                if !committees.is_empty() {
                    m.insert("underDirectionOf".into(), Value::Array(committees));
                }
                m.insert(
                    "consultation".into(),
                    considered
                        .iter()
                        .filter(|c| c.pack.id == pack.id)
                        .map(|c| self.consultation(c))
                        .collect(),
                );
                m.insert(
                    "web".into(),
                    Value::String(format!("{}/b/{}/packs", self.site, self.body.slug)),
                );
                stamp(&mut m, &pack_stamps(pack));
                Value::Object(m)
            })
            .collect()
    }

    fn consultation(&self, c: &Considered) -> Value {
        let mut m = self.typed(Kind::Consultation, Self::consultation_id(c));
        m.insert(
            "paper".into(),
            Value::String(self.url(Kind::Paper, c.pack.id)),
        );
        if let Some(item) = c.item {
            m.insert(
                "agendaItem".into(),
                Value::String(self.url(Kind::AgendaItem, item.id)),
            );
        }
        m.insert(
            "meeting".into(),
            Value::String(self.url(Kind::Meeting, c.meeting.id)),
        );
        m.insert(
            "organization".into(),
            json!([self.url(Kind::Organization, c.committee.id)]),
        );
        m.insert("authoritative".into(), false.into());
        m.insert("role".into(), "Report to the committee".into());
        stamp(&mut m, &pack_stamps(c.pack));
        Value::Object(m)
    }

    fn files(&self, pack: &PublishedPack) -> Vec<Value> {
        pack.files
            .iter()
            .map(|f| {
                let kind = f.format.parse::<report::Format>().ok();
                let mut m = self.typed(Kind::File, format!("{}-{}", pack.id, f.format));
                let label = kind.map_or_else(|| f.format.to_uppercase(), |k| k.label().to_owned());
                m.insert(
                    "name".into(),
                    Value::String(format!("{} ({label})", pack.reference)),
                );
                m.insert(
                    "fileName".into(),
                    Value::String(format!(
                        "{}-{}-{}.{}",
                        pack.reference,
                        crate::request::year_slug(pack.period.year),
                        pack.period.half,
                        f.format
                    )),
                );
                if let Some(k) = kind {
                    m.insert("mimeType".into(), k.media_type().into());
                }
                if let Some(day) = pack.published_at.get(..10) {
                    m.insert("date".into(), day.into());
                }
                m.insert("size".into(), f.size.into());
                let href = format!(
                    "{}/b/{}/packs/{}/{}",
                    self.site, self.body.slug, pack.id, f.format
                );
                m.insert("accessUrl".into(), Value::String(href.clone()));
                m.insert("downloadUrl".into(), Value::String(href));
                m.insert("paper".into(), json!([self.url(Kind::Paper, pack.id)]));
                stamp(&mut m, &pack_stamps(pack));
                Value::Object(m)
            })
            .collect()
    }

    /// The Organization object of committee `id`, if it is the body's.
    pub(crate) fn organization(&self, id: i64) -> Option<Value> {
        self.organizations(Some(id)).into_iter().next()
    }
}
