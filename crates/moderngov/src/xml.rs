//! The web service's answers read into typed records.
//!
//! An answer is first reduced to the element that holds it
//! ([`payload`]): namespaces are stripped (a SOAP 1.1 envelope, or a
//! `xmlns` on the plain answer, is read like the plain XML) and any
//! wrapper around it (`Envelope`, `Body`, `GetMeetingResponse`,
//! `GetMeetingResult`) is dropped. The element is then read with serde,
//! every field optional (fields vary between councils) and every list
//! accepting one element as well as many. The values are parsed after:
//! dates written dd/mm/yyyy, times "10.00 am" or "13:30", booleans
//! "True"/"False", HTML bodies escaped once or twice.

use chrono::{NaiveDate, NaiveTime};
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::reader::Reader;
use serde::Deserialize;

/// Why an answer could not be read as the service's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The answer is a web page, not XML.
    #[error("a web page (HTML)")]
    Html,
    /// The answer is not XML at all.
    #[error("something that is not XML ({0})")]
    NotXml(String),
    /// The answer is XML without the element the operation answers with.
    #[error("XML without a <{0}> element")]
    Missing(String),
    /// The element is there but its content is not as the service writes it.
    #[error("a <{element}> the service would not write ({detail})")]
    Shape {
        /// The element.
        element: String,
        /// What the reader said.
        detail: String,
    },
}

/// The first element named one of `roots` (ignoring namespaces and case)
/// in `xml`, written again without namespaces, for serde to read.
pub fn payload(xml: &str, roots: &[&str]) -> Result<String, XmlError> {
    let head = xml.trim_start_matches('\u{feff}').trim_start();
    let lower: String = head
        .chars()
        .take(300)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(XmlError::Html);
    }
    if !head.starts_with('<') {
        let shown: String = head.chars().take(60).collect();
        return Err(XmlError::NotXml(format!("it begins {shown:?}")));
    }
    let mut reader = Reader::from_str(head);
    reader.config_mut().trim_text(false);
    let mut writer = Writer::new(Vec::new());
    let mut depth = 0usize;
    let mut seen_element = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::NotXml(e.to_string()))?;
        match event {
            Event::Eof => break,
            Event::Start(start) => {
                seen_element = true;
                let name = local(start.name().as_ref());
                if depth == 0 {
                    if name.eq_ignore_ascii_case("html") {
                        return Err(XmlError::Html);
                    }
                    if !roots.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
                        continue;
                    }
                }
                depth += 1;
                write(&mut writer, Event::Start(stripped(&start, &name)))?;
            }
            Event::Empty(start) => {
                seen_element = true;
                let name = local(start.name().as_ref());
                if depth == 0 {
                    if roots.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
                        write(&mut writer, Event::Empty(stripped(&start, &name)))?;
                        return finish(writer);
                    }
                    continue;
                }
                write(&mut writer, Event::Empty(stripped(&start, &name)))?;
            }
            Event::End(end) => {
                if depth == 0 {
                    continue;
                }
                depth -= 1;
                let name = local(end.name().as_ref());
                write(&mut writer, Event::End(BytesEnd::new(name)))?;
                if depth == 0 {
                    return finish(writer);
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if depth > 0 => {
                write(&mut writer, event)?;
            }
            _ => {}
        }
    }
    if !seen_element {
        return Err(XmlError::NotXml("no element in it".into()));
    }
    Err(XmlError::Missing(
        roots.first().copied().unwrap_or("").into(),
    ))
}

fn finish(writer: Writer<Vec<u8>>) -> Result<String, XmlError> {
    String::from_utf8(writer.into_inner()).map_err(|e| XmlError::NotXml(e.to_string()))
}

fn write(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), XmlError> {
    writer
        .write_event(event)
        .map_err(|e| XmlError::NotXml(e.to_string()))
}

