//! The stretch library: what hunch can suggest, how it is done, and which
//! stretch to suggest for what is wrong.
//!
//! The library is data the project owns (`assets/stretches.toml`, embedded at
//! build time and parsed and checked once, on first use). Choosing is pure: the
//! caller passes what it recently showed and gets the least recently shown
//! stretch that fits, so prompts rotate without any randomness.

use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The line shown with every stretch: the source articles' safety rules.
pub const SAFETY_LINE: &str = "Gently, never forced: never crack your neck or stretch into pain, and don't repeat too often (overdoing it strains muscles and joints). Numbness, tingling or pain spreading into your arms means stop and see a doctor or physiotherapist.";

/// The embedded library source.
const LIBRARY_TOML: &str = include_str!("../assets/stretches.toml");

/// What went wrong with the stretch library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StretchError {
    /// The TOML did not parse or a field had an unknown value.
    #[error("the stretch library does not parse ({0}); fix assets/stretches.toml")]
    Parse(String),
    /// An entry parsed but breaks a rule (empty steps, no dose, ...).
    #[error("stretch `{id}` is invalid: {why}; fix assets/stretches.toml")]
    Invalid { id: String, why: String },
    /// `find` was asked for an id the library does not have.
    #[error("no stretch called `{0}`; run `hunch stretches` for the list")]
    Unknown(String),
}

/// What a stretch helps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    ForwardHead,
    RoundedShoulders,
    /// Long sitting, or forward head and rounded shoulders together.
    General,
}

impl Target {
    /// The target in words.
    pub fn label(self) -> &'static str {
        match self {
            Target::ForwardHead => "forward head",
            Target::RoundedShoulders => "rounded shoulders",
            Target::General => "general",
        }
    }
}

/// What is wrong, as the prompt logic sees it: decides which stretches fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    ForwardHead,
    RoundedShoulders,
    /// Forward head and rounded shoulders together.
    Both,
    /// A long stretch of sitting, whatever the posture.
    LongSitting,
}

impl Need {
    /// The library target that serves this need.
    pub fn target(self) -> Target {
        match self {
            Need::ForwardHead => Target::ForwardHead,
            Need::RoundedShoulders => Target::RoundedShoulders,
            Need::Both | Need::LongSitting => Target::General,
        }
    }
}

/// What a stretch needs besides the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Equipment {
    /// Done at the desk.
    None,
    /// Needs a chair with a back.
    Chair,
    Wall,
    Doorway,
    /// Away from the desk, on the floor (a mat helps).
    Floor,
    /// A tennis ball, a peanut (two balls taped together) or a foam roller,
    /// against a wall.
    Ball,
}

impl Equipment {
    /// The equipment in words.
    pub fn label(self) -> &'static str {
        match self {
            Equipment::None => "none",
            Equipment::Chair => "chair back",
            Equipment::Wall => "wall",
            Equipment::Doorway => "doorway",
            Equipment::Floor => "floor",
            Equipment::Ball => "ball/peanut/roller + wall",
        }
    }
}

/// Which camera check follows the stretch (see `coach`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verify {
    ChinTuck,
    ShoulderRoll,
    WallAngel,
    BrueggerHold,
    ThoracicExtension,
    /// The shoulder line turned about the vertical (3D world landmarks),
    /// held each side in turn.
    Rotation,
    /// The head's path around the neck completing circles.
    NeckRoll,
    /// Shoulders up towards the ears and down again.
    Shrug,
    /// On the floor, away from the desk: timed, and counted (all fours, the
    /// head and back between cat and cow) when the camera happens to see it.
    CatCow,
    /// On the floor, away from the desk: timed, and the hold timed when the
    /// camera happens to see the child's pose.
    ChildsPose,
    /// The camera cannot see it: a timer and the user's word.
    None,
}

impl Verify {
    /// True when the camera always checks the stretch.
    pub fn is_verified(self) -> bool {
        self.camera() == Camera::Yes
    }

    /// Whether the camera checks the stretch. Exhaustive on purpose.
    pub fn camera(self) -> Camera {
        match self {
            Verify::ChinTuck
            | Verify::ShoulderRoll
            | Verify::WallAngel
            | Verify::BrueggerHold
            | Verify::ThoracicExtension
            | Verify::Rotation
            | Verify::NeckRoll
            | Verify::Shrug => Camera::Yes,
            Verify::CatCow | Verify::ChildsPose => Camera::IfSeen,
            Verify::None => Camera::No,
        }
    }
}

