//! Group expansion, shared by hosts and apps.
//!
//! An entry with a `count` stands for that many members, named `ID-01`,
//! `ID-02`, … (wider numbers when the count needs them); without a
//! `count` it is one member named `ID`. [`Expansion`] names the members as
//! the entries are read and catches a member named twice; once all are
//! read, [`Refs`] resolves a name other sections give (a member's id, or a
//! group's id for all its members) to the members it stands for.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use super::ctx::{Ctx, unknown};
use crate::scenario::FieldPath;

/// Most hosts, apps or VMs in one scenario.
pub(super) const MAX_ENTITIES: usize = 1_000_000;

/// The member ids of one entry: `ID` alone, or `ID-01` … when the entry
/// has a `count` (`explicit`).
fn expand_ids(id: &str, count: u32, explicit: bool) -> Vec<String> {
    if !explicit {
        return vec![id.to_string()];
    }
    let width = count.to_string().len().max(2);
    (1..=count).map(|i| format!("{id}-{i:0width$}")).collect()
}

/// One entry of a list that `count` may expand, as read from the file.
pub(super) struct Group<'a> {
    /// The entry's `id` field, where a member named twice is reported.
    pub(super) path: &'a FieldPath,
    /// The entry's id.
    pub(super) id: &'a str,
    /// How many members (1 without a `count`).
    pub(super) count: u32,
    /// Whether the entry has a `count`, so is a group.
    pub(super) grouped: bool,
    /// Whether the entry's own id was already taken (reported by
    /// [`Ctx::id`]): its members are then not reported again.
    pub(super) duplicate: bool,
}

/// The members of one kind of entity (hosts or apps) and their groups, as
/// the entries are read.
pub(super) struct Expansion<Id> {
    /// Every member by id (only [`Named::Member`]s while entries are read):
    /// the map that [`Expansion::into_refs`] hands on, so that a big
    /// estate's hundred thousand ids are inserted once, not copied into a
    /// second map. A hash map, searched a few times per app, never walked
    /// (but sorted for an error's list of ids), so its order reaches
    /// nothing.
    ids: HashMap<String, Named<Id>>,
    /// Every group (an entry with a `count`) by id.
    groups: BTreeMap<String, Vec<Id>>,
}

/// What a name stands for: one member, or a group (its index in
/// [`Refs::groups`]). A member needs no list of its own.
#[derive(Clone, Copy)]
enum Named<Id> {
    Member(Id),
    Group(usize),
}

impl<Id: Copy> Expansion<Id> {
    /// No entity yet.
    pub(super) fn new() -> Self {
        Expansion {
            ids: HashMap::new(),
            groups: BTreeMap::new(),
        }
    }

    /// Whether a member is named `id`.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Expands `group` (of `kind`, "host" or "app") into its members, in
    /// order: `add` creates each from its id and returns the new index. A
    /// member named like an earlier one is reported (the later one wins).
    /// Returns the members; a group is recorded with [`Expansion::group`].
    pub(super) fn expand(
        &mut self,
        ctx: &mut Ctx,
        kind: &str,
        group: &Group<'_>,
        mut add: impl FnMut(String) -> Id,
    ) -> Vec<Id> {
        let mut members = Vec::with_capacity(group.count as usize);
        for id in expand_ids(group.id, group.count, group.grouped) {
            let member = add(id.clone());
            match self.ids.entry(id) {
                Entry::Vacant(slot) => {
                    slot.insert(Named::Member(member));
                }
                Entry::Occupied(mut slot) => {
                    slot.insert(Named::Member(member));
                    if !group.duplicate {
                        ctx.err(
                            group.path,
                            format!(
                                "{kind} id `{}` is defined twice (`count` expands a group to ID-01, ID-02, …)",
                                slot.key()
                            ),
                        );
                    }
                }
            }
            members.push(member);
        }
        members
    }

    /// Records a group, so that its id names all its `members`.
    pub(super) fn group(&mut self, id: &str, members: Vec<Id>) {
        self.groups.insert(id.to_string(), members);
    }

    /// The names other sections may use: every member's id, and every
    /// group's (which wins over a member of the same name).
    pub(super) fn into_refs(self) -> Refs<Id> {
        let mut names = self.ids;
        let mut groups = Vec::with_capacity(self.groups.len());
        for (id, members) in self.groups {
            names.insert(id, Named::Group(groups.len()));
            groups.push(members);
        }
        Refs { names, groups }
    }
}

