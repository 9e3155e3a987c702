//! `hvsim gen`: synthetic estates for benchmarks and scale tests.
//!
//! Writes a valid, commented YAML scenario of any size: sites, clusters of
//! hosts on two hypervisor builds, one bug that strikes every host of one
//! build, apps with VMs and random (acyclic) dependencies, teams on
//! several shift patterns, and strategies. The text is a pure function of
//! [`GenParams`]: the same parameters and seed give the same bytes.
//!
//! ```
//! use hvsim::r#gen::{GenParams, generate};
//! let params = GenParams { apps: 50, hosts: 10, dr_hosts: 2, ..GenParams::default() };
//! let yaml = generate(&params)?;
//! let scenario = hvsim::scenario::load_str(&yaml, "gen", hvsim::scenario::Format::Yaml)?;
//! assert_eq!(scenario.apps.len(), 50);
//! assert_eq!(scenario.vms.len(), 500);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::scenario::MAX_FILE_BYTES;

/// Most apps (and VMs) a generated scenario may have: the loader's limit
/// on entities.
pub const MAX_GENERATED: u64 = 1_000_000;

/// Hosts per cluster: the scope of HA and of placement.
const CLUSTER_SIZE: u32 = 32;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenParams {
    /// Applications.
    pub apps: u32,
    /// VMs per application.
    pub vms_per_app: u32,
    /// Hosts in all, DR hosts included.
    pub hosts: u32,
    /// Of the hosts, how many are at a DR site (0: no DR site, so no
    /// reinstall; apps whose VMs are corrupted then stay down).
    pub dr_hosts: u32,
    /// Teams.
    pub teams: u32,
    /// Engineers per team.
    pub members: u32,
    /// Mean number of apps each app depends on (apps after the first 1 %,
    /// the infrastructure tier, which depends on nothing).
    pub deps: f64,
    /// Probability that the bug corrupts each VM of a crashed host.
    pub corrupt_vm: f64,
    /// Seed of the generator: same seed, same file.
    pub seed: u64,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            apps: 10_000,
            vms_per_app: 10,
            hosts: 2_000,
            dr_hosts: 0,
            teams: 10,
            members: 5,
            deps: 2.0,
            corrupt_vm: 0.02,
            seed: 1,
        }
    }
}

/// Parameters that cannot make a valid scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GenError(String);

impl GenParams {
    /// The command line that generates this file, for its header.
    pub fn command(&self) -> String {
        format!(
            "hvsim gen --apps {} --vms-per-app {} --hosts {} --dr-hosts {} --teams {} --members {} --deps {} --corrupt-vm {} --seed {}",
            self.apps,
            self.vms_per_app,
            self.hosts,
            self.dr_hosts,
            self.teams,
            self.members,
            self.deps,
            self.corrupt_vm,
            self.seed
        )
    }

    fn check(&self) -> Result<(), GenError> {
        let err = |m: String| Err(GenError(m));
        if self.apps == 0 || self.vms_per_app == 0 || self.teams == 0 || self.members == 0 {
            return err("--apps, --vms-per-app, --teams and --members must be at least 1".into());
        }
        let vms = u64::from(self.apps) * u64::from(self.vms_per_app);
        if vms > MAX_GENERATED {
            return err(format!(
                "{} apps × {} VMs is {vms} VMs, over the limit of {MAX_GENERATED}: fewer apps or VMs per app",
                self.apps, self.vms_per_app
            ));
        }
        if self.dr_hosts >= self.hosts {
            return err(format!(
                "--dr-hosts ({}) must be less than --hosts ({}): the primary site needs hosts",
                self.dr_hosts, self.hosts
            ));
        }
        if u64::from(self.hosts) > MAX_GENERATED {
            return err(format!("--hosts is over the limit of {MAX_GENERATED}"));
        }
        if !(0.0..=100.0).contains(&self.deps) {
            return err(format!(
                "--deps must be between 0 and 100, got {}",
                self.deps
            ));
        }
        if !(0.0..=1.0).contains(&self.corrupt_vm) {
            return err(format!(
                "--corrupt-vm is a probability between 0 and 1, got {}",
                self.corrupt_vm
            ));
        }
        Ok(())
    }
}

/// VM sizes (cores, memory in GiB), drawn uniformly.
/// The most virtual CPUs per core a site may have (the loader's limit).
const MAX_VCPU_PER_CORE: u64 = 64;

