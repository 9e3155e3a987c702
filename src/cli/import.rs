//! `hvsim import rvtools`: a VMware inventory export into a scenario.

use std::path::PathBuf;

use hvsim::import::{AppRule, ImportError, Options, SiteMap, emit, estate, rvtools::Inventory};

use super::Failure;
use super::output::{emit as print, note, save};

#[derive(clap::Args, Debug)]
pub(super) struct ImportArgs {
    #[command(subcommand)]
    source: Source,
}

#[derive(clap::Subcommand, Debug)]
enum Source {
    /// An RVTools export (`.xlsx` workbooks or folders of CSV tab exports)
    /// into a commented scenario that validates and runs (docs/import.md).
    #[command(after_help = super::examples::IMPORT)]
    Rvtools(RvtoolsArgs),
}

#[derive(clap::Args, Debug)]
struct RvtoolsArgs {
    /// RVTools workbooks (`.xlsx`) or folders of its CSV tab exports
    /// (`RVTools_tabvInfo.csv`, `RVTools_tabvHost.csv`, ...).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Write the scenario to this file (atomically) instead of stdout.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// A file of `datacenter,role` lines (role `primary` or `dr`). Without
    /// it, a datacenter with SRM placeholders, or with hosts and no VM in
    /// use, is the DR site.
    #[arg(long, value_name = "FILE")]
    site_map: Option<PathBuf>,
    /// How VMs become apps: `folder`, `vapp`, `annotation`,
    /// `attribute:NAME`, `regex:PATTERN` (its first capture group names
    /// the app) or `mapping:FILE.csv` (`vm,app,criticality,tags,depends_on`).
    /// Default: one app per VM.
    #[arg(long, value_name = "RULE")]
    apps: Option<String>,
    /// Keep powered-off and suspended VMs (left out by default).
    #[arg(long)]
    include_powered_off: bool,
    /// The defaults for what an inventory cannot know (work per method,
    /// team, backup, bug, objectives, strategies); see docs/import.md.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
}

fn input(e: ImportError) -> Failure {
    Failure::Input(e.to_string())
}

fn read_text(path: &PathBuf, what: &str) -> Result<String, Failure> {
    super::output::reads(path);
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::Input(format!("{what} {}: {e}", path.display())))?;
    if meta.len() > 16 * 1024 * 1024 {
        return Err(Failure::Input(format!(
            "{what} {}: over 16 MiB",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{what} {}: {e}", path.display())))
}

pub(super) fn import(args: ImportArgs) -> Result<(), Failure> {
    let Source::Rvtools(args) = args.source;
    for p in &args.paths {
        super::output::reads(p);
    }
    let mut options = Options {
        include_powered_off: args.include_powered_off,
        ..Options::default()
    };
    if let Some(rule) = &args.apps {
        options.apps = AppRule::parse(rule).map_err(input)?;
    }
    if let Some(path) = &args.site_map {
        let text = read_text(path, "site map")?;
        options.site_map = Some(SiteMap::parse(&text, &path.display().to_string()).map_err(input)?);
    }
    if let Some(path) = &args.template {
        options.template = Some((read_text(path, "template")?, path.display().to_string()));
    }
    let template = options.template().map_err(input)?;
    if let Some(out) = &args.out {
        super::output::check_output(out)?;
    }
    let mut inventory = Inventory::default();
    for path in &args.paths {
        inventory
            .add_path(path, options.attribute())
            .map_err(input)?;
    }
    let estate = estate::map(&inventory, &options).map_err(input)?;
    let command = command_line(&args);
    let yaml = emit::scenario(&estate, &template, &command).map_err(input)?;
    let name = args
        .out
        .as_ref()
        .map_or("scenario.yaml".to_string(), |p| p.display().to_string());
    // The file must validate before it is written: nothing half-usable.
    if let Err(e) = hvsim::scenario::load_str(&yaml, &name, hvsim::scenario::Format::Yaml) {
        let hint = if args.template.is_some() {
            "check the template's values, and the estate below"
        } else {
            "the estate as exported cannot run as it is: the errors name the apps, \
             hosts or sites; change the export or the site map (if they look right, \
             please report it)"
        };
        let written = match &args.out {
            Some(p) => format!("{} was not written", p.display()),
            None => "nothing was printed".to_string(),
        };
        return Err(Failure::Input(format!(
            "the imported scenario does not validate, so {written} ({hint}); \
             its lines as they would have been:\n{e}"
        )));
    }
    match &args.out {
        Some(path) => save(path, yaml.as_bytes(), "")?,
        None => print(&yaml)?,
    }
    let summary = emit::summary(&estate, &name);
    for line in summary.lines() {
        note(line);
    }
    Ok(())
}

/// The command line, for the file's header (paths as given).
fn command_line(args: &RvtoolsArgs) -> String {
    let mut s = String::from("hvsim import rvtools");
    for p in &args.paths {
        s.push(' ');
        s.push_str(&p.display().to_string());
    }
    if let Some(r) = &args.apps {
        s.push_str(&format!(" --apps {r}"));
    }
    if let Some(p) = &args.site_map {
        s.push_str(&format!(" --site-map {}", p.display()));
    }
    if args.include_powered_off {
        s.push_str(" --include-powered-off");
    }
    if let Some(p) = &args.template {
        s.push_str(&format!(" --template {}", p.display()));
    }
    s
}
