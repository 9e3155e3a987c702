//! The staff section: `teams`, their members, `shifts` (rotations with
//! head counts), `holidays`, `skills` and `absence`, turned into each
//! team's roster of who is on duty when.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::ctx::{Ctx, parse_method};
use super::frame::Frame;
use crate::model::{Join, Method, Team, TeamId};
use crate::scenario::FieldPath;
use crate::scenario::raw::{ScenarioFile, TeamFile};
use crate::sim::{HolidaySpec, Roster, ShiftSpec};

/// The resolved teams.
pub(super) struct Staff {
    /// The teams whose roster could be built, in file order.
    pub(super) teams: Vec<Team>,
    /// Team ids.
    pub(super) team_ids: BTreeMap<String, TeamId>,
    /// Teams whose `skills` had a mistake, already reported: what they can
    /// do is unknown, so no strategy is said to lack their skills.
    pub(super) unreadable_skills: Vec<TeamId>,
}

impl Staff {
    /// Reads `teams`.
    pub(super) fn resolve(
        ctx: &mut Ctx,
        root: &FieldPath,
        raw: &ScenarioFile,
        frame: &Frame,
    ) -> Staff {
        let mut staff = Staff {
            teams: Vec::new(),
            team_ids: BTreeMap::new(),
            unreadable_skills: Vec::new(),
        };
        let mut seen = BTreeMap::new();
        for (i, t) in raw.teams.iter().enumerate() {
            let p = root.key("teams").index(i);
            ctx.id(&p.key("id"), &t.id, &mut seen, "team");
            staff.add(ctx, &p, t, frame);
        }
        if raw.teams.is_empty() {
            ctx.err(
                &root.key("teams"),
                "declare at least one team: recovery is done by people",
            );
        }
        staff
    }

    /// Reads one team at `p`, after its id. A team without a roster (a
    /// mistake in its shifts, already reported) gets an id but no place in
    /// `teams`.
    fn add(&mut self, ctx: &mut Ctx, p: &FieldPath, t: &TeamFile, frame: &Frame) {
        if t.members == 0 || t.members > 10_000 {
            ctx.err(
                &p.key("members"),
                format!("a team has between 1 and 10000 members, got {}", t.members),
            );
        }
        if t.shifts.is_empty() {
            ctx.err(
                &p.key("shifts"),
                "a team needs at least one shift, like `24/7` or `Mon-Fri 08:00-18:00`: a team never on duty restores nothing",
            );
        }
        let mut shifts = Vec::new();
        for (k, s) in t.shifts.iter().enumerate() {
            match parse_shift(s, t.members) {
                Ok(s) => shifts.push(s),
                Err(e) => ctx.err(&p.key("shifts").index(k), e),
            }
        }
        let holidays = resolve_holidays(ctx, p, t);
        let roster = match (&frame.tz, frame.start, frame.horizon) {
            (Some(tz), Some(start), Some(horizon)) => {
                match Roster::build(
                    tz,
                    start,
                    horizon,
                    t.members.clamp(1, 10_000),
                    &shifts,
                    &holidays,
                ) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        ctx.err(&p.key("shifts"), e.to_string());
                        None
                    }
                }
            }
            _ => None,
        };
        let joins = resolve_joins(ctx, p, t, frame);
        let roster = roster.and_then(|r| match Join::apply(r, &joins) {
            Ok(r) => Some(r),
            Err(e) => {
                ctx.err(&p.key("joins"), e.to_string());
                None
            }
        });
        let skills = self.resolve_skills(ctx, p, t);
        self.team_ids
            .insert(t.id.clone(), TeamId(self.teams.len() as u32));
        if let Some(roster) = roster {
            let absence = ctx.probability(&p.key("absence"), t.absence, 0.0);
            if absence >= 1.0 {
                ctx.err(
                    &p.key("absence"),
                    "an absence probability of 1 means nobody ever works: give the daily probability that a member is ill, below 1",
                );
            }
            self.teams.push(Team {
                id: t.id.clone(),
                roster,
                shifts: shifts.clone(),
                holidays: holidays.clone(),
                absence,
                skills,
                joins,
            });
        }
    }

    /// Reads a team's `skills` (by default: every method).
    fn resolve_skills(&mut self, ctx: &mut Ctx, p: &FieldPath, t: &TeamFile) -> Vec<Method> {
        match &t.skills {
            None => Method::ALL.to_vec(),
            Some(list) => {
                if list.is_empty() {
                    ctx.err(
                        &p.key("skills"),
                        format!(
                            "list at least one method the team can carry out: {}",
                            Method::expected()
                        ),
                    );
                }
                let skills: Vec<Method> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(k, m)| parse_method(ctx, &p.key("skills").index(k), m, "skill"))
                    .collect();
                if list.is_empty() || skills.len() < list.len() {
                    self.unreadable_skills.push(TeamId(self.teams.len() as u32));
                }
                skills
            }
        }
    }
}