/// Whether the camera checks a stretch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Camera {
    /// It counts the reps or times the hold.
    Yes,
    /// Done away from the desk: timed, and checked only if the camera
    /// happens to see it; otherwise recorded as done, unverified.
    IfSeen,
    /// A timer and the user's word.
    No,
}

impl Camera {
    /// The `CAMERA` column of `hunch stretches`.
    pub fn label(self) -> &'static str {
        match self {
            Camera::Yes => "yes",
            Camera::IfSeen => "if seen",
            Camera::No => "no",
        }
    }
}

/// How much of a stretch to do.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Dose {
    /// `reps` repetitions, each held `hold_s` seconds at its end (0 = no hold).
    Reps { reps: u32, hold_s: f64 },
    /// One hold of `seconds`.
    Hold { seconds: f64 },
}

impl Dose {
    /// The dose in words, e.g. "10 reps, 3 s hold" or "hold 30 s".
    pub fn label(&self) -> String {
        self.label_counting("reps")
    }

    /// The dose in words, counting repetitions as `word` ("5 circles").
    pub fn label_counting(&self, word: &str) -> String {
        match *self {
            Dose::Reps { reps, hold_s } if hold_s > 0.0 => {
                format!("{reps} {word}, {} s hold", trim_float(hold_s))
            }
            Dose::Reps { reps, .. } => format!("{reps} {word}"),
            Dose::Hold { seconds } => format!("hold {} s", trim_float(seconds)),
        }
    }
}

fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// One stretch of the library.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stretch {
    pub id: String,
    pub name: String,
    pub targets: Vec<Target>,
    pub equipment: Equipment,
    pub dose: Dose,
    pub verify: Verify,
    /// The dose is for each side in turn (left, then right, or the other way).
    pub each_side: bool,
    /// Short sentences, in order.
    pub steps: Vec<String>,
    pub cautions: Vec<String>,
}

impl Stretch {
    /// True when the camera checks this stretch.
    pub fn is_verified(&self) -> bool {
        self.verify.is_verified()
    }

    /// The dose in words, with "each side" when it is done on both sides.
    pub fn dose_label(&self) -> String {
        let dose = self.dose.label_counting(self.rep_word());
        if self.each_side {
            format!("{dose} each side")
        } else {
            dose
        }
    }

