//! Exports to share a result with other departments: an Excel workbook or a PDF document
//! with one sheet (or section) per result, titled with the report's name, parameters, time
//! and user. Each is written through a temporary file, so a failed export leaves nothing.

pub mod font;
pub mod pdf;
pub mod table;
pub mod xlsx;

use std::path::PathBuf;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;

/// What every sheet of one export shares.
pub struct Meta {
    pub user: String,
    pub time: String,
    /// Column headers as the columns are named, instead of in Chinese.
    pub english: bool,
    /// The font for a PDF's text, instead of the one found on the system.
    pub font: Option<PathBuf>,
}

/// One result: a worksheet of a workbook, a section of a PDF.
pub struct Sheet {
    pub title: String,
    /// `name=value`, or nothing.
    pub params: Vec<String>,
    /// Rows to add up in a totals row and to chart; false for a statement whose lines
    /// already carry their subtotals (the bank reconciliation).
    pub adds_up: bool,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Sheet {
    pub fn rows(&self) -> u64 {
        self.batches.iter().map(|b| b.num_rows() as u64).sum()
    }

    /// The line under the title: parameters, time, user.
    pub fn about(&self, meta: &Meta) -> String {
        let about = format!("生成 Generated {} by {}", meta.time, meta.user);
        if self.params.is_empty() { about } else { format!("参数 Parameters: {}    {about}", self.params.join(", ")) }
    }
}
