//! Scoring a run: the latest run of an audit directory's store → one
//! [`MunicipalityScore`] per municipality, ranks and national counts.
//!
//! Per item, the latest reviewer decision (by `decided_at`, then log order)
//! overrides the machine verdict: `confirm` keeps it, `reject` flips it,
//! `present` makes the item found. A municipality whose crawl did not end
//! `ok` or `partial` gets no score and no rank ("data saknas").

use std::collections::HashMap;
use std::path::Path;

use super::{
    ExternalIndicators, ItemCount, ItemResult, ItemSource, Model, ModelItem, MunicipalityScore,
    PartScore, RunMeta, RunScores, ScoreError, Source,
};
use crate::registry::{Registry, SizeGroup};
use crate::rules::{Part, RuleSet};
use crate::store::{
    Decision, DecisionRow, MunicipalityState, RunInfo, Store, VerdictRow, FILE_NAME,
};

/// Site statuses whose verdicts are scored.
const SCORED_STATUSES: [&str; 2] = ["ok", "partial"];

/// Scores ahead of each other by less than this share a place (rounding noise).
const TIE_EPSILON: f64 = 1e-9;

/// Scores the latest run of the audit directory `dir` (`dir/infokoll.sqlite`,
/// opened read-only). `rules` gives the item names and tips (the model's
/// copies are used for items the rules lack, such as external indicators).
pub fn score_run(
    dir: &Path,
    model: &Model,
    rules: &RuleSet,
    external: Option<&ExternalIndicators>,
) -> Result<RunScores, ScoreError> {
    let path = dir.join(FILE_NAME);
    if !path.is_file() {
        return Err(ScoreError::NoDatabase {
            dir: dir.to_path_buf(),
            file: FILE_NAME,
        });
    }
    let store = Store::open_readonly(&path)?;
    score_store(&store, dir, model, rules, external)
}

/// Scores the latest run of an open store; `dir` is recorded in [`RunMeta`].
pub fn score_store(
    store: &Store,
    dir: &Path,
    model: &Model,
    rules: &RuleSet,
    external: Option<&ExternalIndicators>,
) -> Result<RunScores, ScoreError> {
    let run = store.latest_run()?.ok_or_else(|| ScoreError::NoRun {
        dir: dir.to_path_buf(),
    })?;
    let states = store.municipality_states(run.id)?;
    let mut verdicts: HashMap<(String, String), VerdictRow> = store
        .verdicts(run.id)?
        .into_iter()
        .map(|(code, v)| ((code, v.item.clone()), v))
        .collect();
    let decisions = latest_decisions(store.decisions(run.id)?);
    let registry = Registry::builtin();
    let cx = Inputs {
        model,
        rules,
        external,
        decisions: &decisions,
    };
    let mut municipalities: Vec<MunicipalityScore> = states
        .iter()
        .map(|state| score_municipality(&cx, state, &registry, &mut verdicts))
        .collect();
    rank_all(&mut municipalities);
    let item_counts = count_items(model, rules, &municipalities);
    Ok(RunScores {
        run: run_meta(&run, dir),
        compared_with: None,
        municipalities,
        item_counts,
        model: model.summary(),
    })
}

/// The run's identity for [`RunScores`].
fn run_meta(run: &RunInfo, dir: &Path) -> RunMeta {
    RunMeta {
        id: run.id,
        year: run.year,
        started_at: run.started_at,
        finished_at: run.finished_at,
        dir: dir.to_path_buf(),
    }
}

/// The latest decision per (code, item): by `decided_at`, then by log id.
fn latest_decisions(log: Vec<(i64, DecisionRow)>) -> HashMap<(String, String), DecisionRow> {
    let mut latest: HashMap<(String, String), (i64, DecisionRow)> = HashMap::new();
    for (id, row) in log {
        let key = (row.code.clone(), row.item.clone());
        let newer = latest
            .get(&key)
            .is_none_or(|(old_id, old)| (row.decided_at, id) >= (old.decided_at, *old_id));
        if newer {
            latest.insert(key, (id, row));
        }
    }
    latest.into_iter().map(|(k, (_, row))| (k, row)).collect()
}

