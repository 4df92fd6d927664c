// The LINE-style chat page: talk to the bot as any person, through /_sandbox/line/.
// Everything is built from DOM nodes (never innerHTML): nothing a bot sends can inject markup.
// LINE never edits a sent message, so messages are only ever added; quick replies show under
// the last message only; template and Flex buttons stay tappable.
"use strict";

const LABELS = {
  ja: {
    title: "Kyodo LINE サンドボックス", switch_language: "English", telegram: "Telegram のページへ",
    person_label: "話す人", choose: "— 人を選んでください —", new_ja: "新しい友だち（日本語）",
    new_en: "新しい友だち（英語）", chat_label: "トーク", text_label: "メッセージ",
    text_placeholder: "メッセージを入力", send: "送信", sticker_label: "スタンプを送る",
    photo_label: "写真を送る", voice_label: "ボイスメッセージを送る", block: "ブロックする",
    unblock: "ブロック解除", blocked: "ブロック中", failed: "送れませんでした。", bot: "ボット",
    photo: "写真", voice: "ボイスメッセージ", video: "動画", location: "位置情報", menu: "メニュー",
    no_person: "先に話す人を選んでください。",
  },
  en: {
    title: "Kyodo LINE sandbox", switch_language: "日本語", telegram: "Telegram page",
    person_label: "Chat as", choose: "— choose a person —", new_ja: "New friend (Japanese)",
    new_en: "New friend (English)", chat_label: "Chat", text_label: "Message",
    text_placeholder: "Type a message", send: "Send", sticker_label: "Send a sticker",
    photo_label: "Send a photo", voice_label: "Send a voice message", block: "Block",
    unblock: "Unblock", blocked: "Blocked", failed: "Could not send.", bot: "Bot",
    photo: "Photo", voice: "Voice message", video: "Video", location: "Location", menu: "Menu",
    no_person: "Choose who is talking first.",
  },
};

const state = {
  lang: (navigator.language || "ja").toLowerCase().startsWith("ja") ? "ja" : "en",
  people: [], userId: null, version: null, poll: null, chat: null, menuOpen: true,
};

const $ = (id) => document.getElementById(id);
const t = (key) => LABELS[state.lang][key] || key;
const base = "/_sandbox/line";

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const answer = await fetch(base + path, options);
  if (!answer.ok) throw new Error(await answer.text());
  return answer.json();
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function setStatus(text) { $("status").textContent = text; }

// -- taps -------------------------------------------------------------------------------------

async function tap(messageId, action) {
  try {
    const event = await api(`/people/${state.userId}/tap`, {message_id: messageId, action});
    if (event === null && action.type === "uri" && safeUrl(action.uri)) {
      window.open(safeUrl(action.uri), "_blank", "noopener");
    }
    setStatus("");
  } catch (error) {
    setStatus(`${t("failed")} ${error.message}`);
  }
}

function actionButton(messageId, action, className) {
  const button = el("button", className, action.label || action.displayText || action.data || "…");
  button.type = "button";
  button.dataset.testid = "action";
  button.addEventListener("click", () => tap(messageId, action));
  return button;
}

// -- templates --------------------------------------------------------------------------------

function templateCard(messageId, column, actions, confirm) {
  const card = el("div", "card");
  if (column.thumbnailImageUrl && safeUrl(column.thumbnailImageUrl)) {
    const image = el("img");
    image.src = safeUrl(column.thumbnailImageUrl);
    image.alt = "";
    card.append(image);
  }
  if (column.title) card.append(el("div", "title", column.title));
  if (column.text) card.append(el("div", "text", column.text));
  const row = el("div", confirm ? "actions confirm" : "actions");
  for (const action of actions || []) row.append(actionButton(messageId, action));
  card.append(row);
  return card;
}

function template(messageId, message) {
  const body = message.template || {};
  if (body.type === "carousel" || body.type === "image_carousel") {
    const strip = el("div", "carousel");
    for (const column of body.columns || []) {
      const actions = column.actions || (column.action ? [column.action] : []);
      strip.append(templateCard(messageId, column, actions, false));
    }
    return strip;
  }
  return templateCard(messageId, body, body.actions, body.type === "confirm");
}

// -- Flex -------------------------------------------------------------------------------------

