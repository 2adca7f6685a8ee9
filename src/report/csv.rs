//! The CSV exports, one row per municipality:
//!
//! - `resultat.csv` for Swedish Excel: UTF-8 with a byte-order mark, `;`
//!   between fields, decimal comma;
//! - `resultat-plain.csv`: UTF-8 without BOM, `,` and decimal point.
//!
//! Both have the same columns ([`ranking_table`], also the XLSX's first
//! sheet). Item columns hold 1 (found) or 0, or are empty without data.
//! Text cells that start like a spreadsheet formula get a leading `'`.

use std::path::Path;

use super::ReportError;
use crate::rules::Part;
use crate::score::RunScores;

/// One cell of an export table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number shown with the given decimals; `None` = empty.
    Number(Option<f64>, usize),
    /// A whole number; `None` = empty.
    Int(Option<i64>),
}

/// The stable id of a part (`kontakt`, `tjanster_kostnader`, …).
pub fn part_id(part: Part) -> String {
    serde_json::to_value(part)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Header and rows of the ranking export.
pub fn ranking_table(scores: &RunScores) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = [
        "kod",
        "namn",
        "lan_kod",
        "lan",
        "befolkning",
        "storleksgrupp",
        "status",
        "status_orsak",
        "poang",
        "plats",
        "plats_lan",
        "antal_lan",
        "plats_storleksgrupp",
        "antal_storleksgrupp",
        "antal_med_poang",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(
        scores
            .model
            .parts
            .iter()
            .map(|p| format!("del_{}", part_id(p.part))),
    );
    let item_ids: Vec<&str> = scores
        .model
        .parts
        .iter()
        .chain(&scores.model.other)
        .flat_map(|p| p.items.iter().map(|i| i.id.as_str()))
        .collect();
    header.extend(item_ids.iter().map(|id| (*id).to_owned()));
    let compared = scores.compared_with.is_some();
    if compared {
        header.extend(["poang_forandring".to_owned(), "plats_forandring".to_owned()]);
    }
    let int = |v: Option<u32>| Cell::Int(v.map(i64::from));
    let rows = scores
        .municipalities
        .iter()
        .map(|m| {
            let mut row = vec![
                Cell::Text(m.code.clone()),
                Cell::Text(m.name.clone()),
                Cell::Text(m.county_code.clone()),
                Cell::Text(m.county.clone()),
                int(m.population),
                Cell::Text(m.size_group.label_sv().to_owned()),
                Cell::Text(super::html::status_text(&m.status).to_owned()),
                Cell::Text(m.status_reason.clone().unwrap_or_default()),
                Cell::Number(m.score, 2),
                int(m.rank),
                int(m.county_rank),
                int(Some(m.county_size)),
                int(m.size_group_rank),
                int(Some(m.size_group_size)),
                int(Some(m.ranked_total)),
            ];
            for p in &scores.model.parts {
                let v = m
                    .parts
                    .iter()
                    .find(|x| x.part == p.part)
                    .and_then(|x| x.score);
                row.push(Cell::Number(v, 2));
            }
            for id in &item_ids {
                let item = m
                    .items
                    .iter()
                    .chain(&m.other_subindex_items)
                    .find(|i| i.id == *id);
                row.push(match item {
                    _ if m.score.is_none() => Cell::Number(None, 0),
                    Some(i) if i.source == crate::score::Source::External => {
                        Cell::Number(i.value, 3)
                    }
                    Some(i) => Cell::Int(Some(i64::from(i.found))),
                    None => Cell::Number(None, 0),
                });
            }
            if compared {
                let c = m.change.as_ref();
                row.push(Cell::Number(c.and_then(|c| c.score_delta), 2));
                row.push(Cell::Int(c.and_then(|c| c.rank_delta)));
            }
            row
        })
        .collect();
    (header, rows)
}

/// A text cell made safe for spreadsheets.
fn safe_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn cell_text(cell: &Cell, decimal_comma: bool) -> String {
    match cell {
        Cell::Text(s) => safe_text(s),
        Cell::Number(None, _) | Cell::Int(None) => String::new(),
        Cell::Number(Some(v), d) => {
            let s = format!("{v:.d$}");
            if decimal_comma {
                s.replace('.', ",")
            } else {
                s
            }
        }
        Cell::Int(Some(v)) => v.to_string(),
    }
}

/// The CSV text of the ranking: Excel style (`;`, decimal comma, BOM) or plain.
pub fn ranking_csv(scores: &RunScores, excel: bool) -> Result<Vec<u8>, ReportError> {
    let (header, rows) = ranking_table(scores);
    let mut out = Vec::new();
    if excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(if excel { b';' } else { b',' })
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(&header).map_err(ReportError::Csv)?;
        for row in &rows {
            w.write_record(row.iter().map(|c| cell_text(c, excel)))
                .map_err(ReportError::Csv)?;
        }
        w.flush().map_err(|e| ReportError::Csv(e.into()))?;
    }
    Ok(out)
}

/// Writes `resultat.csv` and `resultat-plain.csv` into `out`.
pub fn write_csvs(scores: &RunScores, out: &Path) -> Result<(), ReportError> {
    for (name, excel) in [("resultat.csv", true), ("resultat-plain.csv", false)] {
        let path = out.join(name);
        let bytes = ranking_csv(scores, excel)?;
        std::fs::write(&path, bytes).map_err(|e| ReportError::write(&path, e))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cells_in_both_styles() {
        assert_eq!(cell_text(&Cell::Number(Some(72.5), 2), true), "72,50");
        assert_eq!(cell_text(&Cell::Number(Some(72.5), 2), false), "72.50");
        assert_eq!(cell_text(&Cell::Number(None, 2), true), "");
        assert_eq!(cell_text(&Cell::Int(Some(-3)), true), "-3");
        assert_eq!(
            cell_text(&Cell::Text("=HYPERLINK(1)".into()), true),
            "'=HYPERLINK(1)"
        );
        assert_eq!(part_id(Part::TjansterKostnader), "tjanster_kostnader");
    }
}
