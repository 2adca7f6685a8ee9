//! Property tests: extraction and detection never panic, whatever the bytes.

use infokoll::detect::detect_html;
use infokoll::rules::RuleSet;
use proptest::prelude::*;
use std::sync::OnceLock;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap())
}

fn url() -> url::Url {
    url::Url::parse("http://www.exempel.se/omsorg/hemtjanst/").unwrap()
}

/// Fragments of (often broken) HTML with Swedish home-care words.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<p>".to_owned()),
        Just("</p>".to_owned()),
        Just("<h2>".to_owned()),
        Just("<details><summary>".to_owned()),
        Just("<form><label for=x>Inkomst</label><input id=x name=inkomst>".to_owned()),
        Just("<a href=\"https://aldreguiden.se/\">Äldreguiden</a>".to_owned()),
        Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
        Just("<iframe src=\"http://kalkyl.se/a\">".to_owned()),
        Just("<table><tr><td>".to_owned()),
        Just("<script>var a='</p>';</script>".to_owned()),
        Just("Handläggningstiden är två till tre veckor.".to_owned()),
        Just("Räkna ut din avgift för hemtjänst".to_owned()),
        Just("bi\u{ad}stånd\u{a0}hemtjänst – 2–4 veckor".to_owned()),
        "[a-zåäöA-ZÅÄÖ0-9 .,;:!?()<>/=\"'&#-]{0,40}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let findings = detect_html(rules(), &url(), &bytes);
        for f in findings {
            prop_assert!((0.0..=1.0).contains(&f.confidence));
        }
    }

    #[test]
    fn broken_html_never_panics_and_snippets_are_in_bounds(parts in proptest::collection::vec(fragment(), 0..60)) {
        let html = parts.concat();
        for f in detect_html(rules(), &url(), html.as_bytes()) {
            prop_assert!((0.0..=1.0).contains(&f.confidence));
            for e in &f.evidence {
                for &(a, b) in &e.highlights {
                    prop_assert!(a <= b && b <= e.snippet.len());
                    prop_assert!(e.snippet.is_char_boundary(a) && e.snippet.is_char_boundary(b));
                }
            }
        }
    }

    #[test]
    fn latin1_and_wrong_declarations_never_panic(text in "[ -~åäöÅÄÖé\u{a0}]{0,300}", declared in prop_oneof![Just("utf-8"), Just("iso-8859-1"), Just("utf-16"), Just("x-nonsense")]) {
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let doc = infokoll::extract::parse_html(&url(), &latin1, Some(&format!("text/html; charset={declared}")));
        let _ = infokoll::detect::detect(rules(), &doc, &infokoll::detect::PageContext::default());
    }
}