/// A name without its namespace prefix, in lower case.
fn local(name: &str) -> String {
    name.rsplit(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// `start` renamed to `name`, its attributes without prefixes and without
/// namespace declarations.
fn stripped(start: &BytesStart<'_>, name: &str) -> BytesStart<'static> {
    let mut out = BytesStart::new(name.to_owned());
    for attr in start.attributes().flatten() {
        let key = attr.key.as_ref().to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let key = local(&key);
        let value = attr.value.clone().into_owned();
        // The value is still escaped as it was read; push it as it is.
        out.push_attribute(quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(key.as_str()),
            value: std::borrow::Cow::Owned(value),
        });
    }
    out.into_owned()
}

/// Read `xml` (the answer of an operation) as `T`, the payload being the
/// first element named one of `roots`.
pub fn read<T: for<'de> Deserialize<'de>>(xml: &str, roots: &[&str]) -> Result<T, XmlError> {
    let payload = payload(xml, roots)?;
    quick_xml::de::from_str(&payload).map_err(|e| XmlError::Shape {
        element: roots.first().copied().unwrap_or("").into(),
        detail: e.to_string(),
    })
}

/// `GetCommittees`.
#[derive(Debug, Default, Deserialize)]
pub struct CommitteesXml {
    /// Each committee.
    #[serde(default)]
    pub committee: Vec<CommitteeXml>,
}

/// One committee of `GetCommittees`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct CommitteeXml {
    #[serde(default)]
    pub committeeid: String,
    #[serde(default)]
    pub committeetitle: String,
    #[serde(default)]
    pub committeedeleted: String,
    #[serde(default)]
    pub committeeexpired: String,
    #[serde(default)]
    pub committeecategory: String,
}

/// `GetMeetings` and `GetAllMeetingsByDate`: meetings grouped by committee
/// (a meeting may also carry its committee's id itself).
#[derive(Debug, Default, Deserialize)]
pub struct MeetingsXml {
    /// Each committee's meetings.
    #[serde(default)]
    pub committee: Vec<CommitteeMeetingsXml>,
    /// Meetings given outside any committee element.
    #[serde(default)]
    pub meeting: Vec<MeetingRowXml>,
}

/// A committee's part of a meetings answer.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct CommitteeMeetingsXml {
    #[serde(default)]
    pub committeeid: String,
    #[serde(default)]
    pub committeemeetings: Option<MeetingListXml>,
}

/// A list of meetings.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingListXml {
    /// Each meeting.
    #[serde(default)]
    pub meeting: Vec<MeetingRowXml>,
}

/// One meeting of a meetings answer.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct MeetingRowXml {
    #[serde(default)]
    pub meetingid: String,
    #[serde(default)]
    pub meetingdate: String,
    #[serde(default)]
    pub meetingtime: String,
    #[serde(default)]
    pub meetingstatus: String,
    #[serde(default)]
    pub committeeid: String,
}

/// `GetMeeting`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct MeetingXml {
    #[serde(default)]
    pub meetingid: String,
    #[serde(default)]
    pub meetingdate: String,
    #[serde(default)]
    pub meetingtime: String,
    #[serde(default)]
    pub meetingstatus: String,
    #[serde(default)]
    pub meetinglocation: String,
    #[serde(default)]
    pub agendapublished: String,
    #[serde(default)]
    pub minutepublished: String,
    #[serde(default)]
    pub attendees: Option<AttendeesXml>,
    #[serde(default)]
    pub agendaitems: Option<AgendaItemsXml>,
}

/// A meeting's attendees.
#[derive(Debug, Default, Deserialize)]
pub struct AttendeesXml {
    /// Each attendee.
    #[serde(default)]
    pub attendee: Vec<AttendeeXml>,
}

/// One attendee, in attributes.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct AttendeeXml {
    #[serde(default, rename = "@name")]
    pub name: String,
    #[serde(default, rename = "@roledescription")]
    pub role: String,
    #[serde(default, rename = "@attendance")]
    pub attendance: String,
}

