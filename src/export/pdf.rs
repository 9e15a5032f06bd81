//! A result as an A4 PDF to print or send: the report's title, parameters, time and user;
//! for a summary, a bar chart of its main amounts; the table with its header repeated on
//! every page, numbers right-aligned, flagged rows highlighted, a totals row; page
//! numbers. Text is written in a CJK font found on the system (or `--font`), embedded as
//! a subset of the glyphs used. Portrait when the table fits, landscape and smaller type
//! when it is wide.

use std::collections::HashMap;
use std::path::Path;

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem, TextMatrix, TextRenderingMode,
};

use super::table::{self, Chart, Grid, Kind};
use super::{Meta, Sheet, font};

const A4: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 36.0;
/// Room at the bottom of each page for its number.
const FOOTER: f32 = 22.0;
const BODY: f32 = 9.0;
const SMALLEST: f32 = 6.0;
const PAD: f32 = 4.0;
/// A text column wider than this (at 9 pt) is cut short with an ellipsis.
const WIDEST_TEXT: f32 = 250.0;

const HEADER_FILL: (f32, f32, f32) = (0.20, 0.31, 0.50);
const STRIPE: (f32, f32, f32) = (0.95, 0.96, 0.98);
const FLAG_FILL: (f32, f32, f32) = (1.0, 0.86, 0.84);
const TOTAL_FILL: (f32, f32, f32) = (0.86, 0.90, 0.96);
const GRID_LINE: (f32, f32, f32) = (0.82, 0.82, 0.82);
const INK: (f32, f32, f32) = (0.0, 0.0, 0.0);
const GREY: (f32, f32, f32) = (0.35, 0.35, 0.35);
const WHITE: (f32, f32, f32) = (1.0, 1.0, 1.0);
const PALETTE: [(f32, f32, f32); 3] = [(0.27, 0.45, 0.77), (0.93, 0.49, 0.19), (0.44, 0.68, 0.28)];

/// Writes one section per sheet to `path` (the temp file of an
/// [`crate::outfile::Target`], which moves it into place); returns the rows written.
pub fn write(path: &Path, meta: &Meta, sheets: &[Sheet]) -> Result<u64, String> {
    let file = font::find(meta.font.as_deref())?;
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(&file.bytes, file.index as usize, &mut warnings)
        .ok_or_else(|| format!("font {} could not be read; {}", file.path.display(), font::HOW_TO_GET_ONE))?;
    let title = sheets.first().map_or(String::new(), |s| s.title.clone());
    let mut doc = PdfDocument::new(&title);
    doc.metadata.info.author = meta.user.clone();
    doc.metadata.info.creator = "recon".into();
    doc.metadata.info.producer = format!("recon {}", env!("CARGO_PKG_VERSION"));
    if let Ok(now) = printpdf::OffsetDateTime::from_unix_timestamp(crate::clock::now().timestamp()) {
        doc.metadata.info.creation_date = now;
        doc.metadata.info.modification_date = now;
        doc.metadata.info.metadata_date = now;
    }
    let id = doc.add_font(&parsed);
    let mut pen = Pen { font: &parsed, id, advances: HashMap::new() };
    let mut pages: Vec<Page> = Vec::new();
    let mut rows = 0;
    for sheet in sheets {
        let mut grid = Grid::new(&sheet.schema, &sheet.batches, meta.english)?;
        if !sheet.adds_up {
            grid.totals.clear();
        }
        rows += grid.rows.len() as u64;
        lay_out(&mut pen, meta, sheet, &grid, &mut pages);
    }
    let count = pages.len();
    let pdf_pages: Vec<PdfPage> = pages
        .into_iter()
        .enumerate()
        .map(|(n, mut page)| {
            let footer = format!("第 {} / {count} 页   Page {} of {count}", n + 1, n + 1);
            let left = pen.fit(&page.title, 7.5, page.width / 2.0);
            page.text(&mut pen, MARGIN, 14.0, 7.5, &left, GREY);
            let w = pen.width(&footer, 7.5);
            page.text(&mut pen, page.width - MARGIN - w, 14.0, 7.5, &footer, GREY);
            PdfPage::new(Pt(page.width).into(), Pt(page.height).into(), page.ops)
        })
        .collect();
    let options = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    let mut save_warnings = Vec::new();
    let bytes = doc.with_pages(pdf_pages).save(&options, &mut save_warnings);
    std::fs::write(path, &bytes).map_err(|e| e.to_string())?;
    Ok(rows)
}

