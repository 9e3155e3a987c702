//! The template of what an inventory cannot know: work per method, the
//! team, backup, replication, a bug, objectives and strategies. The
//! built-in one is `src/import/template.yaml`; `--template FILE` reads
//! another of the same form.

use serde::Deserialize;

use super::ImportError;

/// The built-in template's text.
pub const BUILT_IN: &str = include_str!("template.yaml");

/// Work per recovery method (distributions, like `pert(1h, 2h, 4h)`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// Restart once the hosts are up.
    pub restart: String,
    /// HA restart on another host of the cluster.
    #[serde(rename = "ha-restart")]
    pub ha_restart: String,
    /// Restore setup at the DR site.
    pub restore: String,
    /// Failover to the replica.
    pub failover: String,
    /// Reinstall by hand at the DR site.
    pub reinstall: String,
}

/// The assumed bug.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bug {
    /// When it strikes (a local date-time).
    pub at: String,
    /// Probability that it corrupts each VM of a crashed host.
    pub corrupt_vm: f64,
    /// Delay to a recurrence after a restart (optional).
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Delay to the vendor's fix (`never` for none).
    pub fix: String,
}

/// The assumed team.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Engineers.
    pub members: u32,
    /// Shifts, like `daily 08:00-20:00`.
    pub shifts: Vec<String>,
}

/// The assumed backup.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Total restore throughput.
    pub throughput: String,
    /// Parallel restores.
    pub streams: u32,
    /// Period.
    pub every: String,
    /// A completed backup's local date-time.
    pub at: String,
}

/// The assumed replication.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// The replica's lag at a failover.
    pub lag: String,
}

/// An objective.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Its name.
    pub name: String,
    /// Tags it selects.
    pub tags: Vec<String>,
    /// RTO.
    #[serde(default)]
    pub rto: Option<String>,
    /// RPO.
    #[serde(default)]
    pub rpo: Option<String>,
}

/// A strategy.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// Its id.
    pub id: String,
    /// What it does.
    pub description: String,
    /// Methods, in order of preference.
    pub methods: Vec<String>,
    /// Order of the queues.
    pub order: String,
    /// Restart despite a bug that may recur.
    #[serde(default)]
    pub restart_despite_recurrence: bool,
}

/// The whole template.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// IANA time zone.
    pub time_zone: String,
    /// Start, local.
    pub start: String,
    /// Horizon.
    pub horizon: String,
    /// Host reboot time.
    pub reboot: String,
    /// Work per method.
    pub work: Work,
    /// The bug.
    pub bug: Bug,
    /// The team.
    pub team: Team,
    /// The backup.
    pub backup: Backup,
    /// The replication.
    pub replication: Replication,
    /// Detection delay.
    pub detection: String,
    /// Diagnosis delay.
    pub diagnosis: String,
    /// Objectives.
    pub objectives: Vec<Objective>,
    /// Strategies.
    pub strategies: Vec<Strategy>,
}

impl Template {
    /// Parses a template; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Template, ImportError> {
        serde_saphyr::from_str(text).map_err(|e| ImportError::Option {
            message: format!("template {file}: {e}"),
        })
    }

    /// The built-in template.
    pub fn built_in() -> Result<Template, ImportError> {
        Template::parse(BUILT_IN, "(built in)")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_template_parses() {
        let t = super::Template::built_in().unwrap();
        assert_eq!(t.strategies.len(), 4);
        assert_eq!(t.team.members, 4);
    }
}
