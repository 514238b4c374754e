//! Evaluation on labelled photos: per subject, calibrate on the first three
//! usable `good` photos (sorted by path) and judge the rest.
//!
//! Independent of where the poses come from: give it a map from each label
//! row's path to the pose found in that photo (`None` where no pose was
//! found), e.g. MediaPipe's reference landmarks or hunch's own pipeline.
//!
//! Scoring: a `good` photo is right when judged `good` or `looking_down`
//! (looking down is not slumping); a `forward_head` or `slouch_forward` photo
//! is right when judged `forward_head`, `rounded_shoulders` or `slouch`.
//! `uncertain` and `no_person` are wrong for both. Balanced accuracy is the
//! mean of the two recalls. Photos with other labels are judged and
//! tallied for information only. A path that carries two different labels
//! is left out (and counted), since no verdict could be right for both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::profile::{Profile, Shots};
use super::thresholds::Thresholds;
use super::{Verdict, View, judge_pose, measure, measure_nobody};
use crate::landmarks::Pose;
use crate::testdata::LabelRow;

/// How many usable `good` photos each subject is calibrated on.
pub const CALIBRATION_PHOTOS: usize = 3;

/// Labels scored as upright.
pub const GOOD_LABELS: &[&str] = &["good"];
/// Labels scored as slumped.
pub const SLUMPED_LABELS: &[&str] = &["forward_head", "slouch_forward"];

/// How many photos got each verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub good: usize,
    pub forward_head: usize,
    pub rounded_shoulders: usize,
    pub slouch: usize,
    pub looking_down: usize,
    pub uncertain: usize,
    pub no_person: usize,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        let slot = match v {
            Verdict::Good => &mut self.good,
            Verdict::ForwardHead => &mut self.forward_head,
            Verdict::RoundedShoulders => &mut self.rounded_shoulders,
            Verdict::Slouch => &mut self.slouch,
            Verdict::LookingDown => &mut self.looking_down,
            Verdict::Uncertain => &mut self.uncertain,
            Verdict::NoPerson => &mut self.no_person,
        };
        *slot += 1;
    }

    /// Photos counted.
    pub fn total(&self) -> usize {
        self.good
            + self.forward_head
            + self.rounded_shoulders
            + self.slouch
            + self.looking_down
            + self.uncertain
            + self.no_person
    }

    /// Verdicts that are not slumping (right for a `good` photo).
    pub fn not_slumped(&self) -> usize {
        self.good + self.looking_down
    }

    /// Verdicts that are slumping (right for a slumped photo).
    pub fn slumped(&self) -> usize {
        self.forward_head + self.rounded_shoulders + self.slouch
    }
}

impl fmt::Display for VerdictCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            ("good", self.good),
            ("forward_head", self.forward_head),
            ("rounded_shoulders", self.rounded_shoulders),
            ("slouch", self.slouch),
            ("looking_down", self.looking_down),
            ("uncertain", self.uncertain),
            ("no_person", self.no_person),
        ];
        let shown: Vec<String> = parts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        write!(f, "{}", shown.join(", "))
    }
}

/// One subject's result.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SubjectResult {
    pub subject: String,
    /// The calibrated view; `None` when calibration failed.
    pub view: Option<View>,
    /// The photos calibrated on.
    pub calibration: Vec<String>,
    /// Why calibration failed, if it did.
    pub error: Option<String>,
    /// Verdicts on the other `good` photos.
    pub good: VerdictCounts,
    /// Verdicts on the `forward_head` and `slouch_forward` photos.
    pub slumped: VerdictCounts,
    /// Verdicts on photos with other labels, by label (for information).
    pub other: BTreeMap<String, VerdictCounts>,
    /// Paths left out because they carry conflicting labels.
    pub ambiguous: usize,
    /// Photos missing from the pose map (judged as no person).
    pub missing: usize,
    /// Highest slump level (forward head or rounded shoulders, 1 = enter
    /// threshold) among the judged `good` photos: how close the nearest false
    /// alarm came.
    pub good_max_level: Option<f64>,
    /// Lowest slump level among the judged slumped photos: how close the
    /// nearest miss came.
    pub slumped_min_level: Option<f64>,
}

impl SubjectResult {
    /// Share of the `good` photos judged not slumped.
    pub fn good_recall(&self) -> Option<f64> {
        ratio(self.good.not_slumped(), self.good.total())
    }

    /// Share of the slumped photos judged slumped.
    pub fn slumped_recall(&self) -> Option<f64> {
        ratio(self.slumped.slumped(), self.slumped.total())
    }

