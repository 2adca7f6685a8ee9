//! The chart of all scores as inline SVG: one bar per scored municipality,
//! best first, coloured by size group, with a grid, axis labels, a legend
//! and a `<title>` per bar. No scripts, no fonts, no external files.

use std::fmt::Write as _;

use super::html::{decimal, escape};
use crate::registry::SizeGroup;
use crate::score::MunicipalityScore;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 28.0;

/// The colour of a size group (each ≥ 4.5:1 against white).
pub fn group_colour(group: SizeGroup) -> &'static str {
    match group {
        SizeGroup::Small => "#2f6db5",
        SizeGroup::Medium => "#a34f00",
        SizeGroup::Large => "#1b6e3a",
    }
}

/// The chart; `scored` are the municipalities with a score, best first.
/// `title_id` names the chart's `<title>` for `aria-labelledby`.
pub fn score_chart(scored: &[&MunicipalityScore], title_id: &str) -> String {
    let mut s = String::with_capacity(256 + scored.len() * 160);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let values: Vec<f64> = scored.iter().filter_map(|m| m.score).collect();
    let mean = if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    };
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id} {id}-desc\">\
         <title id=\"{id}\">Poäng för alla {n} kommuner med data, från högst till lägst</title>\
         <desc id=\"{id}-desc\">Stapeldiagram. Varje stapel är en kommun; höjden är poängen 0–100. \
         Medelvärdet är {mean}. Tabellen Rankning nedan har samma siffror.</desc>",
        id = escape(title_id),
        n = scored.len(),
        mean = decimal(mean, 1),
    );
    // Grid and y labels.
    for tick in [0u32, 25, 50, 75, 100] {
        let y = TOP + plot_h * (1.0 - f64::from(tick) / 100.0);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#c5ccd3\" stroke-width=\"1\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">{tick}</text>",
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        );
    }
    // Bars.
    let n = scored.len().max(1) as f64;
    let step = plot_w / n;
    let bar = (step * 0.8).max(0.5);
    for (i, m) in scored.iter().enumerate() {
        let Some(score) = m.score else { continue };
        let h = plot_h * score.clamp(0.0, 100.0) / 100.0;
        let _ = write!(
            s,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{bar:.2}\" height=\"{h:.2}\" fill=\"{c}\">\
             <title>{name}: {v}</title></rect>",
            x = LEFT + step * i as f64 + (step - bar) / 2.0,
            y = TOP + plot_h - h,
            c = group_colour(m.size_group),
            name = escape(&m.name),
            v = decimal(score, 1),
        );
    }
    // Mean line.
    let my = TOP + plot_h * (1.0 - mean / 100.0);
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{my:.1}\" y2=\"{my:.1}\" stroke=\"#1a1a1a\" \
         stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\
         <text x=\"{x2}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">medel {m}</text>",
        x2 = WIDTH - RIGHT,
        ty = my - 5.0,
        m = decimal(mean, 1),
    );
    // Legend.
    let mut x = LEFT;
    for g in [SizeGroup::Small, SizeGroup::Medium, SizeGroup::Large] {
        let label = g.label_sv();
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{tx}\" y=\"20\" font-size=\"12\" fill=\"#1a1a1a\">{}</text>",
            group_colour(g),
            escape(label),
            tx = x + 16.0,
        );
        x += 16.0 + 7.0 * label.chars().count() as f64 + 24.0;
    }
    let _ = write!(
        s,
        "<text x=\"{LEFT}\" y=\"{y}\" font-size=\"12\" fill=\"#1a1a1a\">Högst poäng</text>\
         <text x=\"{x2}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">Lägst poäng</text></svg>",
        y = HEIGHT - 8.0,
        x2 = WIDTH - RIGHT,
    );
    s
}
