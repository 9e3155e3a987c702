//! A fast reader for the `apps` section in the shapes `hvsim gen` and
//! `hvsim import rvtools` write: a block list of block mappings, one key
//! per line, whose values are plain words, double-quoted text without
//! escapes, whole numbers, and one-line flow lists and mappings of those;
//! `vms` and `work` may also be blocks of such lines (`- { … }` and
//! `method: D`, six spaces in), and a comment may end any line. A big
//! estate's file is nearly all `apps` section, and the YAML parser with
//! serde cost about two thirds of its load (BENCHMARKS.md, issue 19).
//!
//! The reader accepts only what it understands completely, and gives up
//! (`None`) on anything else: any other indentation, an escape, a single
//! quote, an anchor, an alias, a tag, a key it does not know or given
//! twice, a missing required key, a multi-line value, a tab, a carriage
//! return, a number with a sign or leading zero, a word that YAML would
//! read as null. Then the file is read by serde_saphyr alone, as before,
//! so every error keeps its message, line and column. When it accepts,
//! the rest of the file is read by serde_saphyr with the section's lines
//! blanked (so every line keeps its number) and its value replaced by a
//! sentinel app that proves the line was the top-level `apps` key; the
//! result equals serde_saphyr's reading of the whole file
//! (`tests/it/fast_load.rs` checks it on every bundled YAML file, on
//! generated estates, on an RVTools import, and on those with odd values
//! put in).

use super::raw::{AppFile, Text, VmFile, WorkFile};

/// The `apps` key's line, as the reader requires it.
const KEY_LINE: &str = "apps:";

/// The value that replaces the section when the rest of the file is read:
/// an app no file can hold (an id with spaces, no VMs, no work), so that
/// finding it proves the line was read as the top-level `apps` key.
const SENTINEL: &str = "apps: [{ id: \"hvsim fast reader\", vms: [], work: {} }]";

/// The sentinel app's id.
const SENTINEL_ID: &str = "hvsim fast reader";

/// The `apps` section, read.
pub(super) struct Section<'a> {
    /// The apps, in file order.
    pub apps: Vec<AppFile<'a>>,
    /// The byte offset of the `apps:` line.
    key_start: usize,
    /// The byte offset just after the section's last line.
    end: usize,
}

impl Section<'_> {
    /// `text` with the `apps:` line replaced by the sentinel and each of
    /// the section's lines emptied, so every other line keeps its number
    /// and its text.
    pub fn rest(&self, text: &str) -> String {
        let body = &text[self.key_start..self.end];
        let lines = body.bytes().filter(|&b| b == b'\n').count();
        let mut out = String::with_capacity(text.len() - body.len() + SENTINEL.len() + lines);
        out.push_str(&text[..self.key_start]);
        out.push_str(SENTINEL);
        // The key's own line ends the sentinel; one more per section line.
        for _ in 0..lines {
            out.push('\n');
        }
        out.push_str(&text[self.end..]);
        out
    }
}

