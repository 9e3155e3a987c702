//! RVTools exports: the tabs and columns the import reads, and the rows
//! they give ([`Inventory`]), from workbooks and folders of CSV tabs.
//!
//! Column names vary across RVTools versions; each field accepts the
//! names in its `columns` module (the table in `docs/import.md`), compared without
//! regard to case, spaces or `_`. A required column that is missing is an
//! error naming it; optional ones are used when present.

pub(crate) mod read;
pub(crate) mod table;

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

use super::ImportError;
use read::Visit;
use table::{Row, Tab};

/// The accepted names of each column the import reads.
pub(crate) mod columns {
    /// vInfo: the VM's name.
    pub const VM: &[&str] = &["VM", "VM Name", "Name"];
    /// vInfo: power state (`poweredOn`, `poweredOff`, `suspended`).
    pub const POWER: &[&str] = &["Powerstate", "Power State", "Power"];
    /// vInfo: a template (`True`/`False`).
    pub const TEMPLATE: &[&str] = &["Template"];
    /// vInfo: an SRM placeholder (`True`/`False`).
    pub const SRM_PLACEHOLDER: &[&str] = &["SRM Placeholder", "SRM placeholder VM"];
    /// vInfo: virtual CPUs.
    pub const CPUS: &[&str] = &["CPUs", "Num CPU", "vCPUs", "# CPU"];
    /// vInfo: configured memory in MiB.
    pub const MEMORY: &[&str] = &["Memory", "Memory MiB", "Memory MB"];
    /// vInfo: provisioned storage in MiB.
    pub const PROVISIONED: &[&str] = &["Provisioned MiB", "Provisioned MB"];
    /// vInfo: storage in use in MiB.
    pub const IN_USE: &[&str] = &["In Use MiB", "In Use MB", "InUse MiB"];
    /// vInfo and vHost: the datacenter.
    pub const DATACENTER: &[&str] = &["Datacenter", "Data Center"];
    /// vInfo and vHost: the cluster (empty for a standalone host).
    pub const CLUSTER: &[&str] = &["Cluster", "Cluster Name"];
    /// vInfo and vHost: the host.
    pub const HOST: &[&str] = &["Host", "Host Name", "ESX Host"];
    /// vInfo: the guest OS.
    pub const OS: &[&str] = &[
        "OS according to the configuration file",
        "OS according to the VMware Tools",
        "OS",
        "Guest OS",
    ];
    /// vInfo: the VM's folder.
    pub const FOLDER: &[&str] = &["Folder", "Folder Path"];
    /// vInfo: the vApp it belongs to.
    pub const VAPP: &[&str] = &["vApp", "VApp"];
    /// vInfo: the annotation (notes).
    pub const ANNOTATION: &[&str] = &["Annotation", "Notes"];
    /// vInfo: HA restart priority (`Disabled`, `Low`, `Medium`, `High`, ...).
    pub const HA: &[&str] = &["HA Restart Priority", "Das protection", "DAS Protection"];
    /// vHost: CPU sockets.
    pub const SOCKETS: &[&str] = &["# CPU", "CPU Sockets", "Num CPU"];
    /// vHost: cores per socket.
    pub const CORES_PER_CPU: &[&str] = &["Cores per CPU", "Cores per Socket"];
    /// vHost: physical cores in all.
    pub const CORES: &[&str] = &["# Cores", "Num Cores", "Cores"];
    /// vHost: memory in MiB.
    pub const HOST_MEMORY: &[&str] = &["# Memory", "Memory", "Memory MiB", "Memory MB"];
    /// vHost: the ESX version, often with its build (`VMware ESXi 7.0.3 build-21930508`).
    pub const ESX_VERSION: &[&str] = &["ESX Version", "ESXi Version", "Version"];
    /// vHost: the build number, when a column of its own.
    pub const ESX_BUILD: &[&str] = &["ESX Build", "Build"];
    /// vPartition and vDisk: the VM.
    pub const PART_VM: &[&str] = &["VM", "VM Name"];
    /// vPartition: space the guest uses on the partition, in MiB.
    pub const CONSUMED: &[&str] = &["Consumed MiB", "Consumed MB"];
    /// vDisk: a virtual disk's capacity in MiB.
    pub const CAPACITY: &[&str] = &["Capacity MiB", "Capacity MB"];
}

