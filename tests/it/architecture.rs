//! The architecture rules of the crate, checked on its source text so that they cannot regress:
//!
//! * no module outside `src/cli/` and `src/main.rs` names clap or the `cli` module;
//! * no import cycle between the crate's top-level modules (`crate::a` naming `crate::b` while
//!   `crate::b` names `crate::a`, directly or through others);
//! * no drawing (plotters, `crate::report`) outside the report layer and the command line;
//! * the integration tests are one crate: `tests/` holds no top-level `*.rs` and no other
//!   `tests/<dir>/main.rs` (each would be a separately linked test binary), `Cargo.toml`
//!   declares no `[[test]]` target, and every file under `tests/it/` is a declared module
//!   (an undeclared file would silently not be compiled).
//!
//! A module's dependencies are every `crate::NAME` path in its files (code lines, comments and
//! doc text skipped), and for `src/lib.rs` nothing (it only declares and re-exports).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `(path relative to src/, code with comments removed)` of every source file.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            (rel, strip_comments(&text))
        })
        .collect()
}

/// The code of a file with `//` comments (doc comments included) and `/* */` blocks removed;
/// string literals are kept (a path inside a string is rare and harmless to over-count).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let (mut i, mut in_str, mut block) = (0, false, 0usize);
    while i < b.len() {
        let c = b[i];
        if block > 0 {
            if c == b'*' && b.get(i + 1) == Some(&b'/') {
                block -= 1;
                i += 2;
            } else {
                if c == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            continue;
        }
        if in_str {
            out.push(c as char);
            if c == b'\\' {
                if let Some(&n) = b.get(i + 1) {
                    out.push(n as char);
                }
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match (c, b.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                block += 1;
                i += 2;
            }
            (b'"', _) => {
                in_str = true;
                out.push('"');
                i += 1;
            }
            // A char literal such as '"' or '\"' must not open a string.
            (b'\'', Some(b'\\')) if b.get(i + 3) == Some(&b'\'') => {
                out.push_str(&text[i..i + 4]);
                i += 4;
            }
            (b'\'', _) if b.get(i + 2) == Some(&b'\'') => {
                out.push_str(&text[i..i + 3]);
                i += 3;
            }
            _ => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// The top-level module a file belongs to (`sweep/grid.rs` → `sweep`); `None` for the crate
/// root and the binary.
fn top_module(rel: &str) -> Option<String> {
    if rel == "lib.rs" || rel == "main.rs" {
        return None;
    }
    let first = rel.split('/').next().unwrap();
    Some(first.trim_end_matches(".rs").to_string())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `NAME` following `crate::` in `code`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (k, _) in code.match_indices("crate::") {
        if k > 0 && is_ident(code[..k].chars().next_back().unwrap()) {
            continue; // e.g. `quantreplica::` ending in ...crate? (never) or `mycrate::`
        }
        let rest = &code[k + "crate::".len()..];
        let rest = rest.trim_start_matches('{');
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if !name.is_empty() {
            out.insert(name);
        }
        // `crate::{a, b::c}`: every first segment inside the braces.
        if code[k + "crate::".len()..].starts_with('{') {
            let inner = &code[k + "crate::{".len()..];
            let mut depth = 1;
            let mut seg = String::new();
            let mut at_start = true;
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        at_start = true;
                        seg.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 1 && at_start {
                    if is_ident(c) {
                        seg.push(c);
                    } else if !seg.is_empty() {
                        out.insert(std::mem::take(&mut seg));
                        at_start = false;
                    }
                }
            }
            if !seg.is_empty() {
                out.insert(seg);
            }
        }
    }
    out
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let srcs = sources();
    let modules: BTreeSet<String> = srcs.iter().filter_map(|(r, _)| top_module(r)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (rel, code) in &srcs {
        let Some(m) = top_module(rel) else { continue };
        for dep in crate_paths(code) {
            if dep != m && modules.contains(&dep) {
                g.get_mut(&m).unwrap().insert(dep);
            }
        }
    }
    g
}

/// Every elementary cycle's lexicographically first rotation, found by depth-first search.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn dfs(
        g: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        node: &str,
        path: &mut Vec<String>,
        out: &mut BTreeSet<Vec<String>>,
    ) {
        for next in &g[node] {
            if next == start {
                out.insert(path.clone());
            } else if next.as_str() > start && !path.contains(next) {
                path.push(next.clone());
                dfs(g, start, next, path, out);
                path.pop();
            }
        }
    }
    let mut out = BTreeSet::new();
    for start in g.keys() {
        let mut path = vec![start.clone()];
        dfs(g, start, start, &mut path, &mut out);
    }
    out.into_iter().collect()
}

#[test]
fn parser_sees_plain_and_braced_paths() {
    let code = strip_comments(
        "use crate::a::X; // crate::commented\nuse crate::{b, c::{D, E}};\nlet s = \"//\"; crate::d::f();\n/* crate::e */",
    );
    let got: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(got, ["a", "b", "c", "d"]);
}

#[test]
fn cycle_finder_finds_a_cycle_and_nothing_else() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
}

#[test]
fn no_clap_and_no_cli_outside_the_command_line() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with("cli/") && rel != "main.rs" && rel != "lib.rs")
        .filter(|(_, code)| {
            code.contains("clap::")
                || code.contains("clap;")
                || crate_paths(code).contains("cli")
                || code.contains("super::cli")
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(bad.is_empty(), "clap or cli used outside src/cli: {bad:?}");
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let g = module_graph();
    let c = cycles(&g);
    assert!(c.is_empty(), "import cycles between modules: {c:?}");
}

#[test]
fn drawing_lives_in_the_report_layer() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| {
            !rel.starts_with("report/") && !rel.starts_with("cli/") && rel != "main.rs"
        })
        .filter(|(rel, code)| {
            code.contains("plotters") || (rel != "lib.rs" && crate_paths(code).contains("report"))
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(bad.is_empty(), "drawing outside src/report: {bad:?}");
}

/// The `mod NAME;` declarations of a Rust file.
fn declared_modules(text: &str) -> BTreeSet<String> {
    strip_comments(text)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l
                .strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))?;
            Some(rest.strip_suffix(';')?.trim().to_string())
        })
        .collect()
}

