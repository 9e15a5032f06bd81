//! recon's SQL functions: fuzzy matching of names, references in memos, money within a
//! tolerance, working days, the bounded subset-sum that finds several payouts in one
//! bank credit, and first-in-first-out pairing of equal amounts. Vectorised over Arrow arrays, NULL-safe, documented for `.help
//! functions` and `SHOW FUNCTIONS`, and registrable by name on any DataFusion context.

mod args;
pub mod bounded;
mod days;
mod fifo;
mod scalar;
mod subset;
pub mod text;

use datafusion::logical_expr::{DocSection, Documentation};
use datafusion::prelude::SessionContext;

pub use subset::{MAX_ITEMS, MAX_STEPS, solve as subset_sum};

/// Names of recon's own functions, for help and completion.
pub const NAMES: [&str; 18] = [
    "mask_name",
    "mask_phone",
    "mask_address",
    "mask_company",
    "jaro_winkler",
    "token_set_ratio",
    "normalize_party",
    "extract_refs",
    "normalize_ref",
    "ref_fragments",
    "party_similarity",
    "amount_close",
    "working_days",
    "next_working_day",
    "normalize_order_id",
    "subset_sum",
    "fifo_match",
    "as_of",
];

/// Registers every function; `working_days` counts by `calendar`.
pub fn register(ctx: &SessionContext, calendar: std::sync::Arc<crate::calendar::Calendar>) {
    for f in scalar::all() {
        ctx.register_udf(f);
    }
    for f in days::udfs(calendar) {
        ctx.register_udf(f);
    }
    ctx.register_udaf(subset::udaf());
    ctx.register_udaf(fifo::udaf());
    ctx.register_udf(crate::asof::udf());
}

/// The help of one of recon's functions, in `.help functions` under "recon".
pub(crate) fn doc(description: &str, syntax: &str, example: &str, arguments: &[(&str, &str)]) -> Documentation {
    let section = DocSection {
        include: true,
        label: "recon",
        description: Some("Matching and reconciliation functions of recon"),
    };
    let mut b = Documentation::builder(section, description, syntax).with_sql_example(example);
    for (name, about) in arguments {
        b = b.with_argument(*name, *about);
    }
    b.build()
}
