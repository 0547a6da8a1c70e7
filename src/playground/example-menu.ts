import type { PlaygroundCase } from './engine.js';

/** PlaygroundExample is one entry of the page's example menu. */
export interface PlaygroundExample {
  /** group is the menu section: `Fixtures`, `Policy tests` or `Conversion`. */
  group: string;
  name: string;
  input: PlaygroundCase;
}

/** ExampleMenu is the menu as shipped in the bundle: the shipped CRD and policy text once, the requests per example. */
export interface ExampleMenu {
  crds: string;
  policies: string;
  examples: { group: string; name: string; request: Omit<PlaygroundCase, 'crds' | 'policies'> }[];
}

/** packExamples stores the shared configuration text once (every example uses the shipped CRDs and policies). */
export function packExamples(examples: readonly PlaygroundExample[]): ExampleMenu {
  const first = examples[0]?.input;
  return {
    crds: first?.crds ?? '',
    policies: first?.policies ?? '',
    examples: examples.map(({ group, name, input }) => {
      const { crds: _crds, policies: _policies, ...request } = input;
      return { group, name, request };
    }),
  };
}

/** unpackExamples is the inverse of packExamples. */
export function unpackExamples(menu: ExampleMenu): PlaygroundExample[] {
  return menu.examples.map(({ group, name, request }) => ({ group, name, input: { crds: menu.crds, policies: menu.policies, ...request } }));
}
