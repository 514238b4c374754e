//! `hunch routine`: the whole upper-back routine of the source articles, in
//! their order: warm up (neck rolls, shrugs, cat-cow), self-massage, then the
//! stretches (rotational, thoracic extension over the chair, chin tucks, wall
//! angels, doorway), with child's pose as a floor option to finish.
//!
//! Each stretch gets a card for [`LEAD_S`], then the coach: camera-checked
//! stretches are counted or timed from the pose; the others run their timer
//! and are recorded as done but not verified when it runs out. A stretch
//! still going after [`max_seconds`] is recorded as skipped, so the routine
//! never hangs. Choosing what to run ([`plan`]) is pure; the stretches run
//! in the live session ([`crate::session`]) through the one driver
//! ([`crate::driver`]), so the routine gets the monitor's pacing, window and
//! camera recovery. The monitor runs the same routine when the user accepts
//! its offer (r on the prompt card).

use std::process::ExitCode;

use crate::coach::{CoachResult, Outcome};
use crate::session::{Mode, Planned, summary_card};
use crate::stretches::{self, Equipment, Stretch};

/// The articles' order, with the section each belongs to.
pub const ORDER: [(&str, &str); 10] = [
    ("neck_rolls", "warm-up"),
    ("shoulder_shrugs", "warm-up"),
    ("cat_cow", "warm-up"),
    ("self_massage", "self-massage"),
    ("rotational_stretch", "stretches"),
    ("thoracic_extension", "stretches"),
    ("chin_tucks", "stretches"),
    ("wall_angels", "stretches"),
    ("doorway_stretch", "stretches"),
    ("childs_pose", "floor, to finish"),
];

/// With `--minutes`, stretches are left out in this order until the rest fit.
const DROP_FIRST: [&str; 9] = [
    "childs_pose",
    "doorway_stretch",
    "cat_cow",
    "self_massage",
    "wall_angels",
    "shoulder_shrugs",
    "thoracic_extension",
    "chin_tucks",
    "neck_rolls",
];

/// Seconds the card shows before each stretch's coach starts.
pub const LEAD_S: f64 = 5.0;

/// What went wrong choosing the routine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutineError {
    #[error("unknown equipment `{0}`; use ball, peanut, roller or doorway, separated by commas")]
    Equipment(String),
    #[error("--minutes must be above 0 and at most 120 (got {0})")]
    Minutes(f64),
    #[error(transparent)]
    Library(#[from] stretches::StretchError),
}

/// What the user has, from `--equipment`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gear {
    /// A tennis ball, a peanut or a foam roller (self-massage).
    pub massage: bool,
    pub doorway: bool,
}

impl Gear {
    /// Parses `--equipment` words (already split at commas).
    pub fn parse(words: &[String]) -> Result<Gear, RoutineError> {
        let mut g = Gear::default();
        for w in words {
            match w.trim().to_ascii_lowercase().as_str() {
                "ball" | "peanut" | "roller" => g.massage = true,
                "doorway" => g.doorway = true,
                "" => {}
                other => return Err(RoutineError::Equipment(other.to_string())),
            }
        }
        Ok(g)
    }
}

/// The stretches to run, in the articles' order, with their section:
/// floor stretches only with `floor`, self-massage only with a ball, peanut
/// or roller, the doorway stretch only with a doorway; with `minutes`,
/// stretches are left out ([`DROP_FIRST`]) until the estimated total fits
/// (at least one stays).
pub fn plan(
    lib: &[Stretch],
    minutes: Option<f64>,
    floor: bool,
    gear: Gear,
) -> Result<Vec<(&Stretch, &'static str)>, RoutineError> {
    if let Some(m) = minutes
        && !(m.is_finite() && m > 0.0 && m <= 120.0)
    {
        return Err(RoutineError::Minutes(m));
    }
    let mut out = Vec::new();
    for (id, section) in ORDER {
        let s = lib
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| stretches::StretchError::Unknown(id.to_string()))?;
        let fits = match s.equipment {
            Equipment::None | Equipment::Chair | Equipment::Wall => true,
            Equipment::Floor => floor,
            Equipment::Ball => gear.massage,
            Equipment::Doorway => gear.doorway,
        };
        if fits {
            out.push((s, section));
        }
    }
    if let Some(m) = minutes {
        for id in DROP_FIRST {
            if total_s(&out) <= m * 60.0 || out.len() <= 1 {
                break;
            }
            out.retain(|(s, _)| s.id != id);
        }
    }
    Ok(out)
}