/// Largest count of virtual CPUs or cores believed.
const MAX_CPUS: u64 = 1 << 16;
/// Largest size in MiB believed (an exbibyte).
const MAX_MIB: u64 = 1 << 40;

/// Where a row came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub file: String,
    /// The tab.
    pub tab: String,
    /// The row (1-based; the header is row 1).
    pub row: u64,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: tab {}, row {}", self.file, self.tab, self.row)
    }
}

/// A row of vInfo.
#[derive(Clone, Debug, PartialEq)]
pub struct VmRow {
    /// The VM's name.
    pub name: String,
    /// Powered on.
    pub powered_on: bool,
    /// A template.
    pub template: bool,
    /// An SRM placeholder (the shadow of a protected VM at the recovery site).
    pub srm_placeholder: bool,
    /// Virtual CPUs.
    pub cpus: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Provisioned storage in MiB.
    pub provisioned_mib: Option<u64>,
    /// Storage in use in MiB.
    pub in_use_mib: Option<u64>,
    /// Datacenter (may be empty: then the host's).
    pub datacenter: String,
    /// Cluster (may be empty: then the host's).
    pub cluster: String,
    /// Host.
    pub host: String,
    /// Guest OS.
    pub os: String,
    /// Folder.
    pub folder: String,
    /// vApp.
    pub vapp: String,
    /// Annotation.
    pub annotation: String,
    /// HA restart priority as written (empty when not given).
    pub ha_priority: String,
    /// The value of the custom attribute the `--apps attribute:NAME` rule reads.
    pub attribute: String,
    /// Where it is.
    pub place: Place,
}

/// A row of vHost.
#[derive(Clone, Debug, PartialEq)]
pub struct HostRow {
    /// The host's name.
    pub name: String,
    /// Datacenter.
    pub datacenter: String,
    /// Cluster (empty for a standalone host).
    pub cluster: String,
    /// Physical cores.
    pub cores: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// The ESX version and build as written.
    pub version: String,
    /// Where it is.
    pub place: Place,
}

/// What an export holds that the import uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    /// vInfo rows, in file order.
    pub vms: Vec<VmRow>,
    /// vHost rows, in file order.
    pub hosts: Vec<HostRow>,
    /// Per VM, the MiB its guest uses on its partitions (vPartition).
    pub consumed_mib: BTreeMap<String, u64>,
    /// Per VM, the capacity of its virtual disks in MiB (vDisk).
    pub disk_mib: BTreeMap<String, u64>,
    /// Files read, with the optional tabs each had.
    pub sources: Vec<String>,
}

/// Reads vInfo rows.
struct VInfo<'a> {
    out: &'a mut Vec<VmRow>,
    attribute: Option<&'a str>,
    cols: Option<VInfoCols>,
}

struct VInfoCols {
    vm: usize,
    power: usize,
    template: Option<usize>,
    srm: Option<usize>,
    cpus: usize,
    memory: usize,
    provisioned: Option<usize>,
    in_use: Option<usize>,
    datacenter: Option<usize>,
    cluster: Option<usize>,
    host: usize,
    os: Option<usize>,
    folder: Option<usize>,
    vapp: Option<usize>,
    annotation: Option<usize>,
    ha: Option<usize>,
    attribute: Option<usize>,
}

