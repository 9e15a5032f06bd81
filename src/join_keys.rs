//! DataFusion's `eliminate_cross_join` optimizer rule, kept from losing join conditions.
//!
//! DataFusion 55's rule flattens a chain of inner joins into its inputs and rebuilds it
//! from the join keys that fit between what it has joined so far and one more input. A
//! key that never fits — `JOIN x ON x.p = r.p AND x.d = n.v - k.w`, once `x` has joined
//! `r` before `n` and `k` — is dropped without a word: the query answers as if the
//! condition were not there (every `x` row for every `n`, `k` pair). Where it fits, as
//! most do, the rebuilt order is what turns comma joins into hash joins. So the rule
//! runs as before, and its result is used only when every condition of the plan — each
//! join key and each conjunct of a join filter or a WHERE — is still somewhere in it;
//! otherwise the plan stays as it was (later rules still push filters into joins).

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNodeRecursion};
use datafusion::error::Result;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, LogicalPlan, Operator};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The name of the rule this one guards.
pub const GUARDED: &str = "eliminate_cross_join";

#[derive(Debug)]
pub struct KeepJoinConditions {
    inner: Arc<dyn OptimizerRule + Send + Sync>,
}

impl KeepJoinConditions {
    pub fn new(inner: Arc<dyn OptimizerRule + Send + Sync>) -> Self {
        KeepJoinConditions { inner }
    }
}

impl OptimizerRule for KeepJoinConditions {
    fn name(&self) -> &str {
        "eliminate_cross_join_keeping_conditions"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        self.inner.apply_order()
    }

    fn rewrite(&self, plan: LogicalPlan, config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let original = plan.clone();
        let before = conditions(&plan)?;
        let rewritten = self.inner.rewrite(plan, config)?;
        if !rewritten.transformed {
            return Ok(rewritten);
        }
        let after = conditions(&rewritten.data)?;
        if before.is_subset(&after) { Ok(rewritten) } else { Ok(Transformed::no(original)) }
    }
}

/// Every condition in the plan and its subqueries, each written one way: join keys as
/// `a = b`, filters split at AND, and an equality's two sides in a fixed order.
fn conditions(plan: &LogicalPlan) -> Result<HashSet<String>> {
    let mut all = HashSet::new();
    plan.apply_with_subqueries(|node| {
        match node {
            LogicalPlan::Join(join) => {
                for (l, r) in &join.on {
                    all.insert(equality(l, r));
                }
                if let Some(filter) = &join.filter {
                    all.extend(split_conjunction(filter).into_iter().map(condition));
                }
            }
            LogicalPlan::Filter(filter) => {
                all.extend(split_conjunction(&filter.predicate).into_iter().map(condition));
            }
            _ => {}
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(all)
}

fn condition(expr: &Expr) -> String {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) => equality(left, right),
        other => other.to_string(),
    }
}

fn equality(l: &Expr, r: &Expr) -> String {
    let (l, r) = (l.to_string(), r.to_string());
    if l <= r { format!("{l} = {r}") } else { format!("{r} = {l}") }
}
