//! Everything the command line writes: standard output ([`emit`],
//! [`emit_json`]), standard error ([`note`]) and output files ([`save`],
//! [`write_files`]), each failure turned into the command's [`Failure`].
//!
//! An output file never destroys what is at its path. [`write_file`]
//! decides by what the path names:
//!
//! - a new path, or an existing **regular file**: the bytes go to a
//!   temporary file beside it, which is flushed to disk and renamed over
//!   the target, so a reader sees the old file or the whole new one, never
//!   half of it. An existing file keeps its permissions (and, where the
//!   process may, its owner).
//! - a **symbolic link**: the file it points to is written (as above), and
//!   the link stays a link.
//! - a **device, FIFO or socket** (`/dev/null`, `/dev/stdout`, a named
//!   pipe): a plain streamed write, never a rename, whose errors are
//!   reported (`/dev/full` fails with "No space left on device").
//! - `-`: standard output.
//! - a directory: an error.
//!
//! Nor does it ever replace one of the command's own inputs (a scenario
//! written over by its report): every input file is recorded when the
//! command reads it ([`reads`]), and an output naming the same file is bad
//! input. Commands check their output paths before they compute
//! ([`check_output`]), so that a mistyped folder costs nothing.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Failure;

/// Prints `text` on standard output. A reader that closed the pipe ends
/// the command quietly; any other failure (a full disk) is an error, never
/// a panic.
pub(super) fn emit(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Failure::ClosedPipe,
            _ => Failure::Other(format!("cannot write to standard output: {e}")),
        })
}

/// Prints `doc` as pretty JSON and a newline on standard output.
pub(super) fn emit_json(doc: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| Failure::Other(format!("cannot render JSON: {e}")))?;
    emit(&format!("{text}\n"))
}

/// Prints one line on standard error; if even that fails there is no one
/// left to tell, and the exit code says it.
pub(super) fn note(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// The files the command has read (its scenario, fault campaign, curve,
/// levers, shards, exports), each as given.
static INPUTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Records that the command reads `path`: no output of it may replace it.
pub(super) fn reads(path: &Path) {
    if path.as_os_str() != "-"
        && let Ok(mut inputs) = INPUTS.lock()
    {
        inputs.push(path.to_path_buf());
    }
}

/// The input `target` (an existing file) is, if it is one of them.
fn input_at(target: &Path) -> Option<PathBuf> {
    let meta = fs::metadata(target).ok()?;
    let inputs = INPUTS.lock().ok()?;
    inputs
        .iter()
        .find(|input| fs::metadata(input).is_ok_and(|m| same_file(&m, &meta)))
        .cloned()
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// Refuses an output path that would replace one of the command's inputs.
fn not_an_input(path: &Path) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let target = follow_links(path).unwrap_or_else(|_| path.to_path_buf());
    match input_at(&target) {
        Some(input) if input == path => Err(Failure::Input(format!(
            "cannot write {}: this command reads that file, which the output would replace; \
             name another output file",
            path.display()
        ))),
        Some(input) => Err(Failure::Input(format!(
            "cannot write {}: it is {}, which this command reads and the output would \
             replace; name another output file",
            path.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// Checks, before any work, that `path` can take an output file: not one
/// of the inputs read so far, not a directory, and in a folder that
/// exists (`-`, standard output, always can).
pub(super) fn check_output(path: &Path) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    not_an_input(path)?;
    let target = follow_links(path).unwrap_or_else(|_| path.to_path_buf());
    if target.is_dir() {
        return Err(Failure::Input(format!(
            "cannot write {}: it is a directory; name a file in it",
            path.display()
        )));
    }
    if !target.exists()
        && let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(missing_folder(path, dir));
    }
    Ok(())
}

/// The error for an output whose folder does not exist.
fn missing_folder(path: &Path, dir: &Path) -> Failure {
    Failure::Other(format!(
        "cannot write {}: its folder {} does not exist; create it first (mkdir -p {})",
        path.display(),
        dir.display(),
        hvsim::units::shell_quote(&dir.to_string_lossy())
    ))
}

/// Writes one output file (`-`: standard output) and says so on stderr.
pub(super) fn save(path: &Path, bytes: &[u8], what: &str) -> Result<(), Failure> {
    not_an_input(path)?;
    write_file(path, bytes).map_err(|e| match e.kind() {
        io::ErrorKind::BrokenPipe => Failure::ClosedPipe,
        io::ErrorKind::NotFound => match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) if !dir.exists() => missing_folder(path, dir),
            _ => Failure::Other(format!("cannot write {}: {e}", path.display())),
        },
        _ => Failure::Other(format!("cannot write {}: {e}", path.display())),
    })?;
    if path.as_os_str() != "-" {
        note(&format!("wrote {}{what}", path.display()));
    }
    Ok(())
}

/// Writes each file into `dir` (created if needed), each whole or not at all.
pub(super) fn write_files<T: AsRef<[u8]>>(
    dir: &Path,
    files: &[(String, T)],
) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::Input(format!(
            "cannot write into {}: it is a file, and this option takes a folder (created if needed)",
            dir.display()
        )));
    }
    fs::create_dir_all(dir)
        .map_err(|e| Failure::Other(format!("cannot create {}: {e}", dir.display())))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        save(&path, bytes.as_ref(), "")?;
    }
    Ok(())
}