impl Visit for VInfo<'_> {
    fn header(&mut self, tab: &Tab) -> Result<(), ImportError> {
        use columns::*;
        let attribute = match self.attribute {
            Some(a) => Some(tab.require(&[a])?),
            None => None,
        };
        let in_use = tab.find(IN_USE);
        let provisioned = tab.find(PROVISIONED);
        if in_use.is_none() && provisioned.is_none() {
            tab.require(&[IN_USE, PROVISIONED].concat())?;
        }
        self.cols = Some(VInfoCols {
            vm: tab.require(VM)?,
            power: tab.require(POWER)?,
            template: tab.find(TEMPLATE),
            srm: tab.find(SRM_PLACEHOLDER),
            cpus: tab.require(CPUS)?,
            memory: tab.require(MEMORY)?,
            provisioned,
            in_use,
            datacenter: tab.find(DATACENTER),
            cluster: tab.find(CLUSTER),
            host: tab.require(HOST)?,
            os: tab.find(OS),
            folder: tab.find(FOLDER),
            vapp: tab.find(VAPP),
            annotation: tab.find(ANNOTATION),
            ha: tab.find(HA),
            attribute,
        });
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> Result<(), ImportError> {
        let Some(c) = &self.cols else { return Ok(()) };
        if row.is_blank() {
            return Ok(());
        }
        let power = row.name(
            c.power,
            "a power state (`poweredOn`, `poweredOff` or `suspended`)",
        )?;
        let powered_on = match power.to_ascii_lowercase().as_str() {
            "poweredon" | "on" | "powered on" => true,
            "poweredoff" | "off" | "powered off" | "suspended" => false,
            other => {
                return Err(row.tab.error(
                    row.number,
                    c.power,
                    format!("expected `poweredOn`, `poweredOff` or `suspended`, got `{other}`"),
                ));
            }
        };
        let cpus = row.whole(c.cpus, "the VM's virtual CPUs", MAX_CPUS)?;
        self.out.push(VmRow {
            name: row.name(c.vm, "the VM's name")?,
            powered_on,
            template: row.flag(c.template)?,
            srm_placeholder: row.flag(c.srm)?,
            cpus: cpus as u32,
            memory_mib: row.whole(c.memory, "the VM's memory in MiB", MAX_MIB)?,
            provisioned_mib: row.whole_opt(c.provisioned, "provisioned MiB", MAX_MIB)?,
            in_use_mib: row.whole_opt(c.in_use, "MiB in use", MAX_MIB)?,
            datacenter: row.text(c.datacenter),
            cluster: row.text(c.cluster),
            host: row.name(c.host, "the name of the VM's host")?,
            os: row.text(c.os),
            folder: row.text(c.folder),
            vapp: row.text(c.vapp),
            annotation: row.text(c.annotation),
            ha_priority: row.one_of(c.ha, HA_PRIORITIES, "the VM's HA restart priority")?,
            attribute: row.text(c.attribute),
            place: Place {
                file: row.tab.file.clone(),
                tab: row.tab.tab.clone(),
                row: row.number,
            },
        });
        Ok(())
    }
}

/// The values of vInfo's HA restart priority (vSphere's restart
/// priorities) and of the older `Das protection` column (a flag), lower
/// case: anything else (a cell cut short, another column's value) is an
/// error, not a guess.
const HA_PRIORITIES: &[&str] = &[
    "disabled",
    "lowest",
    "low",
    "medium",
    "high",
    "highest",
    "clusterrestartpriority",
    "true",
    "false",
    "yes",
    "no",
    "protected",
    "unprotected",
    "n/a",
];

/// Reads vHost rows.
struct VHost<'a> {
    out: &'a mut Vec<HostRow>,
    cols: Option<VHostCols>,
}

struct VHostCols {
    host: usize,
    datacenter: usize,
    cluster: Option<usize>,
    sockets: Option<usize>,
    cores_per_cpu: Option<usize>,
    cores: Option<usize>,
    memory: usize,
    version: usize,
    build: Option<usize>,
}

