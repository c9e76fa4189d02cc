//! The web service over HTTP: a plain GET on
//! `{site}/mgWebService.asmx/{Operation}?…`, at a polite rate, with
//! timeouts, retries with backoff, and a user agent naming Ambit. Each
//! failure becomes a [`SyncError`] that says what happened and what to do.

use std::time::Duration;

use reqwest::{StatusCode, Url};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::SyncError;

/// The address of a council's ModernGov pages: where `mgWebService.asmx`
/// is, with any sub-path (`/moderngov`, `/democracy`), without a trailing
/// slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site(Url);

impl Site {
    /// Read a site's address as a clerk may give it: the site itself
    /// (`https://democracy.example.gov.uk`, with or without a sub-path), or
    /// any page of it (`…/mgListCommittees.aspx?bcr=1`, `…/mgWebService.asmx`),
    /// whose folder is then the site.
    pub fn parse(raw: &str) -> Result<Site, SyncError> {
        let bad = |why: &str| SyncError::BadSite {
            site: raw.trim().to_owned(),
            why: why.to_owned(),
        };
        let mut url = Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("it must begin https:// (or http://)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it names no server"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it must not hold a user name or password"));
        }
        url.set_query(None);
        url.set_fragment(None);
        let mut path = url.path().trim_end_matches('/').to_owned();
        if let Some((folder, last)) = path.rsplit_once('/') {
            let last = last.to_ascii_lowercase();
            if last.ends_with(".aspx") || last.ends_with(".asmx") || last.ends_with(".htm") {
                path = folder.to_owned();
            }
        }
        url.set_path(&path);
        Ok(Site(url))
    }

    /// The address, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The address of `page` on the site (`ieListDocuments.aspx?CId=…`).
    pub fn page(&self, page: &str) -> String {
        format!("{}/{page}", self.as_str())
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How politely and patiently to ask.
#[derive(Debug, Clone)]
pub struct Manners {
    /// The least time between two requests (1 s by default: about one a
    /// second, as the clients that work with these servers do).
    pub delay: Duration,
    /// How long one answer may take (120 s by default: answers of 15–90 s
    /// are reported).
    pub timeout: Duration,
    /// How many times a request that timed out or met a server error is
    /// tried again (2 by default).
    pub retries: u32,
    /// The wait before the first retry, doubled for each further one (5 s
    /// by default).
    pub backoff: Duration,
}

impl Default for Manners {
    fn default() -> Self {
        Self {
            delay: Duration::from_secs(1),
            timeout: Duration::from_secs(120),
            retries: 2,
            backoff: Duration::from_secs(5),
        }
    }
}

/// The user agent every request carries.
pub const USER_AGENT: &str = concat!(
    "Ambit/",
    env!("CARGO_PKG_VERSION"),
    " (council plans and committee record; ModernGov sync)"
);

/// A client of one site's web service.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    site: Site,
    manners: Manners,
    last: Mutex<Option<Instant>>,
    requests: std::sync::atomic::AtomicUsize,
}

impl Client {
    /// A client of `site`.
    pub fn new(site: Site, manners: Manners) -> Result<Client, SyncError> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(manners.timeout)
            .connect_timeout(manners.timeout.min(Duration::from_secs(30)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| SyncError::BadSite {
                site: site.to_string(),
                why: e.to_string(),
            })?;
        Ok(Client {
            http,
            site,
            manners,
            last: Mutex::new(None),
            requests: Default::default(),
        })
    }

    /// The site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// How many requests were sent (retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The address of `operation` with `query`.
    fn url(&self, operation: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}/mgWebService.asmx/{operation}", self.site);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            // Values are numbers and dd/mm/yyyy dates: only '/' needs escaping.
            url.push_str(&v.replace('/', "%2F"));
        }
        url
    }

    /// Wait until the polite delay since the last request has passed.
    async fn wait_turn(&self) {
        let mut last = self.last.lock().await;
        if let Some(at) = *last {
            let next = at + self.manners.delay;
            if next > Instant::now() {
                tokio::time::sleep_until(next).await;
            }
        }
        *last = Some(Instant::now());
    }

    /// Call `operation` and return the answer's text, retrying what may
    /// pass (a timeout, a dropped connection, a server error, "too many
    /// requests") with backoff.
    pub async fn call(
        &self,
        operation: &str,
        query: &[(&str, String)],
    ) -> Result<String, SyncError> {
        let url = self.url(operation, query);
        let mut attempt = 0u32;
        loop {
            self.wait_turn().await;
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = self.once(&url).await;
            match result {
                Err(e) if e.is_transient() && attempt < self.manners.retries => {
                    let wait = self.manners.backoff * 2u32.saturating_pow(attempt);
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(SyncError::TimedOut { url, seconds, .. }) => {
                    return Err(SyncError::TimedOut {
                        url,
                        seconds,
                        tries: attempt + 1,
                    });
                }
                other => return other,
            }
        }
    }

    async fn once(&self, url: &str) -> Result<String, SyncError> {
        let response = match self.http.get(url).send().await {
            Ok(r) => r,
            Err(e) => return Err(self.failed(url, &e)),
        };
        let status = response.status();
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Err(self.failed(url, &e)),
        };
        if status.is_success() {
            return Ok(text);
        }
        let lower = text.to_ascii_lowercase();
        let disabled = lower.contains("disabled")
            || lower.contains("not enabled")
            || lower.contains("has been switched off");
        Err(match status {
            StatusCode::NOT_FOUND if !disabled => SyncError::NoService {
                site: self.site.to_string(),
                url: url.to_owned(),
            },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => SyncError::ServiceDisabled {
                site: self.site.to_string(),
                status: status.as_u16(),
            },
            s if disabled => SyncError::ServiceDisabled {
                site: self.site.to_string(),
                status: s.as_u16(),
            },
            s => SyncError::Server {
                url: url.to_owned(),
                status: s.as_u16(),
            },
        })
    }

    fn failed(&self, url: &str, e: &reqwest::Error) -> SyncError {
        if e.is_timeout() {
            return SyncError::TimedOut {
                url: url.to_owned(),
                seconds: self.manners.timeout.as_secs_f64(),
                tries: 1,
            };
        }
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail = format!("{detail}: {s}");
            source = s.source();
        }
        if detail.to_ascii_lowercase().contains("certificate") {
            return SyncError::Certificate {
                site: self.site.to_string(),
                detail,
            };
        }
        if e.is_connect() {
            return SyncError::SiteNotFound {
                site: self.site.to_string(),
                detail,
            };
        }
        SyncError::Dropped {
            url: url.to_owned(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_is_read_from_any_of_its_pages() {
        let s = |raw: &str| Site::parse(raw).map(|s| s.to_string());
        assert_eq!(
            s("https://democracy.example.gov.uk/").unwrap(),
            "https://democracy.example.gov.uk"
        );
        assert_eq!(
            s("https://www.example.gov.uk/moderngov/mgListCommittees.aspx?bcr=1").unwrap(),
            "https://www.example.gov.uk/moderngov"
        );
        assert_eq!(
            s(" https://example.gov.uk/democracy/mgWebService.asmx ").unwrap(),
            "https://example.gov.uk/democracy"
        );
        assert!(s("democracy.example.gov.uk").is_err());
        assert!(s("ftp://example.gov.uk").is_err());
        assert!(s("https://user:pw@example.gov.uk").is_err());
    }
}
