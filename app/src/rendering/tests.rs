use std::collections::BTreeMap;

use super::{CurrentUser, Scope, globals, render_html};
use crate::memberships::Role;

fn grace() -> Scope {
    let user = CurrentUser {
        email: "grace@example.com".into(),
        full_name: "Grace Brewster Hopper".into(),
        role: Role::EndUser,
        groups: vec!["End-user".into(), "Engineering".into()],
        metadata: BTreeMap::from([
            ("department".to_string(), "Engineering".to_string()),
            ("cost centre".to_string(), "CC-7".to_string()),
            ("a.b".to_string(), "dotted".to_string()),
            ("note".to_string(), "<b>bold</b> & \"quoted\"".to_string()),
        ]),
    };
    Scope {
        globals: globals(&user),
        constants: BTreeMap::from([("API_URL".to_string(), "https://api.example.com".to_string())]),
    }
}

#[test]
fn every_path_of_current_user_and_constants() {
    let scope = grace();
    let cases = [
        ("{{globals.currentUser.email}}", "grace@example.com"),
        ("{{ globals.currentUser.name }}", "Grace Brewster Hopper"),
        ("{{globals.currentUser.firstName}}", "Grace"),
        ("{{globals.currentUser.lastName}}", "Brewster Hopper"),
        ("{{globals.currentUser.role}}", "end-user"),
        (
            "{{globals.currentUser.groups}}",
            "[\"End-user\",\"Engineering\"]",
        ),
        ("{{globals.currentUser.groups.1}}", "Engineering"),
        ("{{globals.currentUser.metadata.department}}", "Engineering"),
        ("{{globals.currentUser.metadata[\"cost centre\"]}}", "CC-7"),
        ("{{globals.currentUser.metadata['a.b']}}", "dotted"),
        ("{{constants.API_URL}}", "https://api.example.com"),
        (
            "Dept: {{globals.currentUser.metadata.department}}!",
            "Dept: Engineering!",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(render_html(body, &scope), expected, "{body}");
    }
}

#[test]
fn objects_render_as_json() {
    let html = render_html("{{globals.currentUser.metadata}}", &grace());
    assert!(html.starts_with("{\"a.b\":\"dotted\","), "{html}");
    assert!(html.contains("\"department\":\"Engineering\""), "{html}");
}

#[test]
fn paths_that_lead_nowhere_render_empty() {
    let scope = grace();
    for body in [
        "{{globals.currentUser.metadata.missing}}",
        "{{globals.currentUser.email.length}}",
        "{{globals.nothing.here}}",
        "{{constants.UNKNOWN}}",
        "{{constants.API_URL.host}}",
        "{{constants}}",
        "{{window.location}}",
        "{{}}",
        "{{ globals..currentUser }}",
        "{{globals.currentUser.metadata[\"unclosed}}",
        "{{globals.currentUser.metadata[cost centre]}}",
        "{{globals.current User}}",
        "{{globals.currentUser.groups.9}}",
    ] {
        assert_eq!(render_html(body, &scope), "", "{body}");
    }
}

#[test]
fn text_and_values_are_escaped() {
    let scope = grace();
    assert_eq!(
        render_html(
            "<script>{{globals.currentUser.metadata.note}}</script>",
            &scope
        ),
        "&lt;script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\"&lt;/script&gt;"
    );
}

#[test]
fn placeholders_that_are_not_closed_stay_as_text() {
    let scope = grace();
    let cases = [
        (
            "Hello {{globals.currentUser.firstName",
            "Hello {{globals.currentUser.firstName",
        ),
        (
            "{{globals.currentUser.firstName}} and {{ more",
            "Grace and {{ more",
        ),
        ("a } b }} c {", "a } b }} c {"),
        ("{{{globals.currentUser.firstName}}}", "}"),
        ("{{ {{globals.currentUser.firstName}}", "{{ Grace"),
    ];
    for (body, expected) in cases {
        assert_eq!(render_html(body, &scope), expected, "{body}");
    }
}

#[test]
fn a_body_of_1_mib_renders_in_one_pass() {
    let scope = grace();
    let unit = "Dept: {{globals.currentUser.metadata.department}} {{ unclosed ";
    let units = (1 << 20) / unit.len();
    assert_eq!(
        render_html(&unit.repeat(units), &scope),
        "Dept: Engineering {{ unclosed ".repeat(units)
    );
    let unclosed = "{{".repeat(1 << 19);
    assert_eq!(render_html(&unclosed, &scope), unclosed);
}