/// Writes a command's charts (`NAME.svg` each): as SVG into `svg` and as
/// PNG (`NAME.png`) into `charts.png`, each named above its title by
/// `context` (the scenario and its dates) and laid out on the page of
/// `--preset`.
pub(super) fn write_charts(
    svg: Option<&PathBuf>,
    charts: &super::args::ChartArgs,
    context: &str,
    files: &[hvsim::report::NamedFile],
) -> Result<(), Failure> {
    use hvsim::chart::present::present;
    let shown: Vec<(String, String)> = files
        .iter()
        .map(|(name, doc)| (name.clone(), present(doc, context, charts.preset())))
        .collect();
    if let Some(dir) = svg {
        write_files(dir, &shown)?;
    }
    if let Some(dir) = &charts.png {
        let renderer = hvsim::chart::png::Renderer::new()
            .map_err(|e| Failure::Other(format!("cannot write PNG charts: {e}")))?;
        let mut images = Vec::with_capacity(shown.len());
        for (name, doc) in &shown {
            let png = renderer
                .png(doc)
                .map_err(|e| Failure::Other(format!("cannot draw {name} as PNG: {e}")))?;
            let stem = name.strip_suffix(".svg").unwrap_or(name);
            images.push((format!("{stem}.png"), png));
        }
        write_files(dir, &images)?;
    }
    Ok(())
}

/// How many symbolic links [`write_file`] follows before giving up (as
/// Linux's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` as described in the [module](self) docs.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    let target = follow_links(path)?;
    match fs::metadata(&target) {
        Ok(meta) if meta.is_file() => replace(&target, bytes, Some(&meta)),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory: name a file in it",
        )),
        Ok(_) => stream(&target, bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, bytes, None),
        Err(e) => Err(e),
    }
}

/// The path that `path` finally names once every symbolic link on the
/// last component is followed; a dangling link gives the path it points to.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// A streamed write to something that is not a regular file.
fn stream(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(target)?;
    file.write_all(bytes)?;
    file.flush()
}

/// The temporary file beside `target`, its name unused so far.
fn temporary(target: &Path) -> io::Result<(PathBuf, File)> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let mut attempt = 0u32;
    loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Writes a temporary file and renames it over `target`, keeping the
/// permissions (and, where allowed, the owner) of the file it replaces.
fn replace(target: &Path, bytes: &[u8], old: Option<&fs::Metadata>) -> io::Result<()> {
    let (tmp, mut file) = temporary(target)?;
    let result = (|| {
        file.write_all(bytes)?;
        if let Some(old) = old {
            file.set_permissions(old.permissions())?;
            keep_owner(&file, old);
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Gives the new file the old one's owner and group when they differ (root
/// replacing a user's file); without the right to do so, the new file
/// stays the writer's, as any editor's saved copy would.
#[cfg(unix)]
fn keep_owner(file: &File, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(new) = file.metadata()
        && (new.uid() != old.uid() || new.gid() != old.gid())
    {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::write_file;
    use std::fs;

    #[test]
    fn a_new_path_and_a_regular_file_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.html");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_file(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link_and_its_target_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.csv");
        fs::write(&target, b"stale").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_file(&link, b"fresh").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"fresh");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_creates_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("made.csv", &link).unwrap();
        write_file(&link, b"x").unwrap();
        assert_eq!(fs::read(dir.path().join("made.csv")).unwrap(), b"x");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), b"x").unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        assert!(write_file(&a, b"x").is_err());
    }
}
