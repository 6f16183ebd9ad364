/* Proficio: switching language keeps the reader's place. The menu's links name the same page
   in each language; when one is followed, it gets the anchor of the section being read (the
   last heading above the top of the window), else the address's own #anchor. Codes' anchors
   are the same in every language. */
(function () {
  "use strict";
  function reading() {
    var header = document.querySelector(".md-header");
    var top = header ? header.getBoundingClientRect().bottom : 0;
    var hash = decodeURIComponent(location.hash.slice(1));
    var target = hash && document.getElementById(hash);
    if (target) {
      var box = target.getBoundingClientRect();
      if (box.bottom > top && box.top < window.innerHeight) return hash;
    }
    var found = "";
    var headings = document.querySelectorAll(
      ".md-content h1[id], .md-content h2[id], .md-content h3[id], .md-content h4[id]"
    );
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top > top + 16) break;
      found = headings[i].id;
    }
    return found || hash;
  }
  function keepPlace(event) {
    var link = event.target.closest && event.target.closest("a.md-select__link[hreflang]");
    if (!link) return;
    var base = link.getAttribute("href").split("#")[0];
    var place = reading();
    link.setAttribute("href", place ? base + "#" + encodeURIComponent(place) : base);
  }
  ["pointerdown", "click", "auxclick", "contextmenu", "focusin"].forEach(function (type) {
    document.addEventListener(type, keepPlace, true);
  });
})();
