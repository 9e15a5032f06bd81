//! The code's structure: no cycle between modules. Within every folder of a crate, a
//! child module may use its siblings only in one direction, so each layer can be read,
//! tested and replaced below the ones that use it. References are read from the source
//! (`crate::…` and `super::…` paths, `use` trees included), comments and test modules
//! left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path, `[]` for the crate root.
type ModPath = Vec<String>;

struct Crate {
    /// Every module and the file that holds it.
    modules: BTreeMap<ModPath, PathBuf>,
}

impl Crate {
    /// The crate whose root is `dir/root_file`: the modules that root declares (two
    /// crates may share a folder, as the library and the `recon` program share `src/`),
    /// and everything under them.
    fn read(dir: &Path, root_file: &str) -> Crate {
        let mut modules = BTreeMap::new();
        modules.insert(vec![], dir.join(root_file));
        let root_text = std::fs::read_to_string(dir.join(root_file)).unwrap();
        let declared: Vec<String> = root_text
            .lines()
            .filter_map(|l| {
                l.trim().trim_start_matches("pub ").strip_prefix("mod ")?.strip_suffix(';').map(str::to_string)
            })
            .collect();
        let mut stack = vec![(dir.to_path_buf(), vec![])];
        while let Some((d, prefix)) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                if prefix.is_empty() && !declared.contains(&name) {
                    continue;
                }
                if p.is_dir() {
                    let mut m: ModPath = prefix.clone();
                    m.push(name);
                    if p.join("mod.rs").exists() {
                        modules.insert(m.clone(), p.join("mod.rs"));
                    }
                    stack.push((p, m));
                } else if p.extension().is_some_and(|e| e == "rs") && name != "mod" {
                    if prefix.is_empty() && p == dir.join(root_file) {
                        continue;
                    }
                    let mut m = prefix.clone();
                    m.push(name);
                    modules.insert(m, p);
                }
            }
        }
        Crate { modules }
    }

    /// The deepest module `base` followed by `path` names.
    fn resolve(&self, mut base: ModPath, path: &[String]) -> ModPath {
        for seg in path {
            base.push(seg.clone());
            if !self.modules.contains_key(&base) {
                base.pop();
                break;
            }
        }
        base
    }

    /// Module → the modules it refers to, each with one place it does so.
    fn references(&self) -> BTreeMap<ModPath, BTreeMap<ModPath, String>> {
        let mut out: BTreeMap<ModPath, BTreeMap<ModPath, String>> = BTreeMap::new();
        for (module, file) in &self.modules {
            let text = std::fs::read_to_string(file).unwrap();
            for (n, line) in code_lines(&text) {
                for (start, base) in anchors(line, module) {
                    for path in use_tree(&line[start..]) {
                        let target = self.resolve(base.clone(), &path);
                        if &target != module {
                            let place = format!("{}:{}", file.display(), n + 1);
                            out.entry(module.clone()).or_default().entry(target).or_insert(place);
                        }
                    }
                }
            }
        }
        out
    }
}

/// The lines of code: comments and `#[cfg(test)]` blocks (to the end of the file) left out.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push((n, code));
    }
    out
}

/// Where paths start in `line` (just after `crate::` or the last `super::`), with the
/// module each one starts from.
fn anchors(line: &str, module: &ModPath) -> Vec<(usize, ModPath)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_start && line[i..].starts_with("crate::") {
            out.push((i + 7, vec![]));
            i += 7;
        } else if word_start && line[i..].starts_with("super::") {
            // A file `a/b.rs` is module a::b; its `super` is a. A `mod.rs` is its folder's module.
            let mut base = module.clone();
            let mut j = i;
            while line[j..].starts_with("super::") {
                base.pop();
                j += 7;
            }
            out.push((j, base));
            i = j;
        } else {
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The paths of a `use` tree at the start of `s`: `a::b`, `a::{b, c::d}`, `{a, b}`.
fn use_tree(s: &str) -> Vec<Vec<String>> {
    let (paths, _) = tree(s.as_bytes(), 0);
    paths
}

fn tree(s: &[u8], mut i: usize) -> (Vec<Vec<String>>, usize) {
    while i < s.len() && s[i] == b' ' {
        i += 1;
    }
    if i < s.len() && s[i] == b'{' {
        let mut all = Vec::new();
        i += 1;
        loop {
            while i < s.len() && (s[i] == b' ' || s[i] == b',' || s[i] == b'\n') {
                i += 1;
            }
            if i >= s.len() || s[i] == b'}' {
                return (all, i + 1);
            }
            let (paths, j) = tree(s, i);
            all.extend(paths);
            // Not a path (`*`): step over it.
            i = if j == i { i + 1 } else { j };
        }
    }
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    if start == i {
        return (vec![], i);
    }
    let ident = String::from_utf8_lossy(&s[start..i]).into_owned();
    if s[i..].starts_with(b"::") {
        let (rest, j) = tree(s, i + 2);
        if rest.is_empty() {
            return (vec![vec![ident]], j);
        }
        return (
            rest.into_iter()
                .map(|mut p| {
                    p.insert(0, ident.clone());
                    p
                })
                .collect(),
            j,
        );
    }
    // `self` in a group is the group's own path.
    let path = if ident == "self" { vec![] } else { vec![ident] };
    // Skip an `as name` rename.
    let mut j = i;
    if s[j..].starts_with(b" as ") {
        j += 4;
        while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
            j += 1;
        }
    }
    (vec![path], j)
}