/// What a name of a member or a group stands for.
pub(super) struct Refs<Id> {
    /// Every name, to its member or its group in `groups` (never walked
    /// but sorted, as [`Expansion::ids`]).
    names: HashMap<String, Named<Id>>,
    /// The members of each group.
    groups: Vec<Vec<Id>>,
}

impl<Id> Default for Refs<Id> {
    /// No names.
    fn default() -> Self {
        Refs {
            names: HashMap::new(),
            groups: Vec::new(),
        }
    }
}

impl<Id: Copy> Refs<Id> {
    /// The members `name` stands for, or an error recorded at `path` (with
    /// a suggestion) naming it an unknown `kind`.
    pub(super) fn lookup(
        &self,
        ctx: &mut Ctx,
        path: &FieldPath,
        name: &str,
        kind: &str,
    ) -> Option<&[Id]> {
        match self.get(name) {
            Some(members) => Some(members),
            None => {
                let mut names: Vec<&str> = self.names.keys().map(String::as_str).collect();
                names.sort_unstable();
                unknown(ctx, path, name, &names, kind);
                None
            }
        }
    }

    /// The members `name` stands for, if any, without recording an error.
    pub(super) fn get(&self, name: &str) -> Option<&[Id]> {
        match self.names.get(name)? {
            Named::Member(member) => Some(std::slice::from_ref(member)),
            Named::Group(g) => Some(self.groups[*g].as_slice()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expands `(id, count)` entries as hosts or apps are, numbering the
    /// members from 0; returns the refs and the problems found.
    fn expand_all(entries: &[(&str, Option<u32>)]) -> (Refs<u32>, Vec<String>) {
        let mut ctx = Ctx { errors: Vec::new() };
        let mut expansion = Expansion::new();
        let mut next = 0;
        let path = FieldPath::root().key("hosts");
        for &(id, count) in entries {
            let group = Group {
                path: &path,
                id,
                count: count.unwrap_or(1),
                grouped: count.is_some(),
                duplicate: false,
            };
            let members = expansion.expand(&mut ctx, "host", &group, |_| {
                next += 1;
                next - 1
            });
            if count.is_some() {
                expansion.group(id, members);
            }
        }
        let messages = ctx.errors.into_iter().map(|(_, m)| m).collect();
        (expansion.into_refs(), messages)
    }

    #[test]
    fn a_count_names_members_and_the_group_names_them_all() {
        let (refs, errors) = expand_all(&[("db", None), ("web", Some(3)), ("big", Some(100))]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(refs.get("db"), Some(&[0][..]));
        assert_eq!(refs.get("web"), Some(&[1, 2, 3][..]));
        assert_eq!(refs.get("web-02"), Some(&[2][..]));
        assert_eq!(refs.get("web-2"), None);
        assert_eq!(refs.get("big-001"), Some(&[4][..]));
        assert_eq!(refs.get("big").map(<[u32]>::len), Some(100));
    }

    #[test]
    fn a_member_named_twice_is_reported_and_the_later_one_wins() {
        let (refs, errors) = expand_all(&[("web", Some(2)), ("web-01", None)]);
        assert_eq!(
            errors,
            ["host id `web-01` is defined twice (`count` expands a group to ID-01, ID-02, …)"]
        );
        assert_eq!(refs.get("web-01"), Some(&[2][..]));
        assert_eq!(refs.get("web"), Some(&[0, 1][..]));
    }

    #[test]
    fn an_unknown_name_lists_the_names_in_order_whatever_the_map() {
        let (refs, errors) = expand_all(&[("zeta", None), ("alpha", None), ("mid", Some(2))]);
        assert!(errors.is_empty(), "{errors:?}");
        let mut ctx = Ctx { errors: Vec::new() };
        let path = FieldPath::root().key("apps");
        assert_eq!(refs.lookup(&mut ctx, &path, "nothing", "app"), None);
        let messages: Vec<_> = ctx.errors.into_iter().map(|(_, m)| m).collect();
        assert_eq!(
            messages,
            ["unknown app `nothing`: expected one of `alpha`, `mid`, `mid-01`, `mid-02`, `zeta`"]
        );
    }
}
