import { callName, walkAst } from './ast-walk.js';
import type { AstNode } from './ast-walk.js';
import type { CelInputStats } from './values.js';

/** ExpressionShape is what the cost bound needs to know about one compiled expression. */
export interface ExpressionShape {
  /** nodes is the number of AST nodes. */
  nodes: number;
  /** loopDepth is the deepest nesting of comprehensions (all, exists, map, filter…). */
  loopDepth: number;
  /** splitsStrings is true when the expression can turn a string into a list (split, findAll). */
  splitsStrings: boolean;
}

const STRING_TO_LIST = new Set(['split', 'findAll']);

/** shapeOf measures a parsed expression once, at compile time. */
export function shapeOf(root: AstNode): ExpressionShape {
  const shape: ExpressionShape = { nodes: 0, loopDepth: 0, splitsStrings: false };
  walkAst(root, (node, depth) => {
    shape.nodes++;
    if (depth > shape.loopDepth) shape.loopDepth = depth;
    const name = callName(node);
    if (name !== undefined && STRING_TO_LIST.has(name)) shape.splitsStrings = true;
  });
  return shape;
}

/**
 * estimateCost bounds the work of one evaluation from above:
 * every node may run once per iteration of every comprehension around it,
 * and a comprehension iterates at most over the longest list in the input
 * (or the longest string, when the expression can split strings into lists).
 * Literal lists are bounded by the parser. The unit is roughly one node
 * evaluation.
 */
export function estimateCost(shape: ExpressionShape, stats: CelInputStats): number {
  const longest = Math.max(stats.maxListLength, shape.splitsStrings ? stats.maxStringLength + 1 : 0, 1);
  return shape.nodes * Math.pow(longest, shape.loopDepth);
}