impl Visit for VHost<'_> {
    fn header(&mut self, tab: &Tab) -> Result<(), ImportError> {
        use columns::*;
        let cores = tab.find(CORES);
        let sockets = tab.find(SOCKETS);
        let cores_per_cpu = tab.find(CORES_PER_CPU);
        if cores.is_none() && (sockets.is_none() || cores_per_cpu.is_none()) {
            tab.require(CORES)?;
        }
        self.cols = Some(VHostCols {
            host: tab.require(HOST)?,
            datacenter: tab.require(DATACENTER)?,
            cluster: tab.find(CLUSTER),
            sockets,
            cores_per_cpu,
            cores,
            memory: tab.require(HOST_MEMORY)?,
            version: tab.require(ESX_VERSION)?,
            build: tab.find(ESX_BUILD),
        });
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> Result<(), ImportError> {
        let Some(c) = &self.cols else { return Ok(()) };
        if row.is_blank() {
            return Ok(());
        }
        let cores = match c.cores {
            Some(col) => row.whole(col, "the host's physical cores", MAX_CPUS)?,
            None => {
                let (Some(s), Some(k)) = (c.sockets, c.cores_per_cpu) else {
                    return Ok(());
                };
                row.whole(s, "CPU sockets", MAX_CPUS)? * row.whole(k, "cores per CPU", MAX_CPUS)?
            }
        };
        if cores == 0 {
            let col = c.cores.or(c.sockets).unwrap_or(c.host);
            return Err(row
                .tab
                .error(row.number, col, "a host has at least one core"));
        }
        let memory_mib = row.whole(c.memory, "the host's memory in MiB", MAX_MIB)?;
        if memory_mib == 0 {
            return Err(row
                .tab
                .error(row.number, c.memory, "a host has some memory: got 0"));
        }
        let mut version = row.name(
            c.version,
            "the ESX version (like `VMware ESXi 7.0.3 build-21930508`)",
        )?;
        let build = row.text(c.build);
        if !build.is_empty() && !version.contains(&build) {
            version = format!("{version} build-{build}");
        }
        self.out.push(HostRow {
            name: row.name(c.host, "the host's name")?,
            datacenter: row.name(c.datacenter, "the host's datacenter")?,
            cluster: row.text(c.cluster),
            cores: cores.min(MAX_CPUS) as u32,
            memory_mib,
            version,
            place: Place {
                file: row.tab.file.clone(),
                tab: row.tab.tab.clone(),
                row: row.number,
            },
        });
        Ok(())
    }
}

/// Reads vPartition (consumed) or vDisk (capacity) rows: MiB per VM.
struct PerVm<'a> {
    out: &'a mut BTreeMap<String, u64>,
    names: &'static [&'static str],
    what: &'static str,
    cols: Option<(usize, usize)>,
}

impl Visit for PerVm<'_> {
    fn header(&mut self, tab: &Tab) -> Result<(), ImportError> {
        self.cols = Some((tab.require(columns::PART_VM)?, tab.require(self.names)?));
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> Result<(), ImportError> {
        let Some((vm, mib)) = self.cols else {
            return Ok(());
        };
        if row.is_blank() {
            return Ok(());
        }
        let name = row.name(vm, "the VM's name")?;
        let n = row.whole(mib, self.what, MAX_MIB)?;
        let total = self.out.entry(name).or_insert(0);
        *total = total.saturating_add(n).min(MAX_MIB);
        Ok(())
    }
}

/// The tabs read, by name, with whether each is required.
const TABS: [(&str, bool); 4] = [
    ("vInfo", true),
    ("vHost", true),
    ("vPartition", false),
    ("vDisk", false),
];

impl Inventory {
    fn visitor<'a>(&'a mut self, tab: &str, attribute: Option<&'a str>) -> Box<dyn Visit + 'a> {
        match tab {
            "vInfo" => Box::new(VInfo {
                out: &mut self.vms,
                attribute,
                cols: None,
            }),
            "vHost" => Box::new(VHost {
                out: &mut self.hosts,
                cols: None,
            }),
            "vPartition" => Box::new(PerVm {
                out: &mut self.consumed_mib,
                names: columns::CONSUMED,
                what: "MiB consumed on the partition",
                cols: None,
            }),
            _ => Box::new(PerVm {
                out: &mut self.disk_mib,
                names: columns::CAPACITY,
                what: "the disk's capacity in MiB",
                cols: None,
            }),
        }
    }