/// Measures and writes text in the one embedded font.
struct Pen<'a> {
    font: &'a ParsedFont,
    id: FontId,
    /// Advance of each character in ems; None when the font has no glyph for it.
    advances: HashMap<char, Option<f32>>,
}

impl Pen<'_> {
    fn advance(&mut self, c: char) -> Option<f32> {
        let font = self.font;
        *self.advances.entry(c).or_insert_with(|| {
            let gid = font.lookup_glyph_index(c as u32)?;
            let upem = f32::from(font.pdf_font_metrics.units_per_em.max(1));
            Some(f32::from(font.get_horizontal_advance(gid)) / upem)
        })
    }

    /// `s` as the font can write it: a character it has no glyph for becomes '?' rather
    /// than an empty box, and control characters a space.
    fn printable(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .map(|c| if self.advance(c).is_some() { c } else { '?' })
            .collect()
    }

    fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c).unwrap_or(0.5)).sum::<f32>() * size
    }

    /// `s` cut short with an ellipsis to fit `max` points.
    fn fit(&mut self, s: &str, size: f32, max: f32) -> String {
        let s = self.printable(s);
        if self.width(&s, size) <= max {
            return s;
        }
        let ellipsis = self.width("…", size);
        let mut out = String::new();
        let mut used = 0.0;
        for c in s.chars() {
            let w = self.advance(c).unwrap_or(0.5) * size;
            if used + w + ellipsis > max {
                break;
            }
            used += w;
            out.push(c);
        }
        out.push('…');
        out
    }
}

struct Page {
    width: f32,
    height: f32,
    title: String,
    ops: Vec<Op>,
    /// Where the next thing on the page may start (top edge, in points from the bottom).
    free: f32,
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb { r, g, b, icc_profile: None })
}

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

impl Page {
    fn new(landscape: bool, title: &str) -> Page {
        let (width, height) = if landscape { (A4.1, A4.0) } else { A4 };
        Page { width, height, title: title.to_string(), ops: Vec::new(), free: height - MARGIN }
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: (f32, f32, f32)) {
        self.ops.push(Op::SetFillColor { col: rgb(color) });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), color: (f32, f32, f32), thickness: f32) {
        self.ops.push(Op::SetOutlineColor { col: rgb(color) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint { p: pt(from.0, from.1), bezier: false },
                    LinePoint { p: pt(to.0, to.1), bezier: false },
                ],
                is_closed: false,
            },
        });
    }

    /// One run of text with its baseline starting at (x, y).
    fn text(&mut self, pen: &mut Pen, x: f32, y: f32, size: f32, s: &str, color: (f32, f32, f32)) {
        let s = pen.printable(s);
        self.runs(pen, size, color, false, &[(x, y, s)]);
    }

    /// Several runs in one text object: the cells of a row.
    fn runs(&mut self, pen: &Pen, size: f32, color: (f32, f32, f32), bold: bool, runs: &[(f32, f32, String)]) {
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont { font: PdfFontHandle::External(pen.id.clone()), size: Pt(size) });
        self.ops.push(Op::SetFillColor { col: rgb(color) });
        if bold {
            // One regular face: stroking the outlines too reads as bold.
            self.ops.push(Op::SetOutlineColor { col: rgb(color) });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(size / 30.0) });
            self.ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
        }
        for (x, y, s) in runs {
            if s.is_empty() {
                continue;
            }
            self.ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(*x), Pt(*y)) });
            self.ops.push(Op::ShowText { items: vec![TextItem::Text(s.clone())] });
        }
        if bold {
            self.ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
        }
        self.ops.push(Op::EndTextSection);
    }

    fn rotated(&mut self, pen: &Pen, x: f32, y: f32, size: f32, degrees: f32, s: String) {
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont { font: PdfFontHandle::External(pen.id.clone()), size: Pt(size) });
        self.ops.push(Op::SetFillColor { col: rgb(INK) });
        self.ops.push(Op::SetTextMatrix { matrix: TextMatrix::TranslateRotate(Pt(x), Pt(y), degrees) });
        self.ops.push(Op::ShowText { items: vec![TextItem::Text(s)] });
        self.ops.push(Op::EndTextSection);
    }
}

