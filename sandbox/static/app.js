// The sandbox chat page: chat with the bot as a persona, through the /_sandbox control API.
// Bot text is rendered from Telegram's message entities with DOM nodes only (never innerHTML),
// so whatever the bot sends cannot inject markup into the page.
"use strict";

const LABELS = {
  ja: {
    title: "Kyodo サンドボックス", switch_language: "English", persona_label: "話す人",
    choose: "— 人を選んでください —", stranger_ja: "新しい人（日本語）",
    stranger_en: "新しい人（英語）", text_label: "メッセージ", text_placeholder: "メッセージを入力",
    send: "送信", sticker_label: "スタンプを送る", log_label: "会話", edited: "編集済み",
    bot: "ボット", failed: "送れませんでした。", no_persona: "先に話す人を選んでください。",
    photo: "写真", document: "ファイル",
  },
  en: {
    title: "Kyodo sandbox", switch_language: "日本語", persona_label: "Chat as",
    choose: "— choose a person —", stranger_ja: "New person (Japanese)",
    stranger_en: "New person (English)", text_label: "Message", text_placeholder: "Type a message",
    send: "Send", sticker_label: "Send a sticker", log_label: "Conversation", edited: "edited",
    bot: "Bot", failed: "Could not send.", no_persona: "Choose who is talking first.",
    photo: "Photo", document: "File",
  },
};

const state = {
  lang: (navigator.language || "ja").toLowerCase().startsWith("ja") ? "ja" : "en",
  personas: [], userId: null, version: null, poll: null, answersSeen: 0, bot: null,
  lastTranscript: null,
};

const $ = (id) => document.getElementById(id);
const t = (key) => LABELS[state.lang][key] || key;

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const answer = await fetch(path, options);
  if (!answer.ok) throw new Error(await answer.text());
  return answer.json();
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
  fillPersonas();
  if (state.lastTranscript) renderTranscript(state.lastTranscript);
}

function fillPersonas() {
  const select = $("persona");
  const options = [new Option(t("choose"), "")];
  for (const persona of state.personas) {
    const language = persona.language_code ? ` (${persona.language_code})` : "";
    options.push(new Option(`${persona.label}${language}`, String(persona.id)));
  }
  options.push(new Option(t("stranger_ja"), "new:ja"), new Option(t("stranger_en"), "new:en"));
  select.replaceChildren(...options);
  select.value = state.userId === null ? "" : String(state.userId);
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:", "tg:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function entityElement(entity) {
  const tags = {
    bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "pre",
    blockquote: "blockquote", expandable_blockquote: "blockquote",
  };
  if (entity.type === "text_link") {
    const link = document.createElement("a");
    const href = safeUrl(entity.url || "");
    if (href) link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  if (entity.type === "spoiler") {
    const span = document.createElement("span");
    span.className = "spoiler";
    span.tabIndex = 0;
    span.setAttribute("role", "button");
    const reveal = () => span.classList.add("revealed");
    span.addEventListener("click", reveal);
    span.addEventListener("keydown", (event) => { if (event.key === "Enter") reveal(); });
    return span;
  }
  return document.createElement(tags[entity.type] || "span");
}

// Entities nest; offsets and lengths are UTF-16 code units, which is how JS strings count.
function renderText(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const build = (parent, start, end, list) => {
    let position = start;
    let i = 0;
    while (i < list.length) {
      const entity = list[i];
      const from = Math.max(entity.offset, position);
      const to = Math.min(entity.offset + entity.length, end);
      if (from > position) parent.append(text.slice(position, from));
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < to) inner.push(list[j++]);
      if (to > from) {
        const element = entityElement(entity);
        build(element, from, to, inner);
        parent.append(element);
        position = to;
      }
      i = j;
    }
    if (position < end) parent.append(text.slice(position, end));
  };
  const fragment = document.createDocumentFragment();
  build(fragment, 0, text.length, sorted);
  return fragment;
}

function inlineKeyboard(message) {
  const rows = (message.reply_markup || {}).inline_keyboard;
  if (!rows) return null;
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      if (button.url) {
        const link = document.createElement("a");
        const href = safeUrl(button.url);
        if (href) link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = button.text;
        line.append(link);
        continue;
      }
      const element = document.createElement("button");
      element.type = "button";
      element.className = "inline";
      element.textContent = button.text;
      if (button.callback_data !== undefined) {
        element.dataset.callbackData = button.callback_data;
        element.addEventListener("click", () => press(message, button.callback_data, element));
      } else {
        element.disabled = true;
      }
      line.append(element);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function messageElement(message) {
  const item = document.createElement("div");
  item.className = `msg ${message.from_bot ? "bot" : "user"}`;
  item.dataset.messageId = String(message.message_id);
  item.dataset.testid = message.from_bot ? "bot-message" : "user-message";
  const body = document.createElement("div");
  body.className = "text";
  if (message.kind === "sticker") {
    body.classList.add("sticker");
    body.textContent = (message.media.sticker || {}).emoji || "🖼";
  } else {
    if (message.kind !== "text") body.append(`[${t(message.kind)}] `);
    body.append(renderText(message.text || "", message.entities));
  }
  item.append(body);
  const keyboard = message.from_bot ? inlineKeyboard(message) : null;
  if (keyboard) item.append(keyboard);
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = new Date(message.date * 1000).toLocaleTimeString(state.lang, {
    hour: "2-digit", minute: "2-digit",
  });
  meta.textContent = `${message.from_bot ? t("bot") + " · " : ""}${time}` +
    (message.edit_date ? ` · ${t("edited")}` : "");
  item.append(meta);
  return item;
}

function renderTranscript(transcript) {
  state.lastTranscript = transcript;
  const log = $("log");
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const existing = new Map([...log.children].map((el) => [el.dataset.key, el]));
  const wanted = [];
  for (const message of transcript.messages) {
    const key = `${message.message_id}:${message.edit_date || 0}:${state.lang}`;
    wanted.push(existing.get(key) || messageElement(message));
    wanted[wanted.length - 1].dataset.key = key;
  }
  // Keep unchanged nodes (and their focus); replace only what changed.
  log.replaceChildren(...wanted);
  if (nearBottom) log.scrollTop = log.scrollHeight;
  renderReplyKeyboard(transcript.reply_keyboard);
  const answers = transcript.callback_answers || [];
  for (const answer of answers.slice(state.answersSeen)) if (answer.text) showToast(answer.text);
  state.answersSeen = answers.length;
}

function renderReplyKeyboard(rows) {
  const area = $("reply-keyboard");
  area.replaceChildren();
  area.hidden = !rows;
  for (const row of rows || []) {
    const line = document.createElement("div");
    line.className = "keyboard row";
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const element = document.createElement("button");
      element.type = "button";
      element.className = "reply";
      element.textContent = label;
      element.addEventListener("click", () => sendText(label));
      line.append(element);
    }
    area.append(line);
  }
}

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => { toast.hidden = true; }, 4000);
}

