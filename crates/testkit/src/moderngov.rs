//! A fake ModernGov web service on 127.0.0.1, for the sync's tests: it
//! answers `GetCommittees`, `GetAllMeetingsByDate`, `GetMeetings` and
//! `GetMeeting` under a sub-path (`/democracy`) with answers of the shapes
//! councils' servers give, oddities included: a namespace on the plain
//! answer and a SOAP envelope on another, one element where a list is
//! expected, dd/mm/yyyy dates, "10.00 am" and "13:30" times, HTML escaped
//! once and twice, "True"/"False", missing fields, a restricted item and
//! document, minutes published only as a PDF, and meetings far outside the
//! range asked (as a server that ignores the range gives). It can also fail
//! in each way a real one does.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the fake answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As a council's server does.
    Normal,
    /// As it does after the council changed an item's title and published
    /// one more item's minutes.
    Revised,
    /// 404 for every address: no web service here.
    NoService,
    /// 500 with the fault a switched-off service gives.
    Disabled,
    /// Answers only after this long.
    Slow(Duration),
    /// A web page, as a site that is not ModernGov gives.
    WebPage,
}

/// The fake server, running until the test ends.
#[derive(Clone)]
pub struct FakeModernGov {
    /// Its site address, with the sub-path (`http://127.0.0.1:PORT/democracy`).
    pub site: String,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<Mutex<Vec<String>>>,
}

/// The sub-path the fake serves under.
pub const SUB_PATH: &str = "/democracy";

/// The day the fake's meetings are arranged around: use it as "today".
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 6, 15).expect("a day")
}

impl FakeModernGov {
    /// Start it on a free port of 127.0.0.1.
    pub async fn start() -> FakeModernGov {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("its address");
        let fake = FakeModernGov {
            site: format!("http://{addr}{SUB_PATH}"),
            mode: Arc::new(Mutex::new(Mode::Normal)),
            requests: Arc::default(),
        };
        let served = fake.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let fake = served.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).into_owned();
                    let (status, body) = fake.answer(&head).await;
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        fake
    }

    /// Answer from now on as `mode` says.
    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().expect("mode") = mode;
    }

    /// The head of every request received so far (request line and headers).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }

    async fn answer(&self, head: &str) -> (&'static str, String) {
        self.requests
            .lock()
            .expect("requests")
            .push(head.to_owned());
        let mode = *self.mode.lock().expect("mode");
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        match mode {
            Mode::NoService => return ("404 Not Found", "<html><body>The resource cannot be found.</body></html>".into()),
            Mode::Disabled => return ("500 Internal Server Error", DISABLED.into()),
            Mode::WebPage => return ("200 OK", "<!DOCTYPE html><html><head><title>Welcome</title></head><body>Our new website</body></html>".into()),
            Mode::Slow(d) => tokio::time::sleep(d).await,
            Mode::Normal | Mode::Revised => {}
        }
        let revised = mode == Mode::Revised;
        let Some(rest) = target.strip_prefix(&format!("{SUB_PATH}/mgWebService.asmx/")) else {
            return (
                "404 Not Found",
                "<html><body>Not found</body></html>".into(),
            );
        };
        let (operation, query) = rest.split_once('?').unwrap_or((rest, ""));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .unwrap_or("")
                .to_owned()
        };
        match operation {
            "GetCommittees" => ("200 OK", COMMITTEES.into()),
            "GetAllMeetingsByDate" => {
                // Dates must come as dd/mm/yyyy (escaped), as the service needs.
                if !param("sFromDate").contains("%2F") || param("lCommitteeId") != "-1" {
                    return (
                        "500 Internal Server Error",
                        "<error>bad arguments</error>".into(),
                    );
                }
                ("200 OK", ALL_MEETINGS.into())
            }
            "GetMeetings" => match param("lCommitteeId").as_str() {
                "101" => ("200 OK", MEETINGS_101.into()),
                "102" => ("200 OK", MEETINGS_102.into()),
                _ => ("200 OK", "<getmeetings></getmeetings>".into()),
            },
            "GetMeeting" => match param("lMeetingId").as_str() {
                "5001" => ("200 OK", meeting_5001(revised)),
                "5002" => ("200 OK", MEETING_5002.into()),
                "5003" => ("200 OK", MEETING_5003.into()),
                "5004" => ("200 OK", MEETING_5004.into()),
                _ => (
                    "500 Internal Server Error",
                    "<error>no such meeting</error>".into(),
                ),
            },
            _ => (
                "404 Not Found",
                "<html><body>Not found</body></html>".into(),
            ),
        }
    }
}

