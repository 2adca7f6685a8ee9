//! The XLSX workbook `resultat.xlsx` (with `rust_xlsxwriter`), three sheets:
//!
//! 1. *Rankning* — the columns of [`super::csv::ranking_table`], numbers as numbers;
//! 2. *Punkter per kommun* — one row per municipality and item (long format)
//!    with verdict, source, review flag, confidence, the best page and snippet;
//! 3. *Antal per punkt* — the national count per item and its change.
//!
//! Every sheet has a bold, frozen header row and an autofilter.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::csv::{part_id, ranking_table, Cell};
use super::ReportError;
use crate::score::{RunScores, Source};

/// Sheet names, in order.
pub const SHEETS: [&str; 3] = ["Rankning", "Punkter per kommun", "Antal per punkt"];

/// Longest text Excel keeps in a cell.
const MAX_CELL: usize = 32_000;

fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    if s.len() > MAX_CELL {
        let cut: String = s.chars().take(MAX_CELL).collect();
        ws.write_string(row, col, cut)?;
    } else {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (col, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *name, bold)?;
        let width = (name.chars().count() + 2).clamp(8, 40);
        ws.set_column_width(col as u16, width as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn ranking_sheet(ws: &mut Worksheet, scores: &RunScores, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[0])?;
    let (names, rows) = ranking_table(scores);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    header(ws, &names, bold)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(3, 22)?;
    let two = Format::new().set_num_format("0.00");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => text(ws, r, c, s)?,
                Cell::Number(Some(v), _) => {
                    ws.write_number_with_format(r, c, *v, &two)?;
                }
                Cell::Int(Some(v)) => {
                    ws.write_number(r, c, *v as f64)?;
                }
                Cell::Number(None, _) | Cell::Int(None) => {}
            }
        }
    }
    ws.autofilter(
        0,
        0,
        rows.len() as u32,
        names.len().saturating_sub(1) as u16,
    )?;
    Ok(())
}

fn items_sheet(ws: &mut Worksheet, scores: &RunScores, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[1])?;
    let names = [
        "kod", "namn", "punkt_id", "punkt", "del", "finns", "kalla", "osaker", "sakerhet", "sida",
        "utdrag",
    ];
    header(ws, &names, bold)?;
    ws.set_column_width(3, 36)?;
    ws.set_column_width(9, 50)?;
    ws.set_column_width(10, 80)?;
    let mut r = 0u32;
    for m in &scores.municipalities {
        if m.score.is_none() {
            continue;
        }
        for item in m.items.iter().chain(&m.other_subindex_items) {
            r += 1;
            text(ws, r, 0, &m.code)?;
            text(ws, r, 1, &m.name)?;
            text(ws, r, 2, &item.id)?;
            text(ws, r, 3, &item.name)?;
            text(ws, r, 4, &part_id(item.part))?;
            match (item.source, item.value) {
                (Source::External, Some(v)) => {
                    ws.write_number(r, 5, v)?;
                }
                (Source::External, None) => {}
                _ => {
                    ws.write_number(r, 5, f64::from(u8::from(item.found)))?;
                }
            }
            let source = match item.source {
                Source::Machine => "machine",
                Source::Review => "review",
                Source::External => "external",
            };
            text(ws, r, 6, source)?;
            ws.write_number(r, 7, f64::from(u8::from(item.flagged)))?;
            ws.write_number(r, 8, (item.confidence * 1000.0).round() / 1000.0)?;
            if let Some(e) = item.evidence.first() {
                text(ws, r, 9, &e.url)?;
                text(ws, r, 10, &e.snippet)?;
            }
        }
    }
    ws.autofilter(0, 0, r, names.len() as u16 - 1)?;
    Ok(())
}

fn counts_sheet(ws: &mut Worksheet, scores: &RunScores, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[2])?;
    let names = [
        "punkt_id",
        "punkt",
        "del",
        "antal",
        "av",
        "andel",
        "forra",
        "forandring",
    ];
    header(ws, &names, bold)?;
    ws.set_column_width(1, 40)?;
    let pct = Format::new().set_num_format("0.0%");
    for (r, c) in scores.item_counts.iter().enumerate() {
        let r = r as u32 + 1;
        text(ws, r, 0, &c.id)?;
        text(ws, r, 1, &c.name)?;
        text(ws, r, 2, &part_id(c.part))?;
        ws.write_number(r, 3, c.count)?;
        ws.write_number(r, 4, c.of)?;
        if c.of > 0 {
            ws.write_number_with_format(r, 5, f64::from(c.count) / f64::from(c.of), &pct)?;
        }
        if let Some(p) = c.previous {
            ws.write_number(r, 6, p)?;
            ws.write_number(r, 7, f64::from(c.count) - f64::from(p))?;
        }
    }
    ws.autofilter(
        0,
        0,
        scores.item_counts.len() as u32,
        names.len() as u16 - 1,
    )?;
    Ok(())
}

/// The workbook as bytes.
pub fn workbook(scores: &RunScores) -> Result<Vec<u8>, ReportError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        ranking_sheet(wb.add_worksheet(), scores, &bold)?;
        items_sheet(wb.add_worksheet(), scores, &bold)?;
        counts_sheet(wb.add_worksheet(), scores, &bold)?;
        wb.save_to_buffer()
    };
    build().map_err(|e| ReportError::Xlsx(e.to_string()))
}

/// Writes `resultat.xlsx` into `out`.
pub fn write_xlsx(scores: &RunScores, out: &Path) -> Result<(), ReportError> {
    let path = out.join("resultat.xlsx");
    let bytes = workbook(scores)?;
    std::fs::write(&path, bytes).map_err(|e| ReportError::write(&path, e))
}