/// A meeting's agenda.
#[derive(Debug, Default, Deserialize)]
pub struct AgendaItemsXml {
    /// Each item.
    #[serde(default)]
    pub agendaitem: Vec<AgendaItemXml>,
}

/// One agenda item.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct AgendaItemXml {
    #[serde(default)]
    pub agendaitemid: String,
    #[serde(default)]
    pub agendaitemtitle: String,
    #[serde(default)]
    pub agendaitemnumber: String,
    #[serde(default)]
    pub fulldisplaynumberformat: String,
    #[serde(default)]
    pub agendatext: String,
    #[serde(default)]
    pub minutesnonemptyhtmlbody: String,
    #[serde(default)]
    pub isrestricted: String,
    #[serde(default)]
    pub linkeddocuments: Option<LinkedDocumentsXml>,
}

/// An item's documents.
#[derive(Debug, Default, Deserialize)]
pub struct LinkedDocumentsXml {
    /// Each document.
    #[serde(default)]
    pub linkeddoc: Vec<LinkedDocXml>,
}

/// One document.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct LinkedDocXml {
    #[serde(default)]
    pub attachmentid: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub publicationdate: String,
    #[serde(default)]
    pub isrestricted: String,
}

/// "True"/"False" as the service writes them (also "1"/"0", "yes"/"no");
/// anything else is false.
pub fn boolean(raw: &str) -> bool {
    matches!(
        raw.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "y"
    )
}

/// An id: digits, else none.
pub fn id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// A date as the service writes it: dd/mm/yyyy (with or without a time
/// after it), also yyyy-mm-dd.
pub fn date(raw: &str) -> Option<NaiveDate> {
    let day = raw.trim().split([' ', 'T']).next().unwrap_or_default();
    NaiveDate::parse_from_str(day, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(day, "%d-%m-%Y"))
        .ok()
}

