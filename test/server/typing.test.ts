// The typing-session tier: every session in test/server/sessions/*.json is replayed against the
// real server over LSP, one character per didChange, with the model built after each. At every
// step, an error or warning on a line the session never touched (and a program written there)
// may only appear or vanish toward what a fresh server says about the final text; at the end the
// model equals that fresh server's, and so do the published diagnostics. A session's workspace is
// a directory of the repository (or an absolute path).
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { ModelChangedNotification, ModelRequest } from '../../server/src/protocol';
import { inProcess, messageOf, type TestClient } from './client';
import { ROOT } from './helpers';
import { loadSession, replaySession, type Step, type TypingSession } from './typingSession';

/** BPF_ASSOC_SESSIONS=DIR replays the sessions of another directory the same way. */
const SESSIONS = process.env.BPF_ASSOC_SESSIONS ? resolve(process.env.BPF_ASSOC_SESSIONS) : join(__dirname, 'sessions');
const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

/** A copy of the session's workspace without build output, the typed file at its starting text. */
function workspaceFor(s: TypingSession, text?: string): { dir: string; file: string; cleanup: () => void } {
  const source = resolve(ROOT, s.workspace);
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-typing-'));
  cpSync(source, dir, { recursive: true, filter: (p) => !relative(source, p).split(sep).includes('build') });
  const file = join(dir, s.file);
  if (text !== undefined) writeFileSync(file, text);
  return { dir, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function indexed(dir: string): Promise<TestClient> {
  const client = inProcess();
  await client.initialize([dir]);
  await client.waitFor('indexing to finish', () =>
    client.received.some((m) => m.method === ModelChangedNotification.method && !(m.params as ModelChangedNotification.Params).indexing),
  );
  return client;
}

/** What a line of the model says, keyed so that the same thing on the same starting line has the same key. */
function snapshot(model: WorkspaceModel, dir: string, typed: string, origin: (number | null)[]): Map<string, string> {
  const out = new Map<string, string>();
  const place = (file: string, line: number): string | null => {
    if (file !== typed) return `${relative(dir, file)}:${line}`;
    const o = origin[line];
    return o === null || o === undefined ? null : `${relative(dir, file)}:${o}`;
  };
  const add = (key: string, value: string): void => {
    let k = key;
    for (let n = 1; out.has(k); n++) k = `${key} #${n}`;
    out.set(k, value);
  };
  for (const f of model.findings) {
    if (f.severity === 'info') continue;
    const at = place(f.location.file, f.location.range.start.line);
    if (at) add(`${at} ${f.severity} ${f.rule}: ${f.message.split(dir).join('<ws>')}`, 'present');
  }
  // A program is there or not (its facts); its state may change for true reasons (a program
  // renamed in its definition before its slot is unreferenced, and the whole load fails).
  for (const p of model.programs) {
    const at = place(p.location.file, p.location.range.start.line);
    if (at) add(`${at} program ${p.name}`, 'present');
  }
  return out;
}

/** Changes between two steps that do not go toward the final state. */
function strayChanges(before: Map<string, string>, after: Map<string, string>, final: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(k) ?? 'absent';
    const now = after.get(k) ?? 'absent';
    if (was !== now && now !== (final.get(k) ?? 'absent')) out.push(`${k}: ${was} -> ${now}`);
  }
  return out;
}

function normalizedFindings(model: WorkspaceModel, dir: string): string[] {
  return model.findings
    .map((f) => `${relative(dir, f.location.file)} ${JSON.stringify(f.location.range)} ${SEVERITY[f.severity]} ${f.rule}: ${f.message.split(dir).join('<ws>')}`)
    .sort();
}

function normalizedDiagnostics(client: TestClient, dir: string): string[] {
  const out: string[] = [];
  for (const [uri, list] of client.diagnostics) {
    const file = relative(dir, decodeURIComponent(new URL(uri).pathname));
    for (const d of list as Diagnostic[]) out.push(`${file} ${JSON.stringify(d.range)} ${d.severity} ${String(d.code)}: ${messageOf(d).split(dir).join('<ws>')}`);
  }
  return out.sort();
}

describe('typing sessions (test/server/sessions)', function () {
  this.timeout(120000);
  for (const name of readdirSync(SESSIONS).filter((n) => n.endsWith('.json')).sort()) {
    const session = loadSession(join(SESSIONS, name));
    it(`${name.replace(/\.json$/, '')}: ${session.description}`, async () => {
      const ws = workspaceFor(session, session.text);
      const startText = readFileSync(ws.file, 'utf8');
      const client = await indexed(ws.dir);
      const steps: { step: Step; snap: Map<string, string> }[] = [];
      let last: Step;
      try {
        await client.open(ws.file, startText);
        last = await replaySession(client, ws.file, startText, session.keys, (step) => steps.push({ step, snap: snapshot(step.model, ws.dir, ws.file, step.origin) }));
      } catch (e) {
        await client.shutdown();
        client.dispose();
        ws.cleanup();
        throw e;
      }
      // A fresh server on the final text.
      const fresh = workspaceFor(session, last.text);
      const other = await indexed(fresh.dir);
      const freshModel = (await other.request<ModelRequest.Result>(ModelRequest.method, {})).model;
      await other.shutdown();
      other.dispose();
      try {
        const final = snapshot(freshModel, fresh.dir, fresh.file, last.origin);
        const stray: string[] = [];
        for (let i = 1; i < steps.length; i++) {
          const { step, snap } = steps[i] as { step: Step; snap: Map<string, string> };
          for (const c of strayChanges((steps[i - 1] as { snap: Map<string, string> }).snap, snap, final)) stray.push(`step ${step.index} (${step.key}): ${c}`);
        }
        assert.deepEqual(stray, [], `on lines the session did not touch:\n${stray.slice(0, 12).join('\n')}${stray.length > 12 ? `\n... ${stray.length - 12} more` : ''}`);
        const expected = normalizedFindings(freshModel, fresh.dir);
        assert.deepEqual(normalizedFindings(last.model, ws.dir), expected, 'the final model against a fresh server on the final text');
        const published = await client
          .waitFor('published diagnostics equal to a fresh server', () => JSON.stringify(normalizedDiagnostics(client, ws.dir)) === JSON.stringify(expected), 5000)
          .catch(() => false);
        assert.deepEqual(published ? expected : normalizedDiagnostics(client, ws.dir), expected, 'published diagnostics after the session');
      } finally {
        await client.shutdown();
        client.dispose();
        ws.cleanup();
        fresh.cleanup();
      }
    });
  }
});
