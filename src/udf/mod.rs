//! recon's SQL functions: fuzzy matching of names, references in memos, money within a
//! tolerance, working days, the bounded subset-sum that finds several payouts in one
//! bank credit, and first-in-first-out pairing of equal amounts. Vectorised over Arrow arrays, NULL-safe, documented for `.help
//! functions` and `SHOW FUNCTIONS`, and registrable by name on any DataFusion context.

mod args;
pub mod bounded;
mod days;
mod draw;
mod fifo;
mod scalar;
mod subset;
pub mod text;

use datafusion::logical_expr::{AggregateUDF, DocSection, Documentation, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use subset::{MAX_ITEMS, MAX_STEPS, solve as subset_sum};

/// recon's own functions: the scalar ones and the aggregates, `working_days` counting
/// by `calendar`. The one list both registration and help read.
fn all(calendar: std::sync::Arc<crate::calendar::Calendar>) -> (Vec<ScalarUDF>, Vec<AggregateUDF>) {
    let mut scalars = scalar::all();
    scalars.extend(days::udfs(calendar));
    scalars.push(crate::asof::udf());
    scalars.push(draw::udf());
    (scalars, vec![subset::udaf(), fifo::udaf()])
}

/// Names of recon's own functions, for help.
pub fn names() -> Vec<String> {
    let calendar = crate::calendar::Calendar::new(true, &[], &[]).expect("the built-in calendar is valid");
    let (scalars, aggregates) = all(std::sync::Arc::new(calendar));
    scalars.iter().map(|f| f.name().to_string()).chain(aggregates.iter().map(|f| f.name().to_string())).collect()
}

/// Registers every function; `working_days` counts by `calendar`.
pub fn register(ctx: &SessionContext, calendar: std::sync::Arc<crate::calendar::Calendar>) {
    let (scalars, aggregates) = all(calendar);
    for f in scalars {
        ctx.register_udf(f);
    }
    for f in aggregates {
        ctx.register_udaf(f);
    }
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
