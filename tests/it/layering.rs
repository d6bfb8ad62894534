//! The module graph of each crate, read from the sources: which top-level
//! module names which (`crate::x`, or `super::x` from a top-level file). The
//! harness must follow the data one way (each module names only those before
//! it in [`HARNESS_ORDER`]); the reference endpoint must have no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The harness's modules in the order data flows through them. A module may
/// name only modules listed before it.
const HARNESS_ORDER: &[&str] = &[
    "secrets", "case", "generate", "send", "check", "snapshot", "outcome", "baseline", "run", "report", "session",
    "harness", "explore", "fuzzing",
];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Edges between the top-level modules of the crate whose sources are in `src`
/// (the binary's `main.rs` and `cli/` are left out: nothing in the library names them).
fn module_graph(src: &Path) -> Graph {
    let path_re = regex::Regex::new(r"\b(crate|super(?:::super)*)::([a-z_][a-z0-9_]*)").unwrap();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let top = parts[0].trim_end_matches(".rs").to_string();
        if matches!(top.as_str(), "main" | "cli" | "lib") {
            continue;
        }
        // How many `super`s lead from this file to the crate root.
        let depth = match parts.last().map(String::as_str) {
            Some("mod.rs") => parts.len() - 1,
            _ => parts.len(),
        };
        // Code only: a doc link to a later module is not a dependency.
        let text: String = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let node = graph.entry(top.clone()).or_default();
        for caps in path_re.captures_iter(&text) {
            let head = &caps[1];
            let supers = head.matches("super").count();
            let target = caps[2].to_string();
            let names_root = head == "crate" || supers == depth;
            if names_root && target != top && target != "self" {
                node.insert(target);
            }
        }
    }
    graph
}

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(n: &str, g: &Graph, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_harness_modules_follow_the_data_one_way() {
    let graph = module_graph(&root().join("src"));
    let mut backwards = Vec::new();
    for (from, tos) in &graph {
        let Some(i) = HARNESS_ORDER.iter().position(|m| m == from) else {
            panic!("module `{from}` is not placed in HARNESS_ORDER (tests/it/layering.rs)");
        };
        for to in tos {
            match HARNESS_ORDER.iter().position(|m| m == to) {
                Some(j) if j < i => {}
                _ => backwards.push(format!("{from} -> {to}")),
            }
        }
    }
    assert!(backwards.is_empty(), "modules naming later ones: {backwards:?}");
    assert_eq!(cycle(&graph), None);
}

#[test]
fn the_reference_has_no_module_cycle() {
    let graph = module_graph(&root().join("crates/dpconform-reference/src"));
    assert!(
        graph.contains_key("scheduler") && graph.contains_key("state"),
        "{graph:?}"
    );
    assert_eq!(cycle(&graph), None, "graph: {graph:?}");
}

#[test]
fn the_detector_sees_a_cycle() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "a".into()]));
}