/// Estimated length of a planned routine, cards included, in seconds.
pub fn total_s(plan: &[(&Stretch, &str)]) -> f64 {
    plan.iter().map(|(s, _)| LEAD_S + s.estimated_s()).sum()
}

/// The longest a stretch may run before the routine moves on (skipped):
/// twice its estimate plus a minute for getting into position.
pub fn max_seconds(s: &Stretch) -> f64 {
    2.0 * s.estimated_s() + 60.0
}

/// The routine's summary: one line for the end and the history.
pub fn summary_line(results: &[CoachResult]) -> String {
    let done = results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::DoneVerified { .. } | Outcome::DoneUnverified
            )
        })
        .count();
    let checked = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::DoneVerified { .. }))
        .count();
    let secs: f64 = results.iter().map(|r| r.duration_s).sum();
    let secs = secs.round() as u64;
    format!(
        "Routine: {done} of {} done ({checked} checked by the camera), {}:{:02}",
        results.len(),
        secs / 60,
        secs % 60
    )
}

/// The reason recorded with each routine stretch in the history; `hunch
/// report` counts routines by it.
pub fn history_reason(k: usize, n: usize) -> String {
    format!("{REASON_PREFIX} {k} of {n}")
}

/// How routine stretches' reasons start in the history.
pub const REASON_PREFIX: &str = "routine:";