/// Whether `apps` is the sentinel alone: the reading of [`Section::rest`]
/// took the blanked line as the top-level `apps` key.
pub(super) fn is_sentinel(apps: &[AppFile<'_>]) -> bool {
    match apps {
        [app] => {
            app.id.as_str() == SENTINEL_ID
                && app.vms.is_empty()
                && app.description.is_none()
                && app.count.is_none()
                && app.tags.is_empty()
                && app.criticality.is_none()
                && app.depends_on.is_empty()
                && is_empty_work(&app.work)
        }
        _ => false,
    }
}

fn is_empty_work(work: &WorkFile<'_>) -> bool {
    work.restart.is_none()
        && work.reinstall.is_none()
        && work.ha_restart.is_none()
        && work.restore.is_none()
        && work.failover.is_none()
}

/// Reads the `apps` section of `text`, or `None` if anything in it is not
/// in the shape this reader understands.
pub(super) fn read_apps(text: &str) -> Option<Section<'_>> {
    if text.contains('\r') || text.contains('\t') {
        return None;
    }
    let key_start = find_key_line(text)?;
    let body_start = key_start + KEY_LINE.len() + 1;
    let body = text.get(body_start..)?;
    let mut apps = Vec::with_capacity(body.matches("\n  - ").count() + 1);
    let mut current: Option<Entry<'_>> = None;
    let mut offset = body_start;
    for line in body.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        if content.is_empty() || content.trim_start().starts_with('#') {
            offset += line.len();
            continue;
        }
        if let Some(item) = content.strip_prefix("      ") {
            current.as_mut()?.block_line(item)?;
        } else if let Some(field) = content.strip_prefix("  - ") {
            if let Some(done) = current.take() {
                apps.push(done.finish()?);
            }
            let mut entry = Entry::default();
            entry.field(field)?;
            current = Some(entry);
        } else if let Some(field) = content.strip_prefix("    ") {
            current.as_mut()?.field(field)?;
        } else if content.starts_with(|c: char| c != ' ' && c != '-') {
            // The next top-level key ends the section.
            break;
        } else {
            return None;
        }
        offset += line.len();
    }
    apps.push(current?.finish()?);
    // The section must end with a line break, as every line of it does.
    if !text[..offset].ends_with('\n') {
        return None;
    }
    Some(Section {
        apps,
        key_start,
        end: offset,
    })
}

/// The offset of the first line that is exactly `apps:`.
fn find_key_line(text: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + text[from..].find(KEY_LINE)?;
        let line_start = at == 0 || text.as_bytes()[at - 1] == b'\n';
        let line_end = text.as_bytes().get(at + KEY_LINE.len()) == Some(&b'\n');
        if line_start && line_end {
            return Some(at);
        }
        from = at + KEY_LINE.len();
    }
}

/// A key whose value is a block on the lines below (the RVTools import's
/// shape): `vms:` then `- { … }` lines, `work:` then `method: D` lines,
/// each indented by six spaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Vms,
    Work,
}

/// An app entry being read, each key at most once.
#[derive(Default)]
struct Entry<'a> {
    /// The block being read, and how many lines it has so far.
    open: Option<(Block, usize)>,
    id: Option<Text<'a>>,
    description: Option<String>,
    count: Option<u32>,
    tags: Option<Vec<String>>,
    criticality: Option<u32>,
    depends_on: Option<Vec<Text<'a>>>,
    vms: Option<Vec<VmFile<'a>>>,
    work: Option<WorkFile<'a>>,
}

impl<'a> Entry<'a> {
    /// Reads one `key: value` line of the entry (a comment may follow),
    /// or a `vms:` or `work:` line that opens a block.
    fn field(&mut self, line: &'a str) -> Option<()> {
        self.close()?;
        let mut c = Cursor::new(line);
        let key = c.key()?;
        if c.clone().end_of_line().is_some() {
            let (block, slot_set) = match key {
                "vms" => (Block::Vms, set(&mut self.vms, Vec::new())),
                "work" => (Block::Work, set(&mut self.work, WorkFile::default())),
                _ => return None,
            };
            slot_set?;
            self.open = Some((block, 0));
            return Some(());
        }
        c.gap()?;
        match key {
            "id" => set(&mut self.id, c.text(Context::Block)?),
            "description" => set(
                &mut self.description,
                c.text(Context::Block)?.as_str().to_string(),
            ),
            "count" => set(&mut self.count, c.whole(Context::Block)?),
            "tags" => set(
                &mut self.tags,
                c.list(|c| Some(c.text(Context::Flow)?.as_str().to_string()))?,
            ),
            "criticality" => set(&mut self.criticality, c.whole(Context::Block)?),
            "depends_on" => set(&mut self.depends_on, c.list(|c| c.text(Context::Flow))?),
            "vms" => set(&mut self.vms, c.list(Cursor::vm)?),
            "work" => set(&mut self.work, c.work()?),
            _ => return None,
        }?;
        c.end_of_line()
    }

