//! Analysis (数据分析): the management report's figures (`recon report analysis`: headline
//! figures, sales and collections by month, collections by platform), trends by platform,
//! shop and month, the risks with their explanations, the opportunities, and the 30-day
//! cash forecast — each a table with its chart, each row leading to what is behind it.

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
use crate::app::literal;
use crate::error::Error;
use crate::reports::ANALYSIS;

pub const WORDS: Words = &[
    ("headline", "要点", "Headline figures"),
    ("trends", "趋势（按平台、店铺、月份）", "Trends by platform, shop and month"),
    ("sales_trend", "销售额趋势", "Sales by month"),
    ("risks", "风险", "Risks"),
    ("opportunities", "机会", "Opportunities"),
    ("forecast", "未来 30 天回款预测", "Cash expected in the next 30 days"),
    (
        "forecast_parts",
        "按来源：未结订单、新销售、B2B 未收发票、新 B2B 订单",
        "By source: open orders, new sales, open B2B invoices, new B2B orders",
    ),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/analysis", get(show))
}

const TRENDS: &str = "SELECT month, platform, shop, orders, sales, refunds, refund_rate, fees, fee_rate, collection_rate, \
     settle_days_median, settle_days_p90 FROM trends";
const RISKS: &str = "SELECT severity, kind, platform, shop, reference, amount, score, explanation FROM risks";
const OPPORTUNITIES: &str = "SELECT * FROM opportunities ORDER BY margin_rank, speed_rank";
const FORECAST: &str = "SELECT day, from_open_orders, from_new_sales, from_b2b_invoices, from_new_b2b, expected_amount \
     FROM cash_forecast ORDER BY day";

async fn show(State(state): State<Arc<AppState>>, cur: Current, RawQuery(q): RawQuery) -> Response {
    let f = Fields::parse(q.unwrap_or_default().as_bytes());
    match data(&state, &cur, &f).await {
        Ok(ctx) => page(&state, &cur, "analysis.html", ctx).await,
        Err(e) => broken(e),
    }
}

async fn data(state: &AppState, cur: &Current, f: &Fields) -> Result<Value, Error> {
    let session = state.reading(cur.app.user().role).await?;
    let (platform, shop) = (f.get("platform"), f.get("shop"));
    let mut base = String::from("/analysis?");
    let mut filter = vec!["TRUE".to_string()];
    for (column, value) in [("platform", &platform), ("shop", &shop)] {
        if !value.is_empty() {
            filter.push(format!("{column} = {}", literal(value)));
            base.push_str(&format!("{column}={}&", urlencoded(value)));
        }
    }
    let filter = filter.join(" AND ");
    let lang = cur.lang;
    let mut sections = Vec::new();
    for (i, s) in ANALYSIS.2.iter().enumerate().take(3) {
        let g = grid::show(&session, s.sql, lang, 0, &base, None).await?;
        sections.push(context! { id => format!("section-{i}"), title => s.title, grid => g.value, chart => i > 0 });
    }
    let page_of = |name: &str| f.get(&format!("{name}_page")).parse::<usize>().unwrap_or(1).saturating_sub(1);
    let trends_sql = format!("{TRENDS} WHERE {filter} ORDER BY month, platform, shop");
    let trends = grid::show_paged(&session, &trends_sql, lang, (page_of("trends"), "trends_page"), &base, None).await?;
    let trend_chart = trend_chart(&session, &filter, !platform.is_empty()).await?;
    let risks_sql = format!("{RISKS} WHERE {filter}");
    let risks = grid::show_paged(&session, &risks_sql, lang, (page_of("risks"), "risks_page"), &base, None).await?;
    let opportunities = grid::show(&session, OPPORTUNITIES, lang, 0, &base, None).await?;
    let forecast = grid::show(&session, FORECAST, lang, 0, &base, None).await?;
    let forecast_chart = forecast_chart(&forecast, lang == super::i18n::Lang::En);
    // The report's own section: the page and `recon report analysis` state the same range.
    let range = grid::show(&session, ANALYSIS.2[4].sql, lang, 0, &base, None).await?;
    // The report's day-by-day section: day, expected, p10 and p90 to date.
    let band = crate::app::text_rows(&session, ANALYSIS.2[5].sql).await?;
    let band_chart = band_chart(&band, lang == super::i18n::Lang::En);
    let shops = crate::app::text_rows(&session, "SELECT DISTINCT platform, shop FROM trends ORDER BY 1, 2").await?;
    let mut platforms: Vec<String> = shops.iter().map(|r| r[0].clone()).collect();
    platforms.dedup();
    let shops: Vec<String> =
        shops.into_iter().filter(|r| platform.is_empty() || r[0] == platform).map(|r| r[1].clone()).collect();
    Ok(context! {
        sections, trends => trends.value, trend_chart, risks => risks.value, opportunities => opportunities.value,
        forecast => forecast.value, forecast_chart, range => range.value, band_chart, platform, shop, platforms, shops,
        back => base,
    })
}