const DISABLED: &str = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; The web service is disabled.</faultstring></soap:Fault></soap:Body></soap:Envelope>"#;

/// Plain XML with a namespace on the root; a deleted and an expired
/// committee; an escaped ampersand in a title.
const COMMITTEES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<committees xmlns="http://moderngov.co.uk/namespaces">
  <committee><committeeid>101</committeeid><committeetitle>Adult Care &amp; Health Policy Development and Scrutiny Committee</committeetitle><committeedeleted>False</committeedeleted><committeeexpired>False</committeeexpired><committeecategory>Scrutiny</committeecategory></committee>
  <committee><committeeid>102</committeeid><committeetitle>Executive</committeetitle><committeedeleted>False</committeedeleted><committeeexpired>False</committeeexpired></committee>
  <committee><committeeid>103</committeeid><committeetitle>Old Standards Committee</committeetitle><committeedeleted>True</committeedeleted><committeeexpired>True</committeeexpired></committee>
  <committee><committeeid>104</committeeid><committeetitle>Licensing Sub-Committee (2019)</committeetitle><committeeexpired>True</committeeexpired></committee>
</committees>"#;

/// In a SOAP envelope; one committee with a single meeting (one element
/// where a list is expected); a meeting of 2019, as a server ignoring the
/// range gives.
const ALL_MEETINGS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soap:Body><GetAllMeetingsByDateResponse xmlns="http://moderngov.co.uk/namespaces"><GetAllMeetingsByDateResult>
<getallmeetingsbydate xmlns="">
 <committee><committeeid>101</committeeid><committeetitle>Adult Care &amp; Health Policy Development and Scrutiny Committee</committeetitle>
  <committeemeetings>
   <meeting><meetingid>5001</meetingid><meetingdate>29/05/2024</meetingdate><meetingstatus>confirmed</meetingstatus><meetingtime>7.00 pm</meetingtime></meeting>
   <meeting><meetingid>5002</meetingid><meetingdate>03/07/2024</meetingdate><meetingstatus>confirmed</meetingstatus><meetingtime>13:30</meetingtime></meeting>
   <meeting><meetingid>4001</meetingid><meetingdate>14/03/2019</meetingdate><meetingstatus>confirmed</meetingstatus></meeting>
  </committeemeetings>
 </committee>
 <committee><committeeid>102</committeeid>
  <committeemeetings>
   <meeting><meetingid>5003</meetingid><meetingdate>12/04/2024</meetingdate><meetingstatus>Cancelled</meetingstatus></meeting>
  </committeemeetings>
 </committee>
</getallmeetingsbydate>
</GetAllMeetingsByDateResult></GetAllMeetingsByDateResponse></soap:Body></soap:Envelope>"#;

const MEETINGS_101: &str = r#"<getmeetings><committee><committeeid>101</committeeid><committeemeetings>
   <meeting><meetingid>5001</meetingid><meetingdate>29/05/2024</meetingdate><meetingstatus>confirmed</meetingstatus><meetingtime>7.00 pm</meetingtime></meeting>
   <meeting><meetingid>5002</meetingid><meetingdate>03/07/2024</meetingdate><meetingstatus>confirmed</meetingstatus><meetingtime>13:30</meetingtime></meeting>
</committeemeetings></committee></getmeetings>"#;

const MEETINGS_102: &str = r#"<getmeetings><committee><committeeid>102</committeeid><committeemeetings>
   <meeting><meetingid>5003</meetingid><meetingdate>12/04/2024</meetingdate><meetingstatus>Cancelled</meetingstatus></meeting>
   <meeting><meetingid>5004</meetingid><meetingdate>01/01/2020</meetingdate></meeting>
</committeemeetings></committee></getmeetings>"#;

