// WaDesk's bridge between a WhatsApp Web page and the C++ session (WaSession), injected at
// DocumentReady-deferred time into the main world after qwebchannel.js. It only uses the wa-js
// API (window.WPP). Everything that crosses to C++ is a JSON string.
(function () {
  'use strict';
  if (window.__wadeskBridgeLoaded) return;
  window.__wadeskBridgeLoaded = true;
  const settings = window.__wadeskSettings || { heartbeatMs: 5000 };

  const str = (w) => (w == null ? null : (typeof w === 'string' ? w : (w._serialized || String(w))));
  // --- Received messages (InboundProcessor, InboundMediaFetcher) --------------------------------
  // WhatsApp Web puts a base64 JPEG thumbnail in the body of images, videos, stickers and
  // locations: only the bodies that are text (a text message, a contact card's vCard) cross.
  const TEXT_BODY_TYPES = ['chat', 'vcard'];
  const num = (v) => (typeof v === 'number' && isFinite(v) ? v : null);
  const serializeMessage = (m) => {
    const type = m.type || null;
    const out = {
      id: str(m.id),
      fromMe: !!(m.id && m.id.fromMe),
      from: str(m.from),
      to: str(m.to),
      author: str(m.author),
      body: TEXT_BODY_TYPES.includes(type || 'chat') && typeof m.body === 'string' ? m.body : null,
      type: type,
      t: m.t || null,
      isGroup: !!(str(m.from) || '').endsWith('@g.us'),
      caption: typeof m.caption === 'string' ? m.caption : null,
      mimetype: m.mimetype || null,
      filename: m.filename || null,
      size: num(m.size),
    };
    if (type === 'location') {
      out.lat = num(m.lat);
      out.lng = num(m.lng);
      out.loc = typeof m.loc === 'string' ? m.loc : null;
      out.url = typeof m.clientUrl === 'string' ? m.clientUrl : null;
    } else if (type === 'vcard') {
      out.vcardFormattedName = m.vcardFormattedName || null;
    } else if (type === 'multi_vcard') {
      out.vcardList = (m.vcardList || []).map((c) => ({
        displayName: (c && c.displayName) || null, vcard: (c && c.vcard) || null,
      }));
    }
    return out;
  };

  // Received files: downloaded once with wa-js (retried with backoff), kept here as a Blob under
  // a handle and pulled by C++ in base64 chunks (mediaChunk), then released. Nothing waits
  // synchronously; a Blob nobody pulls is dropped after a while.
  const inboundMedia = new Map();
  let nextMediaHandle = 1;
  const MEDIA_KEPT_MS = 10 * 60 * 1000;
  const MEDIA_ATTEMPTS = 4;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const downloadInboundMedia = async (id, maxBytes) => {
    let lastError = null;
    for (let attempt = 0; attempt < MEDIA_ATTEMPTS; ++attempt) {
      if (attempt > 0) await pause(1000 * Math.pow(2, attempt - 1));
      try {
        const blob = await window.WPP.chat.downloadMedia(id);
        if (!blob || typeof blob.size !== 'number') throw new Error('downloadMedia gave no file');
        if (maxBytes > 0 && blob.size > maxBytes) {
          throw Object.assign(new Error(`media_too_large: ${blob.size} bytes, the limit is ${maxBytes}`), { final: true });
        }
        const handle = String(nextMediaHandle++);
        const timer = setTimeout(() => inboundMedia.delete(handle), MEDIA_KEPT_MS);
        inboundMedia.set(handle, { blob, timer });
        return { handle, size: blob.size, mimetype: blob.type || null };
      } catch (e) {
        lastError = e;
        const code = e && e.code;
        if ((e && e.final) || code === 'message_not_contains_media' || code === 'msg_not_found') break;
      }
    }
    throw new Error(String((lastError && (lastError.message || lastError.code)) || lastError || 'download failed'));
  };
  const readChunk = (handle, offset, length) => new Promise((resolve, reject) => {
    const entry = inboundMedia.get(String(handle));
    if (!entry) { reject(new Error('unknown media handle ' + handle)); return; }
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result || '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error || new Error('cannot read the file'));
    reader.readAsDataURL(entry.blob.slice(offset, offset + length));
  });
  const releaseInboundMedia = (handle) => {
    const entry = inboundMedia.get(String(handle));
    if (entry) clearTimeout(entry.timer);
    return inboundMedia.delete(String(handle));
  };
  const inboundMethods = {
    downloadMedia: (args) => downloadInboundMedia(String(args[0]), Number(args[1]) || 0),
    mediaChunk: (args) => readChunk(args[0], Number(args[1]) || 0, Math.max(1, Number(args[2]) || 1)),
    mediaRelease: (args) => releaseInboundMedia(args[0]),
  };
  const listenInbound = (WPP, send) => {
    WPP.on('chat.new_message', (m) => { try { send('message', serializeMessage(m)); } catch (e) {} });
    // wa-js: {chat, id: '<serialized id>', msg} — the message as it now reads.
    WPP.on('chat.msg_edited', (e) => {
      try {
        const m = e.msg || {};
        send('message_edit', {
          id: String(e.id || str(m.id) || ''),
          chat: str(e.chat),
          from: str(m.from),
          fromMe: !!(m.id && m.id.fromMe),
          body: typeof m.body === 'string' && (m.type || 'chat') === 'chat' ? m.body : null,
          caption: typeof m.caption === 'string' ? m.caption : null,
        });
      } catch (err) {}
    });
    // wa-js: {id, refId (the deleted message), from, to, author, type}.
    WPP.on('chat.msg_revoke', (e) => {
      try {
        send('message_revoke', { id: str(e.id), refId: str(e.refId), from: str(e.from), to: str(e.to), type: e.type || null });
      } catch (err) {}
    });
    // wa-js: {id, msgId (the message reacted to), reactionText ('' = removed), sender, timestamp}.
    WPP.on('chat.new_reaction', (e) => {
      try {
        const ts = num(e.timestamp);
        send('reaction', {
          id: str(e.id), msgId: str(e.msgId), reaction: typeof e.reactionText === 'string' ? e.reactionText : '',
          sender: str(e.sender), t: ts == null ? null : (ts > 1e11 ? Math.floor(ts / 1000) : ts),
        });
      } catch (err) {}
    });
  };
  // ---------------------------------------------------------------------------------------------

  new QWebChannel(qt.webChannelTransport, function (channel) {
    const host = channel.objects.wadesk;
    const send = (type, data) => host.event(JSON.stringify({ type: type, data: data === undefined ? null : data }));

    const connState = () => {
      const WPP = window.WPP;
      let mode = null;
      try { mode = WPP.conn.getStreamData ? WPP.conn.getStreamData().mode : null; } catch (e) {}
      let authenticated = false;
      try { authenticated = !!WPP.conn.isAuthenticated(); } catch (e) {}
      return { mode: mode, authenticated: authenticated };
    };
    const reportAccount = () => {
      try {
        const me = window.WPP.conn.getMyUserId && window.WPP.conn.getMyUserId();
        if (!me) return;
        let platform = null;
        try { platform = window.WPP.conn.getPlatform ? window.WPP.conn.getPlatform() : null; } catch (e) {}
        send('account', { wid: str(me), platform: platform });
      } catch (e) {}
    };
    const evaluate = () => {
      const s = connState();
      // The account first: the "connected" event that the state change raises then names it.
      if (s.authenticated && s.mode === 'MAIN') reportAccount();
      send('conn_state', s);
    };
    const reportQr = () => {
      Promise.resolve()
        .then(() => window.WPP.conn.getAuthCode())
        .then((code) => { if (code && code.fullCode) send('qr', { code: code.fullCode }); })
        .catch(() => {});
    };

    // wa-js resolves a send with {id, ack, sendMsgResult: Promise<{messageSendResult}>} (older
    // WhatsApp versions: Promise<'OK' | 'ERROR_…'>). A refused send has a negative ack or a
    // result other than OK. The result promise can hang (no server ack): waited for a bounded
    // time, then reported as null (the acks tell the rest).
    const sendOutcome = async (r) => {
      let result = null;
      if (r && r.sendMsgResult != null) {
        const waitMs = settings.sendResultWaitMs || 20000;
        try {
          const settled = await Promise.race([
            Promise.resolve(r.sendMsgResult),
            new Promise((resolve) => setTimeout(() => resolve(undefined), waitMs)),
          ]);
          if (typeof settled === 'string') result = settled;
          else if (settled && typeof settled.messageSendResult === 'string') result = settled.messageSendResult;
        } catch (e) {
          result = 'ERROR_' + String((e && e.message) || e);
        }
      }
      return { id: str(r && r.id), ack: r && typeof r.ack === 'number' ? r.ack : null, result: result };
    };

    const dispatch = async (method, args) => {
      const WPP = window.WPP;
      switch (method) {
        case 'sendText':
          return sendOutcome(await WPP.chat.sendTextMessage(args[0], args[1], args[2] || {}));
        case 'sendFile':
          // args[2]: wa-js FileMessageOptions {type, caption, filename, mimetype, isPtt}.
          return sendOutcome(await WPP.chat.sendFileMessage(args[0], args[1], args[2] || { type: 'auto-detect' }));
        case 'markComposing': await WPP.chat.markIsComposing(args[0], args[1]); return true;
        case 'markRead': await WPP.chat.markIsRead(args[0]); return true;
        case 'queryExists': {
          const r = await WPP.contact.queryWidExists(args[0]);
          return r ? { wid: str(r.wid) } : null;
        }
        case 'recentMessages': {
          // wa-js: chat.getMessages(chatId, {count}) → MsgModel[], newest last. Plain values only:
          // the text is the body of a text message, the caption of a file (whose body is a thumbnail).
          const list = await WPP.chat.getMessages(args[0], { count: Math.max(1, Number(args[1]) || 50) });
          return (list || []).map((m) => {
            const type = m.type || 'chat';
            const text = type === 'chat' ? m.body : m.caption;
            return {
              id: str(m.id), fromMe: !!(m.id && m.id.fromMe), type: type,
              text: typeof text === 'string' ? text : null, t: num(m.t), ack: num(m.ack),
            };
          });
        }
        case 'refreshQR': { const code = await WPP.conn.refreshQR(); return code ? code.fullCode : null; }
        case 'linkCode':
          // wa-js: genLinkDeviceCodeForPhoneNumber(phone digits, sendPushNotification) → 8 characters.
          // Its WPPError codes (cannot_get_code_for_already_authenticated, …) lead the error text.
          try {
            return await WPP.conn.genLinkDeviceCodeForPhoneNumber(String(args[0]), args[1] !== false);
          } catch (e) {
            const text = String((e && e.message) || e);
            throw new Error(e && e.code ? e.code + ': ' + text : text);
          }
        case 'logout': return await WPP.conn.logout();
        case 'state': return connState();
        default:
          if (Object.prototype.hasOwnProperty.call(inboundMethods, method)) return await inboundMethods[method](args);
          throw new Error('unknown method ' + method);
      }
    };
    window.__wadeskCall = function (id, method, args) {
      Promise.resolve()
        .then(() => dispatch(method, args || []))
        .then((result) => host.reply(String(id), JSON.stringify({ ok: true, result: result === undefined ? null : result })))
        .catch((e) => host.reply(String(id), JSON.stringify({ ok: false, error: String((e && e.message) || e) })));
    };

    const whenWpp = (cb) => { if (window.WPP && window.WPP.conn) cb(); else setTimeout(() => whenWpp(cb), 100); };
    send('bridge_loaded', null);
    // The page's pulse: stops when the renderer hangs or dies. Before wa-js is ready it only says
    // the page lives; afterwards it carries the connection state.
    setInterval(() => {
      const ready = window.WPP && window.WPP.isReady;
      send('heartbeat', ready ? connState() : null);
    }, settings.heartbeatMs || 5000);
    whenWpp(() => {
      const WPP = window.WPP;
      const onReady = (cb) => {
        if (WPP.isReady) cb();
        else if (WPP.loader && WPP.loader.onReady) WPP.loader.onReady(cb);
        else if (WPP.webpack && WPP.webpack.onReady) WPP.webpack.onReady(cb);
      };
      onReady(() => {
        send('bridge_ready', { version: WPP.version || null });
        WPP.on('conn.auth_code_change', (code) => send('qr', code && code.fullCode ? { code: code.fullCode } : null));
        WPP.on('conn.qrcode_idle', () => send('qr_idle', null));
        WPP.on('conn.require_auth', () => { send('require_auth', null); evaluate(); });
        WPP.on('conn.authenticated', () => send('authenticated', null));
        // main_ready also fires on the QR screen: it only prompts a fresh look at the real state.
        WPP.on('conn.main_ready', evaluate);
        WPP.on('conn.logout', () => send('logout', null));
        WPP.on('conn.stream_mode_changed', () => evaluate());
        listenInbound(WPP, send);
        WPP.on('chat.msg_ack_change', (e) => send('ack', {
          ack: e.ack, chat: str(e.chat), ids: (e.ids || []).map(str),
        }));
        evaluate();
        if (!connState().authenticated) reportQr();
      });
    });
  });
})();