/// What every municipality is scored with.
struct Inputs<'a> {
    model: &'a Model,
    rules: &'a RuleSet,
    external: Option<&'a ExternalIndicators>,
    decisions: &'a HashMap<(String, String), DecisionRow>,
}

fn score_municipality(
    cx: &Inputs<'_>,
    state: &MunicipalityState,
    registry: &Registry,
    verdicts: &mut HashMap<(String, String), VerdictRow>,
) -> MunicipalityScore {
    let row = &state.municipality;
    let known = registry.by_code(&row.code);
    let status = state
        .site_status
        .clone()
        .unwrap_or_else(|| state.status.as_str().to_owned());
    let has_data = state
        .site_status
        .as_deref()
        .is_some_and(|s| SCORED_STATUSES.contains(&s));
    let mut item_of =
        |part: Part, item: &ModelItem| item_result(cx, &row.code, part, item, has_data, verdicts);
    let items: Vec<ItemResult> = cx
        .model
        .parts
        .iter()
        .flat_map(|p| p.items.iter().map(move |i| (p.part, i)))
        .map(|(part, i)| item_of(part, i))
        .collect();
    let other: Vec<ItemResult> = cx
        .model
        .other
        .iter()
        .flat_map(|p| p.items.iter().map(move |i| (p.part, i)))
        .map(|(part, i)| item_of(part, i))
        .collect();
    let (score, parts) = if has_data {
        let values: HashMap<&str, Option<f64>> =
            items.iter().map(|i| (i.id.as_str(), i.value)).collect();
        cx.model
            .score(|item| values.get(item.id.as_str()).copied().flatten())
    } else {
        let parts = cx
            .model
            .parts
            .iter()
            .map(|p| PartScore {
                part: p.part,
                label: p.part.label_sv().to_owned(),
                weight: p.weight,
                score: None,
            })
            .collect();
        (None, parts)
    };
    let population = row.population.or(known.map(|m| m.population));
    MunicipalityScore {
        code: row.code.clone(),
        name: row.name.clone(),
        county: row.county.clone(),
        county_code: known.map_or_else(
            || row.code.chars().take(2).collect(),
            |m| m.county_code.clone(),
        ),
        population,
        size_group: population.map_or(SizeGroup::Small, SizeGroup::of),
        status,
        status_reason: state.site_reason.clone(),
        score,
        parts,
        rank: None,
        county_rank: None,
        county_size: 0,
        size_group_rank: None,
        size_group_size: 0,
        ranked_total: 0,
        other_subindex_items: other,
        items,
        change: None,
    }
}

/// One item of one municipality: machine verdict, review or external value.
fn item_result(
    cx: &Inputs<'_>,
    code: &str,
    part: Part,
    item: &ModelItem,
    has_data: bool,
    verdicts: &mut HashMap<(String, String), VerdictRow>,
) -> ItemResult {
    let rule = cx.rules.get(&item.id);
    let mut result = ItemResult {
        id: item.id.clone(),
        name: rule.map_or_else(|| item.name.clone(), |r| r.name.clone()),
        part,
        found: false,
        value: None,
        source: Source::Machine,
        flagged: false,
        uncertain: None,
        confidence: 0.0,
        evidence: Vec::new(),
        review_url: None,
        review_comment: None,
        tip: if item.tip.is_empty() {
            rule.map(|r| r.tip.clone()).unwrap_or_default()
        } else {
            item.tip.clone()
        },
    };
    if item.source == ItemSource::External {
        result.source = Source::External;
        let value = cx.external.and_then(|e| e.get(code, &item.id));
        if has_data {
            result.value = value;
        }
        result.found = value.is_some_and(|v| v >= 0.5);
        result.confidence = value.unwrap_or(0.0);
        return result;
    }
    let key = (code.to_owned(), item.id.clone());
    let verdict = verdicts.remove(&key);
    let machine_found = verdict.as_ref().is_some_and(|v| v.found);
    result.found = machine_found;
    if let Some(v) = verdict {
        result.confidence = v.confidence;
        result.flagged = v.flagged;
        result.uncertain = v.uncertain;
        result.evidence = v.evidence;
    } else {
        // No verdict for a scored site (e.g. a rule added after the run):
        // counted as not found, flagged so a reviewer looks.
        result.flagged = has_data;
    }
    if let Some(d) = cx.decisions.get(&key) {
        result.source = Source::Review;
        result.flagged = false;
        result.uncertain = None;
        result.found = match d.decision {
            Decision::Confirm => machine_found,
            Decision::Reject => !machine_found,
            Decision::Present => true,
        };
        result.review_url.clone_from(&d.url);
        result.review_comment.clone_from(&d.comment);
    }
    if has_data {
        result.value = Some(if result.found { 1.0 } else { 0.0 });
    }
    result
}

