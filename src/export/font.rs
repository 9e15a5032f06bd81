//! Finding a font that writes Chinese into a PDF: `--font FILE`, `RECON_FONT`, or the
//! places Debian, Fedora, Arch, macOS and Windows keep CJK fonts; in a collection (.ttc)
//! the Simplified Chinese face is preferred.

use std::path::{Path, PathBuf};

/// A font file and the face in it to use.
pub struct FontFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub index: u32,
}

/// Characters every report title uses: a font without them cannot write the report.
const PROBE: &str = "回款汇总对账表合计";

const KNOWN: [&str; 16] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
    "C:\\Windows\\Fonts\\simsun.ttc",
];

pub const HOW_TO_GET_ONE: &str = "install a font with Chinese characters (Debian/Ubuntu: \
sudo apt-get install fonts-noto-cjk, or fonts-wqy-microhei; Fedora: google-noto-sans-cjk-fonts), \
or name one with --font FILE or RECON_FONT (.ttf, .otf or .ttc)";

/// The font to use: `explicit`, else `RECON_FONT`, else the first CJK font on the system.
pub fn find(explicit: Option<&Path>) -> Result<FontFile, String> {
    let chosen = explicit.map(Path::to_path_buf).or_else(|| std::env::var_os("RECON_FONT").map(PathBuf::from));
    if let Some(path) = chosen {
        let bytes = std::fs::read(&path).map_err(|e| format!("font {}: {e}", path.display()))?;
        let index = cjk_face(&bytes).ok_or_else(|| {
            format!("font {}: not a font that has Chinese characters; {HOW_TO_GET_ONE}", path.display())
        })?;
        return Ok(FontFile { path, bytes, index });
    }
    let candidates = KNOWN.iter().map(PathBuf::from).chain(font_dirs().into_iter().flat_map(|d| files_under(&d, 4)));
    for path in candidates {
        if !path.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if let Some(index) = cjk_face(&bytes) {
            return Ok(FontFile { path, bytes, index });
        }
    }
    Err(format!("no font with Chinese characters found for the PDF: {HOW_TO_GET_ONE}"))
}

/// The face of a font file (or collection) to write Chinese with: one that has every
/// probe character, preferring Simplified Chinese and proportional faces.
fn cjk_face(bytes: &[u8]) -> Option<u32> {
    let faces = ttf_parser::fonts_in_collection(bytes).unwrap_or(1);
    (0..faces)
        .filter_map(|i| {
            let face = ttf_parser::Face::parse(bytes, i).ok()?;
            if !PROBE.chars().all(|c| face.glyph_index(c).is_some()) {
                return None;
            }
            let family = face
                .names()
                .into_iter()
                .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
                .find_map(|n| n.to_string())
                .unwrap_or_default();
            let simplified = [" SC", "CN", "GB", "Hei", "Sans"].iter().any(|w| family.contains(w));
            let mono = family.contains("Mono");
            Some((i, u8::from(simplified) * 2 + u8::from(!mono)))
        })
        .max_by_key(|&(i, score)| (score, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts")];
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
        dirs.push(home.join("Library/Fonts"));
    }
    dirs
}

/// Font files under `dir`, `depth` levels deep at most, in name order.
fn files_under(dir: &Path, depth: usize) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() && depth > 0 {
            out.extend(files_under(&p, depth - 1));
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(p);
        }
    }
    out
}