/// Column widths, type size and orientation for a table.
struct Layout {
    landscape: bool,
    size: f32,
    widths: Vec<f32>,
}

fn measure(pen: &mut Pen, grid: &Grid) -> Layout {
    let mut natural: Vec<f32> = grid.headers.iter().map(|h| pen.width(h, BODY)).collect();
    let totals: Vec<Vec<String>> = grid.totals.iter().map(totals_row).collect();
    for row in grid.rows.iter().chain(&totals) {
        for (c, cell) in row.iter().enumerate() {
            natural[c] = natural[c].max(pen.width(cell, BODY));
        }
    }
    let uncapped = natural.clone();
    for (c, w) in natural.iter_mut().enumerate() {
        if grid.kinds[c] == Kind::Text {
            *w = w.min(WIDEST_TEXT);
        }
    }
    let padding = 2.0 * PAD * natural.len() as f32;
    let total: f32 = natural.iter().sum::<f32>() + padding;
    let (portrait, landscape) = (A4.0 - 2.0 * MARGIN, A4.1 - 2.0 * MARGIN);
    if total <= portrait {
        return Layout { landscape: false, size: BODY, widths: natural.iter().map(|w| w + 2.0 * PAD).collect() };
    }
    if total <= landscape {
        // Room to spare on a landscape page goes to the text that was cut short.
        let mut spare = landscape - total;
        for (c, w) in natural.iter_mut().enumerate() {
            let grow = (uncapped[c] - *w).min(spare).max(0.0);
            *w += grow;
            spare -= grow;
        }
        return Layout { landscape: true, size: BODY, widths: natural.iter().map(|w| w + 2.0 * PAD).collect() };
    }
    // Text scales with the type size; the padding does not.
    let size = (BODY * (landscape - padding) / (total - padding)).clamp(SMALLEST, BODY);
    let mut widths: Vec<f32> = natural.iter().map(|w| w * size / BODY + 2.0 * PAD).collect();
    // Still too wide at the smallest type: text columns give up what is missing.
    let excess = widths.iter().sum::<f32>() - landscape;
    if excess > 0.0 {
        let text: f32 = (0..widths.len()).filter(|&c| grid.kinds[c] == Kind::Text).map(|c| widths[c]).sum();
        if text > 0.0 {
            let keep = ((text - excess) / text).max(0.25);
            for (c, w) in widths.iter_mut().enumerate() {
                if grid.kinds[c] == Kind::Text {
                    *w = (*w * keep).max(4.0 * size + 2.0 * PAD);
                }
            }
        }
    }
    Layout { landscape: true, size, widths }
}

