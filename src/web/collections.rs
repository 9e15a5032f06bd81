//! Collections (回款管理): every order's collection status as of a day the user picks,
//! filtered by platform, shop, status and aging bucket; the overdue orders to chase,
//! largest first; aging by platform and bucket as a table and a chart. Each order leads
//! to its trail (what `recon explain` shows), each aging figure to the orders behind it.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};

use super::fields::Fields;
use super::grid::{self, urlencoded};
use super::guard::Current;
use super::i18n::Words;
use super::render::{broken, page};
use super::state::AppState;
use crate::app::{Part, literal};
use crate::error::Error;

pub const WORDS: Words = &[
    ("tab_orders", "订单回款状态", "Orders and their status"),
    ("tab_follow_up", "逾期跟进", "Overdue follow-up"),
    ("tab_aging", "账龄分析", "Aging"),
    ("by_status", "按状态汇总", "By status"),
    ("status", "状态", "Status"),
    ("aging_bucket", "账龄", "Aging bucket"),
    ("status_settled", "已回款", "settled"),
    ("status_partial", "部分回款", "partial"),
    ("status_unsettled", "未回款", "unsettled"),
    ("status_overdue", "逾期", "overdue"),
    ("status_refunded", "已退款", "refunded"),
    ("status_discrepancy", "有差异", "discrepancy"),
    ("today", "今天（YYYY-MM-DD）", "today (YYYY-MM-DD)"),
    ("aging_chart", "各平台账龄（未回款金额）", "Outstanding by platform and aging bucket"),
];

/// An order's collection status, as `receivables` names it.
const STATUSES: [&str; 6] = ["settled", "partial", "unsettled", "overdue", "refunded", "discrepancy"];

/// The page's choices, as its address carries them.
#[derive(Clone)]
struct Choice {
    tab: &'static str,
    as_of: String,
    platform: String,
    shop: String,
    status: String,
    bucket: String,
    page: usize,
}

impl Choice {
    fn of(f: &Fields) -> Choice {
        let tab = match f.get("tab").as_str() {
            "follow_up" => "follow_up",
            "aging" => "aging",
            _ => "orders",
        };
        Choice {
            tab,
            as_of: f.get("as_of"),
            platform: f.get("platform"),
            shop: f.get("shop"),
            status: f.get("status"),
            bucket: f.get("bucket"),
            page: f.get("page").parse::<usize>().unwrap_or(1).saturating_sub(1),
        }
    }

    /// The filters as SQL conditions: every value a literal, never SQL text.
    fn filter(&self, with_status: bool) -> String {
        let mut w = vec!["TRUE".to_string()];
        for (column, value) in [("platform", &self.platform), ("shop", &self.shop), ("aging_bucket", &self.bucket)] {
            if !value.is_empty() {
                w.push(format!("{column} = {}", literal(value)));
            }
        }
        if with_status && !self.status.is_empty() {
            w.push(format!("status = {}", literal(&self.status)));
        }
        w.join(" AND ")
    }

    /// The tab's query: what the page lists and what its export holds.
    fn sql(&self) -> String {
        match self.tab {
            "follow_up" => format!(
                "SELECT * FROM follow_up WHERE {} ORDER BY outstanding DESC, days_overdue DESC, order_id",
                self.filter(false)
            ),
            "aging" => format!(
                "SELECT platform, shop, currency, aging_bucket, orders, outstanding FROM aging WHERE {} \
                 ORDER BY platform, shop, currency, aging_bucket",
                self.filter(false)
            ),
            _ => format!(
                "SELECT order_id, platform, shop, order_time, currency, expected, received, outstanding, \
                        CAST(due_date AS DATE) AS due_date, days_overdue, aging_bucket, status \
                 FROM receivables WHERE {} ORDER BY platform, shop, order_time, order_id",
                self.filter(true)
            ),
        }
    }