    /// What one repetition is called: neck rolls are circles.
    pub fn rep_word(&self) -> &'static str {
        match self.verify {
            Verify::NeckRoll => "circles",
            Verify::ChinTuck
            | Verify::ShoulderRoll
            | Verify::WallAngel
            | Verify::BrueggerHold
            | Verify::ThoracicExtension
            | Verify::Rotation
            | Verify::Shrug
            | Verify::CatCow
            | Verify::ChildsPose
            | Verify::None => "reps",
        }
    }

    /// True when it is done at the desk (not on the floor, not with a ball).
    pub fn at_desk(&self) -> bool {
        match self.equipment {
            Equipment::None | Equipment::Chair | Equipment::Wall | Equipment::Doorway => true,
            Equipment::Floor | Equipment::Ball => false,
        }
    }

    /// About how long the stretch takes, in seconds (both sides included).
    pub fn estimated_s(&self) -> f64 {
        let once = match self.dose {
            Dose::Reps { reps, hold_s } => f64::from(reps) * (4.0 + hold_s),
            Dose::Hold { seconds } => seconds,
        };
        if self.each_side { 2.0 * once } else { once }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLibrary {
    stretch: Vec<RawStretch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStretch {
    id: String,
    name: String,
    targets: Vec<Target>,
    equipment: Equipment,
    reps: Option<u32>,
    hold_s: Option<f64>,
    duration_s: Option<f64>,
    verify: Verify,
    #[serde(default)]
    each_side: bool,
    steps: Vec<String>,
    #[serde(default)]
    cautions: Vec<String>,
}

/// The longest hold or duration the library may ask for, in seconds.
const MAX_SECONDS: f64 = 600.0;
/// The most repetitions the library may ask for.
const MAX_REPS: u32 = 100;

fn invalid(id: &str, why: impl Into<String>) -> StretchError {
    StretchError::Invalid {
        id: id.to_string(),
        why: why.into(),
    }
}

fn check_seconds(id: &str, field: &str, v: f64) -> Result<f64, StretchError> {
    if v.is_finite() && v > 0.0 && v <= MAX_SECONDS {
        Ok(v)
    } else {
        Err(invalid(
            id,
            format!("{field} must be between 0 and {MAX_SECONDS} seconds, not {v}"),
        ))
    }
}

fn convert(raw: RawStretch) -> Result<Stretch, StretchError> {
    let id = raw.id;
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !id_ok {
        return Err(invalid(&id, "ids are lower-case letters, digits and _"));
    }
    if raw.name.trim().is_empty() {
        return Err(invalid(&id, "the name is empty"));
    }
    if raw.targets.is_empty() {
        return Err(invalid(&id, "it has no targets"));
    }
    if raw.steps.is_empty() || raw.steps.iter().any(|s| s.trim().is_empty()) {
        return Err(invalid(&id, "steps must be a non-empty list of sentences"));
    }
    if raw.cautions.iter().any(|s| s.trim().is_empty()) {
        return Err(invalid(&id, "a caution is empty"));
    }
    let dose = match (raw.reps, raw.hold_s, raw.duration_s) {
        (Some(reps), hold, None) => {
            if reps == 0 || reps > MAX_REPS {
                return Err(invalid(&id, format!("reps must be 1 to {MAX_REPS}")));
            }
            let hold_s = match hold {
                Some(h) => check_seconds(&id, "hold_s", h)?,
                None => 0.0,
            };
            Dose::Reps { reps, hold_s }
        }
        (None, None, Some(d)) => Dose::Hold {
            seconds: check_seconds(&id, "duration_s", d)?,
        },
        (None, Some(_), None) => {
            return Err(invalid(
                &id,
                "hold_s needs reps; use duration_s for one hold",
            ));
        }
        (None, _, None) => return Err(invalid(&id, "give either reps or duration_s")),
        (Some(_), _, Some(_)) | (None, Some(_), Some(_)) => {
            return Err(invalid(&id, "give reps or duration_s, not both"));
        }
    };
    if raw.verify == Verify::BrueggerHold && !matches!(dose, Dose::Hold { .. }) {
        return Err(invalid(
            &id,
            "bruegger_hold is a timed hold: use duration_s",
        ));
    }
    // Exhaustive on purpose: a new check must say which dose it takes.
    let needs = match raw.verify {
        Verify::ChinTuck
        | Verify::ShoulderRoll
        | Verify::WallAngel
        | Verify::ThoracicExtension
        | Verify::NeckRoll
        | Verify::Shrug
        | Verify::CatCow => Some(true),
        Verify::BrueggerHold | Verify::Rotation | Verify::ChildsPose => Some(false),
        Verify::None => None,
    };
    match (needs, dose) {
        (Some(true), Dose::Hold { .. }) => {
            return Err(invalid(&id, "a rep-counted stretch needs reps"));
        }
        (Some(false), Dose::Reps { .. }) => {
            return Err(invalid(&id, "a held stretch needs duration_s"));
        }
        _ => {}
    }
    if raw.verify == Verify::Rotation && !raw.each_side {
        return Err(invalid(
            &id,
            "rotation is held each side: set each_side = true",
        ));
    }
    Ok(Stretch {
        id,
        name: raw.name,
        targets: raw.targets,
        equipment: raw.equipment,
        dose,
        verify: raw.verify,
        each_side: raw.each_side,
        steps: raw.steps,
        cautions: raw.cautions,
    })
}

/// Parses and checks a library in `assets/stretches.toml` format.
pub fn parse(text: &str) -> Result<Vec<Stretch>, StretchError> {
    let raw: RawLibrary = toml::from_str(text).map_err(|e| StretchError::Parse(e.to_string()))?;
    let mut out: Vec<Stretch> = Vec::with_capacity(raw.stretch.len());
    for r in raw.stretch {
        let s = convert(r)?;
        if out.iter().any(|o| o.id == s.id) {
            return Err(invalid(&s.id, "the id is used twice"));
        }
        out.push(s);
    }
    if out.is_empty() {
        return Err(StretchError::Parse("it has no [[stretch]] entries".into()));
    }
    Ok(out)
}

/// The built-in library, parsed once.
pub fn library() -> Result<&'static [Stretch], StretchError> {
    static LIB: OnceLock<Result<Vec<Stretch>, StretchError>> = OnceLock::new();
    match LIB.get_or_init(|| parse(LIBRARY_TOML)) {
        Ok(v) => Ok(v.as_slice()),
        Err(e) => Err(e.clone()),
    }
}

/// The built-in stretch with this id.
pub fn find(id: &str) -> Result<&'static Stretch, StretchError> {
    library()?
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StretchError::Unknown(id.to_string()))
}

