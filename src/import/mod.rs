//! `hvsim import rvtools`: a VMware inventory export (RVTools, as an
//! `.xlsx` workbook or a folder of CSV tabs) into a scenario that runs.
//!
//! Three steps, each a pure function but the reading:
//!
//! 1. [`rvtools`] reads the tabs (`vInfo`, `vHost`, and `vPartition` and
//!    `vDisk` when present) into an [`Inventory`](rvtools::Inventory),
//!    bounded and with located errors;
//! 2. [`estate::map`] turns it into an [`Estate`](estate::Estate): sites
//!    from datacenters, clusters, hosts, one build per ESX version and
//!    build, VMs grouped into apps by an [`AppRule`];
//! 3. [`emit::scenario`] writes the estate as a commented YAML scenario,
//!    with what the export cannot know taken from a
//!    [`Template`](template::Template) and marked `ASSUMPTION`.
//!
//! ```
//! use hvsim::import::{Options, estate, emit, rvtools::Inventory};
//! let mut inv = Inventory::default();
//! inv.add_csv_bytes(b"Host,Datacenter,Cluster,# Cores,# Memory,ESX Version\n\
//!     esx1,DC1,prod,32,524288,VMware ESXi 7.0.3 build-21930508\n", "vHost")?;
//! inv.add_csv_bytes(b"VM,Powerstate,CPUs,Memory,In Use MiB,Host\n\
//!     web01,poweredOn,2,8192,40960,esx1\n", "vInfo")?;
//! let options = Options::default();
//! let estate = estate::map(&inv, &options)?;
//! assert_eq!(estate.apps.len(), 1);
//! let yaml = emit::scenario(&estate, &options.template()?, "example")?;
//! let scenario = hvsim::scenario::load_str(&yaml, "x.yaml", hvsim::scenario::Format::Yaml)?;
//! assert_eq!(scenario.vms.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod emit;
pub mod estate;
pub mod rvtools;
pub mod template;

use std::collections::BTreeMap;

