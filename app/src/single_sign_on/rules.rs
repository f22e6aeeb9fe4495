//! The pure rules of single sign-on: what a provider's settings may hold, where in a
//! token's claims the email and the groups are, and who may come in.

use serde_json::Value;

use super::{GroupsSource, ProviderForm, SsoRefusal};
use crate::error::AppError;

pub const MAX_DISPLAY_NAME_CHARS: usize = 60;
pub const MAX_SETTING_CHARS: usize = 500;

/// A provider's settings as the form gave them, checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    /// `None` keeps the stored secret when editing.
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    pub email_claim: String,
    pub groups_claim: String,
    pub groups_source: GroupsSource,
    pub allowed_domains: Vec<String>,
}

/// Checks a provider form. A new provider needs a client secret; an edited one keeps its
/// stored secret when the field is left empty.
pub fn parse_provider_form(form: ProviderForm) -> Result<ProviderSettings, AppError> {
    let display_name = form
        .display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    crate::users::refuse_control_characters(&display_name)?;
    if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(AppError::SsoDisplayNameInvalid {
            max: MAX_DISPLAY_NAME_CHARS,
        });
    }
    let issuer_url = parse_issuer(&form.issuer_url)?;
    let client_id = form.client_id.trim().to_string();
    if client_id.is_empty() || !is_printable(&client_id) {
        return Err(AppError::SsoClientIdRequired);
    }
    let secret = form.client_secret.trim().to_string();
    let client_secret = if secret.is_empty() {
        if form.id.is_none() {
            return Err(AppError::SsoClientSecretRequired);
        }
        None
    } else if !is_printable(&secret) {
        return Err(AppError::SsoClientSecretRequired);
    } else {
        Some(secret)
    };
    let scopes = parse_scopes(&form.scopes)?;
    let email_claim = parse_claim_path(&form.email_claim, "email claim")?;
    let groups_claim = parse_claim_path(&form.groups_claim, "groups claim")?;
    let groups_source =
        GroupsSource::from_key(&form.groups_source).ok_or(AppError::UnknownGroupsSource)?;
    let allowed_domains = parse_domains(&form.allowed_domains)?;
    Ok(ProviderSettings {
        display_name,
        issuer_url,
        client_id,
        client_secret,
        scopes,
        email_claim,
        groups_claim,
        groups_source,
        allowed_domains,
    })
}

fn is_printable(text: &str) -> bool {
    text.len() <= MAX_SETTING_CHARS && !text.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// An issuer is an https URL without query or fragment (OpenID Connect Discovery §3);
/// plain http only on this machine, for local test providers.
pub fn parse_issuer(input: &str) -> Result<String, AppError> {
    let trimmed = input.trim();
    let url = url::Url::parse(trimmed).map_err(|_| AppError::SsoIssuerInvalid)?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    if !scheme_ok
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || trimmed.len() > MAX_SETTING_CHARS
    {
        return Err(AppError::SsoIssuerInvalid);
    }
    // The issuer is compared with the ID token's `iss` exactly as the provider spells
    // it, so it is kept as typed (a trailing slash matters).
    Ok(trimmed.to_string())
}

/// Scopes: words separated by spaces, `openid` among them, each once.
pub fn parse_scopes(input: &str) -> Result<Vec<String>, AppError> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in input.split_whitespace() {
        let valid = scope
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !valid || scope.len() > 100 {
            return Err(AppError::SsoScopesInvalid);
        }
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_string());
        }
    }
    if !scopes.iter().any(|scope| scope == "openid") || scopes.len() > 20 {
        return Err(AppError::SsoScopesInvalid);
    }
    Ok(scopes)
}

/// A claim's name, or a path of names separated by dots into nested objects
/// (`realm_access.roles`). URL-like claim names (`https://example.com/groups`) are kept
/// whole: they contain dots of their own.
pub fn parse_claim_path(input: &str, field: &str) -> Result<String, AppError> {
    let path = input.trim();
    let valid = !path.is_empty()
        && path.len() <= 200
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        && (is_url_claim(path) || path.split('.').all(|part| !part.is_empty()));
    if valid {
        Ok(path.to_string())
    } else {
        Err(AppError::SsoClaimInvalid {
            field: field.to_string(),
        })
    }
}

fn is_url_claim(path: &str) -> bool {
    path.starts_with("https://") || path.starts_with("http://") || path.starts_with("urn:")
}