/// Competition ranks ("1, 2, 2, 4") of `(index, score)` pairs.
pub(super) fn competition_ranks(mut scored: Vec<(usize, f64)>) -> Vec<(usize, u32)> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut ranks = Vec::with_capacity(scored.len());
    let mut place = 0;
    let mut previous: Option<f64> = None;
    for (pos, (index, score)) in scored.into_iter().enumerate() {
        if previous.is_none_or(|p| p - score > TIE_EPSILON) {
            place = pos as u32 + 1;
            previous = Some(score);
        }
        ranks.push((index, place));
    }
    ranks
}

/// True when `a` beats `b` by more than rounding noise.
pub(super) fn better(a: f64, b: f64) -> bool {
    a - b > TIE_EPSILON
}

/// National, county and size-group ranks; then sorts the list.
fn rank_all(list: &mut [MunicipalityScore]) {
    let scored: Vec<(usize, f64)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.score.map(|s| (i, s)))
        .collect();
    let total = scored.len() as u32;
    for (i, rank) in competition_ranks(scored.clone()) {
        list[i].rank = Some(rank);
    }
    let mut counties: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
    let mut groups: HashMap<SizeGroup, Vec<(usize, f64)>> = HashMap::new();
    for &(i, s) in &scored {
        counties
            .entry(list[i].county_code.clone())
            .or_default()
            .push((i, s));
        groups.entry(list[i].size_group).or_default().push((i, s));
    }
    for m in list.iter_mut() {
        m.ranked_total = total;
        m.county_size = counties.get(&m.county_code).map_or(0, |v| v.len() as u32);
        m.size_group_size = groups.get(&m.size_group).map_or(0, |v| v.len() as u32);
    }
    for members in counties.into_values() {
        for (i, rank) in competition_ranks(members) {
            list[i].county_rank = Some(rank);
        }
    }
    for members in groups.into_values() {
        for (i, rank) in competition_ranks(members) {
            list[i].size_group_rank = Some(rank);
        }
    }
    list.sort_by_cached_key(|m| {
        (
            m.rank.is_none(),
            m.rank.unwrap_or(0),
            sort_key_sv(&m.name),
            m.code.clone(),
        )
    });
}

/// National counts per item, in model order.
fn count_items(model: &Model, rules: &RuleSet, list: &[MunicipalityScore]) -> Vec<ItemCount> {
    let mut counts: Vec<ItemCount> = model
        .all_items()
        .map(|(part, item)| ItemCount {
            id: item.id.clone(),
            name: rules
                .get(&item.id)
                .map_or_else(|| item.name.clone(), |r| r.name.clone()),
            part,
            count: 0,
            of: 0,
            previous: None,
        })
        .collect();
    let index: HashMap<String, usize> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for m in list.iter().filter(|m| m.score.is_some()) {
        for item in m.items.iter().chain(&m.other_subindex_items) {
            if let (Some(&i), Some(_)) = (index.get(&item.id), item.value) {
                counts[i].of += 1;
                counts[i].count += u32::from(item.found);
            }
        }
    }
    counts
}

/// A key that sorts names in Swedish order: case-insensitive, å, ä, ö after
/// z (in that order), é/è as e and ü as y.
pub fn sort_key_sv(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            'é' | 'è' | 'ê' => 'e',
            'ü' => 'y',
            'á' | 'à' => 'a',
            other => other,
        })
        .collect()
}