function setStatus(text) { $("status").textContent = text; }

async function sendText(text) {
  if (state.userId === null) return setStatus(t("no_persona"));
  try {
    await api("/_sandbox/send", {user_id: state.userId, text});
    setStatus("");
  } catch (error) {
    setStatus(`${t("failed")} ${error.message}`);
  }
}

async function press(message, data, element) {
  element.classList.add("pressed");
  try {
    await api("/_sandbox/press", {
      user_id: state.userId, chat_id: message.chat_id, message_id: message.message_id,
      callback_data: data,
    });
    setStatus("");
  } catch (error) {
    setStatus(`${t("failed")} ${error.message}`);
  }
}

async function follow(userId) {
  const mine = {};
  state.poll = mine;
  state.version = null;
  state.answersSeen = 0;
  while (state.poll === mine) {
    const since = state.version === null ? "" : `?since=${state.version}&wait=20`;
    try {
      const transcript = await api(`/_sandbox/chats/${userId}${since}`);
      if (state.poll !== mine) return;
      if (transcript.version !== state.version) renderTranscript(transcript);
      state.version = transcript.version;
    } catch (error) {
      setStatus(error.message);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function choosePersona(value) {
  if (value.startsWith("new:")) {
    const persona = await api("/_sandbox/strangers", {language_code: value.slice(4)});
    state.personas = (await api("/_sandbox/info")).personas;
    value = String(persona.id);
  }
  state.userId = value === "" ? null : Number(value);
  fillPersonas();
  for (const id of ["text", "send", "sticker"]) $(id).disabled = state.userId === null;
  $("log").replaceChildren();
  state.lastTranscript = null;
  if (state.userId === null) {
    state.poll = null;
    return;
  }
  follow(state.userId);
}

async function start() {
  const info = await api("/_sandbox/info");
  state.personas = info.personas;
  state.bot = info.bot;
  $("bot-name").textContent = `@${info.bot.username}`;
  applyLabels();
  $("ui-lang").addEventListener("click", () => {
    state.lang = state.lang === "ja" ? "en" : "ja";
    applyLabels();
  });
  $("persona").addEventListener("change", (event) => {
    choosePersona(event.target.value).catch((error) => setStatus(error.message));
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(text);
  });
  $("sticker").addEventListener("click", async () => {
    if (state.userId === null) return;
    await api("/_sandbox/sticker", {user_id: state.userId}).catch((e) => setStatus(e.message));
  });
}

start().catch((error) => setStatus(error.message));