/// The built-in stretch to suggest for `need`; see [`choose_from`].
pub fn choose(need: Need, recent: &[&str]) -> Result<&'static Stretch, StretchError> {
    let lib = library()?;
    choose_from(lib, need, recent).ok_or_else(|| {
        invalid(
            need.target().label(),
            "no stretch in the library has this target",
        )
    })
}

/// Picks from `lib` the stretch for `need` that was shown least recently.
///
/// `recent` lists the ids shown before, oldest first (as the history records
/// them). Among the stretches whose targets include `need.target()`, one never
/// shown wins, earliest in the library first; otherwise the one whose last
/// showing is oldest. Stretches away from the desk (floor, ball) are left to
/// `hunch routine` and never prompted alone. With two or more candidates the same stretch therefore
/// never comes twice in a row. `None` only when no stretch fits.
pub fn choose_from<'a>(lib: &'a [Stretch], need: Need, recent: &[&str]) -> Option<&'a Stretch> {
    choose_allowed(lib, need, recent, |_| true)
}

/// [`choose_from`] among the stretches `allowed` accepts (the prompt
/// scheduler's frequency limits); `None` when none fits and is allowed.
pub fn choose_allowed<'a>(
    lib: &'a [Stretch],
    need: Need,
    recent: &[&str],
    allowed: impl Fn(&Stretch) -> bool,
) -> Option<&'a Stretch> {
    let target = need.target();
    lib.iter()
        .enumerate()
        .filter(|(_, s)| s.targets.contains(&target) && s.at_desk() && allowed(s))
        .min_by_key(|(i, s)| {
            // None (never shown) sorts before Some(position): least recent first.
            let last_shown = recent.iter().rposition(|r| *r == s.id);
            (last_shown, *i)
        })
        .map(|(_, s)| s)
}

