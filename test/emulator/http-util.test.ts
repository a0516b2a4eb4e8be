/**
 * The `f` reply is written piece by piece (JsonArrayText): the bytes a client gets must parse to
 * exactly what one JSON.stringify of the same reply gives, whatever the reply holds around it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonArrayText, sendJson } from '../../src/emulator/http-util.js';

let reply: unknown;
const server = createServer((_req, res) => sendJson(res, reply));
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendJson with a JsonArrayText', () => {
  it('sends what JSON.stringify of the plain reply sends, over many writes', async () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ h: `h${i}`, p: 'root', t: i % 9 === 0 ? 1 : 0, a: `a "quoted" \\ ${i} é`, s: i }));
    const around = { f2: [{ h: 'v', x: undefined }], ok: [], skip: undefined, fn: () => 1, sym: Symbol('s'), u: [{ u: 'me', m: 'm@é' }], sn: 'x', d: new Date(0) };
    reply = [{ f: new JsonArrayText(nodes.map((n) => JSON.stringify(n))), ...around }, -9, undefined, Symbol('t'), { f: new JsonArrayText([]) }];
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text).toBe(JSON.stringify([{ f: nodes, ...around }, -9, undefined, Symbol('t'), { f: [] }]));
  });

  it('sends a reply without one as before, with its length', async () => {
    reply = [{ a: 1 }, -3];
    const res = await fetch(url);
    expect(res.headers.get('content-length')).toBe(String(JSON.stringify(reply).length));
    expect(await res.json()).toEqual(reply);
  });
});