/// Reads a team's `joins`: each brings between 1 and all of its members
/// at a date within the horizon, and together they bring at most the
/// team's size (the joiners are counted in `members`).
fn resolve_joins(ctx: &mut Ctx, p: &FieldPath, t: &TeamFile, frame: &Frame) -> Vec<Join> {
    let mut joins = Vec::new();
    let mut total: u64 = 0;
    for (k, j) in t.joins.iter().enumerate() {
        let jp = p.key("joins").index(k);
        if j.members == 0 {
            ctx.err(
                &jp.key("members"),
                "members must be at least 1: a join brings someone",
            );
        }
        let before = total;
        total += u64::from(j.members);
        // Said once, at the join that goes past the team's size.
        if before <= u64::from(t.members) && total > u64::from(t.members) {
            ctx.err(
                &jp.key("members"),
                format!(
                    "the joins bring {total} members, more than the team's {}: count those who join in the team's `members` (its size at the end)",
                    t.members
                ),
            );
        }
        if let Some(at) = frame.to_sim(ctx, &jp.key("at"), &j.at)
            && j.members > 0
        {
            joins.push(Join {
                at,
                members: j.members,
            });
        }
    }
    joins
}

/// Reads a team's `holidays`: local dates on which at most `members` work.
fn resolve_holidays(ctx: &mut Ctx, p: &FieldPath, t: &TeamFile) -> Vec<HolidaySpec> {
    let mut holidays = Vec::new();
    for (k, h) in t.holidays.iter().enumerate() {
        let hp = p.key("holidays").index(k);
        match h.date.trim().parse::<Date>() {
            Ok(date) => {
                let members = h.members.unwrap_or(0);
                if members > t.members {
                    ctx.err(
                        &hp.key("members"),
                        format!(
                            "{members} members on duty is more than the team's {}",
                            t.members
                        ),
                    );
                }
                holidays.push(HolidaySpec { date, members });
            }
            Err(_) => ctx.err(
                &hp.key("date"),
                format!("expected a date like `2018-12-25`, got `{}`", h.date),
            ),
        }
    }
    holidays
}

/// A shift, optionally followed by how many of the team's members are on
/// duty in it: `daily 22:00-06:00 x2` (default: the whole team). Rotations
/// are several such shifts.
fn parse_shift(text: &str, team_members: u32) -> Result<ShiftSpec, String> {
    let t = text.trim();
    let (body, members) = match t.rsplit_once(' ') {
        Some((body, last)) if last.starts_with(['x', '×']) => {
            let n = last.trim_start_matches(['x', '×']);
            match n.parse::<u32>() {
                Ok(n) if n >= 1 && n <= team_members => (body, Some(n)),
                _ => {
                    return Err(format!(
                        "`{last}` in shift `{text}`: expected `xN`, the members on duty, from 1 to the team's {team_members}"
                    ));
                }
            }
        }
        _ => (t, None),
    };
    let mut spec = ShiftSpec::parse(body).map_err(|e| e.to_string())?;
    spec.members = members;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_take_an_optional_head_count() {
        assert_eq!(
            parse_shift("daily 22:00-06:00 x2", 6).map(|s| s.members),
            Ok(Some(2))
        );
        assert_eq!(
            parse_shift("Mon-Fri 08:00-18:00", 6).map(|s| s.members),
            Ok(None)
        );
        assert_eq!(parse_shift("24/7 x1", 6).map(|s| s.members), Ok(Some(1)));
        let err = parse_shift("daily 08:00-20:00 x9", 6).expect_err("too many");
        assert_eq!(
            err,
            "`x9` in shift `daily 08:00-20:00 x9`: expected `xN`, the members on duty, from 1 to the team's 6"
        );
        assert!(parse_shift("daily 08:00-20:00 x0", 6).is_err());
    }
}
