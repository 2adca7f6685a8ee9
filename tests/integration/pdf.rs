//! PDFs: the fixture site whose facts are only in PDFs, the helper process
//! on hostile files, the size cap, and the gzip sitemap.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use infokoll::fixture_server::Sites;
use infokoll::pdf::{PdfLimits, PdfProblem, PdfReader};

use crate::pdfgen::{self, text_pdf, FontKind};
use crate::util::{check_json, sites_dir, Server};

const HOST: &str = "www.kvarnsjo.se";

fn site_file(path: &str) -> PathBuf {
    sites_dir().join(HOST).join(path)
}

/// The generated files of the Kvarnsjö fixture site, by path.
fn generated_files() -> Vec<(&'static str, Vec<u8>)> {
    let servicedeklaration = text_pdf(
        "Servicedeklaration för hemtjänsten",
        &[
            vec![
                "Servicedeklaration för hemtjänsten",
                "Den här servicedeklarationen beskriver vad du som ansöker om eller har hemtjänst i \
                 Kvarnsjö kommun kan förvänta dig av oss.",
                "Vi arbetar för att du ska kunna bo kvar hemma och leva ett så självständigt liv som möjligt.",
            ],
            vec![
                "Handläggning",
                "När din ansökan om hemtjänst har kommit in kontaktar en biståndshandläggare dig. \
                 Du får ett beslut inom tre veckor från det att vi tog emot din ansökan.",
                "Om vi inte håller det vi lovar",
                "Berätta för oss om något inte blev som vi har lovat, så rättar vi till det.",
            ],
        ],
        FontKind::Subset,
    );
    let avgifter = text_pdf(
        "Avgifter inom äldreomsorgen 2026",
        &[
            vec![
                "Avgifter inom äldreomsorgen 2026",
                "Avgiften för hemtjänst beror på hur mycket hjälp du får och på ditt avgiftsutrymme, \
                 det vill säga det som blir kvar av din inkomst när förbehållsbeloppet är räknat.",
            ],
            vec![
                "Avgift för hemtjänst",
                "Timtaxan för hemtjänst är 320 kronor per timme. Du betalar aldrig mer än \
                 högkostnadsskyddet, som är 2 575 kronor per månad år 2026.",
            ],
        ],
        FontKind::Standard,
    );
    let bygglov = text_pdf(
        "Taxa för bygglov 2026",
        &[vec![
            "Taxa för bygglov 2026",
            "Handläggningstid för bygglov: vi fattar beslut inom tio veckor från det att din ansökan är komplett.",
            "Avgiften för bygglov för ett nytt enbostadshus är 24 000 kronor.",
        ]],
        FontKind::Positioned,
    );
    let sitemap = {
        use std::io::Write as _;
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{}</urlset>\n",
            ["/", "/omsorg/", "/omsorg/hemtjanst.html", "/kontakt.html"]
                .iter()
                .map(|p| ["  <url><loc>http://", HOST, p, "</loc></url>\n"].concat())
                .collect::<String>()
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(xml.as_bytes()).unwrap();
        gz.finish().unwrap()
    };
    vec![
        (
            "dokument/servicedeklaration-hemtjanst.pdf",
            servicedeklaration,
        ),
        ("dokument/avgifter-aldreomsorg-2026.pdf", avgifter),
        ("dokument/taxa-bygglov-2026.pdf", bygglov),
        ("dokument/riktlinjer-bistand.pdf", pdfgen::scan()),
        ("sitemap.xml.gz", sitemap),
    ]
}

/// The PDFs and the gzip sitemap in `fixtures/` are this generator's output.
/// `INFOKOLL_WRITE_FIXTURES=1 cargo test --test integration fixture_files` rewrites them.
#[test]
fn fixture_files_are_the_generators_output() {
    let write = std::env::var_os("INFOKOLL_WRITE_FIXTURES").is_some();
    for (path, bytes) in generated_files() {
        let file = site_file(path);
        if write {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&file).unwrap_or_default();
        assert!(
            on_disk == bytes,
            "{} differs from its generator: rerun with INFOKOLL_WRITE_FIXTURES=1",
            file.display()
        );
    }
}

fn reader() -> PdfReader {
    PdfReader {
        program: Some(PathBuf::from(env!("CARGO_BIN_EXE_infokoll"))),
        limits: PdfLimits {
            max_pages: 50,
            time: Duration::from_secs(5),
            memory_mb: 512,
        },
    }
}

#[test]
fn the_helper_reads_text_with_title_and_pages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_, bytes) = generated_files().swap_remove(0);
    let text = rt.block_on(reader().read(&bytes)).unwrap();
    assert_eq!(
        text.title.as_deref(),
        Some("Servicedeklaration för hemtjänsten")
    );
    assert_eq!(text.pages.len(), 2);
    assert!(text.pages[1].contains("beslut inom tre veckor"));
}

#[test]
fn hostile_pdfs_end_as_problems_within_their_caps() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reader = reader();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", pdfgen::truncated()),
        ("encrypted", pdfgen::encrypted()),
        ("bomb", pdfgen::compression_bomb(1024)),
        ("endless references", pdfgen::endless_references()),
        ("scan", pdfgen::scan()),
        (
            "not a pdf",
            b"<html><body>Inte en pdf</body></html>".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let began = Instant::now();
        let result = rt.block_on(reader.read(&bytes));
        let took = began.elapsed();
        // The time cap plus the moment it takes to kill and reap the helper.
        assert!(took < Duration::from_secs(8), "{name}: took {took:?}");
        let problem = result.expect_err(name);
        let expected = match name {
            "encrypted" => matches!(problem, PdfProblem::Encrypted),
            "scan" => problem == PdfProblem::NoText,
            // The helper's address-space limit stops the inflation: the
            // allocator either aborts the helper (crashed), the crate reports
            // the failed stream (broken), or the stream is left undecoded and
            // the page yields no text (mimalloc: the inflater's fallible
            // reserve fails first). Each is a status within the caps.
            "bomb" => matches!(
                problem,
                PdfProblem::Crashed(_) | PdfProblem::Broken(_) | PdfProblem::NoText
            ),
            "endless references" => matches!(
                problem,
                PdfProblem::TimedOut(_) | PdfProblem::Crashed(_) | PdfProblem::Broken(_)
            ),
            _ => matches!(problem, PdfProblem::Broken(_)),
        };
        assert!(expected, "{name}: {problem:?} after {took:?}");
        println!("{name}: {problem} after {took:?}");
    }
}

