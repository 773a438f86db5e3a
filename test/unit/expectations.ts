// Inline expectations in fixture files, so a case reads as one file:
//
//   int BPF_PROG(test_1, struct st_ops_args *args)
//   //           ^ poisoned-association          a finding with this rule starts at the caret,
//                                                 on the nearest code line above
//   scx_bpf_kick_cpu(0, 0);
//   // <- unassociated-kfunc-caller                 ... at the first non-blank column of the line above
//   // expect-state: test_1 poisoned map_a map_b  the program's association state (and maps)
//   // expect-state: ops_b absent                 no program or struct_ops map of that name or id
//   bpf_prog_assoc_struct_ops(prog_fd, map_fd, NULL);
//   // expect-call: EINVAL                          what the association call(s) starting on the
//                                                 nearest code line above are predicted to return
//
// Every finding in a case's files must be expected, so a case also proves what is NOT reported.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { isRuleId, ruleInfo } from '../../server/src/analysis/rules';

export interface ExpectedFinding {
  file: string;
  line: number;
  character: number;
  rule: string;
  /** Written as `rule-id/info`; otherwise the rule's default severity. */
  severity?: string;
}

export interface ExpectedCall {
  file: string;
  line: number;
  /** `0`, an errno name, or `unknown`. */
  result: string;
}

export interface ExpectedState {
  file: string;
  program: string;
  state: string;
  maps: string[];
}

const CARET = /^(\s*\/\/\s*)(\^+)\s+([a-z][a-z0-9-]*)(?:\/(error|warning|info))?\s*$/;
const ARROW = /^\s*\/\/\s*<-\s+([a-z][a-z0-9-]*)(?:\/(error|warning|info))?\s*$/;
const STATE = /\/\/\s*expect-state:\s*(\S+)\s+(\S+)((?:\s+\S+)*)\s*$/;
const CALL = /^\s*\/\/\s*expect-call:\s*(\S+)\s*$/;

export function readExpectations(files: string[]): { findings: ExpectedFinding[]; states: ExpectedState[]; calls: ExpectedCall[] } {
  const findings: ExpectedFinding[] = [];
  const states: ExpectedState[] = [];
  const calls: ExpectedCall[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let codeLine = -1;
    let codeIndent = 0;
    lines.forEach((text, i) => {
      const arrow = ARROW.exec(text);
      if (arrow) {
        findings.push({ file, line: codeLine, character: codeIndent, rule: arrow[1] ?? '', severity: arrow[2] });
        return;
      }
      const caret = CARET.exec(text);
      if (caret) {
        findings.push({ file, line: codeLine, character: (caret[1] ?? '').length, rule: caret[3] ?? '', severity: caret[4] });
        return;
      }
      const call = CALL.exec(text);
      if (call) {
        calls.push({ file, line: codeLine, result: call[1] ?? '' });
        return;
      }
      const st = STATE.exec(text);
      if (st) {
        states.push({ file, program: st[1] ?? '', state: st[2] ?? '', maps: (st[3] ?? '').trim().split(/\s+/).filter(Boolean) });
        return;
      }
      codeLine = i;
      codeIndent = text.length - text.trimStart().length;
    });
  }
  return { findings, states, calls };
}

export function listCaseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listCaseFiles(p));
    else if (/\.(c|h)$/.test(name) || name === 'Makefile') out.push(p);
  }
  return out;
}

/** A crate fixture's files as a workspace holds them: its C, headers, Rust sources and Cargo.toml, sorted. */
export function listCrateFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? listCrateFiles(p) : /\.(c|h|rs)$/.test(name) || name === 'Cargo.toml' ? [p] : [];
    });
}

export function findingKeys(model: WorkspaceModel, files: Set<string>): string[] {
  return model.findings
    .filter((f) => files.has(f.location.file))
    .map((f) => `${f.location.file.split('/').slice(-2).join('/')}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.rule}/${f.severity}`)
    .sort();
}

export function expectedKeys(expected: ExpectedFinding[]): string[] {
  return expected
    .map((e) => `${e.file.split('/').slice(-2).join('/')}:${e.line + 1}:${e.character + 1} ${e.rule}/${e.severity ?? (isRuleId(e.rule) ? ruleInfo(e.rule).severity : '?')}`)
    .sort();
}

export function stateOf(model: WorkspaceModel, program: string): string {
  const matches = model.programs.filter((p) => p.name === program || p.id === program);
  // `expect-state: NAME absent`: no program and no struct_ops map by that name (or id).
  if (!matches.length && !model.maps.some((m) => m.name === program || m.id === program)) return 'absent';
  if (matches.length !== 1) return `<${matches.length} programs named ${program}>`;
  const a = (matches[0] as (typeof matches)[number]).association;
  const maps = a.state === 'auto' || a.state === 'explicit' ? [a.map] : a.state === 'poisoned' ? a.maps : [];
  return [a.state, ...maps].join(' ');
}

/** The predicted results of the association calls that start on an expected call's line. */
export function callResultsAt(model: WorkspaceModel, e: ExpectedCall): string[] {
  return model.associationCalls.filter((c) => c.location.file === e.file && c.location.range.start.line === e.line).map((c) => String(c.predicted.result));
}
