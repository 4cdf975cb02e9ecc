//! How the pages write instants, lengths of time and CSV fields.

/// An instant as `2026-12-05T22:40:54.123Z`.
pub fn when(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

/// A CSV field: quoted, quotes doubled, and a leading `= + - @` (or tab, carriage return) made
/// text, so a spreadsheet never runs what someone typed as a formula.
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// A length of time as "1 h 02 min", "3 min 05 s" or "12 s".
#[must_use]
pub fn length(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

/// A CSV file of `rows` under `header`, every field quoted and never a formula.
#[must_use]
pub fn csv(header: &str, rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = format!("{header}\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|v| csv_field(v)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1+2"), "\"'-1+2\"");
        assert_eq!(
            csv("a,b", [vec!["1".into(), "=2".into()]]),
            "a,b\r\n\"1\",\"'=2\"\r\n"
        );
        assert_eq!(when(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn lengths_read_as_hours_minutes_and_seconds() {
        assert_eq!(length(12_400), "12 s");
        assert_eq!(length(185_000), "3 min 05 s");
        assert_eq!(length(3_720_000), "1 h 02 min");
        assert_eq!(length(-5), "0 s");
    }
}
