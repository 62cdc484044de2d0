// WaDesk's bridge between a WhatsApp Web page and the C++ session (WaSession), injected at
// DocumentReady-deferred time into the main world after qwebchannel.js. It only uses the wa-js
// API (window.WPP). Everything that crosses to C++ is a JSON string.
(function () {
  'use strict';
  if (window.__wadeskBridgeLoaded) return;
  window.__wadeskBridgeLoaded = true;
  const settings = window.__wadeskSettings || { heartbeatMs: 5000 };

  const str = (w) => (w == null ? null : (typeof w === 'string' ? w : (w._serialized || String(w))));
  const serializeMessage = (m) => ({
    id: str(m.id),
    fromMe: !!(m.id && m.id.fromMe),
    from: str(m.from),
    to: str(m.to),
    author: str(m.author),
    body: typeof m.body === 'string' ? m.body : null,
    type: m.type || null,
    t: m.t || null,
    isGroup: !!(str(m.from) || '').endsWith('@g.us'),
    caption: m.caption || null,
    mimetype: m.mimetype || null,
    filename: m.filename || null,
  });

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
        case 'refreshQR': { const code = await WPP.conn.refreshQR(); return code ? code.fullCode : null; }
        case 'logout': return await WPP.conn.logout();
        case 'state': return connState();
        default: throw new Error('unknown method ' + method);
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
        WPP.on('chat.new_message', (m) => { try { send('message', serializeMessage(m)); } catch (e) {} });
        WPP.on('chat.msg_ack_change', (e) => send('ack', {
          ack: e.ack, chat: str(e.chat), ids: (e.ids || []).map(str),
        }));
        evaluate();
        if (!connState().authenticated) reportQr();
      });
    });
  });
})();