    /// Reads a line of the open block: `- { VM }` or `method: D`.
    fn block_line(&mut self, line: &'a str) -> Option<()> {
        let (block, lines) = self.open.as_mut()?;
        *lines += 1;
        let mut c = Cursor::new(line);
        match block {
            Block::Vms => {
                c.eat(b'-')?;
                c.gap()?;
                let vm = c.vm()?;
                self.vms.as_mut()?.push(vm);
            }
            Block::Work => {
                let key = c.key()?;
                c.gap()?;
                let slot = work_slot(self.work.as_mut()?, key)?;
                set(slot, c.text(Context::Block)?)?;
            }
        }
        c.end_of_line()
    }

    /// Ends the open block, which must have had a line (an empty one is
    /// null in YAML, left to serde for its message).
    fn close(&mut self) -> Option<()> {
        match self.open.take() {
            Some((_, 0)) => None,
            _ => Some(()),
        }
    }

    fn finish(mut self) -> Option<AppFile<'a>> {
        self.close()?;
        Some(AppFile {
            id: self.id?,
            description: self.description,
            count: self.count,
            tags: self.tags.unwrap_or_default(),
            criticality: self.criticality,
            depends_on: self.depends_on.unwrap_or_default(),
            vms: self.vms?,
            work: self.work?,
        })
    }
}

/// Sets a key's value, or `None` if the key was given before.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// Where a scalar is: a block value ends at the end of its line (or a
/// comment), a flow one at a `,`, `}` or `]`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Block,
    Flow,
}

/// A position in one line.
#[derive(Clone)]
struct Cursor<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a str) -> Cursor<'a> {
        Cursor { line, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.at).copied()
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// One byte, required.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A key of lower-case letters, `_` and `-`, then `:`.
    fn key(&mut self) -> Option<&'a str> {
        let start = self.at;
        while matches!(self.peek(), Some(b'a'..=b'z' | b'_' | b'-')) {
            self.at += 1;
        }
        let key = &self.line[start..self.at];
        self.eat(b':')?;
        (!key.is_empty()).then_some(key)
    }

    /// At least one space: what separates a key's `:` from its value.
    fn gap(&mut self) -> Option<()> {
        self.eat(b' ')?;
        self.spaces();
        Some(())
    }

    /// The end of a block value: spaces, then nothing or a comment.
    fn end_of_line(&mut self) -> Option<()> {
        let before = self.at;
        self.spaces();
        match self.peek() {
            None => Some(()),
            Some(b'#') if self.at > before => Some(()),
            _ => None,
        }
    }

    /// Whether the scalar just read ends properly here.
    fn ends(&self, context: Context) -> bool {
        matches!(
            (self.peek(), context),
            (None | Some(b' '), _) | (Some(b',' | b'}' | b']'), Context::Flow)
        )
    }

    /// A plain word (letters, digits, `-`, `_`, `.`, `/`, starting with a
    /// letter or digit, not one YAML reads as null) or double-quoted
    /// printable ASCII without escapes.
    fn text(&mut self, context: Context) -> Option<Text<'a>> {
        let start = self.at;
        if self.eat(b'"').is_some() {
            let rest = &self.line[self.at..];
            let len = rest.find('"')?;
            let inner = &rest[..len];
            if !inner
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b) && b != b'\\')
            {
                return None;
            }
            self.at += len + 1;
            return self.ends(context).then(|| Text::borrowed(inner));
        }
        if !self.peek()?.is_ascii_alphanumeric() {
            return None;
        }
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        {
            self.at += 1;
        }
        let word = &self.line[start..self.at];
        let null = matches!(word, "null" | "Null" | "NULL");
        (self.ends(context) && !null).then(|| Text::borrowed(word))
    }

    /// A whole number without sign or leading zero that fits a `u32`.
    fn whole(&mut self, context: Context) -> Option<u32> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        let digits = &self.line[start..self.at];
        if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        if !self.ends(context) {
            return None;
        }
        digits.parse().ok()
    }

    /// A one-line flow list: `[]` or `[a, b, …]`, items read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        self.spaces();
        let mut items = Vec::new();
        if self.eat(b']').is_some() {
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            self.spaces();
            if self.eat(b']').is_some() {
                return Some(items);
            }
            self.eat(b',')?;
            self.spaces();
        }
    }

    /// A one-line flow mapping: `{}` or `{ k: v, … }`, each key's value
    /// read by `value`.
    fn mapping(&mut self, mut value: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.spaces();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.gap()?;
            value(self, key)?;
            self.spaces();
            if self.eat(b'}').is_some() {
                return Some(());
            }
            self.eat(b',')?;
            self.spaces();
        }
    }

    /// A VM: `{ count: N, cluster: C, host: H, cores: N, memory: M, disk: D }`.
    fn vm(&mut self) -> Option<VmFile<'a>> {
        let (mut count, mut cluster, mut host, mut cores, mut memory, mut disk) =
            (None, None, None, None, None, None);
        self.mapping(|c, key| match key {
            "count" => set(&mut count, c.whole(Context::Flow)?),
            "cluster" => set(&mut cluster, c.text(Context::Flow)?),
            "host" => set(&mut host, c.text(Context::Flow)?),
            "cores" => set(&mut cores, c.whole(Context::Flow)?),
            "memory" => set(&mut memory, c.text(Context::Flow)?),
            "disk" => set(&mut disk, c.text(Context::Flow)?),
            _ => None,
        })?;
        Some(VmFile {
            count,
            cluster: cluster?,
            host,
            cores: cores?,
            memory: memory?,
            disk,
        })
    }

    /// The work: `{ restart: D, reinstall: D, ha-restart: D, restore: D,
    /// failover: D }`, each optional.
    fn work(&mut self) -> Option<WorkFile<'a>> {
        let mut work = WorkFile::default();
        self.mapping(|c, key| set(work_slot(&mut work, key)?, c.text(Context::Flow)?))?;
        Some(work)
    }
}