#[test]
fn a_pdf_over_the_size_cap_is_not_read() {
    let mut sites = Sites::from_dir(&sites_dir()).unwrap();
    let mut big = text_pdf("Stor", &[vec!["Hemtjänst"]], FontKind::Standard);
    big.resize(50 * 1024 * 1024, b' ');
    sites.insert_file(HOST, "dokument/avgifter-aldreomsorg-2026.pdf", big);
    let server = Server::start_with(sites);
    let (code, json) = check_json(&server, &format!("http://{HOST}/"), &["--rate", "40"]);
    assert_eq!(code, 0);
    let record = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["url"]
                .as_str()
                .unwrap()
                .ends_with("avgifter-aldreomsorg-2026.pdf")
        })
        .expect("the brochure was fetched");
    assert_eq!(record["outcome"], "pdf större än 20 MiB", "{record}");
    let unread = json["coverage"]["pdfs_unread"].to_string();
    assert!(unread.contains("too_large"), "{unread}");
}

#[test]
fn facts_only_in_pdfs_are_found_with_pdf_evidence_and_the_decoys_are_not() {
    let server = Server::start();
    let (code, json) = check_json(&server, &format!("http://{HOST}/"), &["--rate", "40"]);
    assert_eq!(code, 0, "{json}");
    let item = |id: &str| {
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    for (id, pdf) in [
        ("handlaggningstid", "servicedeklaration-hemtjanst.pdf"),
        ("avgift_info", "avgifter-aldreomsorg-2026.pdf"),
    ] {
        let v = item(id);
        assert_eq!(v["found"], true, "{id}: {v}");
        let ev = &v["evidence"][0];
        assert!(ev["url"].as_str().unwrap().ends_with(pdf), "{id}: {ev}");
        assert!(
            ev["context"].as_str().unwrap().contains("s. 2"),
            "{id}: the page is named: {ev}"
        );
        let all = v["evidence"].to_string();
        assert!(!all.contains("bygglov"), "{id}: decoy in evidence: {all}");
    }
    // The calculator is script-built: not read, listed, and its link keeps the item for review.
    let calc = item("rakna_avgift");
    assert_eq!(calc["flagged"], true, "{calc}");
    assert!(!calc["evidence"].to_string().contains("forskola"), "{calc}");
    let coverage = &json["coverage"];
    assert_eq!(coverage["pdfs_read"], 2, "{coverage}");
    assert!(
        coverage["script_pages"]
            .to_string()
            .contains("/omsorg/avgiftskalkyl.html"),
        "{coverage}"
    );
    assert!(coverage["pdfs_unread"].to_string().contains("no_text"));
    // The bygglov taxa is not on a home-care page and no candidate: never fetched.
    let log = server.log();
    assert!(!log.iter().any(|r| r.target.contains("taxa-bygglov")));
    // The gzip sitemap was read and is the only way to /kontakt.html.
    assert!(log
        .iter()
        .any(|r| r.host == HOST && r.target == "/sitemap.xml.gz"));
    assert!(log
        .iter()
        .any(|r| r.host == HOST && r.target == "/kontakt.html"));
    // The Swedish text report names the PDF page and the coverage.
    let proxy = server.proxy();
    let out = crate::util::infokoll(&[
        "check",
        &format!("http://{HOST}/"),
        "--proxy",
        &proxy,
        "--rate",
        "40",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("servicedeklaration-hemtjanst.pdf (s. 2)"),
        "{text}"
    );
    assert!(text.contains("1 pdf utan text kunde inte läsas"), "{text}");
    assert!(text.contains("kräver JavaScript – inte renderad"), "{text}");
}

/// The bygglov decoy, read and detected on its own: its processing time and
/// fee are not home care's.
#[test]
fn the_bygglov_decoy_counts_for_nothing_when_read() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bytes = std::fs::read(site_file("dokument/taxa-bygglov-2026.pdf")).unwrap();
    let text = rt.block_on(reader().read(&bytes)).unwrap();
    let url = url::Url::parse(&format!("http://{HOST}/dokument/taxa-bygglov-2026.pdf")).unwrap();
    let doc = infokoll::extract::pdf::pdf_document(&url, text.title.as_deref(), &text.pages);
    assert!(
        doc.main_text().contains("tio veckor"),
        "{}",
        doc.main_text()
    );
    let rules = infokoll::rules::RuleSet::builtin().unwrap();
    let ctx = infokoll::detect::PageContext {
        depth: 2,
        off_site: false,
        referrer_text: Some("Taxa för bygglov 2026 (pdf) Taxor och avgifter".to_owned()),
    };
    let findings = infokoll::detect::detect(&rules, &doc, &ctx);
    for id in ["handlaggningstid", "avgift_info"] {
        let c = findings
            .iter()
            .find(|f| f.item == id)
            .map_or(0.0, |f| f.confidence);
        let threshold = rules.get(id).unwrap().threshold;
        assert!(c < threshold, "{id}: {c} from the bygglov taxa");
    }
}
