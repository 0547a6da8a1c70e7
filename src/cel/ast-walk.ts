/**
 * AstNode is the part of a @marcbachmann/cel-js AST node this package reads:
 * an operator and its operands (nodes, lists of nodes, names or literals).
 */
export interface AstNode {
  op: string;
  args: unknown;
}

/** isAstNode tells whether a value is an AST node. */
export function isAstNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string' && 'args' in value;
}

/** childNodes returns the direct child nodes of a node, in source order. */
export function childNodes(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const visit = (value: unknown): void => {
    if (isAstNode(value)) out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  visit(node.args);
  return out;
}

/** callName returns the function name of a `call` or `rcall` node, else undefined. */
export function callName(node: AstNode): string | undefined {
  if ((node.op === 'call' || node.op === 'rcall') && Array.isArray(node.args) && typeof node.args[0] === 'string') {
    return node.args[0];
  }
  return undefined;
}

/** walkAst calls visit for every node, parents before children, with the depth of comprehensions around it. */
export function walkAst(root: AstNode, visit: (node: AstNode, comprehensionDepth: number) => void): void {
  const stack: Array<[AstNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [AstNode, number];
    visit(node, depth);
    const inner = isComprehension(node) ? depth + 1 : depth;
    for (const child of childNodes(node).reverse()) stack.push([child, inner]);
  }
}

/** COMPREHENSION_MACROS are the macros that loop over a list or map. */
export const COMPREHENSION_MACROS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'transformList', 'transformMap']);

/** isComprehension tells whether a node is a looping macro call. */
export function isComprehension(node: AstNode): boolean {
  const name = callName(node);
  return node.op === 'rcall' && name !== undefined && COMPREHENSION_MACROS.has(name);
}
