//! Computing a set of built-in views and everything they read, several at a time where
//! one does not read another. Left to the planner, each view computes what it reads
//! one at a time (planning reaches them one input after another); matching is a deep
//! chain with side branches (the order totals beside the bank matching), and on two
//! cores the branches can run while the chain does.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;

use super::ComputedView;

/// Computes (and keeps) `targets` and every computed view they read, up to `at_once`
/// at a time, each only after the views it reads; the name of each goes to `done` as it
/// is. Views already computed cost a look. Stops at the first error, which is that view's.
pub async fn compute(
    ctx: &SessionContext,
    targets: &[&str],
    at_once: usize,
    done: tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<()> {
    let graph = graph(ctx, targets).await?;
    let height = heights(&graph);
    let mut finished: BTreeSet<String> = BTreeSet::new();
    let mut started: BTreeSet<String> = BTreeSet::new();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < at_once.max(1) {
            // Of the views whose inputs are ready, the one with the longest chain above
            // it first: the chain decides when the whole is done.
            let next = graph
                .iter()
                .filter(|(name, node)| !started.contains(*name) && node.reads.iter().all(|r| finished.contains(r)))
                .max_by_key(|(name, _)| height.get(*name).copied().unwrap_or(0))
                .map(|(name, node)| (name.clone(), node.provider.clone()));
            let Some((name, provider)) = next else { break };
            started.insert(name.clone());
            let state = ctx.state();
            running.spawn(async move {
                let view = provider
                    .downcast_ref::<ComputedView>()
                    .ok_or_else(|| DataFusionError::Internal(format!("{name} is not a computed view")))?;
                view.kept_file(&state).await?;
                Ok::<_, DataFusionError>(name)
            });
        }
        // Dropping the set (an error returned) stops the views still running.
        match running.join_next().await {
            None => return Ok(()),
            Some(joined) => {
                let name = joined.map_err(|e| DataFusionError::External(Box::new(e)))??;
                // Nobody listening is no reason to stop.
                let _ = done.send(name.clone());
                finished.insert(name);
            }
        }
    }
}

/// A computed view and the computed views its query reads.
struct Node {
    provider: Arc<dyn TableProvider>,
    reads: BTreeSet<String>,
}

/// `targets` and the computed views they read, directly or not.
async fn graph(ctx: &SessionContext, targets: &[&str]) -> Result<BTreeMap<String, Node>> {
    let mut graph = BTreeMap::new();
    let mut todo: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    let state = ctx.state();
    while let Some(name) = todo.pop() {
        if graph.contains_key(&name) {
            continue;
        }
        let provider = ctx.table_provider(name.as_str()).await?;
        let Some(view) = provider.downcast_ref::<ComputedView>() else { continue };
        let reads = reads(&view.logical_plan(&state).await?);
        todo.extend(reads.iter().cloned());
        graph.insert(name, Node { provider, reads });
    }
    Ok(graph)
}

/// The computed views `plan` scans (subqueries and inlined views included).
fn reads(plan: &LogicalPlan) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Ok(provider) = datafusion::datasource::source_as_provider(&scan.source)
            && provider.downcast_ref::<ComputedView>().is_some()
        {
            found.insert(scan.table_name.table().to_string());
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// For each view, the number of views in the longest chain that reads it.
fn heights(graph: &BTreeMap<String, Node>) -> BTreeMap<String, usize> {
    let mut height: BTreeMap<String, usize> = graph.keys().map(|k| (k.clone(), 0)).collect();
    // Relaxed until nothing changes; the graph has no cycles (a view cannot read itself).
    for _ in 0..graph.len() {
        let mut changed = false;
        for (name, node) in graph {
            let above = height[name] + 1;
            for r in &node.reads {
                if let Some(h) = height.get_mut(r)
                    && *h < above
                {
                    *h = above;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    height
}