/// Adds the pages of one sheet.
fn lay_out(pen: &mut Pen, meta: &Meta, sheet: &Sheet, grid: &Grid, pages: &mut Vec<Page>) {
    let layout = measure(pen, grid);
    let chart = table::chart(&sheet.schema, &sheet.batches, meta.english).filter(|_| sheet.adds_up);
    let chart_height = if layout.landscape { 190.0 } else { 230.0 };
    // A section continues the page before when its title, chart and first rows fit there.
    let needed = 60.0 + chart.as_ref().map_or(0.0, |_| chart_height + 14.0) + 5.0 * layout.size * 1.75;
    let mut page = match pages.pop() {
        Some(last) if (last.width > last.height) == layout.landscape && last.free - needed > MARGIN + FOOTER => last,
        Some(last) => {
            pages.push(last);
            Page::new(layout.landscape, &sheet.title)
        }
        None => Page::new(layout.landscape, &sheet.title),
    };
    let continued = page.free < page.height - MARGIN;
    let mut y = page.free - if continued { 30.0 } else { 16.0 };
    let title = pen.fit(&sheet.title, 16.0, page.width - 2.0 * MARGIN);
    page.runs(pen, 16.0, INK, true, &[(MARGIN, y, title)]);
    y -= 16.0;
    let about = pen.fit(&sheet.about(meta), 8.0, page.width - 2.0 * MARGIN);
    page.text(pen, MARGIN, y, 8.0, &about, GREY);
    y -= 14.0;
    if let Some(chart) = chart {
        let height = chart_height;
        let width = page.width - 2.0 * MARGIN;
        draw_chart(pen, &mut page, &chart, MARGIN, y - height, width, height);
        y -= height + 14.0;
    }

    let size = layout.size;
    let row_h = size * 1.75;
    let bottom = MARGIN + FOOTER - 14.0;
    let baseline = |top: f32| top - row_h + (row_h - size) / 2.0 + size * 0.18;
    let table_w: f32 = layout.widths.iter().sum();
    let lefts: Vec<f32> = layout.widths.iter().scan(MARGIN, |x, w| Some(std::mem::replace(x, *x + w))).collect();
    let cells = |pen: &mut Pen, values: &[String], top: f32| -> Vec<(f32, f32, String)> {
        values
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let text = pen.fit(v, size, layout.widths[c] - 2.0 * PAD);
                let x = if grid.kinds[c].right_aligned() {
                    lefts[c] + layout.widths[c] - PAD - pen.width(&text, size)
                } else {
                    lefts[c] + PAD
                };
                (x, baseline(top), text)
            })
            .collect()
    };
    let header = |pen: &mut Pen, page: &mut Page, top: f32| {
        page.fill(MARGIN, top - row_h, table_w, row_h, HEADER_FILL);
        let runs = cells(pen, &grid.headers, top);
        page.runs(pen, size, WHITE, true, &runs);
    };
    header(pen, &mut page, y);
    y -= row_h;
    if grid.rows.is_empty() {
        page.text(pen, MARGIN + PAD, baseline(y), size, "（无数据 No rows）", GREY);
        y -= row_h;
    }
    for (n, row) in grid.rows.iter().enumerate() {
        if y - row_h < bottom {
            pages.push(std::mem::replace(&mut page, Page::new(layout.landscape, &sheet.title)));
            y = page.height - MARGIN;
            header(pen, &mut page, y);
            y -= row_h;
        }
        if grid.flagged[n] {
            page.fill(MARGIN, y - row_h, table_w, row_h, FLAG_FILL);
        } else if n % 2 == 1 {
            page.fill(MARGIN, y - row_h, table_w, row_h, STRIPE);
        }
        let runs = cells(pen, row, y);
        page.runs(pen, size, INK, false, &runs);
        y -= row_h;
    }
    // One totals row per currency, under a rule.
    for (k, total) in grid.totals.iter().enumerate() {
        if y - row_h < bottom {
            pages.push(std::mem::replace(&mut page, Page::new(layout.landscape, &sheet.title)));
            y = page.height - MARGIN;
            header(pen, &mut page, y);
            y -= row_h;
        }
        page.fill(MARGIN, y - row_h, table_w, row_h, TOTAL_FILL);
        if k == 0 {
            page.line((MARGIN, y), (MARGIN + table_w, y), GREY, 0.6);
        }
        let runs = cells(pen, &totals_row(total), y);
        page.runs(pen, size, INK, true, &runs);
        y -= row_h;
    }
    page.free = y;
    pages.push(page);
}

/// A totals row as the cells it prints: its label in the first column.
fn totals_row((label, cells): &(String, Vec<Option<String>>)) -> Vec<String> {
    let mut row: Vec<String> = cells.iter().map(|t| t.clone().unwrap_or_default()).collect();
    if let Some(first) = row.first_mut() {
        *first = label.clone();
    }
    row
}