/// The library as a table for `hunch stretches`, with the safety line under it.
pub fn format_table(lib: &[Stretch]) -> String {
    let rows: Vec<[String; 6]> = lib
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                s.name.clone(),
                s.dose_label(),
                s.equipment.label().to_string(),
                s.verify.camera().label().to_string(),
                // Last: the one column that can run long.
                s.targets
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "DOSE", "EQUIPMENT", "CAMERA", "TARGETS"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cells);
    }
    out.push_str(
        "\nCAMERA yes: the camera counts your reps or hold.\n\
         \x20      if seen: on the floor, away from the desk, so a timer; if the camera happens to see\n\
         \x20      you (whole body in view, side on or at an angle) it counts them, otherwise you say\n\
         \x20      when you are done and it is recorded as not checked.\n\
         \x20      no: a timer, and you say when you are done.\n",
    );
    out.push_str("Start one with: hunch stretch ID\n");
    out.push_str(SAFETY_LINE);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIRED: [&str; 13] = [
        "chin_tucks",
        "shoulder_rolls",
        "wall_angels",
        "brueggers_relief",
        "thoracic_extension",
        "doorway_stretch",
        "chest_opener",
        "neck_rolls",
        "shoulder_shrugs",
        "cat_cow",
        "self_massage",
        "rotational_stretch",
        "childs_pose",
    ];

    #[test]
    fn built_in_library_is_valid_and_complete() {
        let lib = library().expect("embedded library parses");
        for id in REQUIRED {
            assert!(find(id).is_ok(), "missing {id}");
        }
        for s in lib {
            assert!(!s.steps.is_empty(), "{}", s.id);
            assert!(
                s.steps.iter().all(|st| st.len() <= 140),
                "{}: long step",
                s.id
            );
            assert!(!s.cautions.is_empty(), "{} has no cautions", s.id);
            assert!(!s.targets.is_empty(), "{}", s.id);
            match s.dose {
                Dose::Reps { reps, hold_s } => assert!(reps > 0 && hold_s >= 0.0),
                Dose::Hold { seconds } => assert!(seconds > 0.0),
            }
        }
    }

    #[test]
    fn verification_matches_what_the_camera_can_see() {
        let v = |id| find(id).unwrap().verify;
        assert_eq!(v("chin_tucks"), Verify::ChinTuck);
        assert_eq!(v("shoulder_rolls"), Verify::ShoulderRoll);
        assert_eq!(v("wall_angels"), Verify::WallAngel);
        assert_eq!(v("brueggers_relief"), Verify::BrueggerHold);
        assert_eq!(v("thoracic_extension"), Verify::ThoracicExtension);
        assert_eq!(v("doorway_stretch"), Verify::None);
        assert_eq!(v("chest_opener"), Verify::None);
        assert_eq!(v("rotational_stretch"), Verify::Rotation);
        assert_eq!(v("neck_rolls"), Verify::NeckRoll);
        assert_eq!(v("shoulder_shrugs"), Verify::Shrug);
        assert_eq!(v("cat_cow"), Verify::CatCow);
        assert_eq!(v("self_massage"), Verify::None);
        assert_eq!(v("childs_pose"), Verify::ChildsPose);
        assert_eq!(v("cat_cow").camera(), Camera::IfSeen);
        assert_eq!(v("childs_pose").camera(), Camera::IfSeen);
        assert!(!find("cat_cow").unwrap().is_verified());
        assert_eq!(find("cat_cow").unwrap().equipment, Equipment::Floor);
        assert_eq!(find("childs_pose").unwrap().equipment, Equipment::Floor);
        assert_eq!(find("self_massage").unwrap().equipment, Equipment::Ball);
        let rot = find("rotational_stretch").unwrap();
        assert!(rot.each_side);
        assert_eq!(rot.dose_label(), "hold 20 s each side");
        assert_eq!(
            find("doorway_stretch").unwrap().equipment,
            Equipment::Doorway
        );
    }

    #[test]
    fn unknown_id_says_what_to_do() {
        let e = find("yoga").unwrap_err();
        assert_eq!(e, StretchError::Unknown("yoga".into()));
        assert!(e.to_string().contains("hunch stretches"));
    }

    const ONE: &str = r#"
