import Foundation
import HotlinePages
import Testing

@Suite struct PageMediaTests {
    func references(_ html: String, page: String = "https://site.example/gallery/page.html", limit: Int = 50) -> PageMedia.References {
        PageMedia.references(inHTML: Array(html.utf8), pageURL: page, limit: limit)
    }

    @Test func everyWayAPageShowsMediaIsFoundAndResolvedAgainstThePage() {
        let html = """
            <!doctype html><html><head>
            <meta property="og:image" content="/og.jpg"><meta name="twitter:image" content="https://cdn.example/tw.png">
            <style>.a { background-image: url("bg.webp") } .b { background: url(../up.gif) }</style>
            </head><body>
            <img src="a.jpg"><img data-src="lazy.jpg" srcset="s1.jpg 1x, s2.jpg 2x,  s3.jpg 480w">
            <picture><source srcset="p.webp"><img src="p.jpg"></picture>
            <video src="v.mp4" poster="poster.jpg"><source src="v.webm"></video>
            <div style="background-image: url('inline.png')"></div>
            <a href="full.JPEG?x=1#frag">image</a> <a href="next.html">page</a> <a href="mailto:x@example.com">mail</a>
            <img src="data:image/png;base64,AAAA"><img src="ftp://site.example/no.jpg">
            </body></html>
            """
        let found = references(html)
        #expect(
            found.urls == [
                "https://site.example/og.jpg", "https://cdn.example/tw.png", "https://site.example/gallery/bg.webp", "https://site.example/up.gif",
                "https://site.example/gallery/a.jpg", "https://site.example/gallery/lazy.jpg", "https://site.example/gallery/s1.jpg",
                "https://site.example/gallery/s2.jpg", "https://site.example/gallery/s3.jpg", "https://site.example/gallery/p.webp",
                "https://site.example/gallery/p.jpg", "https://site.example/gallery/v.mp4", "https://site.example/gallery/poster.jpg",
                "https://site.example/gallery/v.webm", "https://site.example/gallery/inline.png", "https://site.example/gallery/full.JPEG?x=1",
            ])
        #expect(found.found == found.urls.count)
    }

    @Test func aBaseElementSetsWhereRelativeReferencesResolve() {
        let found = references(#"<html><head><base href="https://static.example/img/"></head><body><img src="a.jpg"><img src="/b.jpg"></body></html>"#)
        #expect(found.urls == ["https://static.example/img/a.jpg", "https://static.example/b.jpg"])
    }

    @Test func aPageWithTenThousandImagesIsCutAtTheLimitAndCountedWhole() {
        let html = "<html><body>" + (0..<10_000).map { "<img src=\"/i/\($0).jpg\">" }.joined() + "</body></html>"
        let found = references(html, limit: 50)
        #expect(found.urls.count == 50)
        #expect(found.urls.first == "https://site.example/i/0.jpg")
        #expect(found.found == 10_000)
    }

    @Test func brokenMarkupEmptyInputAndDeepNestingAreReadWithoutFailing() {
        #expect(references("").urls.isEmpty)
        #expect(
            references("<img src=a.jpg><p><b><i>unclosed <div class=x y=><img src='b.png'").urls == [
                "https://site.example/gallery/a.jpg", "https://site.example/gallery/b.png",
            ])
        let deep = String(repeating: "<div>", count: 20_000) + "<img src=\"deep.jpg\">" + String(repeating: "</div>", count: 20_000)
        // libxml2 stops at its depth limit (a hostile page cannot exhaust the stack); what it read is kept.
        _ = references(deep)
        #expect(references(String(repeating: "\u{0}\u{1}<", count: 1000)).urls.isEmpty)
        // The same medium twice is fetched once.
        #expect(references(#"<img src="a.jpg"><img src="./a.jpg"><img src="a.jpg#x">"#).urls == ["https://site.example/gallery/a.jpg"])
    }
}