const VM_SIZES: [(u32, u64); 3] = [(2, 4), (4, 8), (8, 16)];
/// Reinstall effort classes: small, medium and large apps.
const REINSTALL: [&str; 3] = [
    "lognormal(mean=2h, sd=1h)",
    "lognormal(mean=4h, sd=2h)",
    "lognormal(mean=8h, sd=4h)",
];
/// Shift patterns, given to teams in turn.
const SHIFTS: [&str; 3] = [
    r#"["24/7"]"#,
    r#"["Mon-Fri 08:00-18:00"]"#,
    r#"["daily 06:00-14:00", "daily 14:00-22:00", "daily 22:00-06:00 x1"]"#,
];

/// One generated app, drawn before anything is written: host memory is
/// sized from what the apps need.
struct AppDraw {
    size: usize,
    effort: usize,
    criticality: u32,
    deps: Vec<u32>,
}

/// The shape of the estate derived from `params`: sites, clusters and the
/// host sizes that fit the drawn apps.
struct Layout {
    primary: u32,
    clusters: u32,
    dr_clusters: u32,
    /// Digits of cluster numbers and of app numbers.
    cw: usize,
    aw: usize,
    host_gib: u64,
    vcpu_per_core: u64,
}

impl Layout {
    fn app_name(&self, i: u32) -> String {
        format!("app-{:0aw$}", i + 1, aw = self.aw)
    }
}

/// The scenario text for `params`.
pub fn generate(params: &GenParams) -> Result<String, GenError> {
    params.check()?;
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let primary = params.hosts - params.dr_hosts;
    let clusters = primary.div_ceil(CLUSTER_SIZE);
    let dr_clusters = params.dr_hosts.div_ceil(CLUSTER_SIZE);
    let width = |n: u32| n.to_string().len().max(2);
    let (apps, host_gib, vcpu_per_core) = draw_apps(params, &mut rng, primary, clusters);
    if vcpu_per_core > MAX_VCPU_PER_CORE {
        // Past the sites' limit the clusters would be full: the scenario
        // would not validate. Enough primary hosts at the limit, then.
        return Err(GenError(format!(
            "{} apps of {} VMs need more virtual CPUs than {primary} primary hosts of 64 cores can run (at {MAX_VCPU_PER_CORE} per core, the limit): give --hosts {} or more",
            params.apps,
            params.vms_per_app,
            hosts_enough(params, vcpu_per_core)
        )));
    }
    let layout = Layout {
        primary,
        clusters,
        dr_clusters,
        cw: width(clusters.max(dr_clusters)),
        aw: width(params.apps),
        host_gib,
        vcpu_per_core,
    };
    let mut y = String::with_capacity(params.apps as usize * 200 + 4096);
    write_header(&mut y, params, &layout);
    y.push('\n');
    write_infrastructure(&mut y, params, &layout);
    write_apps(&mut y, params, &layout, &apps);
    write_staff_and_strategies(&mut y, params);
    if y.len() as u64 > MAX_FILE_BYTES {
        return Err(GenError(format!(
            "the scenario would be {} bytes, over the loader's limit of {MAX_FILE_BYTES}: fewer apps",
            y.len()
        )));
    }
    Ok(y)
}

/// The fewest hosts, from an estimate up, with which `params`' apps fit
/// under the vCPU limit (`vcpu_per_core`: what `params.hosts` needs). The
/// apps are drawn again for each count tried, as `generate` would.
fn hosts_enough(params: &GenParams, vcpu_per_core: u64) -> u64 {
    let primary = u64::from(params.hosts - params.dr_hosts);
    let mut hosts =
        (primary * vcpu_per_core).div_ceil(MAX_VCPU_PER_CORE) + u64::from(params.dr_hosts);
    loop {
        let Ok(h) = u32::try_from(hosts) else {
            return hosts;
        };
        let primary = h - params.dr_hosts;
        let clusters = primary.div_ceil(CLUSTER_SIZE);
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let tried = GenParams {
            hosts: h,
            ..params.clone()
        };
        if draw_apps(&tried, &mut rng, primary, clusters).2 <= MAX_VCPU_PER_CORE {
            return hosts;
        }
        hosts += 1;
    }
}