/// Something the import cannot use, said with where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A file that cannot be read as an export.
    #[error("{file}: {message}")]
    Read {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A tab that lacks a column, or is too big.
    #[error("{file}: tab {tab}: {message}")]
    Tab {
        /// The file.
        file: String,
        /// The tab.
        tab: String,
        /// What is wrong.
        message: String,
    },
    /// A cell that does not hold what it should.
    #[error("{file}: tab {tab}, row {row}, column `{column}`: {message}")]
    Cell {
        /// The file.
        file: String,
        /// The tab.
        tab: String,
        /// The row (1-based; the header is row 1).
        row: u64,
        /// The column's name.
        column: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A bad `--apps`, `--site-map`, mapping file or template.
    #[error("{message}")]
    Option {
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// How VMs are grouped into apps (`--apps`).
#[derive(Clone, Debug, Default)]
pub enum AppRule {
    /// One app per VM (the default).
    #[default]
    PerVm,
    /// One app per VM folder.
    Folder,
    /// One app per vApp.
    VApp,
    /// One app per value of the first capture group of a regular
    /// expression on the VM's name.
    Regex(regex::Regex),
    /// One app per annotation (its first line).
    Annotation,
    /// One app per value of a vInfo column (a custom attribute).
    Attribute(String),
    /// A mapping file: VM to app, with criticality, tags and dependencies.
    Mapping(Mapping),
}

/// One app of a mapping file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappedApp {
    /// Criticality (1 to 1000), if given.
    pub criticality: Option<u32>,
    /// Tags.
    pub tags: Vec<String>,
    /// The apps it depends on (names as in the file).
    pub depends_on: Vec<String>,
}

/// A mapping file (`vm,app,criticality,tags,depends_on`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The file, for messages.
    pub file: String,
    /// VM name to app name.
    pub vm_app: BTreeMap<String, String>,
    /// App name to what the file says of it.
    pub apps: BTreeMap<String, MappedApp>,
}

impl AppRule {
    /// Parses `folder`, `vapp`, `annotation`, `attribute:NAME`,
    /// `regex:PATTERN` or `mapping:FILE.csv` (the file is read).
    pub fn parse(text: &str) -> Result<AppRule, ImportError> {
        let bad = |m: String| ImportError::Option {
            message: format!("--apps {text}: {m}"),
        };
        Ok(match text {
            "vm" | "per-vm" => AppRule::PerVm,
            "folder" => AppRule::Folder,
            "vapp" => AppRule::VApp,
            "annotation" => AppRule::Annotation,
            _ => {
                if let Some(p) = text.strip_prefix("regex:") {
                    let re = regex::RegexBuilder::new(p)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| bad(format!("not a regular expression: {e}")))?;
                    if re.captures_len() < 2 {
                        return Err(bad("the pattern needs a capture group, like `^([a-z]+)-`: its text names the app".into()));
                    }
                    AppRule::Regex(re)
                } else if let Some(a) = text.strip_prefix("attribute:") {
                    AppRule::Attribute(a.to_string())
                } else if let Some(f) = text.strip_prefix("mapping:") {
                    let bytes =
                        std::fs::read(f).map_err(|e| bad(format!("cannot read {f}: {e}")))?;
                    AppRule::Mapping(Mapping::parse(&bytes, f)?)
                } else {
                    return Err(bad(
                        "expected `folder`, `vapp`, `annotation`, `attribute:NAME`, `regex:PATTERN` or `mapping:FILE.csv`".into(),
                    ));
                }
            }
        })
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', ' ', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

impl Mapping {
    /// Parses a mapping CSV: a header naming `vm` and `app`, and optionally
    /// `criticality`, `tags` and `depends_on` (lists separated by `;`).
    pub fn parse(bytes: &[u8], file: &str) -> Result<Mapping, ImportError> {
        let mut inv = MappingVisit {
            m: Mapping {
                file: file.to_string(),
                ..Mapping::default()
            },
            cols: None,
        };
        rvtools::read::read_csv(bytes, file, "mapping", &mut inv)?;
        Ok(inv.m)
    }
}

struct MappingVisit {
    m: Mapping,
    cols: Option<[Option<usize>; 5]>,
}

impl rvtools::read::Visit for MappingVisit {
    fn header(&mut self, tab: &rvtools::table::Tab) -> Result<(), ImportError> {
        self.cols = Some([
            Some(tab.require(&["vm"])?),
            Some(tab.require(&["app"])?),
            tab.find(&["criticality"]),
            tab.find(&["tags"]),
            tab.find(&["depends_on", "depends on", "dependencies"]),
        ]);
        Ok(())
    }

    fn row(&mut self, row: &rvtools::table::Row<'_>) -> Result<(), ImportError> {
        let Some([Some(vm), Some(app), crit, tags, deps]) = self.cols else {
            return Ok(());
        };
        if row.is_blank() {
            return Ok(());
        }
        let vm_name = row.name(vm, "a VM's name")?;
        let app_name = row.name(app, "the app's name")?;
        let criticality = row.whole_opt(crit, "a criticality from 1 to 1000", 1000)?;
        if criticality == Some(0) {
            return Err(row.tab.error(
                row.number,
                crit.unwrap_or(0),
                "expected a criticality from 1 to 1000, got 0",
            ));
        }
        if let Some(prev) = self.m.vm_app.insert(vm_name.clone(), app_name.clone())
            && prev != app_name
        {
            return Err(row.tab.error(
                row.number,
                vm,
                format!("VM `{vm_name}` is mapped to `{prev}` above and to `{app_name}` here"),
            ));
        }
        let entry = self.m.apps.entry(app_name).or_default();
        if let Some(c) = criticality {
            entry.criticality = Some(entry.criticality.map_or(c as u32, |e| e.max(c as u32)));
        }
        for t in split_list(&row.text(tags)) {
            if !entry.tags.contains(&t) {
                entry.tags.push(t);
            }
        }
        for d in split_list(&row.text(deps)) {
            if !entry.depends_on.contains(&d) {
                entry.depends_on.push(d);
            }
        }
        Ok(())
    }
}

/// Which datacenters are primary and which DR (`--site-map`): lines
/// `datacenter,role` with role `primary` or `dr`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteMap {
    /// The file, for messages.
    pub file: String,
    /// Datacenter name to "is DR".
    pub dr: BTreeMap<String, bool>,
}

impl SiteMap {
    /// Parses a site map.
    pub fn parse(text: &str, file: &str) -> Result<SiteMap, ImportError> {
        let mut map = SiteMap {
            file: file.to_string(),
            ..SiteMap::default()
        };
        // Per datacenter, its line and role.
        let mut lines: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |m: String| ImportError::Option {
                message: format!("{file}:{}: {m}", i + 1),
            };
            let (dc, role) = line.rsplit_once([',', ';', '\t']).ok_or_else(|| {
                bad(format!(
                    "expected `datacenter,role` (role `primary` or `dr`), got `{line}`"
                ))
            })?;
            let dr = match role.trim().to_ascii_lowercase().as_str() {
                "dr" => true,
                "primary" => false,
                "role" if i == 0 => continue,
                other => {
                    return Err(bad(format!(
                        "unknown role `{other}`: expected `primary` or `dr`"
                    )));
                }
            };
            let dc = dc.trim().trim_matches('"').to_string();
            if let Some(&(first, _)) = lines.get(&dc) {
                return Err(bad(format!(
                    "datacenter `{dc}` is listed twice (first on line {first}): give each datacenter one role"
                )));
            }
            lines.insert(dc.clone(), (i + 1, dr));
            map.dr.insert(dc, dr);
        }
        if !map.dr.is_empty() && map.dr.values().all(|&dr| dr) {
            return Err(ImportError::Option {
                message: format!(
                    "{file}: every datacenter is `dr`: mark the one whose VMs fail `primary`"
                ),
            });
        }
        let drs: Vec<&str> = map
            .dr
            .iter()
            .filter(|(_, dr)| **dr)
            .map(|(dc, _)| dc.as_str())
            .collect();
        if drs.len() > 1 {
            let (first, _) = lines[drs[1]];
            return Err(ImportError::Option {
                message: format!(
                    "{file}:{first}: {} datacenters are `dr` ({}): the import recovers at one DR site; mark one `dr` and the others `primary`",
                    drs.len(),
                    drs.join(", ")
                ),
            });
        }
        Ok(map)
    }
}

/// What the import is asked to do, beyond the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// How VMs become apps.
    pub apps: AppRule,
    /// Primary and DR datacenters (default: see [`estate::map`]).
    pub site_map: Option<SiteMap>,
    /// Keep powered-off and suspended VMs.
    pub include_powered_off: bool,
    /// The template's text and name (default: the built-in one).
    pub template: Option<(String, String)>,
}

impl Options {
    /// The template to use.
    pub fn template(&self) -> Result<template::Template, ImportError> {
        match &self.template {
            Some((text, file)) => template::Template::parse(text, file),
            None => template::Template::built_in(),
        }
    }

    /// The vInfo column the `attribute:` rule reads, if that is the rule.
    pub fn attribute(&self) -> Option<&str> {
        match &self.apps {
            AppRule::Attribute(a) => Some(a),
            _ => None,
        }
    }
}
