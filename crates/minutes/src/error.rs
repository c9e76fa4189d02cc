/// Why a minutes document could not be read.
///
/// Each message says what was wrong and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MinutesError {
    /// The input is larger than [`crate::MAX_INPUT_BYTES`].
    #[error(
        "the input is {size} bytes, more than the {limit} bytes one minutes document may have; \
         split it into one file per meeting and extract each"
    )]
    TooLarge {
        /// The input's size in bytes.
        size: usize,
        /// The largest size accepted.
        limit: usize,
    },
    /// The input is not text.
    #[error(
        "the input looks like {kind}, not minutes text; save the minutes as plain text (.txt) \
         or as the committee page's HTML and try again"
    )]
    Binary {
        /// What it looks like, e.g. "a PDF file".
        kind: &'static str,
    },
}