/// The cycles among the children of each folder: groups of siblings that reach each
/// other, each with the references that close it.
fn cycles(krate: &Crate) -> Vec<String> {
    let refs = krate.references();
    let mut found = Vec::new();
    let parents: BTreeSet<ModPath> =
        krate.modules.keys().filter_map(|m| m.split_last().map(|(_, p)| p.to_vec())).collect();
    for parent in parents {
        let depth = parent.len();
        let child_of = |m: &ModPath| (m.len() > depth && m[..depth] == parent[..]).then(|| m[depth].clone());
        let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (from, tos) in &refs {
            let Some(a) = child_of(from) else { continue };
            for (to, place) in tos {
                if let Some(b) = child_of(to)
                    && a != b
                {
                    edges.entry(a.clone()).or_default().entry(b).or_insert_with(|| place.clone());
                }
            }
        }
        for group in strongly_connected(&edges) {
            let mut why = Vec::new();
            for a in &group {
                for (b, place) in edges.get(a).into_iter().flatten() {
                    if group.contains(b) {
                        why.push(format!("    {a} → {b} ({place})"));
                    }
                }
            }
            let at = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
            found.push(format!(
                "in {at}: {}\n{}",
                group.iter().cloned().collect::<Vec<_>>().join(", "),
                why.join("\n")
            ));
        }
    }
    found
}

/// Tarjan's strongly connected components of more than one node.
fn strongly_connected(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    fn visit(st: &mut State, v: &str) {
        st.index.insert(v.to_string(), st.next);
        st.low.insert(v.to_string(), st.next);
        st.next += 1;
        st.stack.push(v.to_string());
        st.on_stack.insert(v.to_string());
        let targets: Vec<String> = st.edges.get(v).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        for w in targets {
            if !st.index.contains_key(&w) {
                visit(st, &w);
                let lw = st.low[&w];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if st.on_stack.contains(&w) {
                let iw = st.index[&w];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut group = BTreeSet::new();
            while let Some(w) = st.stack.pop() {
                st.on_stack.remove(&w);
                let done = w == v;
                group.insert(w);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                st.out.push(group);
            }
        }
    }
    let mut st = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: Vec<String> = edges.keys().cloned().collect();
    for v in nodes {
        if !st.index.contains_key(&v) {
            visit(&mut st, &v);
        }
    }
    st.out
}

#[test]
fn no_module_uses_a_sibling_that_uses_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (dir, file) in [("src", "lib.rs"), ("src", "main.rs"), ("gen", "main.rs")] {
        let krate = Crate::read(&root.join(dir), file);
        assert!(krate.modules.len() > 5, "{dir}: modules not found");
        found.extend(cycles(&krate).into_iter().map(|c| format!("{dir}/{file}: {c}")));
    }
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn a_cycle_is_found_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::{self, B};\n").unwrap();
    std::fs::write(src.join("b.rs"), "// crate::a in a comment is no use\npub fn f() { super::c::g() }\n").unwrap();
    std::fs::write(src.join("c.rs"), "pub fn g() { crate::a::h() }\n#[cfg(test)]\nmod tests { use crate::b; }\n")
        .unwrap();
    let found = cycles(&Crate::read(src, "lib.rs"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("in crate: a, b, c"), "{}", found[0]);
    std::fs::write(src.join("c.rs"), "pub fn g() {}\n").unwrap();
    assert!(cycles(&Crate::read(src, "lib.rs")).is_empty());
}

#[test]
fn the_reader_of_paths_sees_use_trees_and_renames() {
    assert_eq!(use_tree("a::b::C;"), vec![vec!["a", "b", "C"]]);
    assert_eq!(use_tree("{a, b::{self, c as d}};"), vec![vec!["a"], vec!["b"], vec!["b", "c"]]);
    assert_eq!(use_tree("x::{Y, z::*};"), vec![vec!["x", "Y"], vec!["x", "z"]]);
}
