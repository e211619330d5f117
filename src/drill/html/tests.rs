use std::rc::Rc;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::model::drill::report::Report;

fn fixture(name: &str) -> Report {
    crate::drill::fixtures::report(name)
}

/// The page through an HTML5 parser that reports every parse error.
fn parse(page: &str) -> RcDom {
    let opts = html5ever::ParseOpts {
        tokenizer: html5ever::tokenizer::TokenizerOpts {
            exact_errors: true,
            ..Default::default()
        },
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
    };
    html5ever::parse_document(RcDom::default(), opts).one(page)
}

/// Every attribute that could make a browser fetch or go somewhere.
fn references(node: &Handle, out: &mut Vec<String>) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        for a in attrs.borrow().iter() {
            let key = a.name.local.to_string();
            let value = a.value.to_string();
            let fetches = matches!(
                key.as_str(),
                "src"
                    | "href"
                    | "srcset"
                    | "action"
                    | "formaction"
                    | "poster"
                    | "data"
                    | "background"
            );
            let url = value.contains("url(") && !value.contains("url(#");
            if fetches || url {
                out.push(format!("<{}> {key}={value}", name.local));
            }
        }
    }
    for c in node.children.borrow().iter() {
        references(c, out);
    }
}

fn style_text(node: &Handle, out: &mut String) {
    if let NodeData::Text { contents } = &node.data {
        out.push_str(&contents.borrow());
    }
    for c in node.children.borrow().iter() {
        style_text(c, out);
    }
}

#[test]
fn every_page_parses_as_html5_without_an_error_and_fetches_nothing() {
    // The parser does report errors: a stray end tag, a missing doctype.
    assert!(!parse("<!DOCTYPE html><p></div>").errors.borrow().is_empty());
    assert!(!parse("<p>no doctype</p>").errors.borrow().is_empty());
    let mut hostile = fixture("fail");
    hostile.reason = "<script>alert(1)</script> & \"quotes\" 'too' </svg></body>".into();
    hostile.service = "svc<b>".into();
    hostile.notes.push("<img src=http://evil.example/x>".into());
    let mut pages: Vec<(String, String)> = ["pass", "fail", "aborted", "two-task"]
        .into_iter()
        .map(|n| (n.to_string(), super::page(&fixture(n))))
        .collect();
    pages.push(("hostile".into(), super::page(&hostile)));
    for (name, page) in pages {
        let dom = parse(&page);
        let errors: Vec<String> = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let mut refs = Vec::new();
        references(&dom.document, &mut refs);
        assert!(refs.is_empty(), "{name}: {refs:?}");
        let mut text = String::new();
        style_text(&dom.document, &mut text);
        assert!(!text.contains("@import"), "{name}");
        // The hostile strings are text, never elements.
        assert!(!page.contains("<script"), "{name}");
        assert!(!page.contains("<img"), "{name}");
        assert!(Rc::strong_count(&dom.document) >= 1);
    }
}

#[test]
fn the_first_screen_says_the_verdict_its_reason_and_the_three_figures_before_the_picture() {
    let page = super::page(&fixture("pass"));
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} in the page"));
    let verdict = at(r#"<div class="v">PASS</div>"#);
    let reason = at("the marker and the record count survived");
    let downtime = at("<b>6.0 s</b>");
    let first = at("<b>7.0 s</b>");
    let records = at("<b>4 → 4</b>");
    let picture = at("<svg");
    let details = at(r#"<div class="tech">"#);
    assert!(verdict < reason && reason < downtime && downtime < first && first < records);
    assert!(records < picture && picture < details);
    // One A4 landscape page for the first screen; the details after it.
    assert!(page.contains("@page{size:A4 landscape"));
    assert!(page.contains(".first{break-after:page}"));
}
