//! Faults: which municipalities get one, and the fixture-server routes and
//! pages that make them.

use std::collections::BTreeMap;

use crate::fixture_server::Route;
use crate::registry::Municipality;

use super::rng::Rng;
use super::{Fault, CALENDAR_DAYS};

/// Share of sites with a fault (at least one of each kind is handed out).
const FAULT_SHARE: f64 = 0.04;

/// Path of the huge page.
pub(crate) const HUGE_PATH: &str = "/dokument/arsredovisning-2024.html";
/// Path of the gzip bomb.
pub(crate) const BOMB_PATH: &str = "/arkiv/protokoll.html";

/// Municipality code → fault, chosen from the seed.
pub(crate) fn assign(municipalities: &[Municipality], seed: u64) -> BTreeMap<String, Fault> {
    let n = municipalities.len();
    let count = ((n as f64 * FAULT_SHARE).round() as usize)
        .max(Fault::ALL.len())
        .min(n);
    let mut order: Vec<usize> = (0..n).collect();
    let mut r = Rng::new(seed, "faults");
    r.shuffle(&mut order);
    order
        .into_iter()
        .take(count)
        .enumerate()
        .map(|(k, i)| {
            let fault = Fault::ALL[k % Fault::ALL.len()];
            (municipalities[i].code.as_str().to_owned(), fault)
        })
        .collect()
}

/// The routes of a fault; `inner` is the path of the inner page a slow or
/// 429 fault applies to.
pub(crate) fn routes(fault: Fault, inner: &str, slow_ms: u64) -> Vec<Route> {
    match fault {
        Fault::Robots500 => vec![Route {
            path: "/robots.txt".to_owned(),
            status: Some(500),
            body: Some("Internal Server Error".to_owned()),
            content_type: Some("text/plain".to_owned()),
            ..Route::default()
        }],
        Fault::RedirectLoop => vec![
            Route {
                path: "/".to_owned(),
                status: Some(302),
                redirect: Some("/start/".to_owned()),
                ..Route::default()
            },
            Route {
                path: "/start/".to_owned(),
                status: Some(302),
                redirect: Some("/".to_owned()),
                ..Route::default()
            },
        ],
        Fault::ConnectionClose => vec![Route {
            path: "*".to_owned(),
            close: true,
            ..Route::default()
        }],
        Fault::SlowPage => vec![Route {
            path: inner.to_owned(),
            delay_ms: Some(slow_ms),
            ..Route::default()
        }],
        Fault::TooManyRequests => vec![Route {
            path: inner.to_owned(),
            status: Some(429),
            retry_after: Some("1".to_owned()),
            times: Some(1),
            body: Some("För många förfrågningar, försök igen om en stund.".to_owned()),
            content_type: Some("text/plain; charset=utf-8".to_owned()),
            ..Route::default()
        }],
        Fault::HugePage => vec![Route {
            path: HUGE_PATH.to_owned(),
            size_mb: Some(5),
            ..Route::default()
        }],
        Fault::GzipBomb => vec![Route {
            path: BOMB_PATH.to_owned(),
            gzip_bomb_mb: Some(50),
            ..Route::default()
        }],
        Fault::EndlessCalendar | Fault::MalformedHtml | Fault::WrongCharset => Vec::new(),
    }
}

/// `YYYY-MM-DD` of day `n` after 2025-09-01.
pub(crate) fn calendar_date(n: usize) -> String {
    // Days since 1970-01-01 of 2025-09-01 is 20332.
    let (y, m, d) = civil_from_days(20_332 + n as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days → civil date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The calendar files: (path with query, body) for [`CALENDAR_DAYS`] days,
/// plus the overview at `/kalender/`.
pub(crate) fn calendar_pages(kommun: &str) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(CALENDAR_DAYS + 1);
    for n in 0..CALENDAR_DAYS {
        let date = calendar_date(n);
        let next = calendar_date(n + 1);
        let body = format!(
            "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>Kalender {date} - {kommun}</title></head>\n<body>\n\
             <h1>Evenemang {date}</h1>\n<p>Inga evenemang är inlagda den här dagen.</p>\n\
             <p><a href=\"/kalender/?datum={next}\">Nästa dag</a> · <a href=\"/\">Startsida</a></p>\n</body>\n</html>\n"
        );
        out.push((format!("/kalender/?datum={date}"), body));
    }
    out.push((
        "/kalender/".to_owned(),
        format!(
            "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>Kalender - {kommun}</title></head>\n<body>\n\
             <h1>Evenemangskalender</h1>\n<p><a href=\"/kalender/?datum={}\">Visa dagens evenemang</a></p>\n</body>\n</html>\n",
            calendar_date(0)
        ),
    ));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates_roll_over_months_and_years() {
        assert_eq!(calendar_date(0), "2025-09-01");
        assert_eq!(calendar_date(29), "2025-09-30");
        assert_eq!(calendar_date(30), "2025-10-01");
        assert_eq!(calendar_date(122), "2026-01-01");
        assert_eq!(calendar_date(299), "2026-06-27");
    }

    #[test]
    fn routes_validate() {
        for f in Fault::ALL {
            for route in routes(f, "/x/", 100) {
                route.validate().unwrap();
            }
        }
    }
}
