// The attendee page: connects with the event and token from the URL fragment, lists the rooms of
// the greeting, enters one room at a time and chats in it. Protocol: docs/protocol.md.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  const eventSlug = params.get("event");
  const token = params.get("token");

  let greeting = null;
  let current = null; // {id, channel} of the entered room
  const messages = new Map(); // event id -> chat event of the current channel
  const users = {}; // user id -> profile

  function status(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  if (!eventSlug || !token) {
    status("This link lacks the event or the token (expected /join#event=…&token=…).", true);
    return;
  }

  const socket = io({
    auth: { event: eventSlug, token: token },
    transports: ["websocket"],
    reconnection: false,
  });

  // A command's data, or an Error whose message is the error code.
  async function call(name, payload) {
    const reply = await socket.timeout(10000).emitWithAck(name, payload);
    if (!reply.ok) {
      const error = new Error(reply.error.code);
      error.detail = reply.error.message;
      throw error;
    }
    return reply.data;
  }

  function failed(what, error) {
    status(`${what} failed: ${error.message}${error.detail ? ` (${error.detail})` : ""}`, true);
  }

  // Every push goes through here; a batch push is unpacked into its pushes, in order.
  function handle(name, data) {
    switch (name) {
      case "batch":
        for (const [inner, innerData] of data) handle(inner, innerData);
        break;
      case "authenticated":
        greet(data);
        break;
      case "room.viewers":
        if (current && data.room === current.id) $("viewers").textContent = String(data.viewers);
        break;
      case "room.schedule":
        if (current && data.room === current.id) showSchedule(data);
        break;
      case "chat.event":
        if (current && data.channel === current.channel) {
          Object.assign(users, data.users || {});
          addEvents([data]);
        }
        break;
      case "connection.reload":
      case "connection.replaced":
        status("The server closed this connection; reload the page.", true);
        break;
    }
  }

  socket.onAny(handle);

  socket.on("connect_error", (error) => {
    const message = error.data && error.data.message ? ` (${error.data.message})` : "";
    status(`Could not connect: ${error.message}${message}`, true);
  });

  socket.on("disconnect", (reason) => {
    status(`Disconnected: ${reason}`, true);
  });

  function greet(data) {
    greeting = data;
    $("event-title").textContent = data.event.title;
    document.title = data.event.title;
    status(`Connected as ${data.user.display_name || data.user.id}. Pick a room.`, false);
    const list = $("rooms");
    list.replaceChildren();
    for (const room of data.rooms) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = room.name;
      button.dataset.room = room.id;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => enter(room));
      const item = document.createElement("li");
      item.append(button);
      list.append(item);
    }
  }

  async function enter(room) {
    if (current && current.id === room.id) return;
    try {
      if (current) {
        if (current.channel) await call("chat.unsubscribe", { channel: current.channel });
        await call("room.leave", { room: current.id });
      }
      const chat = room.modules.find((module) => module.type === "chat.native");
      current = { id: room.id, channel: chat ? chat.channel : null };
      messages.clear();
      for (const button of $("rooms").querySelectorAll("button")) {
        button.setAttribute("aria-pressed", String(button.dataset.room === room.id));
      }
      $("room-name").textContent = room.name;
      $("room-description").textContent = room.description || "";
      $("viewers").textContent = "–";
      $("schedule").hidden = true;
      $("messages").replaceChildren();
      $("chat").hidden = !current.channel;
      $("room").hidden = false;
      const entered = await call("room.enter", { room: room.id });
      $("viewers").textContent = String(entered.room.viewers);
      showSchedule(entered.schedule);
      if (current.channel) await openChat(current.channel);
    } catch (error) {
      failed(`Entering ${room.name}`, error);
    }
  }

  // The room's schedule: what runs now and next, and the stream the room shows right now
  // (a talk's own stream replaces the room's for its slot).
  function showSchedule(schedule) {
    const describe = (slot, withTime) => {
      if (!slot) return "–";
      const who = slot.speakers.length ? ` (${slot.speakers.join(", ")})` : "";
      const time = new Date(slot.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      return `${withTime ? `${time} ` : ""}${slot.title}${who}`;
    };
    $("now").textContent = describe(schedule.now, false);
    $("next").textContent = describe(schedule.next, true);
    $("schedule").hidden = !schedule.now && !schedule.next;
    const url = schedule.stream && schedule.stream.hls_url;
    $("stream").hidden = !url;
    $("stream-link").textContent = url || "";
    if (url) $("stream-link").href = url;
    else $("stream-link").removeAttribute("href");
  }

  async function openChat(channel) {
    const joined = roomPermission("room:chat.join");
    if (joined) await call("chat.join", { channel });
    await call("chat.subscribe", { channel });
    const history = await call("chat.fetch", { channel, count: 50 });
    if (!current || current.channel !== channel) return;
    Object.assign(users, history.users);
    addEvents(history.events);
    $("send").hidden = !joined || !roomPermission("room:chat.send");
  }

  function roomPermission(permission) {
    const room = greeting.rooms.find((candidate) => candidate.id === current.id);
    return Boolean(room && room.permissions.includes(permission));
  }

  // Chat events are kept by id (one may arrive both in a reply and as a push); an edit or a
  // deletion changes the message it replaces.
  function addEvents(events) {
    for (const event of events) {
      if (event.replaces !== null && event.replaces !== undefined) {
        const original = messages.get(event.replaces);
        if (original) original.content = event.content;
      } else {
        messages.set(event.id, event);
      }
    }
    render();
  }

  function render() {
    const list = $("messages");
    const items = [...messages.values()]
      .sort((a, b) => a.id - b.id)
      .map((event) => {
        const item = document.createElement("li");
        const sender = users[event.sender];
        const name = (sender && sender.display_name) || event.sender;
        if (event.type === "member") {
          const who = event.content.user.display_name || event.content.user.id;
          item.className = "member";
          item.textContent = `${who} ${event.content.membership === "join" ? "joined" : "left"}`;
        } else {
          const author = document.createElement("strong");
          author.textContent = `${name}: `;
          const body = event.content.type === "text" ? event.content.body : "(deleted)";
          item.append(author, document.createTextNode(body));
        }
        return item;
      });
    list.replaceChildren(...items);
    list.scrollTop = list.scrollHeight;
  }

  $("send").addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const input = $("message");
    const body = input.value;
    if (!current || !current.channel || !body.trim()) return;
    try {
      const sent = await call("chat.send", {
        channel: current.channel,
        content: { type: "text", body },
      });
      input.value = "";
      if (current && current.channel === sent.event.channel) {
        users[greeting.user.id] = greeting.user;
        addEvents([sent.event]);
      }
    } catch (error) {
      failed("Sending", error);
    }
  });
})();
