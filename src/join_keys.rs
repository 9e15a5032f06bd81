//! A logical optimizer rule of recon's own, run just before DataFusion's
//! `eliminate_cross_join`, so that no join condition is lost.
//!
//! DataFusion 55's `eliminate_cross_join` flattens a chain of inner joins into its inputs
//! and rebuilds it from the join keys that fit between two of them. A key one side of
//! which reads several of the chain's inputs — `JOIN x ON x.d = n.v - k.w` after a join
//! of `n` and `k`, which `extract_equijoin_predicate` has made a key — fits no pair, and
//! the rebuild drops it without a word: the query answers as if the condition were not
//! there (every `x` row for every `n`, `k` pair). Such keys go back into the join's
//! filter here, which the rebuild keeps (it puts the chain's filters above it, where
//! filter push-down takes them to the join that has all their columns).

use datafusion::common::tree_node::Transformed;
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, Join, JoinType, LogicalPlan, Operator, and, binary_expr};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The name `eliminate_cross_join` goes by, which this rule must precede.
pub const BEFORE: &str = "eliminate_cross_join";

#[derive(Debug, Default)]
pub struct KeepSpanningJoinKeys;

impl OptimizerRule for KeepSpanningJoinKeys {
    fn name(&self) -> &str {
        "recon_keep_spanning_join_keys"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan, _config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Join(join) = plan else { return Ok(Transformed::no(plan)) };
        if join.join_type != JoinType::Inner || join.on.is_empty() {
            return Ok(Transformed::no(LogicalPlan::Join(join)));
        }
        let (left, right) = (inputs(&join.left), inputs(&join.right));
        let (keys, spanning): (Vec<_>, Vec<_>) =
            join.on.iter().cloned().partition(|(l, r)| !spans(l, &left) && !spans(r, &right));
        if spanning.is_empty() {
            return Ok(Transformed::no(LogicalPlan::Join(join)));
        }
        // A key compares as the join does: `=`, or `IS NOT DISTINCT FROM` where nulls match.
        let op = match join.null_equality {
            datafusion::common::NullEquality::NullEqualsNull => Operator::IsNotDistinctFrom,
            datafusion::common::NullEquality::NullEqualsNothing => Operator::Eq,
        };
        let filter = spanning.into_iter().map(|(l, r)| binary_expr(l, op, r)).chain(join.filter.clone()).reduce(and);
        let Join { left, right, join_type, join_constraint, null_equality, null_aware, .. } = join;
        let join = Join::try_new(left, right, keys, filter, join_type, join_constraint, null_equality, null_aware)?;
        Ok(Transformed::yes(LogicalPlan::Join(join)))
    }
}

/// The inputs `eliminate_cross_join` would flatten `plan` into: through inner joins.
fn inputs(plan: &LogicalPlan) -> Vec<&LogicalPlan> {
    match plan {
        LogicalPlan::Join(j) if j.join_type == JoinType::Inner => {
            let mut all = inputs(&j.left);
            all.extend(inputs(&j.right));
            all
        }
        other => vec![other],
    }
}

/// Whether `side` reads columns of more than one of `inputs`.
fn spans(side: &Expr, inputs: &[&LogicalPlan]) -> bool {
    let columns = side.column_refs();
    inputs.iter().filter(|input| columns.iter().any(|c| input.schema().has_column(c))).count() > 1
}
