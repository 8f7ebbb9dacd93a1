//! The OAuth2 refresh-token exchange of the Docker token protocol: an
//! identity token (`identitytoken` in a Docker config, what `az acr login`
//! leaves for ACR) is POSTed to the realm named by the registry's
//! `WWW-Authenticate: Bearer` challenge, which answers with an access token
//! for one repository scope.

use serde::Deserialize;

/// `Bearer realm="…",service="…"` from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub service: Option<String>,
}

/// Parses the Bearer challenge (RFC 7235 auth-params, quoted or not);
/// `None` when the header names another scheme or no realm.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut realm = None;
    let mut service = None;
    let mut chars = rest.chars().peekable();
    loop {
        // Key up to '='.
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut escaped = false;
            for c in chars.by_ref() {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    _ => {
                        value.push(c);
                        escaped = false;
                    }
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
            value = value.trim().to_string();
        }
        match key.trim().to_ascii_lowercase().as_str() {
            "realm" => realm = Some(value),
            "service" => service = Some(value),
            _ => {}
        }
    }
    Some(Challenge {
        realm: realm.filter(|r| !r.is_empty())?,
        service,
    })
}

/// The form body of the refresh-token grant.
pub fn refresh_form(challenge: &Challenge, repository: &str, refresh_token: &str) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "refresh_token");
    if let Some(s) = &challenge.service {
        form.append_pair("service", s);
    }
    form.append_pair("scope", &format!("repository:{repository}:pull"));
    form.append_pair("client_id", "fipscan");
    form.append_pair("refresh_token", refresh_token);
    form.finish()
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    token: Option<String>,
}

/// The access token of a token-service answer (`access_token`, or the
/// older `token`).
pub fn access_token(body: &[u8]) -> Option<String> {
    let r: TokenResponse = serde_json::from_slice(body).ok()?;
    r.access_token.or(r.token).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_as_registries_send_them() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://myacr.azurecr.io/oauth2/token",service="myacr.azurecr.io""#
            ),
            Some(Challenge {
                realm: "https://myacr.azurecr.io/oauth2/token".into(),
                service: Some("myacr.azurecr.io".into())
            })
        );
        assert_eq!(
            parse_challenge(
                r#"bearer service="a b", realm="http://127.0.0.1:1/t?x=1", scope="repository:x:pull""#
            ),
            Some(Challenge {
                realm: "http://127.0.0.1:1/t?x=1".into(),
                service: Some("a b".into())
            })
        );
        assert_eq!(
            parse_challenge("Bearer realm=http://h/t,service=s"),
            Some(Challenge {
                realm: "http://h/t".into(),
                service: Some("s".into())
            })
        );
        assert_eq!(parse_challenge(r#"Basic realm="r""#), None);
        assert_eq!(parse_challenge(r#"Bearer service="s""#), None);
        assert_eq!(parse_challenge("Bearer"), None);
        assert_eq!(
            parse_challenge(r#"Bearer realm="unterminated"#).map(|c| c.realm),
            Some("unterminated".into())
        );
    }

    #[test]
    fn the_form_is_url_encoded_and_token_answers_are_read() {
        let c = Challenge {
            realm: "r".into(),
            service: Some("reg.io".into()),
        };
        assert_eq!(
            refresh_form(&c, "team/app", "a+b=c&d"),
            "grant_type=refresh_token&service=reg.io&scope=repository%3Ateam%2Fapp%3Apull&client_id=fipscan&refresh_token=a%2Bb%3Dc%26d"
        );
        assert_eq!(access_token(br#"{"access_token":"x"}"#), Some("x".into()));
        assert_eq!(
            access_token(br#"{"token":"y","refresh_token":"z"}"#),
            Some("y".into())
        );
        assert_eq!(access_token(br#"{"access_token":""}"#), None);
        assert_eq!(access_token(b"<html>"), None);
    }
}
