//! `405 Method Not Allowed` with `Allow` for a known path asked with a
//! method it does not take. The paths and their methods come from the
//! OpenAPI document, which a test keeps equal to the routes.

use utoipa::openapi::OpenApi;

/// Every documented path as segments (`None` for a `{parameter}`), with
/// the methods it takes.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths(Vec<(Vec<Option<String>>, String)>);

impl KnownPaths {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let mut known = Vec::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("DELETE", item.delete.is_some()),
                ("GET", item.get.is_some()),
                ("HEAD", item.head.is_some()),
                ("PATCH", item.patch.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
            ];
            let methods: Vec<&str> = operations
                .iter()
                .filter(|(_, present)| *present)
                .map(|(method, _)| *method)
                .collect();
            if methods.is_empty() {
                continue;
            }
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                .collect();
            known.push((segments, methods.join(", ")));
        }
        Self(known)
    }

    /// The `Allow` value for `path` if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.0
            .iter()
            .find(|(segments, _)| {
                segments.len() == asked.len()
                    && segments.iter().zip(&asked).all(|(known, asked)| {
                        known.as_deref().is_none_or(|k| k == *asked) && !asked.is_empty()
                    })
            })
            .map(|(_, allow)| allow.as_str())
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    use super::*;

    #[test]
    fn documented_paths_name_their_methods_and_parameters_match_any_segment() {
        let known = KnownPaths::from_openapi(&crate::openapi::ApiDoc::openapi());

        assert_eq!(known.allowed("/api/v1/shows"), Some("GET, POST"));
        assert_eq!(
            known.allowed("/api/v1/rooms/abc"),
            Some("DELETE, GET, PATCH")
        );
        assert_eq!(known.allowed("/api/v1/rooms/abc/busy"), Some("GET"));
        assert_eq!(known.allowed("/api/v1/rooms//busy"), None);
        assert_eq!(known.allowed("/api/v1/nothing"), None);
    }
}
