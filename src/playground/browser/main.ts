/**
 * The playground page: four YAML editors (CRDs, policies, object, old object),
 * the request fields, and the result as kubectl would show it. Everything runs
 * here, in the page, through the engine built from src/ (engine-entry.ts).
 */
import { basicSetup, EditorView } from 'codemirror';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Diagnostic as CmDiagnostic } from '@codemirror/lint';
import examples from 'virtual:playground-examples';
import { admissionReviewJson, createPlayground, decodeCase, encodeCase, policyTestCaseYaml, viewOf } from './engine-entry.js';
import type { PlaygroundCase, PlaygroundOutcome } from './engine-entry.js';
import { unpackExamples } from '../example-menu.js';
import type { ExampleMenu, PlaygroundExample } from '../example-menu.js';
import type { Diagnostic, EditorName } from '../locate.js';

const EDITORS: readonly EditorName[] = ['crds', 'policies', 'object', 'oldObject'];
const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: the page has no #${id}`);
  return el as T;
};

const started = performance.now();
const playground = createPlayground();
const menu: PlaygroundExample[] = unpackExamples(examples as ExampleMenu);
const views = new Map<EditorName, EditorView>();
let current: EditorName = 'object';
let lastOutcome: PlaygroundOutcome | undefined;
let runs = 0;

function readCase(): PlaygroundCase {
  const text = (name: EditorName) => views.get(name)?.state.doc.toString() ?? '';
  const field = (id: string) => byId<HTMLInputElement>(id).value.trim();
  return {
    crds: text('crds'),
    policies: text('policies'),
    object: text('object'),
    oldObject: text('oldObject'),
    operation: byId<HTMLSelectElement>('operation').value as PlaygroundCase['operation'],
    endpoint: byId<HTMLSelectElement>('endpoint').value as PlaygroundCase['endpoint'],
    user: field('user'),
    groups: field('groups').split(',').map((g) => g.trim()).filter((g) => g !== ''),
    namespace: field('namespace'),
    subResource: field('subresource'),
    dryRun: byId<HTMLInputElement>('dry-run').checked,
  };
}

function writeCase(input: PlaygroundCase): void {
  for (const name of EDITORS) {
    const view = views.get(name);
    if (view) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: input[name] } });
  }
  byId<HTMLSelectElement>('operation').value = input.operation;
  byId<HTMLSelectElement>('endpoint').value = input.endpoint;
  byId<HTMLInputElement>('user').value = input.user;
  byId<HTMLInputElement>('groups').value = input.groups.join(', ');
  byId<HTMLInputElement>('namespace').value = input.namespace;
  byId<HTMLInputElement>('subresource').value = input.subResource;
  byId<HTMLInputElement>('dry-run').checked = input.dryRun;
}

function showEditor(name: EditorName): void {
  current = name;
  for (const editor of EDITORS) {
    byId(`editor-${editor}`).hidden = editor !== name;
    byId(`tab-${editor}`).setAttribute('aria-selected', String(editor === name));
  }
}

function placeDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const name of EDITORS) {
    const view = views.get(name);
    if (!view) continue;
    const mine = diagnostics.filter((d) => d.editor === name);
    const marks: CmDiagnostic[] = mine.map((d) => {
      const line = view.state.doc.line(Math.min(Math.max(d.line, 1), view.state.doc.lines));
      const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
      return { from, to: line.to > from ? line.to : from, severity: 'error', message: d.message };
    });
    view.dispatch(setDiagnostics(view.state, marks));
    byId(`tab-${name}`).classList.toggle('has-problem', mine.length > 0);
  }
}

function setText(id: string, text: string, hideWhenEmpty = true): void {
  const el = byId(id);
  el.textContent = text;
  const section = el.closest('section.part');
  if (section instanceof HTMLElement && hideWhenEmpty) section.hidden = text === '';
}

