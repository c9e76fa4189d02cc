//! The compiled GOV.UK Frontend assets, built into the binary by
//! `scripts/build-assets` (which needs Node only when they change).
//!
//! Each file is served under a fingerprinted name, its content's hash in
//! the name (`ambit.1a2b3c4d5e.css`), worked out once when first asked
//! for. Pages refer to assets only through [`href`], so a new build's
//! files get new addresses and the old ones can be cached for a year
//! (`immutable`). A request for an asset under its plain name or an old
//! fingerprint still gets the current file, but only with `no-cache`, so
//! no cache keeps it as if it were that version.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The embedded files: name, media type, bytes. `init.js` imports
/// `govuk-frontend.min.js` and so comes after it (its import is rewritten
/// to the fingerprinted name).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "ambit.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/ambit.css"),
    ),
    (
        "govuk-frontend.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/govuk-frontend.min.js"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/init.js"),
    ),
];

/// How long a fingerprinted asset may be kept: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One asset as served.
struct Asset {
    /// Its plain name: "ambit.css".
    name: &'static str,
    /// Its address: "/assets/ambit.1a2b3c4d5e.css".
    href: String,
    /// The fingerprint alone, also the ETag's value.
    hash: String,
    mime: &'static str,
    bytes: Cow<'static, [u8]>,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    let mut out: Vec<Asset> = Vec::with_capacity(FILES.len());
    for &(name, mime, bytes) in FILES {
        let mut bytes = Cow::Borrowed(bytes);
        // A script's relative imports of earlier assets point at their
        // fingerprinted names (which then count in its own hash).
        if mime.starts_with("text/javascript") {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            for earlier in &out {
                let from = format!("\"./{}\"", earlier.name);
                let to = format!("\"{}\"", earlier.href);
                text = text.replace(&from, &to);
            }
            bytes = Cow::Owned(text.into_bytes());
        }
        let digest = Sha256::digest(&bytes);
        let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        out.push(Asset {
            name,
            href: format!("/assets/{stem}.{hash}.{ext}"),
            hash,
            mime,
            bytes,
        });
    }
    out
});

/// The address of asset `name` ("ambit.css"), with its fingerprint: the
/// one way pages refer to an asset. A name that is not an asset gives its
/// plain address (answered 404), which the unit tests rule out for every
/// template.
pub(crate) fn href(name: &str) -> &'static str {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => a.href.as_str(),
        None => "/assets/unknown",
    }
}

/// The plain name an address's file name stands for: "ambit.css" for
/// "ambit.css" and for "ambit.<any fingerprint>.css".
fn plain_name(file: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| {
        if a.name == file {
            return true;
        }
        let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
        file.strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.strip_suffix(ext))
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

/// `GET /assets/{file}`: the asset under its current fingerprint, cached
/// for a year; under its plain name or another fingerprint, the current
/// file with `no-cache` and its ETag (answered 304 when it matches).
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = plain_name(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let current = asset.href.rsplit('/').next() == Some(file.as_str());
    let etag = format!("\"{}\"", asset.hash);
    let mut r = if !current && crate::pagecache::etag_matches(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match &asset.bytes {
            Cow::Borrowed(b) => (*b).into_response(),
            Cow::Owned(b) => b.clone().into_response(),
        }
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if current { IMMUTABLE } else { "no-cache" }),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_fingerprinted_address_that_leads_back_to_it() {
        for &(name, ..) in FILES {
            let href = href(name);
            assert!(href.starts_with("/assets/") && href != format!("/assets/{name}"));
            let file = href.trim_start_matches("/assets/");
            assert_eq!(plain_name(file).map(|a| a.name), Some(name));
            assert_eq!(plain_name(name).map(|a| a.name), Some(name));
        }
        assert!(plain_name("ambit.zz.css").is_none());
        assert!(plain_name("ambit..css").is_none());
        assert!(plain_name("other.css").is_none());
    }

    #[test]
    fn the_script_imports_the_fingerprinted_frontend() {
        let init = ASSETS.iter().find(|a| a.name == "init.js").unwrap();
        let text = String::from_utf8_lossy(&init.bytes);
        assert!(text.contains(href("govuk-frontend.min.js")), "{text}");
        assert!(!text.contains("./govuk-frontend.min.js"));
    }

    #[test]
    fn templates_name_assets_only_through_the_helper() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("\"/assets/"),
                "{} names an asset's address directly; use assets::href",
                path.display()
            );
            for (i, _) in text.match_indices("assets::href(\"") {
                let rest = &text[i + "assets::href(\"".len()..];
                let name = &rest[..rest.find('"').unwrap()];
                assert!(
                    FILES.iter().any(|(n, ..)| *n == name),
                    "{} names no asset {name}",
                    path.display()
                );
            }
        }
    }
}