    /// Adds the tabs of one export: an `.xlsx` workbook or a folder of CSV
    /// tab exports. `attribute` names a vInfo column (a custom attribute)
    /// to read for the `attribute:` apps rule.
    pub fn add_path(&mut self, path: &Path, attribute: Option<&str>) -> Result<(), ImportError> {
        let file = path.display().to_string();
        if path.is_dir() {
            return self.add_csv_folder(path, &file, attribute);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => {
                let book = read::open_xlsx(path, &file)?;
                self.add_workbook(book, &file, attribute)
            }
            _ => Err(ImportError::Read {
                file,
                message: "expected an RVTools workbook (`.xlsx`) or a folder of its CSV tab exports (`RVTools_tabvInfo.csv`, ...)".into(),
            }),
        }
    }

    /// Adds the tabs of an opened workbook.
    pub fn add_workbook<R: Read + Seek>(
        &mut self,
        mut book: read::Workbook<R>,
        file: &str,
        attribute: Option<&str>,
    ) -> Result<(), ImportError> {
        let mut had = Vec::new();
        for (tab, required) in TABS {
            match book.sheet(tab) {
                Some(sheet) => {
                    book.read(&sheet, self.visitor(tab, attribute).as_mut())?;
                    had.push(tab);
                }
                None if required => {
                    let sheets = book.sheets();
                    return Err(ImportError::Read {
                        file: file.to_string(),
                        message: format!(
                            "no sheet `{tab}`: not an RVTools export? (its sheets: {})",
                            sheets
                                .iter()
                                .take(12)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
                None => {}
            }
        }
        self.sources.push(format!("{file} ({})", had.join(", ")));
        Ok(())
    }

    /// Adds the CSV tabs of a folder.
    fn add_csv_folder(
        &mut self,
        dir: &Path,
        file: &str,
        attribute: Option<&str>,
    ) -> Result<(), ImportError> {
        let entries = std::fs::read_dir(dir).map_err(|e| ImportError::Read {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let mut names: Vec<(String, std::path::PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| {
                (
                    e.file_name().to_string_lossy().to_ascii_lowercase(),
                    e.path(),
                )
            })
            .collect();
        names.sort();
        let mut had = Vec::new();
        for (tab, required) in TABS {
            let lower = tab.to_ascii_lowercase();
            let wanted = [
                format!("rvtools_tab{lower}.csv"),
                format!("tab{lower}.csv"),
                format!("{lower}.csv"),
            ];
            let found = names.iter().find(|(n, _)| wanted.contains(n));
            match found {
                Some((_, path)) => {
                    let name = path.display().to_string();
                    read::check_size(path, &name)?;
                    read::check_csv_rows(path, &name, tab)?;
                    let f = std::fs::File::open(path).map_err(|e| ImportError::Read {
                        file: name.clone(),
                        message: e.to_string(),
                    })?;
                    read::read_csv(f, &name, tab, self.visitor(tab, attribute).as_mut())?;
                    had.push(tab);
                }
                None if required => {
                    return Err(ImportError::Read {
                        file: file.to_string(),
                        message: format!(
                            "no `RVTools_tab{tab}.csv` in this folder: export the `{tab}` tab to CSV with RVTools, or name the `.xlsx` workbook"
                        ),
                    });
                }
                None => {}
            }
        }
        self.sources.push(format!("{file} ({})", had.join(", ")));
        Ok(())
    }

    /// Reads the vInfo tab of CSV bytes (the fuzz target).
    pub fn add_csv_bytes(&mut self, bytes: &[u8], tab: &str) -> Result<(), ImportError> {
        read::read_csv(bytes, "fuzz.csv", tab, self.visitor(tab, None).as_mut())
    }
}
