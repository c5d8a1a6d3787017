/* Revue — the live ticker: new headlines appear without reloading the page.
 *
 * One connection per tab: an EventSource on the ticker's data-stream-url (/direct/flux), whose
 * "titres" events carry the latest headlines (JSON: {"headlines": [{id, title, url, outlet,
 * lang, dir}]}); under `revue serve` the server keeps it open and sends new headlines when they
 * are settled, elsewhere it ends after one event and the browser comes back after `retry`. If
 * the browser has no EventSource, or the server refuses the stream, the script fetches
 * data-headlines-url (/direct/titres.json, a cached page: usually a 304) every
 * data-poll-seconds instead.
 *
 * New headlines go first in the list (at most as many as the page had); the scroll starts again
 * so that they are read first, unless the reader is pointing at, focused in or has paused the
 * ticker. The pause button (aria-pressed) stops the scroll for keyboard and touch readers too;
 * with prefers-reduced-motion the CSS keeps the list still and the button hidden.
 */
(function () {
  "use strict";

  var ticker = document.querySelector("[data-ticker]");
  if (!ticker) {
    return;
  }
  var list = ticker.querySelector(".ticker__list");
  var viewport = ticker.querySelector(".ticker__viewport");
  var pause = ticker.querySelector(".ticker__pause");
  var status = ticker.querySelector(".ticker__status");
  var size = Math.max(list.children.length, Number(ticker.dataset.size) || 0);
  // the headlines' URLs are the French edition's (/outlet/12); on an edition's front page
  // (/ar/, /es/, /en/) they take its prefix, so a new headline leads to the article in that edition
  var edition = window.location.pathname.replace(/\/$/, "");
  var shown = {};
  Array.prototype.forEach.call(list.children, function (item) {
    shown[item.dataset.id] = true;
  });

  if (pause) {
    pause.hidden = false;
    pause.addEventListener("click", function () {
      var paused = pause.getAttribute("aria-pressed") !== "true";
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      ticker.classList.toggle("ticker--paused", paused);
    });
  }

  function held() {
    return ticker.classList.contains("ticker--paused") || viewport.matches(":hover, :focus-within");
  }

  function item(headline) {
    var element = document.createElement("li");
    element.className = "ticker__item ticker__item--new";
    element.dataset.id = String(headline.id);
    var link = document.createElement("a");
    link.href = edition + headline.url;
    link.textContent = headline.title;
    if (headline.lang) {
      link.lang = headline.lang;
    }
    link.dir = headline.dir || "auto";
    var source = document.createElement("span");
    source.className = "ticker__source";
    var outlet = document.createElement("bdi");
    outlet.textContent = headline.outlet;
    source.appendChild(outlet);
    element.appendChild(link);
    element.appendChild(document.createTextNode(" "));
    element.appendChild(source);
    return element;
  }

  function show(headlines) {
    var fresh = (headlines || []).filter(function (headline) {
      return headline && !shown[String(headline.id)] && /^\/[^/]/.test(headline.url);
    });
    if (!fresh.length) {
      return;
    }
    for (var i = fresh.length - 1; i >= 0; i--) {
      list.insertBefore(item(fresh[i]), list.firstChild);
      shown[String(fresh[i].id)] = true;
    }
    while (size && list.children.length > size) {
      delete shown[list.lastElementChild.dataset.id];
      list.removeChild(list.lastElementChild);
    }
    list.style.setProperty("--ticker-count", String(list.children.length));
    if (!held()) {  // start the scroll again: the new headlines first
      list.style.animation = "none";
      void list.offsetWidth;
      list.style.animation = "";
    }
    if (status) {
      status.textContent = (fresh.length === 1 ? status.dataset.one : status.dataset.many).replace("{n}", fresh.length);
    }
  }

  function read(text) {
    try {
      show(JSON.parse(text).headlines);
    } catch (error) {
      // a malformed answer changes nothing; the next one may be fine
    }
  }

  var timer = null;
  function fetchHeadlines() {
    fetch(ticker.dataset.headlinesUrl, { cache: "no-cache", credentials: "omit", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) { if (text) { read(text); } })
      .catch(function () {});
  }
  function poll() {
    if (timer === null && window.fetch) {
      timer = window.setInterval(fetchHeadlines, (Number(ticker.dataset.pollSeconds) || 30) * 1000);
      fetchHeadlines();
    }
  }

  if (!window.EventSource || !ticker.dataset.streamUrl) {
    poll();
    return;
  }
  var stream = new EventSource(ticker.dataset.streamUrl);
  stream.addEventListener("titres", function (event) {
    read(event.data);
  });
  stream.addEventListener("error", function () {
    if (stream.readyState === EventSource.CLOSED) {  // refused (not a 200 event stream): poll instead
      poll();
    }
  });
  window.addEventListener("pagehide", function () {
    stream.close();
  });
})();