/// The meeting with minutes: once-escaped HTML (with an entity inside),
/// twice-escaped HTML, a restricted item, a restricted document, a single
/// document where a list is expected, attendees in attributes, a report
/// reference in a title.
fn meeting_5001(revised: bool) -> String {
    let title = if revised {
        "Adult Care and Health Portfolio Plan 2023/24 Year End Update (ACH24-030, revised)"
    } else {
        "Adult Care and Health Portfolio Plan 2023/24 Year End Update (ACH24-030)"
    };
    let item_4_minutes = if revised {
        "&lt;p&gt;RESOLVED that the budget monitoring report be noted.&lt;/p&gt;"
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<meeting xmlns="http://moderngov.co.uk/namespaces">
 <meetingid>5001</meetingid><meetingdate>29/05/2024</meetingdate><meetingtime>7.00 pm</meetingtime>
 <meetinglocation>Bromley Civic Centre, Stockwell Close, Bromley BR1 3UH</meetinglocation>
 <agendapublished>True</agendapublished><minutepublished>True</minutepublished>
 <attendees>
  <attendee memberid="11" name="Councillor Mr Adam Smith" roledescription="Chairman" attendance="Present"/>
  <attendee memberid="12" name="Councillor Jo O&apos;Neill" roledescription="Committee Member" attendance="Apologies"/>
 </attendees>
 <agendaitems>
  <agendaitem><agendaitemid>900</agendaitemid><agendaitemnumber>1</agendaitemnumber><agendaitemtitle>Apologies for absence</agendaitemtitle><isrestricted>False</isrestricted>
   <minutesnonemptyhtmlbody>&lt;p&gt;Apologies were received from Councillor Jo O&amp;#39;Neill.&lt;/p&gt;</minutesnonemptyhtmlbody></agendaitem>
  <agendaitem><agendaitemid>901</agendaitemid><agendaitemnumber></agendaitemnumber><fulldisplaynumberformat>7.</fulldisplaynumberformat>
   <agendaitemtitle>{title}</agendaitemtitle><isrestricted>False</isrestricted>
   <agendatext>&lt;p&gt;Report ACH24-030&lt;/p&gt;</agendatext>
   <minutesnonemptyhtmlbody>&amp;lt;p&amp;gt;In response to a question from a Member, the Director of Adult Social Care advised that a written response would be provided on the Carers Strategy.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;The Assistant Director undertook to bring a report on the Housing with Care Strategy to the Committee in March 2025.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;RESOLVED that the progress on the actions be noted and that the Portfolio Holder&amp;amp;#39;s plan for 2024/25 be agreed.&amp;lt;/p&amp;gt;</minutesnonemptyhtmlbody>
   <linkeddocuments><linkeddoc><attachmentid>777</attachmentid><title>ACH24-030 Year End Update</title><url>http://127.0.0.1/democracy/documents/s777/ACH24-030.pdf</url><publicationdate>20/05/2024</publicationdate><isrestricted>False</isrestricted></linkeddoc></linkeddocuments>
  </agendaitem>
  <agendaitem><agendaitemid>902</agendaitemid><agendaitemnumber>8</agendaitemnumber><agendaitemtitle>Exempt minutes of the previous meeting</agendaitemtitle><isrestricted>True</isrestricted>
   <minutesnonemptyhtmlbody>&lt;p&gt;Confidential.&lt;/p&gt;</minutesnonemptyhtmlbody></agendaitem>
  <agendaitem><agendaitemid>903</agendaitemid><agendaitemnumber>9</agendaitemnumber><agendaitemtitle>Budget Monitoring 2024/25</agendaitemtitle>
   <minutesnonemptyhtmlbody>{item_4_minutes}</minutesnonemptyhtmlbody>
   <linkeddocuments>
    <linkeddoc><attachmentid>778</attachmentid><title>Budget monitoring report</title><url>documents/s778/Budget.pdf</url><publicationdate>21/05/2024</publicationdate><isrestricted>False</isrestricted></linkeddoc>
    <linkeddoc><attachmentid>779</attachmentid><title>Exempt appendix</title><url>documents/s779/Exempt.pdf</url><isrestricted>True</isrestricted></linkeddoc>
   </linkeddocuments>
  </agendaitem>
 </agendaitems>
</meeting>"#
    )
}

/// Minutes published, as a PDF only (no item has its minutes' text);
/// "13:30"; a single agenda item where a list is expected.
const MEETING_5002: &str = r#"<meeting><meetingid>5002</meetingid><meetingdate>03/07/2024</meetingdate><meetingtime>13:30</meetingtime>
 <meetinglocation>Committee Room 1</meetinglocation><agendapublished>True</agendapublished><minutepublished>True</minutepublished>
 <agendaitems><agendaitem><agendaitemid>910</agendaitemid><agendaitemnumber>3</agendaitemnumber><agendaitemtitle>Work Programme and Matters Outstanding</agendaitemtitle><isrestricted>False</isrestricted></agendaitem></agendaitems>
</meeting>"#;

/// Cancelled, with fields missing (no time, location, attendees or items).
const MEETING_5003: &str = r#"<meeting><meetingid>5003</meetingid><meetingdate>12/04/2024</meetingdate><meetingstatus>Cancelled</meetingstatus></meeting>"#;

const MEETING_5004: &str =
    r#"<meeting><meetingid>5004</meetingid><meetingdate>01/01/2020</meetingdate></meeting>"#;