    /// Mean of the two recalls; `None` unless both classes have photos.
    pub fn balanced_accuracy(&self) -> Option<f64> {
        Some((self.good_recall()? + self.slumped_recall()?) / 2.0)
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The whole evaluation, one entry per subject in label-file order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EvalReport {
    pub subjects: Vec<SubjectResult>,
}

impl EvalReport {
    /// The result for `subject`.
    pub fn subject(&self, subject: &str) -> Option<&SubjectResult> {
        self.subjects.iter().find(|s| s.subject == subject)
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        writeln!(
            f,
            "{:<10} {:<8} {:>5} {:>9} {:>9} {:>8} {:>8} {:>9}  n good/n bad",
            "subject", "view", "calib", "good ok", "slump ok", "good_rec", "slump_rec", "bal_acc"
        )?;
        for s in &self.subjects {
            let view = s
                .view
                .map_or("-".to_string(), |v| format!("{v:?}").to_lowercase());
            writeln!(
                f,
                "{:<10} {:<8} {:>5} {:>9} {:>9} {:>8} {:>8} {:>9}  {}/{}",
                s.subject,
                view,
                s.calibration.len(),
                format!("{}/{}", s.good.not_slumped(), s.good.total()),
                format!("{}/{}", s.slumped.slumped(), s.slumped.total()),
                opt(s.good_recall()),
                opt(s.slumped_recall()),
                opt(s.balanced_accuracy()),
                s.good.total(),
                s.slumped.total(),
            )?;
        }
        for s in &self.subjects {
            writeln!(f, "{}:", s.subject)?;
            if let Some(e) = &s.error {
                writeln!(f, "  {e}")?;
            }
            writeln!(
                f,
                "  slump level (1 = alarm): highest on good {}, lowest on slumped {}",
                opt(s.good_max_level),
                opt(s.slumped_min_level)
            )?;
            writeln!(f, "  good    -> {}", s.good)?;
            writeln!(f, "  slumped -> {}", s.slumped)?;
            for (label, c) in &s.other {
                writeln!(f, "  ({label}) -> {c}")?;
            }
            if s.ambiguous > 0 {
                writeln!(
                    f,
                    "  {} photos left out: labelled both upright and slumped",
                    s.ambiguous
                )?;
            }
            if s.missing > 0 {
                writeln!(f, "  {} photos missing from the poses", s.missing)?;
            }
        }
        Ok(())
    }
}

/// How each subject is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalMode {
    /// Calibrate on the subject's first three `good` photos (sorted by path)
    /// and judge the others against that profile.
    Calibrated,
    /// Judge every photo without a profile (the absolute limits, in every
    /// view). Still skips the calibration photos so that both modes score the
    /// same photos.
    Uncalibrated,
}

/// Evaluates every subject in `labels`, calibrated (see the module docs).
/// `poses` is keyed by the label rows' `path`.
pub fn evaluate(
    poses: &BTreeMap<String, Option<Pose>>,
    labels: &[LabelRow],
    thresholds: &Thresholds,
) -> EvalReport {
    evaluate_with(poses, labels, thresholds, EvalMode::Calibrated)
}

/// Evaluates every subject in `labels` in the given mode.
pub fn evaluate_with(
    poses: &BTreeMap<String, Option<Pose>>,
    labels: &[LabelRow],
    thresholds: &Thresholds,
    mode: EvalMode,
) -> EvalReport {
    let mut subjects: Vec<&str> = Vec::new();
    for r in labels {
        if !subjects.contains(&r.subject.as_str()) {
            subjects.push(&r.subject);
        }
    }
    EvalReport {
        subjects: subjects
            .into_iter()
            .map(|s| evaluate_subject(s, poses, labels, thresholds, mode))
            .collect(),
    }
}

fn evaluate_subject(
    subject: &str,
    poses: &BTreeMap<String, Option<Pose>>,
    labels: &[LabelRow],
    thresholds: &Thresholds,
    mode: EvalMode,
) -> SubjectResult {
    let mut by_path: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in labels.iter().filter(|r| r.subject == subject) {
        by_path.entry(&r.path).or_default().insert(&r.label);
    }
    let mut res = SubjectResult {
        subject: subject.to_string(),
        ..SubjectResult::default()
    };
    // One label per path; conflicting ones are left out.
    let mut labelled: Vec<(&str, &str)> = Vec::new();
    for (path, set) in &by_path {
        match set.iter().next() {
            Some(label) if set.len() == 1 => labelled.push((path, label)),
            _ => res.ambiguous += 1,
        }
    }
    // BTreeMap order: sorted by path. The first usable `good` photos (a pose
    // with the forward-head angle measured) calibrate; when there are too
    // few, all the `good` photos looked at are offered so that the error
    // counts them.
    let mut measurements = Vec::new();
    let mut offered = Vec::new();
    for (path, _) in labelled.iter().filter(|(_, l)| GOOD_LABELS.contains(l)) {
        let m = poses
            .get(*path)
            .and_then(Option::as_ref)
            .map_or_else(|| measure_nobody(None), |pose| measure(pose, None));
        offered.push(m.clone());
        if m.metrics.forward_head_deg.is_some() {
            res.calibration.push(path.to_string());
            measurements.push(m);
            if measurements.len() == CALIBRATION_PHOTOS {
                break;
            }
        }
    }
    if measurements.len() < CALIBRATION_PHOTOS {
        measurements = offered;
    }
    let profile = match Profile::calibrate_from(&measurements, 0.0, Shots::Photos) {
        Ok(p) => Some(p),
        Err(e) => {
            res.error = Some(e.to_string());
            None
        }
    };
    res.view = profile.as_ref().map(|p| p.view);
    for (path, label) in labelled {
        if res.calibration.iter().any(|c| c == path) {
            continue;
        }
        let pose = match poses.get(path) {
            Some(p) => p.as_ref(),
            None => {
                res.missing += 1;
                None
            }
        };
        let judgement = match (mode, &profile) {
            (EvalMode::Uncalibrated, _) => Some(judge_pose(pose, None, None, thresholds).judgement),
            (EvalMode::Calibrated, Some(p)) => {
                Some(judge_pose(pose, None, Some(p), thresholds).judgement)
            }
            (EvalMode::Calibrated, None) => None,
        };
        let verdict = judgement.as_ref().map_or(Verdict::Uncertain, |j| j.verdict);
        let level = judgement.as_ref().and_then(|j| {
            let l = &j.levels;
            [l.forward_head, l.rounded_shoulders]
                .into_iter()
                .flatten()
                .reduce(f64::max)
        });
        if GOOD_LABELS.contains(&label) {
            res.good.add(verdict);
            res.good_max_level = max_opt(res.good_max_level, level);
        } else if SLUMPED_LABELS.contains(&label) {
            res.slumped.add(verdict);
            res.slumped_min_level = match (res.slumped_min_level, level) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        } else {
            res.other.entry(label.to_string()).or_default().add(verdict);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::metrics::tests::side_pose;

    fn row(path: &str, subject: &str, label: &str) -> LabelRow {
        LabelRow {
            path: path.into(),
            view: "side".into(),
            subject: subject.into(),
            label: label.into(),
        }
    }

    #[test]
    fn calibrates_on_the_first_three_good_and_scores_the_rest() {
        let mut poses = BTreeMap::new();
        let mut labels = Vec::new();
        for i in 0..6 {
            let p = format!("s/good{i}.jpg");
            poses.insert(
                p.clone(),
                Some(side_pose(65.0 + f64::from(i) * 0.3, 0.0, 20.0)),
            );
            labels.push(row(&p, "s", "good"));
        }
        for i in 0..4 {
            let p = format!("s/fh{i}.jpg");
            poses.insert(p.clone(), Some(side_pose(45.0, 2.0, 30.0)));
            labels.push(row(&p, "s", "forward_head"));
        }
        // No pose found: wrong. Conflicting labels: left out.
        labels.push(row("s/fh_lost.jpg", "s", "slouch_forward"));
        poses.insert("s/fh_lost.jpg".into(), None);
        labels.push(row("s/both.jpg", "s", "good"));
        labels.push(row("s/both.jpg", "s", "slouch_forward"));
        labels.push(row("s/tilt.jpg", "s", "head_tilt"));
        poses.insert("s/tilt.jpg".into(), Some(side_pose(66.0, 0.0, 20.0)));

        let r = evaluate(&poses, &labels, &Thresholds::default());
        let s = r.subject("s").unwrap_or_else(|| panic!("{r}"));
        assert_eq!(
            s.calibration,
            vec!["s/good0.jpg", "s/good1.jpg", "s/good2.jpg"]
        );
        assert_eq!(s.view, Some(View::Side));
        assert_eq!((s.good.good, s.good.total()), (3, 3));
        assert_eq!((s.slumped.forward_head, s.slumped.no_person), (4, 1));
        assert_eq!(s.ambiguous, 1);
        assert_eq!(s.missing, 0);
        assert_eq!(s.other.get("head_tilt").map(|c| c.good), Some(1));
        assert_eq!(s.balanced_accuracy(), Some((1.0 + 0.8) / 2.0));
        assert!(r.to_string().contains("0.900"), "{r}");

        // Without calibration the clinical cut-off judges the same photos.
        let r = evaluate_with(
            &poses,
            &labels,
            &Thresholds::default(),
            EvalMode::Uncalibrated,
        );
        let s = r.subject("s").unwrap_or_else(|| panic!("{r}"));
        assert_eq!((s.good.good, s.slumped.forward_head), (3, 4));
    }

    #[test]
    fn a_subject_that_cannot_be_calibrated_scores_uncertain() {
        let mut poses = BTreeMap::new();
        let labels = vec![
            row("a.jpg", "x", "good"),
            row("b.jpg", "x", "good"),
            row("c.jpg", "x", "forward_head"),
        ];
        poses.insert("a.jpg".into(), Some(side_pose(65.0, 0.0, 20.0)));
        let r = evaluate(&poses, &labels, &Thresholds::default());
        let s = r.subject("x").unwrap_or_else(|| panic!("{r}"));
        assert!(
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("1 of 2 photos")),
            "{s:?}"
        );
        assert_eq!(s.slumped.uncertain, 1);
        assert_eq!(s.missing, 2);
        // Both classes have a photo (b.jpg was not calibrated on), both wrong.
        assert_eq!(s.balanced_accuracy(), Some(0.0));
    }
}