/// Draws every app (size, reinstall effort, criticality, dependencies),
/// then sizes the hosts: `(apps, host memory in GiB, vCPUs per core)`.
fn draw_apps(
    params: &GenParams,
    rng: &mut ChaCha8Rng,
    primary: u32,
    clusters: u32,
) -> (Vec<AppDraw>, u64, u64) {
    let infra = (params.apps / 100).max(1);
    let mut apps = Vec::with_capacity(params.apps as usize);
    let mut vm_gib_per_cluster = vec![0u64; clusters as usize];
    let mut vm_cores_per_cluster = vec![0u64; clusters as usize];
    for i in 0..params.apps {
        let size = rng.random_range(0..VM_SIZES.len());
        let effort = rng.random_range(0..REINSTALL.len());
        let criticality = if i < infra {
            10
        } else {
            rng.random_range(1..=8)
        };
        let mut deps = Vec::new();
        if i >= infra {
            let whole = params.deps.floor();
            let n = whole as u32 + u32::from(rng.random::<f64>() < params.deps - whole);
            for _ in 0..n.min(i) {
                // Half the dependencies on the infrastructure tier, half on
                // any earlier app: earlier only, so the graph is acyclic.
                let d = if rng.random::<bool>() {
                    rng.random_range(0..infra)
                } else {
                    rng.random_range(0..i)
                };
                if !deps.contains(&d) {
                    deps.push(d);
                }
            }
            deps.sort_unstable();
        }
        vm_gib_per_cluster[(i % clusters) as usize] +=
            VM_SIZES[size].1 * u64::from(params.vms_per_app);
        vm_cores_per_cluster[(i % clusters) as usize] +=
            u64::from(VM_SIZES[size].0) * u64::from(params.vms_per_app);
        apps.push(AppDraw {
            size,
            effort,
            criticality,
            deps,
        });
    }
    // Room for every VM with a third to spare on the fullest cluster's
    // hosts, in whole 64 GiB steps (512 GiB at least).
    let fullest = vm_gib_per_cluster.iter().copied().max().unwrap_or(0);
    let smallest = u64::from(primary / clusters);
    let host_gib = ((fullest * 4 / 3).div_ceil(smallest) + 16)
        .div_ceil(64)
        .max(8)
        * 64;
    // Virtual CPUs per core: enough for the busiest cluster, with a third
    // to spare (at least the default 4, at most the limit of 64).
    let busiest = vm_cores_per_cluster.iter().copied().max().unwrap_or(0);
    let vcpu_per_core = (busiest * 4 / 3).div_ceil(smallest * 64).max(4);
    (apps, host_gib, vcpu_per_core)
}

