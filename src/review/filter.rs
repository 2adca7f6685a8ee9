//! The queue filter (`?punkt=&lan=&orsak=&visa=`) and which entries count
//! as reviewed.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::html::{encode, escape};
use super::queue::{Key, QueueEntry, Reason};
use super::ReviewState;
use crate::store::DecisionRow;

/// The latest decision per finding, with its log id.
pub(crate) type Latest = HashMap<Key, (i64, DecisionRow)>;

/// Which entries the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Show {
    /// Not yet reviewed (the default).
    Open,
    /// Reviewed.
    Done,
    /// All.
    All,
}

/// The queue filter, from `?punkt=&lan=&orsak=&visa=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) item: Option<String>,
    pub(crate) county: Option<String>,
    pub(crate) reason: Option<Reason>,
    pub(crate) show: Show,
}

impl Filter {
    /// Reads the filter from query or form fields; unknown values are ignored.
    pub(crate) fn from_map(map: &HashMap<String, String>) -> Self {
        let value = |k: &str| map.get(k).filter(|v| !v.is_empty()).cloned();
        Self {
            item: value("punkt"),
            county: value("lan"),
            reason: value("orsak").and_then(|r| Reason::from_id(&r)),
            show: match map.get("visa").map(String::as_str) {
                Some("granskade") => Show::Done,
                Some("alla") => Show::All,
                _ => Show::Open,
            },
        }
    }

    /// The filter as a query string (`?…`, or empty), percent-encoded.
    pub(crate) fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(i) = &self.item {
            parts.push(format!("punkt={}", encode(i)));
        }
        if let Some(c) = &self.county {
            parts.push(format!("lan={}", encode(c)));
        }
        if let Some(r) = self.reason {
            parts.push(format!("orsak={}", r.id()));
        }
        match self.show {
            Show::Open => {}
            Show::Done => parts.push("visa=granskade".into()),
            Show::All => parts.push("visa=alla".into()),
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The filter as hidden form fields.
    pub(crate) fn hidden_fields(&self) -> String {
        let mut out = String::new();
        let mut field = |name: &str, value: &str| {
            let _ = write!(
                out,
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(value)
            );
        };
        if let Some(i) = &self.item {
            field("punkt", i);
        }
        if let Some(c) = &self.county {
            field("lan", c);
        }
        if let Some(r) = self.reason {
            field("orsak", r.id());
        }
        match self.show {
            Show::Open => {}
            Show::Done => field("visa", "granskade"),
            Show::All => field("visa", "alla"),
        }
        out
    }

    /// True when the entry passes the filter.
    pub(crate) fn matches(&self, state: &ReviewState, entry: &QueueEntry, done: &Done) -> bool {
        let county_ok = self.county.as_ref().is_none_or(|c| {
            state
                .inner
                .data
                .state(&entry.code)
                .is_some_and(|s| &s.municipality.county == c)
        });
        let item_ok = self
            .item
            .as_ref()
            .is_none_or(|i| entry.item.as_ref() == Some(i));
        let reason_ok = self.reason.is_none_or(|r| entry.reasons.contains(&r));
        let show_ok = match self.show {
            Show::Open => !done.contains(entry),
            Show::Done => done.contains(entry),
            Show::All => true,
        };
        county_ok && item_ok && reason_ok && show_ok
    }
}

/// Which queue entries are reviewed: a finding with a decision; a failed
/// municipality with any decision on it.
pub(crate) struct Done<'a> {
    latest: &'a Latest,
    codes: HashSet<&'a str>,
}

impl<'a> Done<'a> {
    pub(crate) fn new(latest: &'a Latest) -> Self {
        Self {
            latest,
            codes: latest.keys().map(|(c, _)| c.as_str()).collect(),
        }
    }

    pub(crate) fn contains(&self, entry: &QueueEntry) -> bool {
        match &entry.item {
            Some(item) => self
                .latest
                .contains_key(&(entry.code.clone(), item.clone())),
            None => self.codes.contains(entry.code.as_str()),
        }
    }
}