function flexComponent(messageId, component) {
  let node;
  switch (component.type) {
    case "box":
      node = el("div", `box ${component.layout || "vertical"}`);
      for (const child of component.contents || []) node.append(flexComponent(messageId, child));
      break;
    case "text":
      node = el("div", `size-${component.size || "md"}`);
      node.textContent = component.contents
        ? component.contents.map((span) => span.text || "").join("")
        : component.text || "";
      if (component.weight === "bold") node.classList.add("text-bold");
      if (/^#[0-9a-fA-F]{6}$/.test(component.color || "")) node.style.color = component.color;
      break;
    case "button":
      return actionButton(messageId, component.action, component.style || "link");
    case "image":
    case "icon":
      node = el("img");
      node.alt = "";
      if (safeUrl(component.url)) node.src = safeUrl(component.url);
      break;
    case "separator":
      return el("hr");
    default:
      node = el("div");
  }
  if (component.action) {
    node.classList.add("tappable");
    node.tabIndex = 0;
    node.setAttribute("role", "button");
    node.addEventListener("click", () => tap(messageId, component.action));
  }
  return node;
}

function flexBubble(messageId, bubble) {
  const node = el("div", "flex bubble-flex");
  for (const part of ["header", "hero", "body", "footer"]) {
    if (!bubble[part]) continue;
    const section = el("div", `section ${part}`);
    section.append(flexComponent(messageId, bubble[part]));
    node.append(section);
  }
  if (bubble.action) node.addEventListener("click", () => tap(messageId, bubble.action));
  return node;
}

function flex(messageId, message) {
  const container = message.contents || {};
  if (container.type !== "carousel") return flexBubble(messageId, container);
  const strip = el("div", "carousel");
  for (const bubble of container.contents || []) strip.append(flexBubble(messageId, bubble));
  return strip;
}

// -- messages ---------------------------------------------------------------------------------

function media(kind, source) {
  const box = el("div", "bubble media");
  if (kind === "image" && source) {
    const image = el("img");
    image.src = source;
    image.alt = t("photo");
    box.append(image);
  } else if (kind === "audio" && source) {
    const audio = el("audio");
    audio.controls = true;
    audio.src = source;
    audio.setAttribute("aria-label", t("voice"));
    box.append(audio);
  } else {
    box.append(`[${t(kind)}]`);
  }
  return box;
}

function body(entry) {
  const message = entry.message;
  const mine = entry.sender === "person";
  switch (message.type) {
    case "text":
    case "textV2":
      return el("div", "bubble", message.text);
    case "sticker":
      return el("div", "sticker", "🐻");
    case "image":
    case "audio":
    case "video":
      return media(message.type, mine
        ? `${base}/content/${encodeURIComponent(entry.id)}`
        : safeUrl(message.originalContentUrl || ""));
    case "template":
      return template(entry.id, message);
    case "flex":
      return flex(entry.id, message);
    case "location":
      return el("div", "bubble", `[${t("location")}] ${message.title || ""} ${message.address || ""}`);
    default:
      return el("div", "bubble", message.altText || `[${message.type}]`);
  }
}

function messageElement(entry) {
  const item = el("div", `msg ${entry.sender}`);
  item.dataset.testid = entry.sender === "bot" ? "bot-message" : "person-message";
  item.dataset.messageId = entry.id;
  item.append(body(entry));
  const time = new Date(entry.at).toLocaleTimeString(state.lang, {hour: "2-digit", minute: "2-digit"});
  item.append(el("span", "meta", entry.sender === "bot" ? `${t("bot")} · ${time}` : time));
  return item;
}

function renderQuickReply(quick) {
  const area = $("quick-reply");
  area.replaceChildren();
  area.hidden = !quick;
  for (const item of quick ? quick.items : []) {
    area.append(actionButton(quick.messageId, item.action || {}, "quick"));
  }
}

function renderRichMenu(menu) {
  const section = $("rich-menu");
  section.hidden = !menu;
  if (!menu) return;
  const bar = $("menu-bar");
  bar.textContent = `${menu.chatBarText || t("menu")} ${state.menuOpen ? "▾" : "▴"}`;
  bar.setAttribute("aria-expanded", String(state.menuOpen));
  const areas = $("menu-areas");
  areas.hidden = !state.menuOpen;
  areas.replaceChildren();
  areas.style.aspectRatio = `${menu.size.width} / ${menu.size.height}`;
  areas.style.backgroundImage = menu.hasImage
    ? `url("${base}/richmenus/${encodeURIComponent(menu.richMenuId)}/image")` : "none";
  menu.areas.forEach((area, index) => {
    const action = area.action || {};
    const button = el("button", "", action.label || action.displayText || action.text || action.data || index);
    button.type = "button";
    button.dataset.testid = "menu-area";
    const bounds = area.bounds;
    button.style.left = `${(100 * bounds.x) / menu.size.width}%`;
    button.style.top = `${(100 * bounds.y) / menu.size.height}%`;
    button.style.width = `${(100 * bounds.width) / menu.size.width}%`;
    button.style.height = `${(100 * bounds.height) / menu.size.height}%`;
    button.addEventListener("click", () => act("richmenu-tap", {area: index}));
    areas.append(button);
  });
}

function render(chat) {
  state.chat = chat;
  const log = $("chat");
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const existing = new Map([...log.children].map((node) => [node.dataset.key, node]));
  const wanted = chat.messages.map((entry) => {
    const key = `${entry.id}:${state.lang}`;
    const node = existing.get(key) || messageElement(entry);
    node.dataset.key = key;
    return node;
  });
  log.replaceChildren(...wanted);
  if (nearBottom) log.scrollTop = log.scrollHeight;
  renderQuickReply(chat.quickReply);
  renderRichMenu(chat.richMenu);
  const friend = chat.person.friend;
  const block = $("block");
  block.hidden = false;
  block.textContent = friend ? t("block") : t("unblock");
  for (const id of ["text", "send", "sticker", "photo", "voice"]) $(id).disabled = !friend;
}

// -- acting -----------------------------------------------------------------------------------

async function act(what, body) {
  if (state.userId === null) return setStatus(t("no_person"));
  try {
    await api(`/people/${state.userId}/${what}`, body || {});
    setStatus("");
  } catch (error) {
    setStatus(`${t("failed")} ${error.message}`);
  }
}

async function watch(userId) {
  const mine = {};
  state.poll = mine;
  state.version = null;
  while (state.poll === mine) {
    const since = state.version === null ? "" : `?since=${state.version}&wait=20`;
    try {
      const chat = await api(`/people/${userId}/chat${since}`);
      if (state.poll !== mine) return;
      if (chat.version !== state.version) render(chat);
      state.version = chat.version;
    } catch (error) {
      setStatus(error.message);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function fillPeople() {
  const select = $("person");
  const options = [new Option(t("choose"), "")];
  for (const person of state.people) {
    options.push(new Option(`${person.displayName} (${person.language})`, person.userId));
  }
  options.push(new Option(t("new_ja"), "new:ja"), new Option(t("new_en"), "new:en"));
  select.replaceChildren(...options);
  select.value = state.userId || "";
}

async function choose(value) {
  if (value.startsWith("new:")) {
    const person = await api("/people", {language: value.slice(4), friend: false});
    await api(`/people/${person.userId}/follow`, {});
    value = person.userId;
  }
  state.people = await api("/people");
  state.userId = value || null;
  fillPeople();
  $("chat").replaceChildren();
  renderQuickReply(null);
  renderRichMenu(null);
  $("block").hidden = true;
  if (state.userId === null) {
    state.poll = null;
    return;
  }
  watch(state.userId);
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  fillPeople();
  if (state.chat) render(state.chat);
}

async function start() {
  const info = await api("/info");
  state.people = await api("/people");
  $("bot-name").textContent = info.botName;
  applyLabels();
  $("ui-lang").addEventListener("click", () => {
    state.lang = state.lang === "ja" ? "en" : "ja";
    applyLabels();
  });
  $("person").addEventListener("change", (event) => {
    choose(event.target.value).catch((error) => setStatus(error.message));
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    act("text", {text});
  });
  $("sticker").addEventListener("click", () => act("sticker"));
  $("photo").addEventListener("click", () => act("image"));
  $("voice").addEventListener("click", () => act("audio"));
  $("block").addEventListener("click", () => {
    act(state.chat && state.chat.person.friend ? "unfollow" : "follow");
  });
  $("menu-bar").addEventListener("click", () => {
    state.menuOpen = !state.menuOpen;
    if (state.chat) renderRichMenu(state.chat.richMenu);
  });
  const wanted = new URLSearchParams(window.location.search).get("user");
  if (wanted) await choose(wanted);
}

start().catch((error) => setStatus(error.message));
