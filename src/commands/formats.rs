//! `recon formats`: the named formats, each with the table it fills, the platform it
//! implies, and the header it is recognised by.

use unicode_width::UnicodeWidthStr;

use recon::ingest::formats::FORMATS;

pub fn list() -> String {
    let name_width = FORMATS.iter().map(|f| f.name.width()).max().unwrap_or(0);
    let mut out =
        String::from("Recognised from a file's header whatever its name; `recon import --as NAME` insists on one.\n\n");
    for f in FORMATS {
        out.push_str(&format!(
            "{:<name_width$}  {} → {}{}\n{:<name_width$}  e.g. {}\n",
            f.name,
            f.title,
            f.kind.table(),
            f.platform.map(|p| format!(" (platform {p})")).unwrap_or_default(),
            "",
            f.example
        ));
    }
    out.push_str(
        "\nBank statement standards, recognised by their content and imported into bank_txns: \
         SWIFT MT940 (.sta), ISO 20022 camt.053 (XML, any version), OFX (SGML 1.x and XML 2.x). \
         A statement whose opening balance and entries do not give its closing balance is refused \
         (--allow-unbalanced imports it and reports the difference).\n",
    );
    out.push_str(
        "\nPayout exports, recognised by their header and expanded into settlement lines: Amazon Settlement V2 \
         (the summary row is the payout), PayPal activity (English or German), Stripe balance transactions, \
         Shopify Payments transactions, the WeChat Pay merchant trade bill (交易账单, payments and refunds, its totals \
         footer checked); a sale and its fee become two lines.\n",
    );
    out.push_str(
        "\nAnything else with column names recon knows (订单编号, 交易时间, 金额, 对方户名 …) imports too; \
         `recon import --explain FILE` shows how it would be read, and a mapping file (--map) covers the rest.\n",
    );
    out
}