[[stretch]]
id = "a"
name = "A"
targets = ["general"]
equipment = "none"
reps = 3
verify = "shoulder_roll"
steps = ["Do it."]
"#;

    #[test]
    fn parse_accepts_a_minimal_entry() {
        let lib = parse(ONE).unwrap();
        assert_eq!(
            lib[0].dose,
            Dose::Reps {
                reps: 3,
                hold_s: 0.0
            }
        );
        assert!(lib[0].cautions.is_empty());
    }

    #[test]
    fn parse_rejects_bad_entries() {
        let cases = [
            (ONE.replace("general", "knees"), "unknown target"),
            (ONE.replace("shoulder_roll", "laser"), "unknown verify"),
            (ONE.replace("[\"Do it.\"]", "[]"), "empty steps"),
            (ONE.replace("[\"Do it.\"]", "[\" \"]"), "blank step"),
            (ONE.replace("reps = 3\n", ""), "no dose"),
            (ONE.replace("reps = 3", "reps = 0"), "zero reps"),
            (
                ONE.replace("reps = 3", "reps = 3\nduration_s = 5"),
                "both doses",
            ),
            (
                ONE.replace("reps = 3", "duration_s = 5"),
                "rep detector, hold dose",
            ),
            (
                ONE.replace("reps = 3", "duration_s = -5"),
                "negative duration",
            ),
            (ONE.replace("reps = 3", "duration_s = nan"), "nan duration"),
            (
                ONE.replace("reps = 3", "reps = 3\nhold_s = inf"),
                "infinite hold",
            ),
            (ONE.replace("id = \"a\"", "id = \"A b\""), "bad id"),
            (
                ONE.replace("targets = [\"general\"]", "targets = []"),
                "no targets",
            ),
            (format!("{ONE}\nextra = 1"), "unknown field"),
            (format!("{ONE}{ONE}"), "duplicate id"),
            ("".to_string(), "empty"),
            ("[[stretch]]\nid = 3".to_string(), "garbage"),
        ];
        for (text, what) in cases {
            assert!(parse(&text).is_err(), "{what} was accepted");
        }
    }

    fn ids<'a>(lib: &'a [Stretch], need: Need, history: &mut Vec<&'a str>, n: usize) {
        for _ in 0..n {
            let s = choose_from(lib, need, history).unwrap();
            history.push(s.id.as_str());
        }
    }

    #[test]
    fn choose_follows_the_issue_mapping() {
        let lib = library().unwrap();
        assert_eq!(choose(Need::ForwardHead, &[]).unwrap().id, "chin_tucks");
        let rs = choose(Need::RoundedShoulders, &[]).unwrap();
        assert!(rs.targets.contains(&Target::RoundedShoulders));
        assert_eq!(
            choose(Need::Both, &[]).unwrap().id,
            choose(Need::LongSitting, &[]).unwrap().id
        );
        let mut seen = Vec::new();
        ids(lib, Need::Both, &mut seen, 3);
        assert!(seen.contains(&"brueggers_relief"));
        assert!(seen.contains(&"thoracic_extension"));
        let mut seen = Vec::new();
        ids(lib, Need::RoundedShoulders, &mut seen, 4);
        for id in ["doorway_stretch", "chest_opener", "wall_angels"] {
            assert!(seen.contains(&id), "{id} never chosen: {seen:?}");
        }
    }

    #[test]
    fn choose_rotates_and_never_repeats_back_to_back() {
        let lib = library().unwrap();
        for need in [
            Need::ForwardHead,
            Need::RoundedShoulders,
            Need::Both,
            Need::LongSitting,
        ] {
            let mut history = Vec::new();
            ids(lib, need, &mut history, 12);
            for w in history.windows(2) {
                assert_ne!(w[0], w[1], "{need:?}: {history:?}");
            }
            for s in lib
                .iter()
                .filter(|s| s.targets.contains(&need.target()) && s.at_desk())
            {
                assert!(
                    history.contains(&s.id.as_str()),
                    "{need:?} never chose {}",
                    s.id
                );
            }
        }
    }

    #[test]
    fn choose_is_pure_and_ignores_unknown_history() {
        let lib = library().unwrap();
        let recent = ["nonsense", "chin_tucks", "chin_tucks"];
        let a = choose_from(lib, Need::ForwardHead, &recent).unwrap();
        let b = choose_from(lib, Need::ForwardHead, &recent).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.id, "brueggers_relief");
        // Everything shown: the one shown longest ago wins.
        let recent = ["brueggers_relief", "neck_rolls", "chin_tucks"];
        assert_eq!(
            choose_from(lib, Need::ForwardHead, &recent).unwrap().id,
            "brueggers_relief"
        );
    }

    #[test]
    fn choose_from_an_empty_library_is_none() {
        assert!(choose_from(&[], Need::Both, &[]).is_none());
    }

    #[test]
    fn table_lists_every_stretch_with_its_check() {
        let lib = library().unwrap();
        let t = format_table(lib);
        for s in lib {
            let row = t.lines().find(|l| l.starts_with(&s.id)).unwrap();
            let cols: Vec<&str> = row
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            assert_eq!(cols[0], s.id);
            assert_eq!(cols[1], s.name);
            assert_eq!(cols[2], s.dose_label());
            assert_eq!(cols[3], s.equipment.label());
            assert_eq!(cols[4], s.verify.camera().label());
            assert!(["yes", "if seen", "no"].contains(&cols[4]));
            assert!(cols[5].contains(s.targets[0].label()));
        }
        assert!(t.contains(SAFETY_LINE));
    }

    #[test]
    fn dose_labels() {
        assert_eq!(
            Dose::Reps {
                reps: 10,
                hold_s: 3.0
            }
            .label(),
            "10 reps, 3 s hold"
        );
        assert_eq!(
            Dose::Reps {
                reps: 5,
                hold_s: 0.0
            }
            .label(),
            "5 reps"
        );
        assert_eq!(Dose::Hold { seconds: 20.0 }.label(), "hold 20 s");
        assert_eq!(Dose::Hold { seconds: 2.5 }.label(), "hold 2.5 s");
    }
}
