//! Files people download and open in a spreadsheet: the audit log and the access matrix
//! as CSV, written a batch of rows at a time.

use axum::response::IntoResponse;

/// A cell as a spreadsheet may read it: names and details are typed by people, and a
/// spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab, carriage
/// return or NUL before one) as a formula. A leading apostrophe makes it plain text.
pub fn safe_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// One CSV record, each cell made safe, quoted where it must be and ended with CRLF.
pub fn csv_record<'a>(cells: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let safe: Vec<_> = cells.into_iter().map(safe_cell).collect();
    // Writing to a Vec can't fail, and every record has as many cells as it was given.
    match writer.write_record(safe.iter().map(|cell| cell.as_bytes())) {
        Ok(()) => writer.into_inner().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// A download of `file_name`, its body written batch by batch: `next_batch` turns a
/// cursor into the batch's bytes and the cursor of the batch after it, if any. Only one
/// batch is in memory at a time, however long the file. A failure part-way ends the
/// download early, which the browser reports as a failed download.
pub fn download<C, F, Fut>(
    file_name: &str,
    content_type: &'static str,
    first: C,
    next_batch: F,
) -> axum::response::Response
where
    C: Send + 'static,
    F: FnMut(C) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<u8>, Option<C>), crate::error::AppError>>
        + Send
        + 'static,
{
    use axum::http::header;
    let batches =
        futures::stream::unfold((Some(first), next_batch), |(cursor, mut next)| async move {
            let cursor = cursor?;
            Some(match next(cursor).await {
                Ok((bytes, after)) => (Ok(bytes), (after, next)),
                Err(error) => (Err(std::io::Error::other(error.to_string())), (None, next)),
            })
        });
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        axum::body::Body::from_stream(batches),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_become_text() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\0=1"] {
            assert_eq!(safe_cell(formula), format!("'{formula}"));
        }
        for plain in ["Ada Lovelace", "", "1-2", "a=b", "'quoted"] {
            assert_eq!(safe_cell(plain), plain);
        }
    }

    #[test]
    fn records_are_quoted_where_needed() {
        let record = csv_record(["Ada", "changed \"Bob\", then", "=cmd|' /C calc'!A0"]);
        assert_eq!(
            String::from_utf8(record).unwrap(),
            "Ada,\"changed \"\"Bob\"\", then\",'=cmd|' /C calc'!A0\r\n"
        );
    }
}