/// Email domains, separated by spaces or commas, lower-cased; none means every domain.
pub fn parse_domains(input: &str) -> Result<Vec<String>, AppError> {
    let mut domains: Vec<String> = Vec::new();
    for domain in input.split(|c: char| c == ',' || c.is_whitespace()) {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let valid = domain.contains('.')
            && domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !valid {
            return Err(AppError::SsoDomainInvalid { domain });
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// The value at a claim path: the claim itself when a claim of that exact name exists,
/// otherwise the path followed through nested objects.
pub fn claim_at<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(path) {
        return Some(value);
    }
    if is_url_claim(path) {
        return None;
    }
    path.split('.')
        .try_fold(claims, |value, part| value.get(part))
}

/// The groups a claim names: an array of strings, or one string. Anything else names
/// none (and the caller says so).
pub fn groups_in(claims: &Value, path: &str) -> Option<Vec<String>> {
    match claim_at(claims, path)? {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        Value::String(group) => Some(vec![group.clone()]),
        _ => None,
    }
}

/// The verified email in a token's claims, lower-cased. `email_verified` must say so (or
/// Microsoft Entra ID's `xms_edov`, its domain owner verified): an unverified address
/// could belong to anyone, and would let them into its account.
pub fn verified_email(claims: &Value, email_claim: &str) -> Result<String, SsoRefusal> {
    let email = claim_at(claims, email_claim)
        .and_then(Value::as_str)
        .ok_or(SsoRefusal::EmailMissing)?;
    let email = crate::users::normalise_email(email).map_err(|_| SsoRefusal::EmailMissing)?;
    let says_true = |claim: &str| match claims.get(claim) {
        Some(Value::Bool(verified)) => *verified,
        // Some providers send the boolean as a string.
        Some(Value::String(verified)) => verified.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let verified = says_true("email_verified") || says_true("xms_edov");
    if verified {
        Ok(email)
    } else {
        Err(SsoRefusal::EmailUnverified)
    }
}

/// Whether an email's domain is among the allowed ones (all, when none are listed).
pub fn domain_allowed(email: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let domain = email.rsplit_once('@').map_or("", |(_, domain)| domain);
    allowed.iter().any(|allowed| allowed == domain)
}

/// The name a new account gets: the token's `name`, else the email's local part.
pub fn full_name_from(claims: &Value, email: &str) -> String {
    let named = claims
        .get("name")
        .and_then(Value::as_str)
        .and_then(|name| crate::users::normalise_full_name(name).ok());
    named.unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form() -> ProviderForm {
        ProviderForm {
            id: None,
            display_name: " Acme  Okta ".into(),
            issuer_url: "https://acme.okta.com".into(),
            client_id: "0oa1".into(),
            client_secret: "s3cret".into(),
            scopes: "openid email profile groups openid".into(),
            email_claim: "email".into(),
            groups_claim: "groups".into(),
            groups_source: "id_token".into(),
            allowed_domains: "@Acme.com, acme.co.uk".into(),
        }
    }

    #[test]
    fn a_provider_form_is_trimmed_and_checked() {
        let settings = parse_provider_form(form()).unwrap();
        assert_eq!(settings.display_name, "Acme Okta");
        assert_eq!(settings.scopes, ["openid", "email", "profile", "groups"]);
        assert_eq!(settings.allowed_domains, ["acme.com", "acme.co.uk"]);
        assert_eq!(settings.client_secret.as_deref(), Some("s3cret"));
    }

    #[test]
    fn a_new_provider_needs_a_secret_and_an_edited_one_keeps_its_own() {
        let new = ProviderForm {
            client_secret: " ".into(),
            ..form()
        };
        assert_eq!(
            parse_provider_form(new.clone()),
            Err(AppError::SsoClientSecretRequired)
        );
        let edited = ProviderForm { id: Some(3), ..new };
        assert_eq!(parse_provider_form(edited).unwrap().client_secret, None);
    }

    #[test]
    fn issuers_are_https_or_local_http() {
        assert!(parse_issuer("https://login.example.com/tenant/v2.0").is_ok());
        assert!(parse_issuer("http://127.0.0.1:4011").is_ok());
        assert!(parse_issuer("http://localhost:8080/realms/acme").is_ok());
        for bad in [
            "http://idp.example.com",
            "ftp://idp.example.com",
            "https://idp.example.com/?tenant=1",
            "https://idp.example.com/#x",
            "https://user:pw@idp.example.com",
            "idp.example.com",
            "",
        ] {
            assert_eq!(parse_issuer(bad), Err(AppError::SsoIssuerInvalid), "{bad}");
        }
    }

    #[test]
    fn scopes_must_include_openid() {
        assert_eq!(
            parse_scopes("email profile"),
            Err(AppError::SsoScopesInvalid)
        );
        assert_eq!(parse_scopes("openid \"x"), Err(AppError::SsoScopesInvalid));
        assert_eq!(
            parse_scopes("  openid\temail ").unwrap(),
            ["openid", "email"]
        );
    }

    #[test]
    fn claim_paths_and_domains_are_checked() {
        assert!(parse_claim_path("realm_access.roles", "groups claim").is_ok());
        assert!(parse_claim_path("https://example.com/claims/groups", "groups claim").is_ok());
        for bad in ["", "a..b", ".groups", "gro ups"] {
            assert_eq!(
                parse_claim_path(bad, "groups claim"),
                Err(AppError::SsoClaimInvalid {
                    field: "groups claim".into()
                })
            );
        }
        assert_eq!(
            parse_domains("acme.com, not a domain"),
            Err(AppError::SsoDomainInvalid {
                domain: "not".into()
            })
        );
        assert_eq!(parse_domains("").unwrap(), Vec::<String>::new());
        assert!(parse_domains("-acme.com").is_err());
    }

    #[test]
    fn groups_are_found_at_a_claim_path() {
        let claims = json!({
            "groups": ["Engineering", "Sales", 7],
            "realm_access": { "roles": ["admin"] },
            "https://example.com/groups": "Support",
            "department": { "name": "x" },
        });
        assert_eq!(
            groups_in(&claims, "groups"),
            Some(vec!["Engineering".into(), "Sales".into()])
        );
        assert_eq!(
            groups_in(&claims, "realm_access.roles"),
            Some(vec!["admin".into()])
        );
        assert_eq!(
            groups_in(&claims, "https://example.com/groups"),
            Some(vec!["Support".into()])
        );
        assert_eq!(groups_in(&claims, "department"), None);
        assert_eq!(groups_in(&claims, "missing.path"), None);
    }

    #[test]
    fn only_a_verified_email_lets_someone_in() {
        let verified = json!({ "email": "Ada@Acme.com", "email_verified": true });
        assert_eq!(
            verified_email(&verified, "email"),
            Ok("ada@acme.com".into())
        );
        let as_string = json!({ "email": "ada@acme.com", "email_verified": "true" });
        assert_eq!(
            verified_email(&as_string, "email"),
            Ok("ada@acme.com".into())
        );
        let unverified = json!({ "email": "ada@acme.com", "email_verified": false });
        assert_eq!(
            verified_email(&unverified, "email"),
            Err(SsoRefusal::EmailUnverified)
        );
        let entra = json!({ "email": "ada@acme.com", "xms_edov": true });
        assert_eq!(verified_email(&entra, "email"), Ok("ada@acme.com".into()));
        let silent = json!({ "email": "ada@acme.com" });
        assert_eq!(
            verified_email(&silent, "email"),
            Err(SsoRefusal::EmailUnverified)
        );
        let missing = json!({ "upn": "ada@acme.com", "email_verified": true });
        assert_eq!(
            verified_email(&missing, "email"),
            Err(SsoRefusal::EmailMissing)
        );
        assert_eq!(verified_email(&missing, "upn"), Ok("ada@acme.com".into()));
    }

    #[test]
    fn allowed_domains_match_the_whole_domain() {
        let allowed = vec!["acme.com".to_string()];
        assert!(domain_allowed("ada@acme.com", &allowed));
        assert!(!domain_allowed("eve@evilacme.com", &allowed));
        assert!(!domain_allowed("eve@acme.com.evil.example", &allowed));
        assert!(domain_allowed("anyone@else.org", &[]));
    }

    #[test]
    fn a_new_account_is_named_from_the_token() {
        assert_eq!(
            full_name_from(&json!({ "name": "  Ada   Lovelace " }), "ada@acme.com"),
            "Ada Lovelace"
        );
        assert_eq!(full_name_from(&json!({}), "ada@acme.com"), "ada");
    }
}