/// Sales by month as lines: one per platform, or per shop of the platform chosen.
async fn trend_chart(session: &crate::session::Session, filter: &str, by_shop: bool) -> Result<Value, Error> {
    let line = if by_shop { "shop" } else { "platform" };
    let rows = crate::app::text_rows(
        session,
        &format!(
            "SELECT CAST(CAST(month AS DATE) AS VARCHAR), {line}, CAST(sum(sales) AS VARCHAR) FROM trends \
             WHERE {filter} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
    )
    .await?;
    let mut months: Vec<String> = rows.iter().map(|r| r[0].get(..7).unwrap_or(&r[0]).to_string()).collect();
    months.dedup();
    let mut names: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
    names.sort();
    names.dedup();
    let series: Vec<Value> = names
        .iter()
        .map(|n| {
            let values: Vec<String> = months
                .iter()
                .map(|m| {
                    rows.iter()
                        .find(|r| r[0].starts_with(m.as_str()) && r[1] == *n)
                        .map(|r| r[2].clone())
                        .unwrap_or_default()
                })
                .collect();
            context! { name => n, values }
        })
        .collect();
    Ok(context! { kind => "line", axis => "", labels => months, series })
}

/// The money expected to date, day by day, as a line inside its 80% band.
fn band_chart(rows: &[Vec<String>], english: bool) -> Value {
    let col = |i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
    let days: Vec<String> = rows.iter().map(|r| r[0].get(..10).unwrap_or(&r[0]).to_string()).collect();
    let (expected, low, high) = if english {
        ("expected to date", "p10", "p90")
    } else {
        ("预计累计到账", "低（P10）", "高（P90）")
    };
    context! {
        kind => "line", axis => "", labels => days,
        series => vec![context! { name => expected, values => col(1) }],
        band => context! { low => col(2), high => col(3), low_name => low, high_name => high },
    }
}

/// The forecast as stacked areas, one per source, from the table's own rows.
fn forecast_chart(forecast: &grid::Shown, english: bool) -> Value {
    let parts = ["from_open_orders", "from_new_sales", "from_b2b_invoices", "from_new_b2b"];
    let at = |n: &str| forecast.names.iter().position(|x| x == n);
    let days: Vec<String> = at("day")
        .map(|d| forecast.raw.iter().map(|r| r[d].get(..10).unwrap_or(&r[d]).to_string()).collect())
        .unwrap_or_default();
    let series: Vec<Value> = parts
        .iter()
        .filter_map(|p| {
            let c = at(p)?;
            let values: Vec<String> = forecast.raw.iter().map(|r| r[c].clone()).collect();
            Some(context! { name => crate::export::table::header(p, english), values, stack => "cash", area => 0.35 })
        })
        .collect();
    context! { kind => "line", axis => "", labels => days, series }
}