/// `hunch routine`: runs the plan from the camera or `--input`, through the
/// same session and driver as the monitor.
/// (The settings already carry the command's `--input` and `--no-window`.)
pub fn run(
    settings: crate::settings::Settings,
    routine: &crate::settings::RoutineSettings,
) -> anyhow::Result<ExitCode> {
    let lib = stretches::library()?;
    let plan = plan(lib, routine.minutes, routine.floor, routine.gear)?;
    println!(
        "Routine, about {} min: {}",
        (total_s(&plan) / 60.0).ceil(),
        plan.iter()
            .map(|(s, _)| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("{}", stretches::SAFETY_LINE);
    let planned = plan
        .iter()
        .map(|&(stretch, section)| Planned { stretch, section })
        .collect();
    let session =
        crate::monitor::run_command(settings, Mode::Routine(planned), "hunch: routine", None)?;
    let done = session.done();
    let plain: Vec<CoachResult> = done.iter().map(|d| d.result.clone()).collect();
    for d in done {
        println!(
            "{}: {}",
            d.stretch.name,
            summary_card(d.stretch, &d.result).lines.join("; ")
        );
    }
    println!("{}", summary_line(&plain));
    Ok(ExitCode::SUCCESS)
}

/// The routine the monitor offers (and runs when the user presses r): the
/// whole routine without equipment, floor stretches included.
pub fn offered_plan() -> Result<Vec<Planned>, RoutineError> {
    let lib = stretches::library()?;
    Ok(plan(lib, None, true, Gear::default())?
        .into_iter()
        .map(|(stretch, section)| Planned { stretch, section })
        .collect())
}

/// Default `--routine-after`.
pub const DEFAULT_ROUTINE_AFTER: u32 = 3;

/// When the monitor offers the routine: at the `after`-th stretch prompt of
/// a (local) day, once that day, because slumping keeps coming back.
/// `after` 0 never offers. Days are passed in (days since the epoch, local).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    after: u32,
    day: Option<i64>,
    prompts_today: u32,
}

impl Offer {
    pub fn new(after: u32) -> Offer {
        Offer {
            after,
            day: None,
            prompts_today: 0,
        }
    }

    /// Notes a prompt on `day`; true when this prompt should offer the routine.
    pub fn on_prompt(&mut self, day: i64) -> bool {
        if self.day != Some(day) {
            self.day = Some(day);
            self.prompts_today = 0;
        }
        self.prompts_today += 1;
        self.after > 0 && self.prompts_today == self.after
    }

    /// The words added to the prompt that offers the routine.
    /// The offer on a prompt card in the window, where r starts it.
    pub fn window_text(&self) -> String {
        format!(
            "slumping has come back {} times today: press r for the whole upper-back routine",
            self.prompts_today
        )
    }

    pub fn text(&self) -> String {
        format!(
            "slumping has come back {} times today: `hunch routine` runs the whole upper-back routine",
            self.prompts_today
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &[(&Stretch, &str)]) -> Vec<String> {
        p.iter().map(|(s, _)| s.id.clone()).collect()
    }

    #[test]
    fn the_full_routine_follows_the_articles_order() {
        let lib = stretches::library().unwrap();
        let all = Gear {
            massage: true,
            doorway: true,
        };
        let p = plan(lib, None, true, all).unwrap();
        let want: Vec<&str> = ORDER.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids(&p), want);
        assert_eq!(p[0].1, "warm-up");
        assert_eq!(p[3].1, "self-massage");
        assert_eq!(p[4].1, "stretches");
    }

    #[test]
    fn no_floor_and_missing_equipment_leave_stretches_out() {
        let lib = stretches::library().unwrap();
        let p = plan(lib, None, false, Gear::default()).unwrap();
        assert_eq!(
            ids(&p),
            [
                "neck_rolls",
                "shoulder_shrugs",
                "rotational_stretch",
                "thoracic_extension",
                "chin_tucks",
                "wall_angels"
            ]
        );
        let g = Gear::parse(&["roller".into()]).unwrap();
        assert!(g.massage && !g.doorway);
        let p = plan(lib, None, false, g).unwrap();
        assert!(ids(&p).contains(&"self_massage".to_string()));
        assert!(Gear::parse(&["kettlebell".into()]).is_err());
    }

    #[test]
    fn minutes_bound_the_estimated_length_keeping_the_order() {
        let lib = stretches::library().unwrap();
        let all = Gear {
            massage: true,
            doorway: true,
        };
        let full = plan(lib, None, true, all).unwrap();
        for m in [1.0, 3.0, 5.0, 8.0, 60.0] {
            let p = plan(lib, Some(m), true, all).unwrap();
            assert!(!p.is_empty());
            assert!(
                p.len() == 1 || total_s(&p) <= m * 60.0,
                "{m}: {}",
                total_s(&p)
            );
            // Still in the articles' order.
            let pos: Vec<usize> = p
                .iter()
                .map(|(s, _)| full.iter().position(|(f, _)| f.id == s.id).unwrap())
                .collect();
            assert!(pos.windows(2).all(|w| w[0] < w[1]), "{m}: {pos:?}");
        }
        assert_eq!(plan(lib, Some(60.0), true, all).unwrap().len(), full.len());
        assert!(plan(lib, Some(0.0), true, all).is_err());
        assert!(plan(lib, Some(f64::NAN), true, all).is_err());
    }

    #[test]
    fn the_routine_is_offered_once_a_day_at_the_nth_prompt() {
        let mut o = Offer::new(3);
        let day1: Vec<bool> = (0..3).map(|_| o.on_prompt(100)).collect();
        assert_eq!(day1, [false, false, true]);
        assert!(o.text().contains("3 times today"), "{}", o.text());
        assert!(!o.on_prompt(100) && !o.on_prompt(100));
        let day2: Vec<bool> = (0..3).map(|_| o.on_prompt(101)).collect();
        assert_eq!(day2, [false, false, true]);
        let mut never = Offer::new(0);
        assert!((0..10).all(|_| !never.on_prompt(5)));
        let mut first = Offer::new(1);
        assert!(first.on_prompt(7));
    }

    #[test]
    fn summary_counts_done_and_checked() {
        let r = |outcome, verified| CoachResult {
            stretch_id: "x".into(),
            outcome,
            duration_s: 30.0,
            verified,
        };
        let line = summary_line(&[
            r(
                Outcome::DoneVerified {
                    reps: 5,
                    held_s: 0.0,
                },
                true,
            ),
            r(Outcome::DoneUnverified, false),
            r(Outcome::Skipped, true),
        ]);
        assert_eq!(line, "Routine: 2 of 3 done (1 checked by the camera), 1:30");
    }
}
