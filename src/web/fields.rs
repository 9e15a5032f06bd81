//! A form's fields as sent, repeated names kept (a ticked list sends `bank=…` once per
//! line), which the usual typed form extractor cannot hold.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(bytes: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    /// Where to go after a change: the page the form was on (this site only), else `default`.
    pub fn back(&self, default: &str) -> String {
        Some(self.get("back")).filter(|b| local(b)).unwrap_or_else(|| default.into())
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect()
    }
}

/// A path on this site, never another host (`//evil.example`).
pub fn local(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Fields, Response> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| e.into_response())?;
        Ok(Fields::parse(&bytes))
    }
}