/// A time as councils write it: "10.00 am", "10:00am", "2 pm", "13:30",
/// "noon"; none when it is not one.
pub fn time(raw: &str) -> Option<NaiveTime> {
    let t = raw.trim().to_ascii_lowercase().replace('.', ":");
    if t.is_empty() {
        return None;
    }
    if t == "noon" || t == "12 noon" || t == "12:00 noon" {
        return NaiveTime::from_hms_opt(12, 0, 0);
    }
    let (clock, half) = if let Some(c) = t.strip_suffix("am") {
        (c.trim(), Some(false))
    } else if let Some(c) = t.strip_suffix("pm") {
        (c.trim(), Some(true))
    } else {
        (t.trim(), None)
    };
    let mut parts = clock.splitn(3, ':');
    let hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = match parts.next() {
        Some(m) => m.trim().parse().ok()?,
        None => 0,
    };
    let hour = match half {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// An HTML body as text to read: the service escapes the HTML once
/// (already undone by the XML reader) and sometimes twice (`&amp;lt;p&amp;gt;`,
/// `&amp;#39;`), which is undone here before the HTML is read as text.
pub fn html_text(raw: &str) -> String {
    let mut html = raw.trim().to_owned();
    // Escaped twice: no markup, but escaped markup.
    if !html.contains('<') && (html.contains("&lt;") || html.contains("&#60;")) {
        html = unescape(&html);
    }
    let text = minutes::plain_text(html.as_bytes()).unwrap_or(html);
    // An entity escaped twice inside the HTML survives it as text.
    let text = if text.contains('&') {
        unescape(&text)
    } else {
        text
    };
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Entity references (named ones HTML bodies use, and numeric ones)
/// replaced by their characters; anything else left as it is.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail[1..].find(';').map(|i| i + 1).filter(|i| *i <= 10);
        let decoded = end.and_then(|end| {
            let name = &tail[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "pound" => Some('£'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_and_namespaces_are_stripped() {
        let soap = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<GetCommitteesResponse xmlns="http://moderngov.co.uk/namespaces"><GetCommitteesResult>
<committees xmlns=""><committee><committeeid>7</committeeid><committeetitle>Adult Care &amp; Health</committeetitle></committee></committees>
</GetCommitteesResult></GetCommitteesResponse></soap:Body></soap:Envelope>"#;
        let c: CommitteesXml = read(soap, &["committees"]).unwrap();
        assert_eq!(c.committee.len(), 1);
        assert_eq!(c.committee[0].committeetitle, "Adult Care & Health");
        let plain = r#"<committees xmlns="http://moderngov.co.uk/namespaces"><committee><committeeid>1</committeeid></committee><committee><committeeid>2</committeeid><committeedeleted>True</committeedeleted></committee></committees>"#;
        let c: CommitteesXml = read(plain, &["committees"]).unwrap();
        assert_eq!(c.committee.len(), 2);
        assert!(boolean(&c.committee[1].committeedeleted));
        assert_eq!(
            payload("<html><body>Not found</body></html>", &["committees"]),
            Err(XmlError::Html)
        );
        assert!(matches!(
            payload("<other/>", &["committees"]),
            Err(XmlError::Missing(_))
        ));
        assert!(matches!(
            payload("Service unavailable", &["committees"]),
            Err(XmlError::NotXml(_))
        ));
    }

    #[test]
    fn a_single_element_reads_as_a_list_and_attributes_are_read() {
        let xml = r#"<meeting><meetingid>5</meetingid><attendees><attendee name="Cllr A" roledescription="Chairman" attendance="Present"/></attendees>
<agendaitems><agendaitem><agendaitemid>9</agendaitemid><minutesnonemptyhtmlbody>&lt;p&gt;Members noted&amp;#39;s report&lt;/p&gt;</minutesnonemptyhtmlbody>
<linkeddocuments><linkeddoc><attachmentid>3</attachmentid><title>Report</title></linkeddoc></linkeddocuments><unknownfield><x>1</x></unknownfield></agendaitem></agendaitems></meeting>"#;
        let m: MeetingXml = read(xml, &["meeting"]).unwrap();
        let items = m.agendaitems.unwrap().agendaitem;
        assert_eq!(items.len(), 1);
        assert_eq!(m.attendees.unwrap().attendee[0].role, "Chairman");
        assert_eq!(
            html_text(&items[0].minutesnonemptyhtmlbody),
            "Members noted's report"
        );
        assert_eq!(
            items[0].linkeddocuments.as_ref().unwrap().linkeddoc.len(),
            1
        );
    }

    #[test]
    fn values_are_read_as_councils_write_them() {
        assert_eq!(date("03/11/2022"), NaiveDate::from_ymd_opt(2022, 11, 3));
        assert_eq!(date("2022-11-03"), NaiveDate::from_ymd_opt(2022, 11, 3));
        assert_eq!(
            date("03/11/2022 00:00:00"),
            NaiveDate::from_ymd_opt(2022, 11, 3)
        );
        assert_eq!(date("soon"), None);
        assert_eq!(time("10.00 am"), NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(time("7.30 pm"), NaiveTime::from_hms_opt(19, 30, 0));
        assert_eq!(time("12.00 pm"), NaiveTime::from_hms_opt(12, 0, 0));
        assert_eq!(time("13:30"), NaiveTime::from_hms_opt(13, 30, 0));
        assert_eq!(time("2pm"), NaiveTime::from_hms_opt(14, 0, 0));
        assert_eq!(time(""), None);
        assert_eq!(time("tbc"), None);
        assert!(boolean("True") && boolean(" true ") && !boolean("False") && !boolean(""));
        assert_eq!(
            html_text("&lt;p&gt;It was &amp;#39;noted&amp;#39;&lt;/p&gt;"),
            "It was 'noted'"
        );
        assert_eq!(html_text("<p>Fish &amp; chips</p>"), "Fish & chips");
        assert_eq!(unescape("a &bogus; b & c"), "a &bogus; b & c");
    }
}
