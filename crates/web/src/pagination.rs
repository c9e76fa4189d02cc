//! Numbered pages of a long list, as the GOV.UK pagination component shows
//! them: previous and next links and the page numbers around the current
//! one. Every paged list (search results, the officer's updates on the
//! home) builds one and includes `pagination.html`.

/// A link to one page of the list.
pub(crate) struct PageLink {
    /// The page's number, from 1.
    pub number: usize,
    /// Its address.
    pub href: String,
    /// Whether it is the page shown.
    pub current: bool,
}

/// The links of a paged list, for `pagination.html`.
pub(crate) struct Pagination {
    /// What the navigation is called for screen readers: "Results pages".
    pub label: &'static str,
    /// The page before, if any.
    pub previous: Option<String>,
    /// The page after, if any.
    pub next: Option<String>,
    /// The numbered pages: up to three either side of the current one.
    pub pages: Vec<PageLink>,
}

impl Pagination {
    /// The links for page `page` of `pages`, each page's address made by
    /// `link`; no links at all when everything fits on one page.
    pub fn new(
        label: &'static str,
        page: usize,
        pages: usize,
        link: impl Fn(usize) -> String,
    ) -> Self {
        let page = page.clamp(1, pages.max(1));
        let numbered = if pages > 1 {
            (page.saturating_sub(3).max(1)..=(page + 3).min(pages))
                .map(|n| PageLink {
                    number: n,
                    href: link(n),
                    current: n == page,
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            label,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            pages: numbered,
        }
    }

    /// Whether there is more than one page, so the links are shown.
    pub fn shown(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

/// How many pages `total` items take at `per_page` a page (at least one).
pub(crate) fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

/// The page asked for in a query (`?page=3`): page 1 when absent or not a
/// number, the last page when beyond it.
pub(crate) fn asked_page(raw: Option<&str>, pages: usize) -> usize {
    raw.and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_has_no_links_and_many_show_three_either_side() {
        let link = |n: usize| format!("?page={n}");
        assert!(!Pagination::new("Pages", 1, 1, link).shown());
        let p = Pagination::new("Pages", 5, 20, link);
        assert_eq!(p.previous.as_deref(), Some("?page=4"));
        assert_eq!(p.next.as_deref(), Some("?page=6"));
        let numbers: Vec<usize> = p.pages.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [2, 3, 4, 5, 6, 7, 8]);
        assert!(p.pages.iter().filter(|l| l.current).all(|l| l.number == 5));
        let last = Pagination::new("Pages", 20, 20, link);
        assert!(last.next.is_none());
        assert_eq!(last.pages.first().map(|l| l.number), Some(17));
    }

    #[test]
    fn pages_asked_for_are_read_forgivingly() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(101, 50), 3);
        assert_eq!(asked_page(None, 3), 1);
        assert_eq!(asked_page(Some("2"), 3), 2);
        assert_eq!(asked_page(Some("99"), 3), 3);
        assert_eq!(asked_page(Some("0"), 3), 1);
        assert_eq!(asked_page(Some("two"), 3), 1);
    }
}
