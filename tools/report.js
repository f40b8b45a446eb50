/* SPDX-License-Identifier: MIT */
/* gdprx report pages (tools/report_page.c): the type filter and the details
 * panel. Reads the findings from the JSON in #gx-data; writes text only
 * through textContent. Allowed by the page's CSP by its SHA-256 only. */
"use strict";
(function () {
    var data = JSON.parse(document.getElementById("gx-data").textContent);
    var findings = data.findings;
    var off = {};
    var panel = document.getElementById("detail-body");

    function el(tag, text) {
        var e = document.createElement(tag);
        if (text !== undefined)
            e.textContent = text;
        return e;
    }
    function row(dl, key, value) {
        dl.appendChild(el("dt", key));
        dl.appendChild(el("dd", value));
    }
    function attrs(f) {
        return Object.keys(f.attrs).map(function (k) {
            return k + "=" + f.attrs[k];
        }).join(", ");
    }
    function show(ids) {
        panel.textContent = "";
        ids.forEach(function (i) {
            var f = findings[i], dl = el("dl");
            panel.appendChild(el("h3", "#" + i + " " + f.type + "." +
                                 f.subtype + " [" + f.polarity + "]"));
            row(dl, "type", f.type);
            row(dl, "subtype", f.subtype);
            row(dl, "polarity", f.polarity);
            row(dl, "attributes", attrs(f) || "none");
            row(dl, "articles", f.articles.join(", ") || "none");
            row(dl, "rule", f.rule);
            row(dl, "text", f.text);
            row(dl, "bytes", f.start + " to " + f.end + " (end exclusive)");
            if (f.section !== null)
                row(dl, "section", f.section);
            panel.appendChild(dl);
        });
    }
    function shown(mark) {
        return mark.getAttribute("data-f").split(" ").map(Number)
            .filter(function (i) { return !off[findings[i].type]; });
    }
    function filter() {
        document.querySelectorAll("#types input").forEach(function (c) {
            off[c.value] = !c.checked;
        });
        document.querySelectorAll("#policy mark").forEach(function (m) {
            m.classList.toggle("off", shown(m).length === 0);
        });
        document.querySelectorAll("#policy .lbl").forEach(function (l) {
            var type = l.getAttribute("data-type");
            l.classList.toggle("off", off[type] === true);
        });
    }
    function fromHash() {
        var m = /^#f([0-9]+)$/.exec(location.hash);
        if (m && findings[Number(m[1])])
            show([Number(m[1])]);
    }
    document.getElementById("policy").addEventListener("click", function (ev) {
        var m = ev.target.closest("mark");
        if (m && shown(m).length)
            show(shown(m));
    });
    document.getElementById("types").addEventListener("change", filter);
    window.addEventListener("hashchange", fromHash);
    filter();
    fromHash();
    document.body.setAttribute("data-ready", "1");
})();
