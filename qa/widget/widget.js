/*
 * case-qa widget: <script src="https://HOST/widget.js" async></script> puts an "Ask about this
 * story" button on the page that opens a chat panel answering from the story's sources.
 *
 * Optional attributes on the script tag:
 *   data-title     panel title and button label (default "Ask about this story")
 *   data-accent    accent colour, any CSS colour (default #1f4e8c)
 *   data-position  "bottom-right" (default) or "bottom-left"
 *   data-starters  starter questions separated by "|"
 *
 * Everything renders inside a shadow root, so neither page's CSS reaches the other. Text from
 * readers and sources is only ever set with textContent: nothing is parsed as HTML.
 */
(function () {
  "use strict";

  var DEFAULT_TITLE = "Ask about this story";
  var DEFAULT_ACCENT = "#1f4e8c";
  var MAX_STARTERS = 4;
  var HISTORY_TURNS = 4;
  var MESSAGES = {
    403: "This site is not allowed to use this assistant.",
    network: "The assistant could not be reached. Please try again later.",
    interrupted: "The answer was interrupted. Please try again.",
    generic: "Something went wrong. Please try again.",
  };

  var STYLES = [
    ":host { all: initial !important; }",
    ".root { position: fixed; bottom: 20px; z-index: 2147483000; font: 15px/1.45 system-ui,",
    "  -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1a1a1a; }",
    ".root.right { right: 20px; } .root.left { left: 20px; }",
    "button { font: inherit; cursor: pointer; }",
    ".launcher { background: var(--accent); color: #fff; border: 0; border-radius: 999px;",
    "  padding: 12px 18px; box-shadow: 0 4px 14px rgba(0,0,0,.25); font-weight: 600; }",
    ".launcher:focus-visible, .panel button:focus-visible, textarea:focus-visible, a:focus-visible",
    "  { outline: 3px solid var(--accent); outline-offset: 2px; }",
    ".panel { display: flex; flex-direction: column; width: 380px; height: min(560px, 80vh);",
    "  background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3);",
    "  overflow: hidden; }",
    ".panel[hidden], .launcher[hidden], .starters[hidden] { display: none; }",
    "header { display: flex; align-items: center; justify-content: space-between;",
    "  background: var(--accent); color: #fff; padding: 10px 14px; }",
    "h2 { font-size: 16px; margin: 0; font-weight: 600; }",
    ".close { background: transparent; color: #fff; border: 0; font-size: 22px; line-height: 1;",
    "  padding: 2px 6px; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px 14px; background: #f6f7f9; }",
    ".msg { margin: 0 0 10px; padding: 8px 11px; border-radius: 10px; max-width: 92%;",
    "  white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".msg.user { background: var(--accent); color: #fff; margin-left: auto; }",
    ".msg.bot { background: #fff; border: 1px solid #dde1e6; }",
    ".msg.notice { background: #fff4e5; border: 1px solid #f0c27b; }",
    ".sources { margin: 8px 0 0; padding: 0; list-style: none; font-size: 13px; }",
    ".sources li { margin-top: 6px; }",
    ".sources .label { font-weight: 600; color: #333; }",
    ".read-as { margin: 0 0 4px; font-style: italic; color: #555; }",
    ".sources a { color: var(--accent); }",
    "blockquote { margin: 3px 0 0; padding: 2px 0 2px 8px; border-left: 3px solid var(--accent);",
    "  color: #444; }",
    ".starters { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 14px 8px;",
    "  background: #f6f7f9; }",
    ".starters button { background: #fff; border: 1px solid var(--accent); color: var(--accent);",
    "  border-radius: 999px; padding: 4px 10px; font-size: 13px; }",
    "form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #dde1e6; }",
    "textarea { flex: 1; resize: none; font: inherit; padding: 8px; border: 1px solid #b8bec6;",
    "  border-radius: 8px; min-height: 22px; max-height: 120px; }",
    ".send { background: var(--accent); color: #fff; border: 0; border-radius: 8px;",
    "  padding: 0 14px; font-weight: 600; }",
    ".send:disabled { opacity: .5; cursor: default; }",
    ".sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;",
    "  clip: rect(0 0 0 0); white-space: nowrap; }",
    "@media (max-width: 480px) {",
    "  .root.open { left: 0; right: 0; bottom: 0; }",
    "  .panel { width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; }",
    "}",
  ].join("\n");

  var script = document.currentScript || findScript();
  if (!script || !script.src) return;
  var base = new URL(".", script.src);
  var config = readConfig(script);

  function findScript() {
    var scripts = document.querySelectorAll('script[src*="widget.js"]');
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  function readConfig(tag) {
    var accent = tag.getAttribute("data-accent") || "";
    var cssOk = window.CSS && window.CSS.supports && window.CSS.supports("color", accent);
    var starters = (tag.getAttribute("data-starters") || "")
      .split("|")
      .map(function (s) { return s.trim().slice(0, 200); })
      .filter(Boolean)
      .slice(0, MAX_STARTERS);
    return {
      title: (tag.getAttribute("data-title") || "").trim().slice(0, 80) || DEFAULT_TITLE,
      accent: accent && cssOk ? accent : DEFAULT_ACCENT,
      left: tag.getAttribute("data-position") === "bottom-left",
      starters: starters,
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    // A tag of its own (no page rule for div or section matches it) with a shadow root inside.
    var host = el("case-qa-widget");
    var shadow = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = STYLES;
    var root = el("div", { class: "root " + (config.left ? "left" : "right") });
    root.style.setProperty("--accent", config.accent);

    var launcher = el("button", {
      class: "launcher", type: "button", "aria-haspopup": "dialog",
      "aria-expanded": "false", "aria-controls": "case-qa-panel",
    }, config.title);
    var panel = el("section", {
      class: "panel", id: "case-qa-panel", role: "dialog", "aria-labelledby": "case-qa-title",
    });
    panel.hidden = true;
    var header = el("header");
    var title = el("h2", { id: "case-qa-title" }, config.title);
    var close = el("button", { class: "close", type: "button", "aria-label": "Close" }, "×");
    header.append(title, close);
    var log = el("div", { class: "log", role: "log", "aria-live": "polite", tabindex: "0",
      "aria-label": "Conversation" });
    log.append(el("p", { class: "msg bot" },
      "Ask a question about this story. Answers quote the sources and say where each quote is from."));
    var starters = el("div", { class: "starters" });
    var form = el("form");
    var label = el("label", { class: "sr-only", for: "case-qa-input" }, "Your question");
    var input = el("textarea", { id: "case-qa-input", rows: "1", placeholder: "Type your question…" });
    var send = el("button", { class: "send", type: "submit" }, "Ask");
    form.append(label, input, send);
    panel.append(header, log, starters, form);
    root.append(launcher, panel);
    shadow.append(style, root);
    document.body.appendChild(host);
    return { root: root, launcher: launcher, panel: panel, close: close, log: log,
      starters: starters, form: form, input: input, send: send };
  }

  function Chat(ui) {
    this.ui = ui;
    this.history = [];
    this.busy = false;
  }

  Chat.prototype.open = function () {
    var ui = this.ui;
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.root.classList.add("open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.input.focus();
  };

  Chat.prototype.close = function () {
    var ui = this.ui;
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.root.classList.remove("open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  };

  Chat.prototype.say = function (kind, text) {
    var node = el("div", { class: "msg " + kind }, text);
    this.ui.log.appendChild(node);
    this.ui.log.scrollTop = this.ui.log.scrollHeight;
    return node;
  };

  Chat.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.ui.send.disabled = busy;
    this.ui.log.setAttribute("aria-busy", busy ? "true" : "false");
  };

  Chat.prototype.ask = function (question) {
    question = question.trim();
    if (!question || this.busy) return;
    var self = this;
    self.ui.starters.hidden = true; // room for the conversation once it has begun
    self.say("user", question);
    var reply = self.say("bot", "");
    var text = document.createTextNode("…");
    reply.appendChild(text);
    var state = { reply: reply, text: text, answer: "", done: false };
    self.setBusy(true);
    fetch(new URL("api/ask/stream", base), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question: question, history: self.history.slice(-HISTORY_TURNS) }),
    })
      .then(function (response) {
        if (!response.ok) return self.fail(state, response);
        return readEvents(response.body, function (name, data) { self.onEvent(state, name, data); });
      })
      .catch(function () { self.notice(state, MESSAGES.network); })
      .then(function () {
        if (!state.done && !state.failed) self.notice(state, MESSAGES.interrupted);
        if (state.done) self.history.push({ question: question, answer: state.answer });
        self.setBusy(false);
        self.ui.log.scrollTop = self.ui.log.scrollHeight;
      });
  };

  Chat.prototype.onEvent = function (state, name, data) {
    if (name === "delta") {
      state.answer += data.text;
      state.text.data = state.answer;
    } else if (name === "citations") {
      if (data.citations.length) state.reply.appendChild(sourceList(data.citations));
    } else if (name === "related") {
      state.reply.appendChild(relatedPassage(data));
    } else if (name === "done") {
      state.done = true;
      state.answer = data.answer;
      state.text.data = data.answer;
      // A misspelt word was read as the sources spell it: say how the question was read.
      if (data.read_as) {
        state.reply.insertBefore(el("p", { class: "read-as" }, "Read as: " + data.read_as), state.text);
      }
    } else if (name === "error") {
      this.notice(state, data.message || MESSAGES.generic);
    }
    this.ui.log.scrollTop = this.ui.log.scrollHeight;
  };

  Chat.prototype.fail = function (state, response) {
    if (response.status === 403) return this.notice(state, MESSAGES[403]);
    return response.json().then(
      function (body) {
        var wait = response.headers.get("Retry-After");
        var message = (body && body.message) || MESSAGES.generic;
        this.notice(state, wait ? message + " (retry in " + wait + " s)" : message);
      }.bind(this),
      function () { this.notice(state, MESSAGES.generic); }.bind(this)
    );
  };

  Chat.prototype.notice = function (state, message) {
    state.failed = true;
    state.reply.className = "msg notice";
    state.reply.setAttribute("role", "alert");
    state.reply.textContent = message;
  };

  function sourceList(citations) {
    var list = el("ol", { class: "sources", "aria-label": "Sources" });
    citations.forEach(function (c) {
      var item = el("li");
      var label = el("span", { class: "label" }, "[" + c.n + "] ");
      item.appendChild(label);
      item.appendChild(sourceTitle(c.title, c.url));
      item.appendChild(el("blockquote", {}, c.quote));
      list.appendChild(item);
    });
    return list;
  }

  function relatedPassage(passage) {
    var box = el("div", { class: "sources" });
    box.appendChild(el("span", { class: "label" }, "Nearest related passage — "));
    box.appendChild(sourceTitle(passage.title, passage.url));
    box.appendChild(el("blockquote", {}, passage.text));
    return box;
  }

  function sourceTitle(title, url) {
    var safe = /^https?:\/\//i.test(url || "");
    if (!safe) return el("span", {}, title);
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title);
  }

  /* Server-sent events over a fetch body (EventSource can only GET): events are separated by a
     blank line; each has an "event:" name and "data:" lines holding JSON. */
  function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        buffer = buffer.replace(/\r\n?/g, "\n");
        var end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        if (!chunk.done) return pump();
      });
    }
    return pump();
  }

  function start() {
    var ui = build();
    var chat = new Chat(ui);
    config.starters.forEach(function (question) {
      var button = el("button", { type: "button" }, question);
      button.addEventListener("click", function () { chat.ask(question); });
      ui.starters.appendChild(button);
    });
    ui.launcher.addEventListener("click", function () { chat.open(); });
    ui.close.addEventListener("click", function () { chat.close(); });
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") chat.close();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        ui.form.requestSubmit();
      }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = ui.input.value;
      ui.input.value = "";
      chat.ask(question);
    });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