/// The `.rs` files of `dir` (not recursive) by stem, except `skip`.
fn stems(dir: &Path, skip: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|s| s != skip)
        .collect()
}

#[test]
fn integration_tests_are_one_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tests = root.join("tests");
    for e in std::fs::read_dir(&tests).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !(p.is_file() && name.ends_with(".rs")),
            "tests/{name} is a separate test binary: move it to tests/it/{name} and add \
             `mod {};` to tests/it/main.rs",
            name.trim_end_matches(".rs")
        );
        if p.is_dir() && name != "it" {
            assert!(
                !p.join("main.rs").exists(),
                "tests/{name}/main.rs is a separate test binary: make it a module of tests/it"
            );
        }
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        !manifest.lines().any(|l| l.trim() == "[[test]]") && !manifest.contains("autotests"),
        "Cargo.toml declares test targets: the integration tests are the one crate tests/it"
    );
    // Every file is a declared module: an undeclared one compiles to nothing, silently.
    let it = tests.join("it");
    let main = std::fs::read_to_string(it.join("main.rs")).unwrap();
    let mut want = stems(&it, "main");
    want.extend(
        std::fs::read_dir(&it)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned()),
    );
    assert_eq!(
        declared_modules(&main),
        want,
        "tests/it/main.rs vs tests/it/"
    );
    let support = it.join("support");
    let decl = declared_modules(&std::fs::read_to_string(support.join("mod.rs")).unwrap());
    assert_eq!(
        decl,
        stems(&support, "mod"),
        "tests/it/support/mod.rs vs its files"
    );
    assert_eq!(
        declared_modules("mod a;\n// mod b;\npub mod c;\n"),
        BTreeSet::from(["a".to_string(), "c".to_string()])
    );
}
