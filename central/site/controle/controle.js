/* Telketen: a citizen's check of a printed report's QR sheet with a phone (docs/phone-check.md).
 *
 * A classic script, so the page works opened as file:// from the published folder as well as served over https.
 * It reads the same bytes as the Python code, and pins nothing it cannot check itself:
 *   chunk   shared/formats/framing.py  "TK" | version 1 | msg_id 8 | index u16 | count u16 | crc32 u32 | data;
 *           the data of all chunks is SHA-256(message) ‖ message
 *   message shared/formats/signing.py  "TKS" | 1 | key id 16 | n u32 | zlib(msgpack summary) n | Ed25519 sig 64,
 *           signed over "telketen/summary/v1\0" + everything before the signature
 *   summary shared/formats/summary.py  msgpack array, field order = wire order (docs/summary.md)
 *   key     shared/formats/signing.py  "TKE" | 1 | n u16 | msgpack record n | self-signature 64 over
 *           "telketen/enrolment/v1\0" + everything before it
 * The signature is checked before a byte of the summary is decompressed or decoded, as open_signed does.
 * Everything a person reads is Dutch; window.TelketenControle exposes the decoders to the tests.
 */
(function () {
  'use strict';

  const SUMMARY_DOMAIN = 'telketen/summary/v1\0';
  const ENROLMENT_DOMAIN = 'telketen/enrolment/v1\0';
  const MAX_DECOMPRESSED = 4 * 1024 * 1024;
  const HEADER_LEN = 19;
  const ROLES = {municipality: 'gemeentelijk stembureau', hoofdstembureau: 'hoofdstembureau',
                 central: 'centraal stembureau'};

  /** A check that cannot go on: `text` is the Dutch reason shown after "Geweigerd:". */
  class Refused extends Error {}

  // ------------------------------------------------------------------------------------------ bytes
  const enc = new TextEncoder();
  const ascii = (s) => enc.encode(s);
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  function fromBase64(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  /** A key id as the reports print it: groups of 4 hex digits. */
  const fingerprint = (keyId) => hex(keyId).match(/.{4}/g).join(' ');
  /** A number as the Dutch paper prints it: 12.345. */
  const number = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

  const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  function crc32(bytes) {
    let c = 0xffffffff;
    for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  // ------------------------------------------------------------------------------------------ framing
  /** One QR symbol's bytes → {msgId, index, count, data}; Refused for foreign or damaged symbols. */
  function parseChunk(chunk) {
    if (chunk.length < HEADER_LEN || chunk[0] !== 0x54 || chunk[1] !== 0x4b) {
      throw new Refused('deze QR-code hoort niet bij een Telketen-proces-verbaal');
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = chunk.subarray(HEADER_LEN);
    if (crc32(concat(chunk.subarray(0, HEADER_LEN - 4), data)) !== view.getUint32(15)) {
      throw new Refused('de QR-code is beschadigd (CRC32 klopt niet)');
    }
    if (chunk[2] !== 1) throw new Refused(`onbekende versie ${chunk[2]} van de QR-indeling`);
    const index = view.getUint16(11), count = view.getUint16(13);
    if (count === 0 || index >= count || data.length === 0) throw new Refused('QR-code met een onmogelijke nummering');
    return {msgId: hex(chunk.subarray(3, 11)), index, count, data};
  }

  /** Collects the symbols of messages in any order, as framing.Reassembler does. */
  class Collector {
    constructor() { this.messages = new Map(); this.last = null; }
    /** Add one symbol: true if it was new. Refused for foreign, damaged or contradicting symbols. */
    add(bytes) {
      const c = parseChunk(bytes);
      let m = this.messages.get(c.msgId);
      if (!m) { m = {count: c.count, parts: new Map()}; this.messages.set(c.msgId, m); }
      this.last = c.msgId;
      if (m.count !== c.count) {
        m.conflict = 'QR-codes van één samenvatting noemen een verschillend aantal codes';
        throw new Refused(m.conflict);
      }
      const held = m.parts.get(c.index);
      if (held) {
        if (equal(held, c.data)) return false;
        m.conflict = `twee verschillende versies van QR-code ${c.index + 1}`;
        throw new Refused(m.conflict);
      }
      m.parts.set(c.index, c.data);
      return true;
    }
    progress(msgId = this.last) {
      const m = this.messages.get(msgId);
      return m ? {read: m.parts.size, count: m.count} : {read: 0, count: 0};
    }
    complete(msgId = this.last) { const p = this.progress(msgId); return p.count > 0 && p.read === p.count; }
    /** The message, checked against the SHA-256 that leads it and the id every symbol carries. */
    async message(msgId = this.last) {
      const m = this.messages.get(msgId);
      if (m.conflict) throw new Refused(`deze QR-codes zijn niet te vertrouwen: ${m.conflict}`);
      const stream = concat(...Array.from({length: m.count}, (_, i) => m.parts.get(i)));
      const digest = stream.subarray(0, 32), body = stream.subarray(32);
      const actual = await sha256(body);
      if (digest.length < 32 || !equal(actual, digest) || hex(digest.subarray(0, 8)) !== msgId) {
        throw new Refused('de QR-codes vormen samen niet het bericht dat ze aankondigen (SHA-256 klopt niet)');
      }
      return body;
    }
  }

  // ------------------------------------------------------------------------------------------ msgpack
  /** A strict msgpack decoder for what msgspec writes: nil, bool, int, str, bin, array, map. */
  function unpack(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const dec = new TextDecoder('utf-8', {fatal: true});
    let at = 0;
    const need = (n) => { if (at + n > bytes.length) throw new Refused('samenvatting is afgebroken'); };
    const u = (n) => {
      need(n);
      const v = n === 1 ? view.getUint8(at) : n === 2 ? view.getUint16(at) : n === 4 ? view.getUint32(at)
        : view.getBigUint64(at);
      at += n;
      return v;
    };
    const s = (n) => {
      need(n);
      const v = n === 1 ? view.getInt8(at) : n === 2 ? view.getInt16(at) : n === 4 ? view.getInt32(at)
        : view.getBigInt64(at);
      at += n;
      return v;
    };
    const big = (v) => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Refused('getal in de samenvatting is te groot');
      }
      return Number(v);
    };
    const str = (n) => { need(n); const v = dec.decode(bytes.subarray(at, at + n)); at += n; return v; };
    const bin = (n) => { need(n); const v = bytes.slice(at, at + n); at += n; return v; };
    const arr = (n, depth) => Array.from({length: n}, () => item(depth + 1));
    const map = (n, depth) => {
      const out = new Map();
      for (let i = 0; i < n; i++) out.set(item(depth + 1), item(depth + 1));
      return out;
    };
    function item(depth) {
      if (depth > 32) throw new Refused('samenvatting is te diep genest');
      const b = u(1);
      if (b <= 0x7f) return b;
      if (b >= 0xe0) return b - 0x100;
      if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f);
      if (b >= 0x90 && b <= 0x9f) return arr(b & 0x0f, depth);
      if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f, depth);
      switch (b) {
        case 0xc0: return null;
        case 0xc2: return false;
        case 0xc3: return true;
        case 0xc4: return bin(u(1));
        case 0xc5: return bin(u(2));
        case 0xc6: return bin(u(4));
        case 0xcc: return u(1);
        case 0xcd: return u(2);
        case 0xce: return u(4);
        case 0xcf: return big(u(8));
        case 0xd0: return s(1);
        case 0xd1: return s(2);
        case 0xd2: return s(4);
        case 0xd3: return big(s(8));
        case 0xd9: return str(u(1));
        case 0xda: return str(u(2));
        case 0xdb: return str(u(4));
        case 0xdc: return arr(u(2), depth);
        case 0xdd: return arr(u(4), depth);
        case 0xde: return map(u(2), depth);
        case 0xdf: return map(u(4), depth);
        default: throw new Refused(`onbekend msgpack-type 0x${b.toString(16)}`);
      }
    }
    let value;
    try { value = item(0); } catch (e) {
      if (e instanceof Refused) throw e;
      throw new Refused('samenvatting is geen geldige msgpack (' + e.message + ')');
    }
    if (at !== bytes.length) throw new Refused(`${bytes.length - at} bytes na het einde van de samenvatting`);
    return value;
  }

  // ------------------------------------------------------------------------------------------ summary
  function arrayOf(x, what, min, max = min) {
    if (!Array.isArray(x) || x.length < min || x.length > max) throw new Refused(`${what} heeft niet de vorm van versie 1 of 2`);
    return x;
  }
  function count(x, what) {
    if (!Number.isSafeInteger(x) || x < 0) throw new Refused(`${what} is geen telling (geheel getal ≥ 0)`);
    return x;
  }
  function text(x, what) { if (typeof x !== 'string') throw new Refused(`${what} is geen tekst`); return x; }
  function bytesOf(x, what, lengths) {
    if (!(x instanceof Uint8Array) || !lengths.includes(x.length)) throw new Refused(`${what} heeft een verkeerde lengte`);
    return x;
  }

  /** The summary in msgpack bytes, with the rules of decode_summary that matter to a reader. */
  function parseSummary(raw) {
    const f = arrayOf(unpack(raw), 'de samenvatting', 12, 14);
    const version = f[0];
    if (version !== 1 && version !== 2 && version !== 3) throw new Refused(`samenvatting van versie ${version}; deze pagina leest 1, 2 en 3`);
    if (f.length !== 11 + version) throw new Refused(`samenvatting van versie ${version} met ${f.length} velden`);
    const c = arrayOf(f[8], 'de tellingen', 11);
    const lists = arrayOf(c[9], 'de lijsten', 0, 1000).map((l, i) => {
      const [nr, votes, cands] = arrayOf(l, `lijst ${i + 1}`, 3);
      return {number: count(nr, 'lijstnummer'), votes: count(votes, `stemmen op lijst ${nr}`),
              candidates: arrayOf(cands, `kandidaten van lijst ${nr}`, 0, 10000).map((v) => count(v, `lijst ${nr}`))};
    });
    if (new Set(lists.map((l) => l.number)).size !== lists.length) throw new Refused('een lijstnummer komt twee keer voor');
    const summary = {
      version,
      election_id: text(f[1], 'verkiezing'),
      district_id: text(f[2], 'kieskring'),
      role: text(f[3], 'rol'),
      authority_id: text(f[4], 'instantie'),
      phase: count(f[5], 'zitting'),
      supersedes: bytesOf(f[6], 'vervangt', [0, 32]),
      issued_at: text(f[7], 'tijdstip'),
      counts: {
        eligible_voters: count(c[0], 'Z'), poll_cards: count(c[1], 'A'), proxy_certificates: count(c[2], 'B'),
        voter_cards: count(c[3], 'C'), admitted_voters: count(c[4], 'D'), blank: count(c[5], 'F'),
        invalid: count(c[6], 'G'), more_ballots: count(c[7], 'I'), fewer_ballots: count(c[8], 'J'), lists,
        explanations: arrayOf(c[10], 'toelichtingen', 0, 1000).map((e) => {
          const [code, n] = arrayOf(e, 'toelichting', 2);
          return [text(code, 'toelichting'), count(n, 'toelichting')];
        }),
      },
      eml_sha256: bytesOf(f[9], 'EML-hash', [32]),
      children: arrayOf(f[10], 'onderdelen', 0, 100000).map((ch) => {
        const [id, digest] = arrayOf(ch, 'onderdeel', 2);
        return [text(id, 'onderdeel'), bytesOf(digest, 'onderdeel', [32])];
      }),
      seats: arrayOf(f[11], 'zetels', 0, 1000).map((n) => count(n, 'zetels')),
      sources: version >= 2 ? arrayOf(f[12], 'bronnen', 0, 100000).map((src) => {
        const [kid, by] = arrayOf(src, 'bron', 2);
        return [bytesOf(kid, 'bron', [0, 16]), arrayOf(by, 'bron', 0, 2).map((n) => text(n, 'bron'))];
      }) : [],
      investigations: version === 3 ? arrayOf(f[13], 'onderzoeken', 0, 100000).map((inv) => {
        const [station, corrected] = arrayOf(inv, 'onderzoek', 2);
        if (typeof corrected !== 'boolean') throw new Refused('onderzoek zonder ja/nee voor gecorrigeerd');
        return [text(station, 'onderzoek'), corrected];
      }) : [],
    };
    if (!ROLES[summary.role]) throw new Refused(`onbekende rol '${summary.role}'`);
    if (version >= 2 && summary.sources.length !== summary.children.length) throw new Refused('bronnen en onderdelen passen niet bij elkaar');
    if (summary.seats.length && summary.seats.length !== lists.length) throw new Refused('zetels en lijsten passen niet bij elkaar');
    return summary;
  }

  /** zlib data → bytes, at most MAX_DECOMPRESSED (a zlib bomb is refused, not unpacked). */
  async function inflate(data) {
    const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
    const parts = [];
    let size = 0;
    try {
      for (;;) {
        const {done, value} = await reader.read();
        if (done) break;
        size += value.length;
        if (size > MAX_DECOMPRESSED) { reader.cancel(); throw new Refused('samenvatting is uitgepakt te groot'); }
        parts.push(value);
      }
    } catch (e) {
      if (e instanceof Refused) throw e;
      throw new Refused('samenvatting is geen geldige zlib-data');
    }
    return concat(...parts);
  }

  // ------------------------------------------------------------------------------------------ Ed25519
  // RFC 8032 §7.1 test 1: the empty message. WebCrypto is used when it verifies this, else @noble/ed25519.
  const RFC8032_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const RFC8032_SIG = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
  let engine = null;
  async function webcryptoVerify(pub, sig, msg) {
    const key = await crypto.subtle.importKey('raw', pub, {name: 'Ed25519'}, false, ['verify']);
    return crypto.subtle.verify({name: 'Ed25519'}, key, sig, msg);
  }
  async function chooseEngine() {
    if (engine) return engine;
    try {
      engine = (await webcryptoVerify(unhex(RFC8032_PUB), unhex(RFC8032_SIG), new Uint8Array(0))) ? 'WebCrypto' : 'noble';
    } catch (e) {
      engine = 'noble';
    }
    return engine;
  }
  async function verifyEd25519(pub, sig, msg) {
    if ((await chooseEngine()) === 'WebCrypto') {
      try { return await webcryptoVerify(pub, sig, msg); } catch (e) { return false; }
    }
    try { return await globalThis.nobleEd25519.verifyAsync(sig, msg, pub); } catch (e) { return false; }
  }

  // ------------------------------------------------------------------------------------------ keys
  /** A published enrolment record (.tke) → the record, after its self-signature held. */
  async function openEnrolment(bytes) {
    if (bytes.length < 6 + 64 || bytes[0] !== 0x54 || bytes[1] !== 0x4b || bytes[2] !== 0x45 || bytes[3] !== 1) {
      throw new Refused('geen sleutelregistratie van versie 1');
    }
    const n = (bytes[4] << 8) | bytes[5];
    if (bytes.length !== 6 + n + 64) throw new Refused('sleutelregistratie heeft de verkeerde lengte');
    const f = arrayOf(unpack(bytes.subarray(6, 6 + n)), 'de sleutelregistratie', 8);
    const pub = bytesOf(f[6], 'publieke sleutel', [32]);
    const ok = await verifyEd25519(pub, bytes.subarray(6 + n), concat(ascii(ENROLMENT_DOMAIN), bytes.subarray(0, 6 + n)));
    if (!ok) throw new Refused('de eigen handtekening van de sleutelregistratie klopt niet');
    if (f[0] !== 1) throw new Refused(`sleutelregistratie van versie ${f[0]}`);
    const keyId = (await sha256(pub)).subarray(0, 16);
    return {role: text(f[1], 'rol'), authority_id: text(f[2], 'instantie'), authority_name: text(f[3], 'naam'),
            election_id: text(f[4], 'verkiezing'), district_id: text(f[5], 'kieskring'), public_key: pub,
            created_at: text(f[7], 'tijdstip'), key_id: keyId, fingerprint: fingerprint(keyId)};
  }

  /** The register the site published: every enrolment whose self-signature holds, by key id (hex). */
  async function loadRegister(data) {
    const keys = new Map(), bad = [];
    for (const e of data.enrolments) {
      try {
        const record = await openEnrolment(fromBase64(e.tke));
        keys.set(hex(record.key_id), record);
      } catch (err) {
        bad.push({folder: e.folder, reason: err.message});
      }
    }
    return {keys, bad};
  }

  // ------------------------------------------------------------------------------------------ the check
  /** A signed summary → {keyId, digest, key, summary}; Refused with the reason, in open_signed's order. */
  async function openSigned(message, register) {
    if (message.length >= 3 && message[0] === 0x54 && message[1] === 0x4b && message[2] === 0x45) {
      throw new Refused('dit is een sleutelregistratie, geen samenvatting van een proces-verbaal');
    }
    if (message.length < 24 + 64 || message[0] !== 0x54 || message[1] !== 0x4b || message[2] !== 0x53) {
      throw new Refused('geen ondertekende samenvatting');
    }
    if (message[3] !== 1) throw new Refused(`ondertekende samenvatting van versie ${message[3]}`);
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const n = view.getUint32(20);
    if (message.length !== 24 + n + 64) throw new Refused('de samenvatting heeft niet de lengte die ze aankondigt');
    const keyId = message.slice(4, 20);
    const digest = await sha256(message);
    const key = register.keys.get(hex(keyId));
    const base = {keyId, digest: hex(digest), key: key || null, summary: null};
    if (!key) {
      throw Object.assign(new Refused(`de sleutel ${fingerprint(keyId)} staat niet in het gepubliceerde sleutelregister`), base);
    }
    const signed = message.subarray(0, 24 + n);
    if (!(await verifyEd25519(key.public_key, message.subarray(24 + n), concat(ascii(SUMMARY_DOMAIN), signed)))) {
      throw Object.assign(new Refused('de handtekening klopt niet: de samenvatting is veranderd of verkeerd gelezen'), base);
    }
    let summary;
    try {
      summary = parseSummary(await inflate(message.subarray(24, 24 + n)));
    } catch (err) {
      throw Object.assign(err, base);
    }
    base.summary = summary;
    const claims = `${ROLES[summary.role]} ${summary.authority_id}`;
    if (summary.role !== key.role || summary.authority_id !== key.authority_id) {
      throw Object.assign(new Refused(`de samenvatting zegt van het ${claims} te komen, de sleutel is van het ${ROLES[key.role] || key.role} ${key.authority_id}`), base);
    }
    if (summary.election_id !== key.election_id) {
      throw Object.assign(new Refused(`de samenvatting is van verkiezing ${summary.election_id}, de sleutel van ${key.election_id}`), base);
    }
    if (key.district_id && summary.district_id !== key.district_id) {
      throw Object.assign(new Refused(`de samenvatting is van kieskring ${summary.district_id}, de sleutel van ${key.district_id}`), base);
    }
    return base;
  }

  /** Whether the scanned summary is the one published, one a published correction replaced, or neither. */
  function publication(digest, data) {
    const same = data.published.find((p) => p.digest === digest);
    if (same) return {kind: 'ok', text: `Dit is dezelfde samenvatting als de gepubliceerde (map ${same.folder}).`};
    const later = data.published.find((p) => p.supersedes === digest);
    if (later) return {kind: 'warn', text: `Deze samenvatting is vervangen door een correctie (map ${later.folder}): kijk ook naar het nieuwere proces-verbaal.`};
    return {kind: 'warn', text: 'Deze samenvatting staat niet bij de gepubliceerde bestanden van deze uitslag.'};
  }

  // ------------------------------------------------------------------------------------------ the page
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }
  function row(code, label, value, total = false) {
    return el('tr', total ? {class: 'total'} : {}, el('th', {scope: 'row'}, code),
      el('td', {}, label), el('td', {class: 'num'}, number(value)));
  }
  /** A data table in its own scrolling box; `numeric`: whether its last column holds numbers. */
  function table(id, caption, head, rows, numeric = true) {
    const t = el('table', {}, el('caption', {}, caption));
    const cls = (i) => (numeric && i === head.length - 1 ? 'num' : '');
    t.append(el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', {scope: 'col', class: cls(i)}, h)))));
    t.append(el('tbody', {}, ...rows));
    return el('div', {class: 'scroll', role: 'region', 'aria-labelledby': id, tabindex: '0'}, t);
  }

  /** "gemeentelijk stembureau Oost-Neddam"; a name that already says what it is stays as it is. */
  function body(key) {
    const role = ROLES[key.role] || key.role;
    return key.authority_name.toLowerCase().startsWith(role) ? key.authority_name : `${role} ${key.authority_name}`;
  }

  function listNames(data, summary) {
    return data.lists[summary.district_id] || (Object.keys(data.lists).length === 1 ? Object.values(data.lists)[0] : {});
  }

  function showCounts(summary, data) {
    const c = summary.counts, names = listNames(data, summary);
    const e = c.lists.reduce((n, l) => n + l.votes, 0);
    const rows = [
      row('Z', 'Kiesgerechtigden', c.eligible_voters),
      row('A', 'Stempassen', c.poll_cards),
      row('B', 'Volmachtbewijzen', c.proxy_certificates),
      row('C', 'Kiezerspassen', c.voter_cards),
      row('D', 'Totaal toegelaten kiezers', c.admitted_voters, true),
      ...c.lists.map((l, i) => row(`E.${i + 1}`, `Totaal lijst ${l.number}` + (names[l.number] ? ` - ${names[l.number]}` : ''), l.votes)),
      row('E', 'Totaal stemmen op kandidaten', e, true),
      row('F', 'Blanco stemmen', c.blank),
      row('G', 'Ongeldige stemmen', c.invalid),
      row('H', 'Totaal uitgebrachte stemmen (E+F+G)', e + c.blank + c.invalid, true),
      row('I', 'Totaal aantal méér getelde stemmen', c.more_ballots),
      row('J', 'Totaal aantal minder getelde stemmen', c.fewer_ballots),
    ];
    const out = el('section', {'aria-labelledby': 'getallen'},
      el('h2', {id: 'getallen'}, 'De ondertekende getallen'),
      el('p', {}, 'Vergelijk ze met de getallen op het papier: rubriek 2 van het proces-verbaal (letters Z tot en met J).'),
      table('getallen', 'Kiezers en stemmen', ['Letter', 'Omschrijving', 'Aantal'], rows));
    const details = el('details', {}, el('summary', {}, 'Stemmen per kandidaat'));
    for (const l of c.lists) {
      const id = `lijst-${l.number}`;
      details.append(el('h3', {id}, `Lijst ${l.number}` + (names[l.number] ? ` - ${names[l.number]}` : '')),
        table(id, `Stemmen per kandidaat, lijst ${l.number}`, ['Kandidaat', 'Stemmen'],
          l.candidates.map((v, i) => el('tr', {}, el('th', {scope: 'row'}, String(i + 1)), el('td', {class: 'num'}, number(v))))));
    }
    out.append(details);
    return out;
  }

  function showResult(result, data) {
    const box = $('uitslag');
    box.replaceChildren();
    const ok = !result.refusal;
    const who = result.key ? `${body(result.key)} (${result.key.authority_id})`
      : 'onbekend: deze sleutel staat niet in het register';
    box.append(
      el('p', {class: ok ? 'verdict ok' : 'verdict refused', role: 'status', id: 'oordeel'},
        ok ? 'Handtekening klopt' : `Geweigerd: ${result.refusal}`),
      el('h2', {id: 'wie'}, 'Wie heeft ondertekend'),
      el('dl', {class: 'facts'},
        el('dt', {}, 'Instantie'), el('dd', {id: 'instantie'}, who),
        el('dt', {}, 'Vingerafdruk van de sleutel'), el('dd', {}, el('code', {id: 'vingerafdruk'}, fingerprint(result.keyId))),
        ...(result.digest ? [el('dt', {}, 'Vingerafdruk van de samenvatting'),
          el('dd', {}, el('code', {id: 'samenvatting'}, fingerprint(unhex(result.digest).subarray(0, 16))))] : []),
        ...(result.summary ? [
          el('dt', {}, 'Verkiezing'), el('dd', {}, result.summary.election_id + (result.summary.district_id ? `, kieskring ${result.summary.district_id}` : '')),
          el('dt', {}, 'Zitting'), el('dd', {}, result.summary.phase ? `correctie ${result.summary.phase}` : 'eerste zitting'),
          el('dt', {}, 'Ondertekend op'), el('dd', {}, result.summary.issued_at.replace('T', ' ')),
        ] : []),
        ...(result.key ? [el('dt', {}, 'Handtekening gecontroleerd met'),
          el('dd', {}, engine === 'WebCrypto' ? 'de cryptografie van de browser (WebCrypto)' : '@noble/ed25519')] : [])),
      el('p', {}, 'Boven de QR-codes op het papier staan beide vingerafdrukken: vergelijk ze. Alleen als de '
        + 'vingerafdruk van de sleutel gelijk is, weet u dat deze pagina de sleutel van die instantie gebruikt.'));
    if (result.summary && ok) {
      const pub = publication(result.digest, data);
      box.append(el('p', {class: `verdict ${pub.kind}`, id: 'publicatie'}, pub.text), showCounts(result.summary, data));
    }
    box.hidden = false;
    box.scrollIntoView({block: 'start'});
  }

  async function check(message, register, data) {
    try {
      const opened = await openSigned(message, register);
      return {...opened, refusal: null};
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return {keyId: err.keyId || message.slice(4, 20), digest: err.digest || '', key: err.key || null,
              summary: err.summary || null, refusal: err.message};
    }
  }

  function showKeys(register) {
    const rows = Array.from(register.keys.values()).map((k) => el('tr', {},
      el('td', {}, body(k)), el('td', {}, el('code', {}, k.fingerprint))));
    $('sleutels').replaceChildren(table('sleutels-kop', 'Gepubliceerde sleutels', ['Instantie', 'Vingerafdruk'], rows, false));
    for (const b of register.bad) $('sleutels').append(el('p', {class: 'verdict refused'}, `Sleutel in map ${b.folder} geweigerd: ${b.reason}`));
  }

  async function start() {
    const data = window.TK_CONTROLE;
    const status = $('voortgang');
    const say = (t) => { status.textContent = t; };
    if (!data || !window.crypto || !crypto.subtle || typeof DecompressionStream === 'undefined') {
      say('Deze browser kan de controle niet doen: open de pagina via https of als bestand, in een recente browser.');
      return;
    }
    const register = await loadRegister(data);
    showKeys(register);
    let collector = new Collector(), stream = null, busy = false, done = false, skipped = 0;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    window.ZXingWASM.prepareZXingModule({overrides: {wasmBinary: fromBase64(window.TK_ZXING_WASM).buffer}});
    const options = {formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 64};

    async function feed(results) {
      for (const r of results) {
        if (!r.isValid || !r.bytes || !r.bytes.length) continue;
        try { collector.add(r.bytes); } catch (err) {
          if (!(err instanceof Refused)) throw err;
          skipped += 1;
          say(`QR-code overgeslagen: ${err.message}.`);
          continue;
        }
        const p = collector.progress();
        say(`${p.read} van ${p.count} ${p.count === 1 ? 'code' : 'codes'} gelezen`);
        if (collector.complete()) {
          done = true;
          stop();
          let message;
          try { message = await collector.message(); } catch (err) {
            if (!(err instanceof Refused)) throw err;
            showResult({keyId: new Uint8Array(16), digest: '', key: null, summary: null, refusal: err.message}, data);
            return;
          }
          showResult(await check(message, register, data), data);
          return;
        }
      }
    }
    function stop() {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      $('beeld').hidden = true;
      $('camera-knop').textContent = 'Camera starten';
    }
    async function frame() {
      if (!stream || done) return;
      const video = $('beeld');
      if (!busy && video.videoWidth) {
        busy = true;
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        try {
          await feed(await window.ZXingWASM.readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), options));
        } catch (err) {
          say(`Fout bij het lezen van het camerabeeld: ${err.message}`);
        } finally { busy = false; }
      }
      setTimeout(frame, 150);
    }
    function reset() {
      collector = new Collector(); done = false; skipped = 0;
      $('uitslag').hidden = true;
      say('Nog geen code gelezen.');
    }
    $('camera-knop').addEventListener('click', async () => {
      if (stream) { stop(); return; }
      reset();
      try {
        stream = await navigator.mediaDevices.getUserMedia({audio: false,
          video: {facingMode: {ideal: 'environment'}, width: {ideal: 1920}, height: {ideal: 1080}}});
      } catch (err) {
        say('De camera kan niet worden gebruikt (' + err.name + '). Maak dan een foto van het QR-blad en kies die hieronder.');
        return;
      }
      const video = $('beeld');
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      $('camera-knop').textContent = 'Camera stoppen';
      say('Richt de camera op het QR-blad. Nog geen code gelezen.');
      frame();
    });
    $('foto').addEventListener('change', async (ev) => {
      stop();
      if (done) reset();
      for (const file of ev.target.files) {
        try { await feed(await window.ZXingWASM.readBarcodes(file, options)); } catch (err) {
          say(`Deze foto kan niet worden gelezen: ${err.message}`);
        }
      }
      if (!done && collector.progress().count === 0) say('Geen QR-code van een proces-verbaal gevonden op deze foto.');
    });
    $('camera-knop').disabled = false;
    $('foto').disabled = false;
    say('Klaar om te scannen. Nog geen code gelezen.');
    document.body.dataset.ready = 'true';
  }

  window.TelketenControle = {Collector, parseChunk, unpack, parseSummary, inflate, openEnrolment, loadRegister,
                             openSigned, check, publication, fingerprint, chooseEngine, fromBase64, Refused};
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
