//! JSON output: the `Report` model as is, pretty-printed. Its shape is
//! described by `schema/report.schema.json`.

use super::Report;

pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