function render(outcome: PlaygroundOutcome): void {
  const view = viewOf(outcome);
  const verdict = byId('verdict');
  verdict.textContent = view.headline;
  verdict.dataset['verdict'] = view.verdict;
  setText('problems', view.diagnostics.map((d) => `${d.editor} line ${d.line}: ${d.message}`).join('\n'));
  setText('kubectl', view.kubectl ? `$ ${view.kubectl.command}\n${view.kubectl.stdout}${view.kubectl.stderr}` : '');
  setText('patch', view.patch.map((op) => JSON.stringify(op)).join('\n'));
  setText('diff', view.diff);
  setText('audit', Object.entries(view.auditAnnotations).map(([k, v]) => `${k}: ${v}`).join('\n'));
  setText('converted', view.converted.map((o) => JSON.stringify(o, null, 2)).join('\n---\n'));
  setText('review', view.review);
  placeDiagnostics(view.diagnostics);
  const admission = outcome.kind === 'admission';
  byId<HTMLButtonElement>('as-test').disabled = !admission;
  byId<HTMLButtonElement>('download').disabled = !admission;
  runs += 1;
  document.body.dataset['runs'] = String(runs);
  if (document.body.dataset['firstVerdictMs'] === undefined) document.body.dataset['firstVerdictMs'] = (performance.now() - started).toFixed(0);
}

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void runNow(), 250);
}

async function runNow(): Promise<void> {
  const input = readCase();
  history.replaceState(null, '', `#case=${encodeCase(input)}`);
  lastOutcome = await playground.run(input);
  render(lastOutcome);
}

function download(name: string, text: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

function setup(): void {
  for (const name of EDITORS) {
    const parent = byId(`editor-${name}`);
    views.set(name, new EditorView({ parent, extensions: [basicSetup, yaml(), lintGutter(), EditorView.updateListener.of((u) => u.docChanged && schedule())] }));
    byId(`tab-${name}`).addEventListener('click', () => showEditor(name));
  }
  const select = byId<HTMLSelectElement>('example');
  const groups = new Map<string, HTMLOptGroupElement>();
  menu.forEach((example, i) => {
    let group = groups.get(example.group);
    if (!group) {
      group = document.createElement('optgroup');
      group.label = example.group;
      groups.set(example.group, group);
      select.append(group);
    }
    group.append(new Option(example.name, String(i)));
  });
  select.addEventListener('change', () => {
    const example = menu[Number(select.value)];
    if (example) {
      writeCase(example.input);
      showEditor('object');
      clearTimeout(timer); // writing the editors scheduled a run of its own
      void runNow();
    }
  });
  for (const id of ['operation', 'endpoint', 'user', 'groups', 'namespace', 'subresource', 'dry-run']) byId(id).addEventListener('input', schedule);
  byId('share').addEventListener('click', () => {
    void navigator.clipboard?.writeText(location.href).catch(() => undefined);
    byId('share-status').textContent = 'Link copied (the address bar holds it too)';
  });
  byId('as-test').addEventListener('click', () => {
    if (lastOutcome?.kind !== 'admission') return;
    const yamlText = policyTestCaseYaml(readCase(), lastOutcome, 'from the playground');
    byId('test-case').textContent = yamlText;
    byId('test-case-part').hidden = false;
  });
  byId('download').addEventListener('click', () => {
    if (lastOutcome?.kind === 'admission') download('admission-review.json', admissionReviewJson(lastOutcome), 'application/json');
  });
  const shared = new URLSearchParams(location.hash.slice(1)).get('case');
  let restored = false;
  if (shared) {
    try {
      writeCase(decodeCase(shared));
      restored = true;
    } catch (err) {
      byId('share-status').textContent = (err as Error).message;
    }
  }
  if (!restored && menu[0]) {
    const first = menu.findIndex((e) => e.name === 'widget-create-invalid');
    select.value = String(first >= 0 ? first : 0);
    writeCase((menu[first >= 0 ? first : 0] as PlaygroundExample).input);
  }
  showEditor(current);
  clearTimeout(timer);
  void runNow();
}

setup();