    fn title(&self) -> &'static str {
        match self.tab {
            "follow_up" => "逾期跟进 Overdue follow-up",
            "aging" => "账龄分析 Aging",
            _ => "应收明细 Receivables",
        }
    }

    /// The choices as the address and the forms carry them (without the page).
    fn fields(&self) -> Vec<(&'static str, String)> {
        [
            ("tab", self.tab.to_string()),
            ("as_of", self.as_of.clone()),
            ("platform", self.platform.clone()),
            ("shop", self.shop.clone()),
            ("status", self.status.clone()),
            ("bucket", self.bucket.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }

    fn address(&self) -> String {
        let q: Vec<String> = self.fields().iter().map(|(k, v)| format!("{k}={}", urlencoded(v))).collect();
        format!("/collections?{}", q.join("&"))
    }
}

/// The export of what the page shows.
pub fn part(f: &Fields) -> Result<Part, Error> {
    let c = Choice::of(f);
    let params = c.fields().into_iter().filter(|(k, _)| *k != "tab").map(|(k, v)| format!("{k}={v}")).collect();
    Ok(Part { title: c.title().into(), params, sql: c.sql(), adds_up: true })
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/collections", get(show))
}

async fn show(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let c = Choice::of(&Fields::parse(q.unwrap_or_default().as_bytes()));
    match data(&state, &cur, &c).await {
        Ok(ctx) => page(&state, &cur, "collections.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn data(state: &AppState, cur: &Current, c: &Choice) -> Result<Value, Error> {
    let session = state.reading_as_of(cur.app.user().role, &c.as_of).await?;
    let choices =
        crate::app::text_rows(&session, "SELECT DISTINCT platform, shop FROM receivables ORDER BY 1, 2").await?;
    let buckets = crate::app::text_rows(
        &session,
        "SELECT aging_bucket FROM receivables WHERE aging_bucket <> '' GROUP BY 1 ORDER BY min(days_overdue), 1",
    )
    .await?;
    let by_status = format!(
        "SELECT status, currency, count(*) AS orders, sum(expected) AS expected, sum(received) AS received, \
                sum(outstanding) AS outstanding FROM receivables WHERE {} GROUP BY status, currency ORDER BY status, currency",
        c.filter(true)
    );
    let base = c.address();
    let status_of = |names: &[String], row: &[String]| {
        let s = names.iter().position(|n| n == "status")?;
        let mut to = c.clone();
        to.tab = "orders";
        to.status = row[s].clone();
        Some(to.address())
    };
    let summary = grid::show(&session, &by_status, cur.lang, 0, &base, Some(&status_of)).await?;
    let orders_of = |names: &[String], row: &[String]| {
        let at = |n: &str| names.iter().position(|x| x == n).map(|i| row[i].clone());
        let mut to = c.clone();
        to.tab = "orders";
        to.platform = at("platform")?;
        to.shop = at("shop").unwrap_or_default();
        to.bucket = at("aging_bucket").unwrap_or_default();
        to.status = String::new();
        Some(to.address())
    };
    let drill: Option<grid::Drill> = (c.tab == "aging").then_some(&orders_of);
    let listing = grid::show(&session, &c.sql(), cur.lang, c.page, &base, drill).await?;
    let charts = if c.tab == "aging" { aging_charts(&listing) } else { Vec::new() };
    let platforms: Vec<String> = dedup(choices.iter().map(|r| r[0].clone()));
    let shops: Vec<String> =
        dedup(choices.iter().filter(|r| c.platform.is_empty() || r[0] == c.platform).map(|r| r[1].clone()));
    Ok(context! {
        tab => c.tab,
        as_of => c.as_of.clone(),
        platform => c.platform.clone(),
        shop => c.shop.clone(),
        status => c.status.clone(),
        bucket => c.bucket.clone(),
        platforms,
        shops,
        statuses => STATUSES,
        buckets => buckets.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        summary => summary.value,
        listing => listing.value,
        aging_charts => charts,
        fields => c.fields(),
        back => base,
    })
}

fn dedup(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = values.collect();
    v.dedup();
    v
}

/// Aging as stacked bars: one bar per platform, a segment per bucket, one chart per
/// currency (amounts in different currencies never stack). From the rows the table shows.
fn aging_charts(listing: &grid::Shown) -> Vec<Value> {
    let at = |n: &str| listing.names.iter().position(|x| x == n);
    let (Some(p), Some(cur), Some(b), Some(o)) =
        (at("platform"), at("currency"), at("aging_bucket"), at("outstanding"))
    else {
        return Vec::new();
    };
    let mut currencies: Vec<String> = listing.raw.iter().map(|r| r[cur].clone()).collect();
    currencies.sort();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|currency| {
            let rows: Vec<&Vec<String>> = listing.raw.iter().filter(|r| r[cur] == currency).collect();
            let platforms = dedup_sorted(rows.iter().map(|r| r[p].clone()));
            let buckets = dedup_sorted(rows.iter().map(|r| r[b].clone()));
            let series: Vec<Value> = buckets
                .iter()
                .map(|bucket| {
                    let values: Vec<String> = platforms
                        .iter()
                        .map(|platform| {
                            let cents: i128 = rows
                                .iter()
                                .filter(|r| r[p] == *platform && r[b] == *bucket)
                                .filter_map(|r| crate::values::parse_money(&r[o]).ok())
                                .sum();
                            crate::export::table::decimal_text(cents, 2)
                        })
                        .collect();
                    context! { name => bucket, values, stack => "aging" }
                })
                .collect();
            context! { kind => "bar", axis => "", labels => platforms, series, currency }
        })
        .collect()
}

fn dedup_sorted(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    v
}