/// A grouped bar chart in the box whose lower left corner is (x, y).
fn draw_chart(pen: &mut Pen, page: &mut Page, chart: &Chart, x: f32, y: f32, w: f32, h: f32) {
    let n = chart.labels.len();
    // Money stays exact in the table; a bar's height only needs to be close.
    let series: Vec<Vec<f64>> =
        chart.series.iter().map(|(_, v)| v.iter().map(|c| *c as f64 / 100.0).collect()).collect();
    let values = series.iter().flat_map(|v| v.iter().copied());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let step = nice_step((hi - lo).max(1.0) / 5.0);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let ticks: Vec<f64> = (0..=((hi - lo) / step).round() as i64).map(|i| lo + i as f64 * step).collect();
    let tick_size = 7.0;
    let tick_text = |v: f64| super::table::grouped(&format!("{v:.0}"));
    let axis_w = ticks.iter().map(|t| pen.width(&tick_text(*t), tick_size)).fold(0.0, f32::max) + 6.0;

    // Legend on top.
    let legend_y = y + h - 8.0;
    let mut lx = x + axis_w;
    for (i, (name, _)) in chart.series.iter().enumerate() {
        page.fill(lx, legend_y - 1.0, 8.0, 8.0, PALETTE[i % PALETTE.len()]);
        page.text(pen, lx + 11.0, legend_y, 8.0, name, INK);
        lx += 11.0 + pen.width(name, 8.0) + 14.0;
    }

    let group = (w - axis_w) / n.max(1) as f32;
    let label_size = 7.0;
    let widest = chart.labels.iter().map(|l| pen.width(l, label_size)).fold(0.0, f32::max);
    let rotate = widest > group - 2.0;
    let label_h = if rotate { (widest * 0.71 + 6.0).min(80.0) } else { 12.0 };
    let (plot_x, plot_y, plot_w, plot_h) = (x + axis_w, y + label_h, w - axis_w, h - label_h - 18.0);
    let y_of = |v: f64| plot_y + ((v - lo) / (hi - lo).max(f64::MIN_POSITIVE)) as f32 * plot_h;

    for t in &ticks {
        let ty = y_of(*t);
        page.line((plot_x, ty), (plot_x + plot_w, ty), GRID_LINE, 0.4);
        let text = tick_text(*t);
        let tw = pen.width(&text, tick_size);
        page.text(pen, plot_x - 3.0 - tw, ty - 2.5, tick_size, &text, GREY);
    }
    let zero = y_of(0.0);
    let k = chart.series.len().max(1) as f32;
    let bar = group * 0.8 / k;
    for (s, vals) in series.iter().enumerate() {
        for (i, v) in vals.iter().enumerate() {
            let bx = plot_x + i as f32 * group + group * 0.1 + s as f32 * bar;
            let top = y_of(*v);
            let (b0, b1) = if top >= zero { (zero, top) } else { (top, zero) };
            if b1 - b0 > 0.05 {
                page.fill(bx, b0, bar, b1 - b0, PALETTE[s % PALETTE.len()]);
            }
        }
    }
    page.line((plot_x, zero), (plot_x + plot_w, zero), GREY, 0.8);
    for (i, label) in chart.labels.iter().enumerate() {
        let cx = plot_x + (i as f32 + 0.5) * group;
        if rotate {
            let text = pen.fit(label, label_size, (label_h - 6.0) / 0.71);
            let tw = pen.width(&text, label_size);
            // Rotated 45° so the label ends just under its bars.
            let (sx, sy) = (cx - tw * 0.71, plot_y - 4.0 - tw * 0.71);
            page.rotated(pen, sx, sy, label_size, 45.0, text);
        } else {
            let text = pen.printable(label);
            let tw = pen.width(&text, label_size);
            page.text(pen, cx - tw / 2.0, plot_y - 9.0, label_size, &text, INK);
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn chart_steps() {
        assert_eq!(super::nice_step(180.0), 200.0);
        assert_eq!(super::nice_step(3.2), 5.0);
        assert_eq!(super::nice_step(1000.0), 1000.0);
    }
}