/// The comment block that says what the file is and how it was made.
fn write_header(w: &mut String, params: &GenParams, layout: &Layout) {
    let _ = writeln!(
        w,
        "# Synthetic estate generated by `hvsim gen` (hvsim {}):",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(w, "#   {}", params.command());
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# {} apps with {} VMs each ({} VMs), {} hosts ({} at the primary site in {} cluster(s){}),",
        params.apps,
        params.vms_per_app,
        u64::from(params.apps) * u64::from(params.vms_per_app),
        params.hosts,
        layout.primary,
        layout.clusters,
        if params.dr_hosts > 0 {
            format!(", {} at the DR site", params.dr_hosts)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        w,
        "# {} teams of {}. Every number is made up: it is a load for benchmarks and",
        params.teams, params.members
    );
    let _ = writeln!(
        w,
        "# scale tests, not a model of a real estate. Regenerate rather than edit."
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Clusters alternate between two hypervisor builds; one bug strikes every"
    );
    let _ = writeln!(
        w,
        "# host on the first build on the second day, corrupting some VMs. The first"
    );
    let _ = writeln!(
        w,
        "# 1 % of apps are infrastructure (criticality 10, no dependencies); every"
    );
    let _ = writeln!(
        w,
        "# other app depends on about {} earlier apps, half of them infrastructure.",
        params.deps
    );
}

/// The run settings, builds, sites, clusters, hosts and the bug.
fn write_infrastructure(w: &mut String, params: &GenParams, layout: &Layout) {
    let Layout {
        clusters,
        dr_clusters,
        cw,
        host_gib,
        vcpu_per_core,
        ..
    } = *layout;
    let _ = writeln!(
        w,
        "name: synthetic estate, {} apps (seed {})",
        params.apps, params.seed
    );
    let _ = writeln!(w, "time_zone: UTC");
    let _ = writeln!(w, "start: 2026-01-05 00:00");
    let _ = writeln!(w, "horizon: 90d");
    let _ = writeln!(w, "limits: {{ max_events: {} }}", 100_000_000u64);
    let _ = writeln!(w, "\nbuilds:");
    let _ = writeln!(w, "  - {{ id: build-a, reboot: \"pert(10m, 15m, 30m)\" }}");
    let _ = writeln!(w, "  - {{ id: build-b, reboot: \"pert(10m, 15m, 30m)\" }}");
    let _ = writeln!(
        w,
        "\nsites:\n  - {{ id: primary, vcpu_per_core: {vcpu_per_core} }}"
    );
    if params.dr_hosts > 0 {
        let _ = writeln!(
            w,
            "  - {{ id: dr, role: dr, vcpu_per_core: {vcpu_per_core} }}"
        );
    }
    let _ = writeln!(w, "\nclusters:");
    for c in 0..clusters {
        let _ = writeln!(w, "  - {{ id: c-{:0cw$}, site: primary }}", c + 1);
    }
    for c in 0..dr_clusters {
        let _ = writeln!(w, "  - {{ id: dr-{:0cw$}, site: dr }}", c + 1);
    }
    let _ = writeln!(w, "\nhosts:");
    // Hosts spread evenly over clusters: the first `total % parts` get one more.
    let group = |w: &mut String, prefix: &str, c: u32, parts: u32, total: u32, build: &str| {
        let n = total / parts + u32::from(c < total % parts);
        let _ = writeln!(
            w,
            "  - {{ id: {prefix}h{:0cw$}, count: {n}, cluster: {prefix}{:0cw$}, build: {build}, cores: 64, memory: {host_gib}GiB }}",
            c + 1,
            c + 1
        );
    };
    for c in 0..clusters {
        let build = if c % 2 == 0 { "build-a" } else { "build-b" };
        group(w, "c-", c, clusters, layout.primary, build);
    }
    for c in 0..dr_clusters {
        group(w, "dr-", c, dr_clusters, params.dr_hosts, "build-b");
    }
    let _ = writeln!(w, "\nbugs:");
    let _ = writeln!(w, "  - id: strike");
    let _ = writeln!(w, "    builds: [build-a]");
    let _ = writeln!(w, "    trigger: {{ at: 2026-01-06 02:00 }}");
    let _ = writeln!(
        w,
        "    effects: {{ crash: true, corrupt_vm: {} }}",
        params.corrupt_vm
    );
}

/// Every app with its VMs, dependencies and work.
fn write_apps(w: &mut String, params: &GenParams, layout: &Layout, apps: &[AppDraw]) {
    let cw = layout.cw;
    let _ = writeln!(w, "\napps:");
    for (i, a) in apps.iter().enumerate() {
        let i = i as u32;
        let (cores, gib) = VM_SIZES[a.size];
        let _ = writeln!(w, "  - id: {}", layout.app_name(i));
        let _ = writeln!(w, "    criticality: {}", a.criticality);
        if !a.deps.is_empty() {
            let names: Vec<String> = a.deps.iter().map(|&d| layout.app_name(d)).collect();
            let _ = writeln!(w, "    depends_on: [{}]", names.join(", "));
        }
        let _ = writeln!(
            w,
            "    vms: [{{ count: {}, cluster: c-{:0cw$}, cores: {cores}, memory: {gib}GiB }}]",
            params.vms_per_app,
            i % layout.clusters + 1
        );
        let _ = write!(w, "    work: {{ restart: \"pert(10m, 20m, 1h)\"");
        if params.dr_hosts > 0 {
            let _ = write!(w, ", reinstall: \"{}\"", REINSTALL[a.effort]);
        }
        let _ = writeln!(w, " }}");
    }
}

/// The teams and the three strategies (one per order).
fn write_staff_and_strategies(w: &mut String, params: &GenParams) {
    let _ = writeln!(w, "\nteams:");
    for t in 0..params.teams {
        let _ = writeln!(
            w,
            "  - {{ id: team-{:02}, members: {}, shifts: {} }}",
            t + 1,
            params.members,
            SHIFTS[t as usize % SHIFTS.len()]
        );
    }
    let methods = if params.dr_hosts > 0 {
        "[restart, reinstall]"
    } else {
        "[restart]"
    };
    let _ = writeln!(w, "\nstrategies:");
    for (id, order) in [
        ("restore-fifo", "fifo"),
        ("restore-by-criticality", "criticality"),
        ("restore-dependency-aware", "dependency-aware"),
    ] {
        let _ = writeln!(w, "  - id: {id}");
        let _ = writeln!(w, "    detection: exp(30m)");
        let _ = writeln!(w, "    diagnosis: \"pert(1h, 2h, 6h)\"");
        let _ = writeln!(w, "    methods: {methods}");
        let _ = writeln!(w, "    order: {order}");
    }
    let _ = writeln!(w, "default_strategy: restore-fifo");
}