/// The field of `work` a method's key names.
fn work_slot<'w, 'a>(work: &'w mut WorkFile<'a>, key: &str) -> Option<&'w mut Option<Text<'a>>> {
    Some(match key {
        "restart" => &mut work.restart,
        "reinstall" => &mut work.reinstall,
        "ha-restart" => &mut work.ha_restart,
        "restore" => &mut work.restore,
        "failover" => &mut work.failover,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::read_apps;

    const HEAD: &str = "name: x\nhosts: []\n";
    const TAIL: &str = "teams: []\n";

    fn with_apps(body: &str) -> String {
        format!("{HEAD}apps:\n{body}{TAIL}")
    }

    /// Each case (what, from, to) edits `apps` once, and the reader must
    /// give up on the result.
    fn assert_gives_up(apps: &str, cases: &[(&str, &str, &str)]) {
        for &(what, from, to) in cases {
            let body = apps.replacen(from, to, 1);
            assert_ne!(body, apps, "{what}: the case changes nothing");
            assert!(
                read_apps(&with_apps(&body)).is_none(),
                "{what}: read instead of left to serde_saphyr:\n{body}"
            );
        }
    }

    const PLAIN: &str = "  - id: app-1\n    criticality: 10\n    depends_on: [a, b]\n    vms: [{ count: 2, cluster: c-1, cores: 4, memory: 8GiB }]\n    work: { restart: \"pert(10m, 20m, 1h)\", reinstall: 4h }\n";

    #[test]
    fn reads_the_shape_hvsim_gen_writes() {
        let text = with_apps(PLAIN);
        let section = read_apps(&text).expect("the plain shape is read");
        assert_eq!(section.apps.len(), 1);
        let app = &section.apps[0];
        assert_eq!(app.id.as_str(), "app-1");
        assert_eq!(app.criticality, Some(10));
        assert_eq!(app.depends_on.len(), 2);
        assert_eq!(app.vms[0].count, Some(2));
        assert_eq!(app.vms[0].memory.as_str(), "8GiB");
        assert_eq!(
            app.work.restart.as_ref().map(|t| t.as_str()),
            Some("pert(10m, 20m, 1h)")
        );
        let rest = section.rest(&text);
        assert_eq!(rest.lines().count(), text.lines().count());
        assert!(rest.ends_with("\n\n\n\n\n\nteams: []\n"), "{rest}");
    }

    #[test]
    fn gives_up_on_anything_unusual() {
        let cases = [
            ("a single quote", "id: app-1", "id: 'app-1'"),
            (
                "an escape",
                "\"pert(10m, 20m, 1h)\"",
                "\"pert(10m,\\x20 20m, 1h)\"",
            ),
            ("an anchor", "id: app-1", "id: &a app-1"),
            ("an alias", "[a, b]", "[*a, b]"),
            ("a tag", "id: app-1", "id: !!str app-1"),
            ("a null", "cluster: c-1", "cluster: null"),
            ("a tilde", "cluster: c-1", "cluster: ~"),
            ("an unknown key", "criticality: 10", "criticallity: 10"),
            ("a repeated key", "cores: 4", "cores: 4, cores: 4"),
            ("a missing key", "cores: 4, ", ""),
            ("a sign", "count: 2", "count: +2"),
            ("a leading zero", "criticality: 10", "criticality: 010"),
            ("a hex number", "criticality: 10", "criticality: 0x10"),
            ("a quoted number", "count: 2", "count: \"2\""),
            ("an overflow", "count: 2", "count: 4294967296"),
            (
                "a block list",
                "depends_on: [a, b]",
                "depends_on:\n      - a",
            ),
            (
                "a continued line",
                "criticality: 10\n",
                "criticality: 10\n      0\n",
            ),
            ("a trailing comma", "[a, b]", "[a, b,]"),
            (
                "a space before the colon",
                "criticality: 10",
                "criticality : 10",
            ),
            (
                "no space after the colon",
                "criticality: 10",
                "criticality:10",
            ),
            (
                "a comment without a space",
                "criticality: 10",
                "criticality: 10#x",
            ),
            ("a tab", "criticality: 10", "criticality:\t10"),
            ("other indentation", "    criticality", "     criticality"),
            ("a compact list", "  - id: app-1", "- id: app-1"),
            ("a multi-word scalar", "cluster: c-1", "cluster: c 1"),
            (
                "an unquoted distribution",
                "reinstall: 4h",
                "reinstall: exp(4h)",
            ),
            ("non-ASCII text", "id: app-1", "id: \"appé\""),
            ("a flow list split over lines", "[a, b]", "[a,\n      b]"),
            (
                "a carriage return",
                "criticality: 10\n",
                "criticality: 10\r\n",
            ),
        ];
        assert_gives_up(PLAIN, &cases);
        assert!(read_apps(&format!("{HEAD}{TAIL}")).is_none(), "no apps key");
        assert!(read_apps(&with_apps("")).is_none(), "no apps");
        assert!(
            read_apps(&format!("{HEAD}apps:\n{}", PLAIN.trim_end())).is_none(),
            "no final line break"
        );
    }

    const BLOCKS: &str = "  - id: \"app-1\"\n    criticality: 10   # priority (ASSUMPTION)\n    tags: [\"all\", \"ha\"]\n    vms:\n      - { cluster: \"c-1\", host: \"h-1\", cores: 2, memory: 8GiB, disk: 40GiB }   # vm-1\n      - { cluster: \"c-1\", cores: 2, memory: 4GiB }\n    work:   # ASSUMPTION\n      restart: \"pert(10m, 20m, 1h)\"\n      ha-restart: 5m\n";

    #[test]
    fn reads_the_shape_the_rvtools_import_writes() {
        let text = with_apps(&format!("{BLOCKS}{BLOCKS}"));
        let section = read_apps(&text).expect("the import's shape is read");
        assert_eq!(section.apps.len(), 2);
        let app = &section.apps[1];
        assert_eq!(app.tags, ["all", "ha"]);
        assert_eq!(app.vms.len(), 2);
        assert_eq!(app.vms[0].disk.as_ref().map(|t| t.as_str()), Some("40GiB"));
        assert_eq!(app.work.ha_restart.as_ref().map(|t| t.as_str()), Some("5m"));
        let cases = [
            (
                "an empty block",
                "    vms:\n      - { cluster: \"c-1\", host: \"h-1\", cores: 2, memory: 8GiB, disk: 40GiB }   # vm-1\n      - { cluster: \"c-1\", cores: 2, memory: 4GiB }\n",
                "    vms:\n",
            ),
            (
                "a compact list",
                "      - { cluster: \"c-1\", cores",
                "    - { cluster: \"c-1\", cores",
            ),
            ("deeper items", "      ha-restart", "        ha-restart"),
            (
                "a list in the work",
                "      ha-restart: 5m",
                "      - ha-restart: 5m",
            ),
            (
                "a mapping in the VMs",
                "      - { cluster: \"c-1\", cores",
                "      cluster: \"c-1\", cores",
            ),
            (
                "a repeated method",
                "      ha-restart: 5m",
                "      restart: 5m",
            ),
            (
                "a block under another key",
                "    tags: [\"all\", \"ha\"]",
                "    tags:\n      - all",
            ),
        ];
        assert_gives_up(BLOCKS, &cases);
        let empty_work = BLOCKS.replacen(
            "      restart: \"pert(10m, 20m, 1h)\"\n      ha-restart: 5m\n",
            "",
            1,
        );
        assert!(
            read_apps(&with_apps(&empty_work)).is_none(),
            "an empty last block"
        );
    }

    /// A scenario file's top level around `apps` (enough for the raw
    /// types: the resolver is not run).
    fn scenario(apps: &str) -> String {
        format!(
            "name: x\ntime_zone: UTC\nstart: 2026-01-05 00:00\nhorizon: 90d\nbuilds: []\nsites: []\nclusters: []\nhosts: []\napps:\n{apps}teams: []\nstrategies: []\n"
        )
    }

    #[test]
    fn every_key_in_either_shape_reads_as_serde_saphyr_reads_it() {
        let flow = "  - id: g\n    description: \"the g group\"   # note\n    count: 3\n    tags: [a, \"b c\"]\n    criticality: 7\n    depends_on: []\n    vms: [{ count: 2, cluster: c, host: h, cores: 1, memory: 1GiB, disk: 2GiB }, { cluster: d, cores: 2, memory: 2GiB }]\n    work: { restart: 1h, reinstall: \"exp(2h)\", ha-restart: 5m, restore: 2h, failover: 10m }\n";
        let block = "  - depends_on: [g]\n    id: \"h\"\n    work:\n      failover: 10m\n      restart: 1h   # x\n\n      # between\n      ha-restart: 5m\n    vms:   # two\n      - { cluster: c, cores: 1, memory: 1GiB }\n      - { memory: 1GiB, cores: 1, cluster: c, host: h }   # y\n    count: 0\n";
        for apps in [flow, block, &format!("{flow}{block}{flow}")] {
            let text = scenario(apps);
            let mut rest = String::new();
            let fast = super::super::fast_parse(&text, &mut rest)
                .unwrap_or_else(|| panic!("the fast reader gave up on:\n{text}"));
            let serde: super::super::raw::ScenarioFile<'_> = serde_saphyr::from_str(&text)
                .unwrap_or_else(|e| panic!("serde_saphyr: {e}:\n{text}"));
            assert_eq!(format!("{fast:?}"), format!("{serde:?}"));
        }
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let body = format!("# the apps\n{PLAIN}\n    # more\n{PLAIN}");
        let text = with_apps(&body);
        let section = read_apps(&text).expect("comments are read");
        assert_eq!(section.apps.len(), 2);
        let with_comment = PLAIN.replacen("criticality: 10", "criticality: 10   # high", 1);
        let text = with_apps(&with_comment);
        assert_eq!(read_apps(&text).expect("a trailing comment").apps.len(), 1);
    }
}
